// MetricDB.postgres: the same behaviour as the DuckDB-file store (one contract, run against both),
// tables created on first use, history shared across instances and processes, and concurrent
// writers — suites in this process and in child processes — losing nothing.
import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect, promisify } from 'node:util'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB, type StoredMetric } from '../../src/engine/metric-db.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { suiteChecks } from './fixtures/pg-suite-checks.js'
import { closedPort, freshDatabase, hasPg, pgUrl, uniqueName, withClient } from './pg-helpers.js'

const pgReady = hasPg()
const baseUrl = pgUrl()
const SECRET = 'hunter2-Secret'
const run = promisify(execFile)

const metric = (over: Partial<StoredMetric> = {}): StoredMetric => ({
  metric: 'sum(price)',
  dataset: 'orders',
  date: '2026-11-25',
  tags: { env: 'prod', region: 'eu' },
  value: 1.5,
  suite: 'nightly',
  runId: 'run-1',
  ...over,
})

const result = (over: Partial<AssertionResult> = {}): AssertionResult => ({
  date: '2026-11-25',
  suite: 'nightly',
  check: 'orders',
  assertion: 'has rows',
  severity: 'P1',
  status: 'PASSED',
  value: 3,
  expression: 'numRows()',
  tags: { env: 'prod' },
  assertionTags: ['pii', 'ünïcode'],
  ...over,
})

let shared: Awaited<ReturnType<typeof freshDatabase>>
const tmpFiles: string[] = []

beforeAll(async () => {
  if (pgReady) shared = await freshDatabase(baseUrl, 'dqx_mdb')
})
afterAll(async () => {
  await shared?.drop()
  for (const f of tmpFiles) rmSync(f, { force: true })
})

type Store = { name: string; make: () => MetricDB }
const stores: Store[] = [
  {
    name: 'duckdb file',
    make: () => {
      const f = join(tmpdir(), `${uniqueName('dqx_mdb')}.duckdb`)
      tmpFiles.push(f)
      return MetricDB.duckdb(f)
    },
  },
  // Each instance gets its own schema so that the contract starts from empty tables.
  { name: 'postgres', make: () => MetricDB.postgres(shared.url, { schema: uniqueName('contract') }) },
].filter((s) => pgReady || s.name !== 'postgres')

describe.each(stores)('MetricDB contract: $name', ({ make }) => {
  it('upserts metrics by key; tags are a set; the last value of a batch wins', async () => {
    const db = make()
    try {
      await db.putMetrics([])
      await db.putMetrics([metric(), metric({ metric: 'numRows()', value: 10 })])
      await db.putMetrics([
        metric({ value: 2.5, runId: 'run-2', tags: { region: 'eu', env: 'prod' } }),
        metric({ value: 3.5, runId: 'run-3' }),
        metric({ metric: 'nullCount(x)', value: null }),
      ])
      expect(
        await db.getMetric({
          metric: 'sum(price)',
          dataset: 'orders',
          date: '2026-11-25',
          tags: { env: 'prod', region: 'eu' },
        }),
      ).toEqual(metric({ value: 3.5, runId: 'run-3' }))
      expect(
        await db.getMetric({
          metric: 'numRows()',
          dataset: 'orders',
          date: '2026-11-25',
          tags: { region: 'eu', env: 'prod' },
        }),
      ).toEqual(metric({ metric: 'numRows()', value: 10 }))
      expect(
        (
          await db.getMetric({
            metric: 'nullCount(x)',
            dataset: 'orders',
            date: '2026-11-25',
            tags: metric().tags,
          })
        )?.value,
      ).toBeNull()
      expect(
        await db.getMetric({ metric: 'sum(price)', dataset: 'orders', date: '2026-11-25', tags: {} }),
      ).toBeUndefined()
      expect(
        await db.getMetric({
          metric: 'sum(price)',
          dataset: 'other',
          date: '2026-11-25',
          tags: metric().tags,
        }),
      ).toBeUndefined()
    } finally {
      await db.close()
    }
  })

  it('keeps extreme and special doubles', async () => {
    const db = make()
    try {
      const values = [
        Number.MAX_VALUE,
        -Number.MAX_VALUE,
        Number.MIN_VALUE,
        0,
        1e-300,
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ]
      await db.putMetrics(values.map((value, i) => metric({ metric: `m${i}`, value })))
      for (const [i, value] of values.entries()) {
        expect(
          (
            await db.getMetric({
              metric: `m${i}`,
              dataset: 'orders',
              date: '2026-11-25',
              tags: metric().tags,
            })
          )?.value,
        ).toBe(value)
      }
    } finally {
      await db.close()
    }
  })

  it('returns history for a date range, oldest first', async () => {
    const db = make()
    try {
      const days = ['2026-11-27', '2026-11-20', '2026-11-24', '2026-11-25', '2026-12-01']
      await db.putMetrics(days.map((date, i) => metric({ date, value: i })))
      await db.putMetrics([metric({ date: '2026-11-24', tags: {} })])
      const h = await db.getHistory({
        metric: 'sum(price)',
        dataset: 'orders',
        tags: metric().tags,
        from: '2026-11-24',
        to: '2026-11-27',
      })
      expect(h.map((m) => [m.date, m.value])).toEqual([
        ['2026-11-24', 2],
        ['2026-11-25', 3],
        ['2026-11-27', 0],
      ])
    } finally {
      await db.close()
    }
  })

  it("replaces a run's results and lists a day's runs newest first", async () => {
    const db = make()
    try {
      await db.putResults('run-a', [result({ assertion: 'stale' })])
      await db.putResults('run-a', [
        result(),
        result({
          assertion: 'nulls',
          status: 'FAILED',
          value: null,
          error: 'division by zero',
          bound: '< 0.05',
          assertionTags: [],
        }),
      ])
      await new Promise((r) => setTimeout(r, 5))
      await db.putResults('run-b', [result({ assertion: 'later' })])
      await db.putResults('run-c', [
        result({ date: '2026-11-26' }),
        result({ suite: 'other' }),
        result({ tags: {} }),
      ])
      await db.putResults('run-d', [])
      const got = await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })
      expect(got).toEqual([
        { ...result({ assertion: 'later' }), runId: 'run-b' },
        { ...result(), runId: 'run-a' },
        {
          ...result({
            assertion: 'nulls',
            status: 'FAILED',
            value: null,
            error: 'division by zero',
            bound: '< 0.05',
            assertionTags: [],
          }),
          runId: 'run-a',
        },
      ])
      await db.putResults('run-b', [])
      expect(
        (await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })).map(
          (r) => r.runId,
        ),
      ).toEqual(['run-a', 'run-a'])
    } finally {
      await db.close()
    }
  })

  it('can be used again after close()', async () => {
    const db = make()
    await db.close() // never opened: a no-op
    await db.putMetrics([metric()])
    await db.close()
    await db.close()
    expect(
      await db.getMetric({
        metric: 'sum(price)',
        dataset: 'orders',
        date: '2026-11-25',
        tags: metric().tags,
      }),
    ).toEqual(metric())
    await db.close()
  })
})

describe.skipIf(!pgReady)('MetricDB.postgres specifics', () => {
  it('validates its arguments and never shows the password', () => {
    expect(() => MetricDB.postgres('metrics.duckdb')).toThrow(
      /MetricDB.postgres\(\) needs a connection string of the form postgres:\/\//,
    )
    expect(() => MetricDB.postgres(shared.url, { schema: ' ' })).toThrow(/schema must be a non-empty string/)
    expect(() => MetricDB.postgres(shared.url, { poolSize: 0 })).toThrow(
      /poolSize must be a positive integer, got 0/,
    )
    expect(() => MetricDB.postgres(shared.url, { connectTimeoutMs: 1.5 })).toThrow(
      /connectTimeoutMs must be a positive integer/,
    )
    try {
      MetricDB.postgres('metrics.duckdb')
    } catch (err) {
      expect((err as DqxError).code).toBe('METRIC_DB')
    }
    const u = new URL(shared.url)
    u.password = SECRET
    const db = MetricDB.postgres(u.toString(), { schema: 'hist' })
    expect(db.description).toBe(`postgres:postgres@${u.hostname}:${u.port}/${shared.name} schema hist`)
    expect(MetricDB.isMetricDB(db)).toBe(true)
  })

  it('creates its tables on first use, in the default schema', async () => {
    const fresh = await freshDatabase(baseUrl, 'dqx_mdb_first')
    const db = MetricDB.postgres(fresh.url)
    try {
      const tables = () =>
        withClient(fresh.url, async (c) => {
          const r = await c.query<{ t: string }>(
            "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_name LIKE 'dqx_%' ORDER BY 1",
          )
          return r.rows.map((x) => x.t)
        })
      expect(await tables()).toEqual([])
      expect(await db.getResults({ suite: 's', date: '2026-11-25', tags: {} })).toEqual([])
      expect(await tables()).toEqual([
        'public.dqx_baselines',
        'public.dqx_metrics',
        'public.dqx_results',
        'public.dqx_schemas',
        'public.dqx_stored_runs',
        'public.dqx_tunable_changes',
      ])
    } finally {
      await db.close()
      await fresh.drop()
    }
  })

  it('shares history between instances, and a quoted schema name works', async () => {
    const schema = `${uniqueName('we"ird')} Schema`
    const a = MetricDB.postgres(shared.url, { schema })
    const b = MetricDB.postgres(shared.url, { schema, poolSize: 1 })
    try {
      await a.putMetrics([metric()])
      expect(
        await b.getMetric({
          metric: 'sum(price)',
          dataset: 'orders',
          date: '2026-11-25',
          tags: metric().tags,
        }),
      ).toEqual(metric())
      await b.putResults('r1', [result()])
      expect(
        await a.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } }),
      ).toHaveLength(1)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('a refused connection names host:port, not the password, and is retried on the next call', async () => {
    const port = await closedPort()
    const db = MetricDB.postgres(`postgres://dqx:${SECRET}@127.0.0.1:${port}/metrics`)
    for (let i = 0; i < 2; i++) {
      const err = await db
        .getMetric({ metric: 'm', dataset: 'd', date: '2026-11-25', tags: {} })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DqxError)
      expect((err as DqxError).code).toBe('METRIC_DB')
      expect((err as Error).message).toMatch(
        new RegExp(
          `^MetricDB: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port} \\(database 'metrics', user 'dqx'\\): connection refused; check that the server is running`,
        ),
      )
      expect(inspect(err, { depth: 10 })).not.toContain(SECRET)
    }
    await db.close()
  })

  it('a role that may not create tables gets a METRIC_DB error naming the database', async () => {
    const fresh = await freshDatabase(baseUrl, 'dqx_mdb_perm')
    const role = uniqueName('dqx_reader')
    await withClient(baseUrl, (c) => c.query(`CREATE ROLE ${role} LOGIN`))
    const u = new URL(fresh.url)
    u.username = role
    const db = MetricDB.postgres(u.toString())
    try {
      const err = await db.putMetrics([metric()]).catch((e: unknown) => e)
      expect((err as DqxError).code).toBe('METRIC_DB')
      expect((err as Error).message).toMatch(
        new RegExp(
          `^cannot create the MetricDB tables in PostgreSQL ${role}@.*/${fresh.name}: permission denied for schema public`,
        ),
      )
    } finally {
      await db.close()
      await fresh.drop()
      await withClient(baseUrl, (c) => c.query(`DROP ROLE ${role}`))
    }
  })

  it('a failed results write rolls back: the earlier rows of that run stay', async () => {
    const db = MetricDB.postgres(shared.url, { schema: uniqueName('rollback') })
    try {
      await db.putResults('run-x', [result()])
      // NOT NULL check fails inside the transaction, after the DELETE of run-x's rows.
      const bad = result({ check: null as unknown as string })
      await expect(db.putResults('run-x', [bad])).rejects.toThrow(/null value in column "check_name"/)
      // A client-side failure (a value JSON cannot encode) also leaves nothing half-written.
      const unencodable = result({ assertionTags: [1n as unknown as string] })
      await expect(db.putResults('run-x', [unencodable])).rejects.toThrow(/BigInt/)
      expect(await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })).toEqual([
        { ...result(), runId: 'run-x' },
      ])
    } finally {
      await db.close()
    }
  })

  it('retries an upsert chosen as a deadlock victim', async () => {
    const schema = uniqueName('deadlock')
    // Our connections check for deadlocks after 300 ms, whatever the server's default.
    await withClient(baseUrl, (c) => c.query(`ALTER DATABASE ${shared.name} SET deadlock_timeout = '300ms'`))
    const db = MetricDB.postgres(shared.url, { schema })
    const a = metric({ metric: 'a' })
    const b = metric({ metric: 'b' })
    await db.putMetrics([a, b])
    const t = new pg.Client({ connectionString: shared.url })
    await t.connect()
    try {
      const key = "dataset = 'orders' AND date = '2026-11-25'"
      // T locks b; our upsert (keys in order a, b) locks a and waits for b; T then waits for a:
      // a deadlock. T checks for deadlocks only after 10 s, our session after 300 ms,
      // so ours is the victim, and its retry succeeds once T commits.
      await t.query('BEGIN')
      await t.query("SET LOCAL deadlock_timeout = '10s'")
      await t.query(`UPDATE "${schema}".dqx_metrics SET value = -1 WHERE metric = 'b' AND ${key}`)
      const upsert = db.putMetrics([metric({ metric: 'b', value: 20 }), metric({ metric: 'a', value: 10 })])
      const settled = upsert.then(
        () => 'ok',
        (e: unknown) => e,
      )
      await new Promise((r) => setTimeout(r, 200))
      // Returns only once our upsert's first attempt has been rolled back (it held row a).
      await t.query(`UPDATE "${schema}".dqx_metrics SET value = -1 WHERE metric = 'a' AND ${key}`)
      await t.query('COMMIT')
      expect(await settled).toBe('ok')
      const got = await Promise.all(
        ['a', 'b'].map((m) =>
          db.getMetric({ metric: m, dataset: 'orders', date: '2026-11-25', tags: metric().tags }),
        ),
      )
      expect(got.map((m) => m?.value)).toEqual([10, 20]) // the retry ran after T's commit
    } finally {
      await t.end()
      await db.close()
    }
  })
})

describe.skipIf(!pgReady)('concurrent writers lose nothing', () => {
  const DATES = Array.from({ length: 8 }, (_, i) => `2026-11-${String(10 + i).padStart(2, '0')}`)
  let events: Awaited<ReturnType<typeof freshDatabase>>

  /** Per day: rows of the events table (day 0 = the day before the first date, for dayOverDay). */
  const amounts = (day: number): number[] => Array.from({ length: 3 + day }, (_, i) => (day + 1) * 10 + i)
  const allDays = ['2026-11-09', ...DATES]

  beforeAll(async () => {
    events = await freshDatabase(baseUrl, 'dqx_mdb_conc')
    await withClient(events.url, async (c) => {
      await c.query('CREATE TABLE events (day date NOT NULL, amount double precision)')
      for (const [i, day] of allDays.entries()) {
        for (const a of amounts(i)) await c.query('INSERT INTO events VALUES ($1, $2)', [day, a])
      }
    })
  })
  afterAll(async () => {
    await events.drop()
  })

  /** Every (metric, date) the two suites store, with the value it must have. */
  function expectedMetrics(): Map<string, number> {
    const want = new Map<string, number>()
    allDays.forEach((day, i) => {
      const xs = amounts(i)
      const sum = xs.reduce((s, x) => s + x, 0)
      if (i > 0) {
        want.set(`numRows()|${day}`, xs.length)
        want.set(`average(amount)|${day}`, sum / xs.length)
        want.set(`maximum(amount)|${day}`, Math.max(...xs))
      }
      want.set(`sum(amount)|${day}`, sum) // day 0 only through suite B's dayOverDay
    })
    return want
  }

  async function storedState(
    url: string,
  ): Promise<{ metrics: Map<string, number>; results: Map<string, number> }> {
    return withClient(url, async (c) => {
      const m = await c.query<{ k: string; value: number }>(
        "SELECT metric || '|' || to_char(date, 'YYYY-MM-DD') AS k, value FROM dqx_metrics WHERE dataset = 'events'",
      )
      const r = await c.query<{ run_id: string; n: number }>(
        'SELECT run_id, count(*)::int AS n FROM dqx_results GROUP BY run_id',
      )
      return {
        metrics: new Map(m.rows.map((x) => [x.k, x.value])),
        results: new Map(r.rows.map((x) => [x.run_id, x.n])),
      }
    })
  }

  it('two suites running at once in this process, each with its own MetricDB, on a fresh database', async () => {
    const dbA = MetricDB.postgres(events.url)
    const dbB = MetricDB.postgres(events.url)
    const logger = pino({ level: 'silent' })
    const a = new VerificationSuite({
      name: 'suite-a',
      checks: suiteChecks('A'),
      db: dbA,
      logger,
      audit: false,
    })
    const b = new VerificationSuite({
      name: 'suite-b',
      checks: suiteChecks('B'),
      db: dbB,
      logger,
      audit: false,
    })
    const source = DataSource.postgres({ connectionString: events.url, table: 'events', dateColumn: 'day' })
    try {
      // Both stores create their tables at the same moment, then 16 runs write overlapping metrics.
      const reports = await Promise.all(
        DATES.flatMap((d) => [
          a.run({ events: source }, new ResultKey(d)),
          b.run({ events: source }, new ResultKey(d)),
        ]),
      )
      expect(reports.every((r) => r.summary.failed === 0)).toBe(true)
      const { metrics, results } = await storedState(events.url)
      expect(metrics).toEqual(expectedMetrics())
      expect(results).toEqual(new Map(reports.map((r) => [r.runId, r.results.length])))
      expect([...results.values()].sort()).toEqual([...Array(8).fill(3), ...Array(8).fill(4)])
    } finally {
      await dbA.close()
      await dbB.close()
    }
  })

  it('two suites in two processes at once, each over every date', async () => {
    await withClient(events.url, (c) => c.query('TRUNCATE dqx_metrics, dqx_results'))
    const writer = join(import.meta.dirname, 'fixtures', 'pg-suite-writer.ts')
    const spawn = (name: string, flavour: 'A' | 'B') =>
      run(process.execPath, ['--import', 'tsx', writer, events.url, name, flavour, ...DATES], {
        encoding: 'utf8',
      })
    const [outA, outB] = await Promise.all([spawn('proc-a', 'A'), spawn('proc-b', 'B')])
    const runIds = [...JSON.parse(outA.stdout), ...JSON.parse(outB.stdout)] as string[]
    expect(new Set(runIds).size).toBe(16)
    const { metrics, results } = await storedState(events.url)
    expect(metrics).toEqual(expectedMetrics())
    expect(new Set(results.keys())).toEqual(new Set(runIds))
    // And this process sees what they wrote.
    const db = MetricDB.postgres(events.url)
    try {
      const h = await db.getHistory({
        metric: 'sum(amount)',
        dataset: 'events',
        tags: {},
        from: '2026-11-01',
        to: '2026-11-30',
      })
      expect(h.map((m) => m.date)).toEqual(allDays)
      expect(
        (await db.getResults({ suite: 'proc-b', date: DATES[3] as string, tags: {} })).map(
          (r) => r.assertion,
        ),
      ).toEqual(['rows', 'sum', 'max', 'sum dod'])
    } finally {
      await db.close()
    }
  }, 60_000)

  it('eight stores hammering overlapping keys: every key present, the last write of each writer intact', async () => {
    const schema = uniqueName('hammer')
    const dbs = Array.from({ length: 8 }, () => MetricDB.postgres(events.url, { schema, poolSize: 2 }))
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `m${i}`)
      await Promise.all(
        dbs.map(async (db, w) => {
          for (let round = 0; round < 5; round++) {
            // Each writer covers an overlapping window of keys, in its own order.
            const mine = keys.slice(w * 5, w * 5 + 25).reverse()
            await db.putMetrics(
              mine.map((m) => metric({ metric: m, value: w * 100 + round, runId: `w${w}` })),
            )
          }
        }),
      )
      const rows = await withClient(events.url, (c) =>
        c.query<{ metric: string; value: number; run_id: string }>(
          `SELECT metric, value, run_id FROM "${schema}".dqx_metrics`,
        ),
      )
      const covered = new Set(dbs.flatMap((_, w) => keys.slice(w * 5, w * 5 + 25)))
      expect(new Set(rows.rows.map((r) => r.metric))).toEqual(covered)
      expect(rows.rows).toHaveLength(covered.size)
      // Whichever writer won a key, the value is that writer's final round.
      for (const r of rows.rows) expect(r.value).toBe(Number(r.run_id.slice(1)) * 100 + 4)
    } finally {
      await Promise.all(dbs.map((db) => db.close()))
    }
  })
})
