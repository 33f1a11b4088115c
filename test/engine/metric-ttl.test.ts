// Metric TTL on all three MetricDB stores (memory, DuckDB file, PostgreSQL): values expire
// `ttlDays` full days after their date (else after the store's defaultTtlDays), are never read once
// expired (getMetric, getHistory, so neither lag/dayOverDay nor anomaly baselines see them), are
// deleted by deleteExpiredMetrics({ now }) and after every suite run. Dates are relative to today.

import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey, shiftDate } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB, type StoredMetric } from '../../src/engine/metric-db.js'
import { writesExpired } from '../../src/engine/metric-ttl.js'
import { captureLogger, quietSuite, type TempDir, tempDir } from '../helpers/data.js'
import { freshDatabase, hasPg, pgUrl, uniqueName, withClient } from './pg-helpers.js'

const pgReady = hasPg()
const TODAY = new Date().toISOString().slice(0, 10)
const day = (n: number): string => shiftDate(TODAY, n)

const metric = (over: Partial<StoredMetric> = {}): StoredMetric => ({
  metric: 'sum(amount)',
  dataset: 'orders',
  date: TODAY,
  tags: { env: 'prod' },
  value: 1,
  suite: 'nightly',
  runId: 'r',
  ...over,
})

let dir: TempDir
let pg: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  dir = tempDir()
  if (pgReady) pg = await freshDatabase(pgUrl(), 'dqx_ttl')
})
afterAll(async () => {
  dir.cleanup()
  await pg?.drop()
})

let seq = 0
type Make = (options?: { defaultTtlDays?: number }) => MetricDB
const all: { name: string; make: Make }[] = [
  { name: 'memory', make: (o) => MetricDB.memory(o) },
  { name: 'duckdb file', make: (o) => MetricDB.duckdb(dir.file(`ttl${++seq}.duckdb`), o) },
  { name: 'postgres', make: (o) => MetricDB.postgres(pg.url, { schema: uniqueName('ttl'), ...o }) },
]
const stores = all.filter((s) => pgReady || s.name !== 'postgres')

const lookup = (date: string, m = 'sum(amount)') => ({
  metric: m,
  dataset: 'orders',
  date,
  tags: { env: 'prod' },
})

describe.each(stores)('metric TTL: $name', ({ make }) => {
  it('expired values are not read, then deleteExpiredMetrics deletes exactly them and says which', async () => {
    const db = make({ defaultTtlDays: 10 })
    try {
      await db.putMetrics([
        metric({ date: day(-10), ttlDays: 5, value: 1 }), // expired 4 days ago
        metric({ date: day(-5), ttlDays: 5, value: 2 }), // last live day is today
        metric({ date: day(-6), ttlDays: 5, value: 3 }), // expired today
        metric({ date: day(-30), ttlDays: 100, value: 4 }), // its own TTL outlives the default
        metric({ date: day(-20), metric: 'numRows()', value: 5 }), // default 10: expired
        metric({ date: day(-10), metric: 'numRows()', value: 6 }), // default 10: last live day
      ])
      expect(await db.getMetric(lookup(day(-10)))).toBeUndefined()
      expect((await db.getMetric(lookup(day(-5))))?.value).toBe(2)
      expect(await db.getMetric(lookup(day(-6)))).toBeUndefined()
      expect(await db.getMetric(lookup(day(-20), 'numRows()'))).toBeUndefined()
      expect((await db.getMetric(lookup(day(-10), 'numRows()')))?.value).toBe(6)
      const history = await db.getHistory({ ...lookup(''), from: day(-40), to: TODAY })
      expect(history.map((m) => [m.date, m.value])).toEqual([
        [day(-30), 4],
        [day(-5), 2],
      ])

      // Judged on an earlier day nothing had expired yet.
      expect(await db.deleteExpiredMetrics({ now: day(-11) })).toEqual({
        deleted: 0,
        asOf: day(-11),
        byMetric: [],
      })
      const removed = await db.deleteExpiredMetrics({ now: new Date() })
      expect(removed).toEqual({
        deleted: 3,
        asOf: TODAY,
        byMetric: [
          { metric: 'sum(amount)', dataset: 'orders', values: 2 },
          { metric: 'numRows()', dataset: 'orders', values: 1 },
        ],
      })
      expect((await db.deleteExpiredMetrics()).deleted).toBe(0)
      // A value written again without a TTL of its own follows the default from then on.
      await db.putMetrics([metric({ date: day(-5), value: 7 })])
      // Judged tomorrow, the default (10 days) has passed for numRows of day(-10).
      expect((await db.deleteExpiredMetrics({ now: day(1) })).byMetric).toEqual([
        { metric: 'numRows()', dataset: 'orders', values: 1 },
      ])
      expect((await db.deleteExpiredMetrics({ now: day(5) })).deleted).toBe(0)
      expect((await db.deleteExpiredMetrics({ now: day(6) })).byMetric).toEqual([
        { metric: 'sum(amount)', dataset: 'orders', values: 1 },
      ])
      expect((await db.deleteExpiredMetrics({ now: day(70) })).deleted).toBe(0)
      expect((await db.deleteExpiredMetrics({ now: day(71) })).deleted).toBe(1)
      expect(await db.getHistory({ ...lookup(''), from: day(-40), to: TODAY })).toEqual([])
    } finally {
      await db.close()
    }
  })

  it('without a default, values with no TTL of their own are kept forever', async () => {
    const db = make()
    try {
      await db.putMetrics([metric({ date: '2001-01-01' }), metric({ date: day(-3), ttlDays: 1 })])
      expect((await db.getMetric(lookup('2001-01-01')))?.value).toBe(1)
      expect(await db.getMetric(lookup(day(-3)))).toBeUndefined()
      expect((await db.deleteExpiredMetrics()).deleted).toBe(1)
      expect((await db.deleteExpiredMetrics({ now: '2999-01-01' })).deleted).toBe(0)
    } finally {
      await db.close()
    }
  })

  it('a suite run stores the metric’s ttlDays, skips expired history in dayOverDay, and cleans up after itself', async () => {
    const db = make()
    try {
      const rows = [{ amount: 10 }, { amount: 20 }]
      const suite = quietSuite(
        [
          check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
            ctx
              .assertThat(mp.sum('amount', { ttlDays: 2 }).dayOverDay())
              .where({ name: 'dod' })
              .isPositive()
            // The longest ttlDays of one metric wins.
            ctx
              .assertThat(mp.sum('amount', { ttlDays: 1 }))
              .where({ name: 'sum' })
              .isPositive()
          }),
        ],
        { db },
      )
      const orders = DataSource.fromRecords(rows)
      // Yesterday's value, written by another process with a TTL that ended two days ago, not yet cleaned.
      await db.putMetrics([metric({ date: day(-1), value: 15, ttlDays: 1, tags: {} })])
      await db.putMetrics([metric({ date: day(-4), value: 15, ttlDays: 1, tags: {} })])
      // The read skips day(-4) although no cleanup has run yet: dayOverDay fails for want of it.
      const back = await suite.run({ orders }, new ResultKey(day(-3)))
      const dod = back.results.find((r) => r.assertion === 'dod')
      expect(dod?.status).toBe('FAILED')
      expect(dod?.error).toMatch(new RegExp(`no value of sum\\(amount\\) on 'orders' for ${day(-4)}`))
      // day(-1) + 1 = today: still live, so today's dayOverDay uses it.
      const today = await suite.run({ orders }, new ResultKey(day(0)))
      expect(today.results.find((r) => r.assertion === 'dod')?.value).toBe(2)
      // Both runs already deleted what had expired: the run at day(-3) wrote a value that expires
      // day(-1) (ttlDays 2), so it went at once; today's value is kept through day(2).
      expect((await db.deleteExpiredMetrics()).deleted).toBe(0)
      expect((await db.getMetric({ ...lookup(TODAY), tags: {} }))?.value).toBe(30)
      expect(await db.getMetric({ ...lookup(day(-3)), tags: {} })).toBeUndefined()
      // Yesterday's value (ttlDays 1) goes tomorrow; today's (ttlDays 2, the longer) the day after.
      expect((await db.deleteExpiredMetrics({ now: day(1) })).deleted).toBe(1)
      expect((await db.deleteExpiredMetrics({ now: day(2) })).deleted).toBe(0)
      expect((await db.getMetric({ ...lookup(TODAY), tags: {} }))?.value).toBe(30)
      expect((await db.deleteExpiredMetrics({ now: day(3) })).byMetric).toEqual([
        { metric: 'sum(amount)', dataset: 'orders', values: 1 },
      ])
    } finally {
      await db.close()
    }
  })
})

describe.each(stores)('metric TTL cleanup after runs: $name', ({ make }) => {
  it('a run cleans up once a day per store, and again whenever it wrote values already expired', async () => {
    const db = make()
    try {
      const suite = quietSuite(
        [
          check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
            ctx
              .assertThat(mp.sum('amount', { ttlDays: 1 }))
              .where({ name: 'sum' })
              .isPositive()
          }),
        ],
        { db },
      )
      const orders = DataSource.fromRecords([{ amount: 1 }])
      const longExpired = metric({ date: day(-10), ttlDays: 1, metric: 'other' })
      await suite.run({ orders }, new ResultKey(TODAY)) // the day's first cleanup
      await db.putMetrics([longExpired]) // another writer's expired value
      // Yesterday's value (ttlDays 1) is live today: this run wrote nothing expired and skips the cleanup.
      await suite.run({ orders }, new ResultKey(day(-1)))
      expect((await db.deleteExpiredMetrics()).deleted).toBe(1)
      await db.putMetrics([longExpired])
      // A backfill whose own value is already expired cleans up at once, the other value with it.
      await suite.run({ orders }, new ResultKey(day(-5)))
      expect((await db.deleteExpiredMetrics()).deleted).toBe(0)
      expect(await db.getMetric({ ...lookup(day(-1)), tags: {} })).toMatchObject({ value: 1 })
    } finally {
      await db.close()
    }
  })
})

describe.each(stores)('metric TTL and anomaly baselines: $name', ({ make }) => {
  it('isNotAnomalous leaves expired days out of its baseline', async () => {
    const db = make()
    try {
      // Five days of history written with ttlDays 2: only day(-1) and day(-2) are still live today.
      await db.putMetrics(
        [1, 2, 3, 4, 5].map((n) =>
          metric({ metric: 'numRows()', date: day(-n), value: 10 + n, tags: {}, ttlDays: 2 }),
        ),
      )
      const suite = quietSuite(
        [
          check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
            ctx
              .assertThat(mp.numRows({ ttlDays: 2 }))
              .where({ name: 'volume' })
              .isNotAnomalous({ method: 'zscore', window: 5, threshold: 100, minHistory: 2 })
          }),
        ],
        { db },
      )
      const report = await suite.run({ orders: DataSource.fromRecords([{ a: 1 }]) }, new ResultKey(TODAY))
      const anomaly = report.results[0]?.anomaly
      expect(anomaly?.n).toBe(2)
      expect(anomaly?.center).toBe((11 + 12) / 2)
    } finally {
      await db.close()
    }
  })
})

describe('metric TTL: options and stores from before TTLs', () => {
  it('validates ttlDays, defaultTtlDays and now', async () => {
    const mp = new MetricProvider()
    expect(() => mp.sum('x', { ttlDays: 0 })).toThrow(
      /sum\(\): ttlDays must be a positive whole number of days, got 0/,
    )
    expect(() => mp.sum('x', { ttlDays: 1.5 })).toThrow(DqxError)
    expect(() => mp.numRows({ ttlDays: null as never })).toThrow(/got null/)
    expect(mp.sum('x', { ttlDays: 3 }).ttlDays).toBe(3)
    expect(
      mp
        .sum('x', { ttlDays: 3 })
        .dayOverDay()
        .refs()
        .map((r) => r.ttlDays),
    ).toEqual([3, 3])
    expect(() => MetricDB.memory({ defaultTtlDays: -1 })).toThrow(
      /MetricDB.memory\(\): defaultTtlDays: ttlDays must be a positive whole number of days, got -1/,
    )
    expect(() => MetricDB.duckdb(dir.file('x.duckdb'), { defaultTtlDays: 0 })).toThrow(/MetricDB.duckdb\(\)/)
    expect(() => MetricDB.postgres('postgres://u@127.0.0.1/db', { defaultTtlDays: 2.5 })).toThrow(
      /MetricDB.postgres\(\)/,
    )
    const db = MetricDB.memory()
    await expect(db.deleteExpiredMetrics({ now: '2026-02-30' })).rejects.toThrow(/now/)
    await expect(db.deleteExpiredMetrics({ now: new Date(Number.NaN) })).rejects.toThrow(/invalid Date/)
    await expect(db.deleteExpiredMetrics(42 as never)).rejects.toThrow(/takes \{ now/)
  })

  it('a DuckDB file written before TTLs gains the column and keeps its values', async () => {
    const file = dir.file('old.duckdb')
    const instance = await DuckDBInstance.create(file)
    const conn = await instance.connect()
    await conn.run(`CREATE TABLE dqx_metrics (
      metric VARCHAR NOT NULL, dataset VARCHAR NOT NULL, date DATE NOT NULL, tags VARCHAR NOT NULL,
      value DOUBLE, suite VARCHAR NOT NULL, run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
      PRIMARY KEY (metric, dataset, date, tags))`)
    await conn.run(
      `INSERT INTO dqx_metrics VALUES ('sum(amount)', 'orders', DATE '2001-01-01', '{"env":"prod"}', 9, 's', 'r', now())`,
    )
    conn.closeSync()
    instance.closeSync()
    const db = MetricDB.duckdb(file, { defaultTtlDays: 30 })
    try {
      expect(await db.getMetric(lookup('2001-01-01'))).toBeUndefined()
      await db.putMetrics([metric({ ttlDays: 3 })])
      expect((await db.deleteExpiredMetrics()).deleted).toBe(1)
      expect((await db.getMetric(lookup(TODAY)))?.value).toBe(1)
    } finally {
      await db.close()
    }
  })

  it.skipIf(!pgReady)(
    'a PostgreSQL table written before TTLs gains the column and keeps its values',
    async () => {
      const schema = uniqueName('old')
      await withClient(pg.url, async (c) => {
        await c.query(`CREATE SCHEMA ${schema}`)
        await c.query(`CREATE TABLE ${schema}.dqx_metrics (
        metric text NOT NULL, dataset text NOT NULL, date date NOT NULL, tags text NOT NULL,
        value double precision, suite text NOT NULL, run_id text NOT NULL, created_at timestamptz NOT NULL,
        PRIMARY KEY (metric, dataset, date, tags))`)
        await c.query(
          `INSERT INTO ${schema}.dqx_metrics VALUES ('sum(amount)', 'orders', '2001-01-01', '{"env":"prod"}', 9, 's', 'r', now())`,
        )
      })
      const db = MetricDB.postgres(pg.url, { schema })
      try {
        expect((await db.getMetric(lookup('2001-01-01')))?.value).toBe(9)
        await db.putMetrics([metric({ date: day(-2), ttlDays: 1 })])
        expect(await db.deleteExpiredMetrics()).toEqual({
          deleted: 1,
          asOf: TODAY,
          byMetric: [{ metric: 'sum(amount)', dataset: 'orders', values: 1 }],
        })
      } finally {
        await db.close()
      }
    },
  )
})

describe('metric TTL: helpers and structural MetricDBs', () => {
  it('deleteExpiredMetrics({}) judges today; equal counts list by dataset, then metric', async () => {
    const db = MetricDB.memory({ defaultTtlDays: 1 })
    await db.putMetrics([
      metric({ date: day(-9), dataset: 'b', metric: 'x' }),
      metric({ date: day(-9), dataset: 'a', metric: 'y' }),
      metric({ date: day(-9), dataset: 'a', metric: 'x' }),
    ])
    expect(await db.deleteExpiredMetrics({})).toEqual({
      deleted: 3,
      asOf: TODAY,
      byMetric: [
        { metric: 'x', dataset: 'a', values: 1 },
        { metric: 'y', dataset: 'a', values: 1 },
        { metric: 'x', dataset: 'b', values: 1 },
      ],
    })
    expect(() => MetricDB.memory({ defaultTtlDays: null as never })).toThrow(/got null/)
  })

  it('writesExpired judges each value by its own TTL, else the store default (unknown: one day)', () => {
    const rows = [metric({ date: day(-2) })]
    expect(writesExpired(rows, TODAY, undefined)).toBe(false)
    expect(writesExpired(rows, TODAY, 5)).toBe(false)
    expect(writesExpired(rows, TODAY, 'unknown')).toBe(true)
    expect(writesExpired([metric({ date: day(-2), ttlDays: 2 })], TODAY, 'unknown')).toBe(false)
    expect(writesExpired([metric({ date: day(-1) })], TODAY, 'unknown')).toBe(false)
  })

  it('a run on a structural MetricDB without deleteExpiredMetrics still runs; a failing cleanup only warns', async () => {
    const memory = MetricDB.memory()
    const structural = {
      description: 'structural',
      putMetrics: (rows: readonly StoredMetric[]) => memory.putMetrics(rows),
      getMetric: memory.getMetric.bind(memory),
      getHistory: memory.getHistory.bind(memory),
      putResults: memory.putResults.bind(memory),
      getResults: memory.getResults.bind(memory),
      close: memory.close.bind(memory),
    } as unknown as MetricDB
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.numRows({ ttlDays: 1 }))
        .where({ name: 'rows' })
        .isPositive()
    })
    const d = DataSource.fromRecords([{ x: 1 }])
    const plain = await quietSuite([c], { db: structural }).run({ d }, new ResultKey(TODAY))
    expect(plain.summary.passed).toBe(1)
    // Failure injection: a store whose cleanup fails (a real store fails earlier, on its writes).
    const failing = Object.assign(Object.create(memory) as MetricDB, {
      deleteExpiredMetrics: () => Promise.reject(new Error('disk full')),
    })
    const { logger, lines } = captureLogger()
    const report = await quietSuite([c], { db: failing, logger }).run({ d }, new ResultKey(TODAY))
    expect(report.summary.passed).toBe(1)
    expect(lines.find((l) => l.msg.includes('deleting expired metric values failed'))?.level).toBe(40)
  })
})
