// mp.first(col, { orderBy }): the value of col in the row with the smallest non-NULL orderBy,
// computed inside the dataset's one scan on DuckDB (records), PostgreSQL and a two-shard
// ClickHouse Distributed table, against plain JS over the same rows: NULL values (also in the
// first row), NULL orderBy values, a dataset where no row has one, and an empty dataset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chQuery } from '../../scripts/clickhouse.mjs'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import type { ScanEvent } from '../../src/engine/scan-events.js'
import { quietSuite, rng } from '../helpers/data.js'
import { chUrl, clickhouseUp, distributedTable, dropDistributed, uniqueTable } from './ch-helpers.js'
import { freshDatabase, hasPg, pgUrl, withClient } from './pg-helpers.js'

interface Row {
  id: number
  value: number | null
  /** Distinct when not NULL: a tie has no defined first row. */
  seq: number | null
}

function makeRows(n: number, seed: number): Row[] {
  const r = rng(seed)
  const seqs = Array.from({ length: n }, (_, i) => i * 3 + 1).sort(() => r() - 0.5)
  return seqs.map((s, id) => ({
    id,
    value: r() < 0.15 ? null : Math.round((r() * 2000 - 1000) * 100) / 100,
    seq: r() < 0.1 ? null : s,
  }))
}

/** The reference: the value of the row with the smallest non-NULL seq; NULL without one. */
function firstOf(rows: readonly Row[], by: 'seq' | 'id' = 'seq'): number | null {
  let best: Row | undefined
  for (const row of rows) {
    const k = row[by]
    if (k === null) continue
    if (best === undefined || k < (best[by] as number)) best = row
  }
  return best === undefined ? null : best.value
}

const MANY = makeRows(600, 7)
// The first row (smallest seq) holds NULL: first() is NULL, not the next row's value.
const NULL_FIRST: Row[] = [
  { id: 0, value: 5, seq: 9 },
  { id: 1, value: null, seq: 2 },
  { id: 2, value: 7, seq: null },
]
const NO_ORDER: Row[] = [
  { id: 0, value: 5, seq: null },
  { id: 1, value: 6, seq: null },
]
const DATASETS: Record<string, Row[]> = { many: MANY, nullFirst: NULL_FIRST, noOrder: NO_ORDER, empty: [] }

const checks = Object.keys(DATASETS).map((d) =>
  check({ name: `first of ${d}`, datasets: [d] }, (mp, ctx) => {
    ctx
      .assertThat(mp.first('value', { orderBy: 'seq' }))
      .where({ name: 'by seq' })
      .noop()
    ctx
      .assertThat(mp.first('value', { orderBy: 'id' }))
      .where({ name: 'by id' })
      .noop()
    ctx.assertThat(mp.numRows()).where({ name: 'rows' }).noop()
  }),
)

function valuesOf(report: RunReport): Record<string, number | null> {
  return Object.fromEntries(report.symbols.map((s) => [`${s.dataset} ${s.metric}`, s.value]))
}

function expected(): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const [d, rows] of Object.entries(DATASETS)) {
    out[`${d} first(value, orderBy seq)`] = firstOf(rows)
    out[`${d} first(value, orderBy id)`] = firstOf(rows, 'id')
    out[`${d} numRows()`] = rows.length
  }
  return out
}

async function runAll(
  sources: Record<string, DataSource>,
): Promise<{ values: Record<string, number | null>; scans: ScanEvent[] }> {
  const scans: ScanEvent[] = []
  const report = await quietSuite(checks).run(sources, new ResultKey('2026-11-25'), {
    onProgress: (e) => {
      if (e.phase === 'start') scans.push(e)
    },
  })
  return { values: valuesOf(report), scans }
}

describe('mp.first(col, { orderBy })', () => {
  it('names the metric by column and order, and needs orderBy', () => {
    const mp = new MetricProvider()
    expect(String(mp.first('price', { orderBy: 'updated_at' }))).toBe('first(price, orderBy updated_at)')
    expect(String(mp.first('price', { orderBy: 'updated at', lag: 1 }))).toBe(
      'lag(1, first(price, orderBy "updated at"))',
    )
    expect(() => mp.first('price', undefined as never)).toThrow(
      /first\(price\) needs the column that orders the rows/,
    )
    expect(() => mp.first('price', {} as never)).toThrow(DqxError)
    expect(() => mp.first('price', { orderBy: '' })).toThrow(/first\(\) needs a column name/)
  })

  it('DuckDB: equals plain JS over the same rows, NULLs and empty datasets included, in one scan per dataset', async () => {
    const sources = Object.fromEntries(
      Object.entries(DATASETS).map(([d, rows]) => [
        d,
        DataSource.fromRecords(rows, { schema: { id: 'number', value: 'number', seq: 'number' } }),
      ]),
    )
    const { values, scans } = await runAll(sources)
    expect(values).toEqual(expected())
    expect(values['nullFirst first(value, orderBy seq)']).toBeNull()
    expect(values['noOrder first(value, orderBy seq)']).toBeNull()
    expect(scans.map((s) => s.dataset).sort()).toEqual(Object.keys(DATASETS).sort())
  })

  it('rejects a non-numeric value column but orders by any column', async () => {
    const rows = [{ name: 'a', at: '2026-01-02' }]
    const suite = quietSuite([
      check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
        ctx
          .assertThat(mp.first('name', { orderBy: 'at' }))
          .where({ name: 'x' })
          .noop()
      }),
    ])
    await expect(suite.run({ d: DataSource.fromRecords(rows) }, new ResultKey('2026-11-25'))).rejects.toThrow(
      /first\(name, orderBy at\) needs a numeric column, but 'name'/,
    )
    const ok = quietSuite([
      check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
        ctx
          .assertThat(mp.first('n', { orderBy: 'at' }))
          .where({ name: 'x' })
          .noop()
      }),
    ])
    const report = await ok.run(
      {
        d: DataSource.fromRecords([
          { n: 2, at: 'b' },
          { n: 1, at: 'a' },
        ]),
      },
      new ResultKey('2026-11-25'),
    )
    expect(report.symbols[0]?.value).toBe(1)
  })
})

describe.skipIf(!hasPg())('mp.first on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    db = await freshDatabase(pgUrl())
    await withClient(db.url, async (c) => {
      for (const [d, rows] of Object.entries(DATASETS)) {
        await c.query(`CREATE TABLE "${d}" (id integer, value numeric(12, 2), seq bigint)`)
        for (const r of rows) await c.query(`INSERT INTO "${d}" VALUES ($1, $2, $3)`, [r.id, r.value, r.seq])
      }
    })
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('equals plain JS over the same rows, in one scan per dataset', async () => {
    const sources = Object.fromEntries(
      Object.keys(DATASETS).map((d) => [d, DataSource.postgres({ connectionString: db.url, table: d })]),
    )
    const { values, scans } = await runAll(sources)
    expect(values).toEqual(expected())
    expect(scans).toHaveLength(Object.keys(DATASETS).length)
  })
})

describe.skipIf(!clickhouseUp())('mp.first on a two-shard ClickHouse Distributed table', () => {
  const tables = Object.fromEntries(Object.keys(DATASETS).map((d) => [d, uniqueTable(`first_${d}`)]))
  beforeAll(async () => {
    for (const [d, rows] of Object.entries(DATASETS)) {
      await distributedTable(
        tables[d] as string,
        'id Int32, value Nullable(Float64), seq Nullable(Int64)',
        rows,
        (_, i) => (i % 2 === 0 ? 0 : 1),
      )
    }
  })
  afterAll(async () => {
    for (const t of Object.values(tables)) await dropDistributed(t)
  })

  it('equals plain JS over the same rows, with argMin across both shards', async () => {
    const sources = Object.fromEntries(
      Object.keys(DATASETS).map((d) => [
        d,
        DataSource.clickhouse({ url: chUrl, table: tables[d] as string }),
      ]),
    )
    const { values, scans } = await runAll(sources)
    expect(values).toEqual(expected())
    expect(scans).toHaveLength(Object.keys(DATASETS).length)
    expect(scans[0]?.sql).toContain('argMinIf(tuple(')
    // The shard count is real: both local tables hold rows of the large dataset.
    const counts = await chQuery(chUrl, `SELECT count() FROM ${tables.many}_local`)
    expect(Number(counts.trim())).toBe(MANY.length / 2)
  })
})
