// Parquet columns are described once per file version: a rewritten file is described again.
import { afterAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { quietSuite, tempDir } from '../helpers/data.js'

const dir = tempDir('dqx-schemas-')
afterAll(() => dir.cleanup())

async function writeParquet(file: string, select: string): Promise<void> {
  const s = new DuckDBSession()
  try {
    await s.query(`COPY (${select}) TO '${file}' (FORMAT parquet)`)
  } finally {
    await s.close()
  }
}

describe('parquet schemas', () => {
  it('describes a file once per version, and again after it is rewritten', async () => {
    const file = dir.file('t.parquet')
    await writeParquet(file, 'SELECT range AS a FROM range(3)')
    const uses = (col: string) =>
      check({ name: col, datasets: ['t'] }, (mp, ctx) => {
        ctx.assertThat(mp.sum(col)).where({ name: col }).noop()
      })
    const source = { t: DataSource.parquet(file) }
    const key = new ResultKey('2026-11-25')
    expect((await quietSuite([uses('a')]).run(source, key)).results[0]?.value).toBe(3)
    await expect(quietSuite([uses('b')]).run(source, key)).rejects.toThrow("column 'b'")
    // Rewritten with another column (and another size): the new schema is seen at once.
    await writeParquet(file, 'SELECT range AS a, range * 10 AS b FROM range(4)')
    expect((await quietSuite([uses('b')]).run(source, key)).results[0]?.value).toBe(60)
  })
})
