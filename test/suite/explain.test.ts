// suite.trace(report) / suite.explain(report) on all three MetricDB stores: per assertion the
// statement and column that computed each symbol (the very SQL the scan ran), the value used next
// to the one stored now, values read from the MetricDB, and the anomaly baseline's history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import type { ScanEvent } from '../../src/engine/scan-events.js'
import { renderTrace } from '../../src/suite/explain.js'
import { freshDatabase, hasPg, pgUrl, uniqueName } from '../engine/pg-helpers.js'
import { quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const pgReady = hasPg()
let dir: TempDir
let pg: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  dir = tempDir()
  if (pgReady) pg = await freshDatabase(pgUrl(), 'dqx_explain')
})
afterAll(async () => {
  dir.cleanup()
  await pg?.drop()
})

const stores: { name: string; make: () => MetricDB }[] = [
  { name: 'memory', make: () => MetricDB.memory() },
  { name: 'duckdb file', make: () => MetricDB.duckdb(dir.file(`${uniqueName('ex')}.duckdb`)) },
  { name: 'postgres', make: () => MetricDB.postgres(pg.url, { schema: uniqueName('ex') }) },
].filter((s) => pgReady || s.name !== 'postgres')

const orders = (amounts: number[]) =>
  DataSource.fromRecords(amounts.map((amount, i) => ({ id: i, amount, customer: i % 3 })))
const customers = DataSource.fromRecords([{ id: 0 }, { id: 1 }])

const checks = [
  check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
    ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
    ctx.assertThat(mp.sum('amount').dayOverDay()).where({ name: 'revenue stable' }).isBetween(0.5, 2)
    ctx.assertThat(mp.sum('amount')).where({ name: 'revenue normal' }).isNotAnomalous({
      method: 'zscore',
      window: 3,
      threshold: 3,
      minHistory: 2,
    })
    ctx
      .assertThat(mp.orphanCount('customer', { dataset: 'customers', column: 'id' }))
      .where({ name: 'no orphans' })
      .isZero()
  }),
]

const DAYS = ['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25']
const AMOUNTS = [
  [10, 20],
  [12, 20],
  [11, 21],
  [15, 20],
]

describe.each(stores)('suite.explain: $name', ({ make }) => {
  let db: MetricDB
  let suite: ReturnType<typeof quietSuite>
  let scans: ScanEvent[]
  let report: Awaited<ReturnType<ReturnType<typeof quietSuite>['run']>>

  beforeAll(async () => {
    db = make()
    suite = quietSuite(checks, { db })
    for (const [i, date] of DAYS.entries()) {
      scans = []
      report = await suite.run({ orders: orders(AMOUNTS[i] as number[]), customers }, new ResultKey(date), {
        onProgress: (e) => (e.phase === 'start' ? scans.push(e) : undefined),
      })
    }
  })
  afterAll(async () => {
    await db.close()
  })

  it('traces each symbol to the scan that computed it, with the SQL the scan ran', async () => {
    const trace = await suite.trace(report)
    expect(trace).toMatchObject({
      suite: 'test',
      runId: report.runId,
      date: '2026-11-25',
      queriesRecorded: true,
    })
    const scan = trace.queries.find((q) => q.kind === 'scan' && q.dataset === 'orders')
    expect(scan?.sql).toBe(scans.find((s) => s.dataset === 'orders')?.sql)
    const hasRows = trace.assertions.find((a) => a.assertion === 'has rows')
    expect(hasRows?.symbols).toEqual([
      {
        name: 'x_1',
        metric: 'numRows()',
        dataset: 'orders',
        date: '2026-11-25',
        value: 2,
        source: 'scan',
        query: {
          id: scan?.id,
          sql: scan?.sql,
          params: scan?.params,
          column: `m${scan?.metrics.indexOf('numRows()')}`,
        },
        stored: { value: 2 },
      },
    ])
    const orphans = trace.assertions.find((a) => a.assertion === 'no orphans')
    expect(orphans?.symbols[0]).toMatchObject({ source: 'orphanCount', value: 0, query: { column: 'm0' } })
    expect(orphans?.symbols[0]?.query?.sql).toMatch(/NOT EXISTS/)
  })

  it('lagged values come from the MetricDB; a later re-run of that day shows as stored ≠ used', async () => {
    const before = await suite.trace(report)
    const dod = before.assertions.find((a) => a.assertion === 'revenue stable')
    expect(dod?.value).toBe(35 / 32)
    expect(dod?.symbols.map((s) => [s.metric, s.date, s.value, s.source, s.stored])).toEqual([
      ['sum(amount)', '2026-11-25', 35, 'scan', { value: 35 }],
      ['lag(1, sum(amount))', '2026-11-24', 32, 'metricdb', { value: 32 }],
    ])
    // Yesterday re-run with other data: the MetricDB now holds a value this report did not use.
    await suite.run({ orders: orders([100]), customers }, new ResultKey('2026-11-24'))
    const text = await suite.explain(report)
    expect(text).toContain("x_3  lag(1, sum(amount)) on 'orders' for 2026-11-24 = 32")
    expect(text).toContain('stored now: 100 (differs from the value this run used)')
    expect(text).toMatch(/read from the MetricDB \((memory|duckdb:|postgres:)/)
    // Put it back for the other tests.
    await suite.run({ orders: orders(AMOUNTS[2] as number[]), customers }, new ResultKey('2026-11-24'))
  })

  it('anomaly assertions list the baseline window’s stored values', async () => {
    const trace = await suite.trace(report)
    const anomaly = trace.assertions.find((a) => a.assertion === 'revenue normal')
    expect(anomaly?.history).toEqual([
      {
        metric: 'sum(amount)',
        dataset: 'orders',
        from: '2026-11-22',
        to: '2026-11-24',
        values: [
          { date: '2026-11-22', value: 30, excluded: false },
          { date: '2026-11-23', value: 32, excluded: false },
          { date: '2026-11-24', value: 32, excluded: false },
        ],
      },
    ])
    const text = await suite.explain(report)
    expect(text).toContain(
      "history of sum(amount) on 'orders', 2026-11-22..2026-11-24 (as stored now): 2026-11-22 30, 2026-11-23 32, 2026-11-24 32",
    )
    expect(text).toMatch(/\nQueries\n {2}q1 {2}(scan|orphanCount query) of 'orders' for 2026-11-25/)
  })
})

describe('suite.explain: reports it did not run', () => {
  it('a replayed report explains without statements; another suite’s report is an error', async () => {
    const db = MetricDB.memory()
    const suite = quietSuite(checks, { db })
    await suite.run({ orders: orders([1, 2]), customers }, new ResultKey('2026-11-25'))
    const replayed = await suite.replay(new ResultKey('2026-11-25'))
    const trace = await suite.trace(replayed)
    expect(trace.queriesRecorded).toBe(false)
    expect(trace.assertions[0]?.symbols[0]).toMatchObject({ source: 'unrecorded', stored: { value: 2 } })
    const text = await suite.explain(replayed)
    expect(text).toContain('source not recorded (this report was not produced by this suite object)')
    expect(text).toContain('Queries: not recorded')
    const other = quietSuite(checks, { name: 'other' })
    await expect(other.explain(replayed)).rejects.toThrow(/the report is of suite 'test', not 'other'/)
    await expect(suite.explain(null as never)).rejects.toThrow(DqxError)
  })

  it('skipped and unavailable symbols say why', async () => {
    const suite = quietSuite(checks)
    const report = await suite.run({ orders: orders([1]), customers }, new ResultKey('2026-11-25'))
    const text = await suite.explain(report)
    expect(text).toContain('unavailable: no value of sum(amount)')
    expect(text).toContain('not in the MetricDB now (never written, expired or deleted)')
    const skipped = await quietSuite(checks).run({ customers }, new ResultKey('2026-11-25'))
    const trace = await quietSuite(checks, { db: MetricDB.memory() }).trace(skipped)
    expect(trace.assertions.every((a) => a.status === 'SKIPPED' && a.symbols.length === 0)).toBe(true)
  })
})

describe('renderTrace', () => {
  it('shows tags, empty histories, bigint parameters and runs that issued no statement', async () => {
    const text = renderTrace({
      suite: 's',
      runId: 'r',
      date: '2026-11-25',
      tags: { env: 'prod' },
      db: 'memory',
      queriesRecorded: true,
      queries: [
        {
          id: 'q1',
          kind: 'scan',
          dataset: 'd',
          date: '2026-11-25',
          sql: 'SELECT 1',
          params: [2n ** 70n],
          metrics: ['numRows()'],
        },
      ],
      assertions: [
        {
          check: 'c',
          assertion: 'a',
          status: 'FAILED',
          severity: 'P1',
          expression: 'numRows()',
          value: null,
          symbols: [],
          history: [{ metric: 'numRows()', dataset: 'd', from: '2026-11-11', to: '2026-11-24', values: [] }],
        },
      ],
    })
    expect(text).toContain("Explain: suite 's', run r, 2026-11-25 [env=prod]")
    expect(text).toContain('FAILED  c › a (P1): numRows()\n')
    expect(text).toContain("history of numRows() on 'd', 2026-11-11..2026-11-24 (as stored now): none")
    expect(text).toContain('params: ["1180591620717411303424"]')
    const none = renderTrace({
      suite: 's',
      runId: 'r',
      date: '2026-11-25',
      tags: {},
      db: 'memory',
      queriesRecorded: true,
      queries: [],
      assertions: [],
    })
    expect(none).toBe("Explain: suite 's', run r, 2026-11-25")
  })
})
