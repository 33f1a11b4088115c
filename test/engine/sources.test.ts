// Data sources and the engine around them: record typing, SQL sources, errors found while
// scanning (after a successful DESCRIBE), and the DuckDB MetricDB's open/close edges.
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { duckdbRun, quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25')

let dir: TempDir
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.cleanup())

async function runError(p: Promise<unknown>): Promise<DqxError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DqxError)
  return err as DqxError
}

describe('record sources', () => {
  it('types a column from its first non-null value, wherever it is', async () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('late')).where({ name: 'late' }).isEq(3)
      ctx.assertThat(mp.sum('early')).where({ name: 'early' }).isEq(1)
      ctx.assertThat(mp.nullCount('late')).where({ name: 'nulls' }).isEq(2)
    })
    const recs = [{ late: null, early: 1 }, { late: undefined, early: null }, { late: 3 }]
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords(recs) }, KEY)
    expect(report.results.map((r) => r.status)).toEqual(['PASSED', 'PASSED', 'PASSED'])
  })

  it('types an all-null column as text: counts work, numeric metrics need a schema', async () => {
    const counts = check({ name: 'counts', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.nullCount('x')).where({ name: 'nulls' }).isEq(2)
      ctx.assertThat(mp.countValues('x', 'a')).where({ name: 'a' }).isZero()
    })
    const recs = [{ x: null }, { x: null }]
    const report = await quietSuite([counts]).run({ d: DataSource.fromRecords(recs) }, KEY)
    expect(report.results.map((r) => r.status)).toEqual(['PASSED', 'PASSED'])
    const avg = check({ name: 'avg', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.average('x')).where({ name: 'avg' }).noop()
    })
    const err = await runError(quietSuite([avg]).run({ d: DataSource.fromRecords(recs) }, KEY))
    expect(err.message).toMatch(/'x' in dataset 'd' is VARCHAR/)
    const typed = await quietSuite([avg]).run(
      { d: DataSource.fromRecords(recs, { schema: { x: 'number' } }) },
      KEY,
    )
    expect(typed.results[0]?.error).toMatch(/is NULL/)
  })

  it('takes schema types for bigint, boolean and date columns', async () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(1)
      ctx.assertThat(mp.nullCount('b')).where({ name: 'b' }).isEq(1)
      ctx.assertThat(mp.nullCount('t')).where({ name: 't' }).isEq(1)
      ctx.assertThat(mp.nullCount('n')).where({ name: 'n' }).isEq(1)
    })
    const source = DataSource.fromRecords([{ b: null, t: null, n: null }], {
      schema: { b: 'boolean', t: 'date', n: 'bigint' },
    })
    const report = await quietSuite([c]).run({ d: source }, KEY)
    expect(report.results.every((r) => r.status === 'PASSED')).toBe(true)
  })
})

describe('parquet sources', () => {
  it('read a file whose path holds quotes, spaces and SQL (the path is quoted, never run)', async () => {
    const file = dir.file(`it's "odd"'); DROP TABLE x; --.parquet`)
    await duckdbRun(
      `COPY (SELECT range AS id FROM range(5)) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
    )
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(5)
      ctx.assertThat(mp.sum('id')).where({ name: 'ids' }).isEq(10)
    })
    const report = await quietSuite([c]).run({ d: DataSource.parquet(file) }, KEY)
    expect(report.results.map((r) => r.status)).toEqual(['PASSED', 'PASSED'])
  })

  it('refuse a glob with a NUL character, which SQL cannot quote', async () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
    })
    const err = await runError(
      quietSuite([c]).run({ d: DataSource.parquet(dir.file('a\u0000*.parquet')) }, KEY),
    )
    expect(err.message).toMatch(/contains a NUL character, which SQL cannot quote/)
  })
})

describe('SQL sources', () => {
  it('allow a trailing -- comment', async () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('x')).where({ name: 'sum' }).isEq(3)
    })
    const source = DataSource.sql('SELECT * FROM (VALUES (1), (2)) t(x) -- two rows')
    const report = await quietSuite([c]).run({ d: source }, KEY)
    expect(report.results[0]).toMatchObject({ status: 'PASSED', value: 3 })
  })
})

describe('errors found while scanning', () => {
  it('a corrupt file behind a glob whose first file is fine is unreadable data, naming the dataset', async () => {
    await duckdbRun(`COPY (SELECT 1 AS x) TO '${dir.file('part-a.parquet')}' (FORMAT parquet)`)
    writeFileSync(
      dir.file('part-b.parquet'),
      'PAR1 but not really parquet, just enough bytes to look like one PAR1',
    )
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('x')).where({ name: 'sum' }).isPositive()
    })
    const err = await runError(
      quietSuite([c]).run({ d: DataSource.parquet(dir.file('part-*.parquet')) }, KEY),
    )
    expect(err.code).toBe('DATA_SOURCE')
    expect(err.message).toMatch(/^dataset 'd' \(parquet .*part-\*\.parquet\) could not be read: /)
  })

  it('an error no single metric explains names every check of the scan', async () => {
    const a = check({ name: 'a', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.countValues('price', 'cheap')).where({ name: 'cheap' }).noop()
    })
    const b = check({ name: 'b', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
    })
    const err = await runError(quietSuite([a, b]).run({ d: DataSource.fromRecords([{ price: 1 }]) }, KEY))
    expect(err.code).toBe('SQL')
    expect(err.message).toBe(
      "dataset 'd' (records (1 row)): Conversion Error: Could not convert string 'cheap' to DOUBLE (scanning for checks 'a', 'b')",
    )
  })

  it('a metric that breaks the scan is named with every check that uses it', async () => {
    const mk = (name: string) =>
      check({ name, datasets: ['d'] }, (mp, ctx) => {
        ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
        ctx.assertThat(mp.customSql('sum(nope)')).where({ name: 'custom' }).noop()
      })
    const err = await runError(
      quietSuite([mk('a'), mk('b')]).run({ d: DataSource.fromRecords([{ x: 1 }]) }, KEY),
    )
    expect(err.code).toBe('SQL')
    expect(err.message).toMatch(
      /^checks 'a', 'b': customSql\(sum\(nope\)\) failed in dataset 'd' \(records \(1 row\)\): Binder Error/,
    )
    expect(err.cause).toBeInstanceOf(DqxError)
  })
})

describe('DuckDB MetricDB edges', () => {
  it('writes nothing for an empty batch', async () => {
    const db = MetricDB.duckdb(dir.file('empty-batch.duckdb'))
    await db.putMetrics([])
    await db.close()
  })

  it('close() while the file is still opening waits for the read in flight', async () => {
    const db = MetricDB.duckdb(dir.file('missing-dir/x.duckdb'))
    const pending = db.getMetric({ metric: 'm', dataset: 'd', date: '2026-11-25', tags: {} })
    await db.close()
    expect(await pending).toBeUndefined()
  })

  it('close() waits for a write in progress', async () => {
    const db = MetricDB.duckdb(dir.file('closing.duckdb'))
    const write = db.putMetrics([
      { metric: 'm', dataset: 'd', date: '2026-11-25', tags: {}, value: 1, suite: 's', runId: 'r' },
    ])
    await db.close()
    await write
    expect((await db.getMetric({ metric: 'm', dataset: 'd', date: '2026-11-25', tags: {} }))?.value).toBe(1)
    await db.close()
  })
})
