// Failed-row samples over a large parquet file (2M rows, ~80 MB with a wide `payload` column):
// the sample query reads only the columns it names (EXPLAIN shows the scan's projection) and stops
// at its LIMIT (EXPLAIN ANALYZE shows how few rows the scan produced).
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { captureLogger, duckdbRun, quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const ROWS = 2_000_000
let dir: TempDir
let file: string
beforeAll(async () => {
  dir = tempDir()
  file = dir.file('big.parquet')
  // Half the rows on each of two days; every 1000th row has a NULL email (all 2000 on 2026-11-25).
  await duckdbRun(
    `COPY (SELECT i AS id,
                  CASE WHEN i % 1000 = 8 THEN NULL ELSE 'user' || i || '@example.com' END AS email,
                  (i % 997)::DOUBLE AS price,
                  md5(i::VARCHAR) AS payload,
                  DATE '2026-11-25' - (i % 2)::INTEGER AS day
           FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet)`,
  )
}, 120_000)
afterAll(() => dir.cleanup())

/** The text lines of a DuckDB EXPLAIN (ANALYZE) plan. */
async function explain(sql: string, params: unknown[], analyze = false): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '4' })
  const conn = await instance.connect()
  try {
    const r = await conn.runAndReadAll(`EXPLAIN ${analyze ? 'ANALYZE ' : ''}${sql}`, params as never)
    return r
      .getRowObjectsJS()
      .map((x) => String(x.explain_value))
      .join('\n')
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}

/** The column names listed under `Projections:` of the plan's parquet scan. */
function projections(plan: string): string[] {
  const cells = plan.split('\n').map((l) => l.replace(/[│┌┐└┘─┬┴]/g, '').trim())
  const from = cells.indexOf('Projections:')
  const out: string[] = []
  for (const c of cells.slice(from + 1)) {
    if (c === '' || c.endsWith(':')) break
    out.push(c)
  }
  return out
}

describe('failed-row samples on a 2M-row parquet file', () => {
  it('reads only the named columns and stops at the LIMIT', async () => {
    const c = check({ name: 'emails', datasets: ['big'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.nullCount('email'))
        .where({ name: 'no null emails', sampleColumns: ['id'] })
        .isZero()
      ctx.assertThat(mp.minimum('price')).where({ name: 'prices from 1' }).isGeq(1)
    })
    const { logger, lines } = captureLogger()
    const report = await quietSuite([c], { logger }).run(
      { big: DataSource.parquet(file, { dateColumn: 'day' }) },
      new ResultKey('2026-11-25'),
    )
    const [r, min] = report.results
    expect(r).toMatchObject({ status: 'FAILED', value: 2000 })
    expect(r?.samples?.total).toBe(2000)
    expect(r?.samples?.rows).toHaveLength(10)
    for (const row of r?.samples?.rows ?? []) {
      expect(Object.keys(row)).toEqual(['email', 'id'])
      expect(row.email).toBeNull()
      expect(Number(row.id) % 1000).toBe(8)
    }

    const sql = lines.find((l) => l.msg === 'sample' && l.kind === 'rows')?.sql as string
    expect(sql).toBe(
      `SELECT "email", "id" FROM read_parquet('${file}') AS dqx_src WHERE CAST("day" AS DATE) = CAST($1 AS DATE) AND "email" IS NULL LIMIT 10`,
    )
    const params = ['2026-11-25']
    const plan = await explain(sql, params)
    // Predicate and projection pushed into the parquet reader: the wide payload is never read.
    expect(projections(plan)).toEqual(['email', 'id'])
    expect(plan).toContain('(email IS NULL)')
    expect(plan).toMatch(/LIMIT/)
    expect(plan).not.toContain('payload')
    // Bounded: the scan stops long before producing all 2000 matching rows, let alone 2M.
    const analyzed = await explain(sql, params, true)
    const scanned = analyzed.match(/TABLE_SCAN[\s\S]*?(\d[\d,]*) rows/)
    expect(scanned).not.toBeNull()
    expect(Number(scanned?.[1]?.replaceAll(',', ''))).toBeLessThan(2000)

    // nullCount already counted the NULL rows: no count query for it. A bound violation needs
    // one, and it reads only the predicate's column (and the date column).
    expect(lines.filter((l) => l.msg === 'sample').map((l) => [l.assertion, l.kind])).toEqual([
      ['no null emails', 'rows'],
      ['prices from 1', 'count'],
      ['prices from 1', 'rows'],
    ])
    // price 0 on 2026-11-25: i divisible by 997 and even.
    expect(min?.samples?.total).toBe(Math.ceil(ROWS / 1994))
    const count = lines.find((l) => l.msg === 'sample' && l.kind === 'count')?.sql as string
    expect(count).toBe(
      `SELECT count(*) AS total FROM read_parquet('${file}') AS dqx_src WHERE CAST("day" AS DATE) = CAST($1 AS DATE) AND "price" < CAST($2 AS DOUBLE)`,
    )
    const countPlan = await explain(count, [...params, 1])
    expect(countPlan).not.toContain('payload')
    expect(countPlan).not.toMatch(/\bid\b|email/)
  }, 120_000)
})
