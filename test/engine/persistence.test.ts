// The engine's persistence layer: DuckDB files attached to the shared instance only while work
// runs, the process's pg pools, and the one transaction helper (rollback, retry of lost races).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { engineConnection } from '../../src/engine/duckdb-engine.js'
import { attachedFiles, withDuckDBFile, writeDuckDBFile } from '../../src/engine/duckdb-files.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { isRetryablePgError, leasePool, openPoolCount, pgTransaction } from '../../src/engine/pg-pools.js'
import { transaction } from '../../src/engine/transaction.js'
import { DataSource, ResultKey, VerificationSuite } from '../../src/index.js'
import { sqlWriter } from '../../src/plugins/index.js'
import { tempDir } from '../helpers/data.js'
import { ordersCheck, rows } from '../plugins/sink-helpers.js'
import { freshDatabase, hasPg, pgUrl, withClient } from './pg-helpers.js'

const dir = tempDir('dqx-persist-')
afterAll(() => dir.cleanup())

describe('DuckDB files', () => {
  it('are attached only while work runs; concurrent work shares one attachment', async () => {
    const file = dir.file('shared.duckdb')
    let inside: string[] = []
    await Promise.all(
      [1, 2, 3].map((i) =>
        withDuckDBFile(file, async (conn) => {
          await conn.run(`CREATE TABLE IF NOT EXISTS t${i} (x INTEGER)`)
          inside = attachedFiles()
        }),
      ),
    )
    expect(inside).toEqual([file])
    // Detached (and unlocked) right after: the next attach may have to wait for the detach.
    await withDuckDBFile(file, async () => undefined)
    await new Promise((r) => setImmediate(r))
    const tables = await withDuckDBFile(file, async (conn) =>
      (
        await conn.runAndReadAll(
          'SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() ORDER BY 1',
        )
      ).getRowObjectsJS(),
    )
    expect(tables.map((t) => t.table_name)).toEqual(['t1', 't2', 't3'])
  })

  it('a MetricDB keeps its file open for keepOpenMs after an operation, and close() releases it at once', async () => {
    const file = dir.file('kept.duckdb')
    const metric = (value: number) => ({
      metric: 'm',
      dataset: 'd',
      date: '2026-01-01',
      tags: {},
      value,
      suite: 's',
      runId: `r${value}`,
    })
    const kept = MetricDB.duckdb(file)
    await kept.putMetrics([metric(1)])
    expect(attachedFiles()).toContain(file)
    await kept.close()
    expect(attachedFiles()).not.toContain(file)

    const brief = MetricDB.duckdb(file, { keepOpenMs: 20 })
    await brief.putMetrics([metric(2)])
    expect(attachedFiles()).toContain(file)
    // Detached by its idle check once 20 ms passed without work.
    while (attachedFiles().includes(file)) await new Promise((r) => setTimeout(r, 10))
    expect(await brief.getMetric({ metric: 'm', dataset: 'd', date: '2026-01-01', tags: {} })).toMatchObject({
      value: 2,
    })
    await brief.close()

    // A natural exit releases a file kept open (the engine listens for beforeExit).
    const atExit = MetricDB.duckdb(file, { keepOpenMs: 600_000 })
    await atExit.putMetrics([metric(4)])
    expect(attachedFiles()).toContain(file)
    process.emit('beforeExit', 0)
    expect(attachedFiles()).not.toContain(file)
    await atExit.close()

    const none = MetricDB.duckdb(file, { keepOpenMs: 0 })
    await none.putMetrics([metric(3)])
    expect(attachedFiles()).not.toContain(file)
    await none.close()
  })

  it('metric keys with quotes and NUL characters are replaced, never duplicated or misread', async () => {
    const db = MetricDB.duckdb(dir.file('quoted.duckdb'))
    const key = {
      metric: 'sum("it\'s")\u0000x',
      dataset: "o'; DROP TABLE dqx_metrics; --",
      date: '2026-01-02',
      tags: { "k'": 'v\u0000' },
    }
    for (const value of [1, 2]) await db.putMetrics([{ ...key, value, suite: 's', runId: `r${value}` }])
    expect(await db.getMetric(key)).toMatchObject({ value: 2, runId: 'r2' })
    expect(await db.getHistory({ ...key, from: '2026-01-01', to: '2026-01-03' })).toHaveLength(1)
    await db.close()
  })

  it('a run whose rows do not fit the file is not stored at all', async () => {
    const file = dir.file('foreign.duckdb')
    // A dqx_results table of another shape: the appender refuses the run's rows.
    await withDuckDBFile(file, (conn) =>
      conn.run('CREATE TABLE dqx_results (run_id VARCHAR, extra VARCHAR NOT NULL)'),
    )
    const db = MetricDB.duckdb(file)
    const suite = new VerificationSuite({ name: 'foreign', checks: [ordersCheck], db, audit: false })
    const err = await suite
      .run({ data: DataSource.fromRecords(rows) }, new ResultKey('2026-11-25'))
      .catch((e: unknown) => e)
    expect(String(err)).toMatch(/column|append/i)
    // Nothing of the run landed: its metrics went into the catch's separate write, its results nowhere.
    const stored = await withDuckDBFile(file, async (conn) =>
      (await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM dqx_results')).getRowObjectsJS(),
    )
    expect(stored).toEqual([{ n: 0 }])
    await db.close()
  })

  it('a MetricDB and a sqlWriter on one file share it in one process', async () => {
    const file = dir.file('both.duckdb')
    const db = MetricDB.duckdb(file)
    const suite = new VerificationSuite({
      name: 'both',
      checks: [ordersCheck],
      db,
      audit: false,
      plugins: [sqlWriter({ db: { duckdb: file } })],
    })
    for (const date of ['2026-11-24', '2026-11-25']) {
      const report = await suite.run({ data: DataSource.fromRecords(rows) }, new ResultKey(date))
      expect(report.pluginErrors).toEqual([])
    }
    const runs = await withDuckDBFile(file, async (conn) =>
      (await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM dqx_runs')).getRowObjectsJS(),
    )
    expect(runs).toEqual([{ n: 2 }])
    expect((await db.getResults({ suite: 'both', date: '2026-11-25', tags: {} })).length).toBeGreaterThan(0)
    await db.close()
  })

  it('a write transaction rolls back when its work fails, and a failed attach is retried next time', async () => {
    const file = dir.file('rollback.duckdb')
    await writeDuckDBFile(file, (conn) => conn.run('CREATE TABLE t (x INTEGER PRIMARY KEY)'))
    const err = await writeDuckDBFile(file, async (conn) => {
      await conn.run('INSERT INTO t VALUES (1)')
      await conn.run('INSERT INTO t VALUES (1)')
    }).catch((e: unknown) => e)
    expect(String(err)).toMatch(/Duplicate key|PRIMARY KEY|constraint/i)
    const n = await withDuckDBFile(file, async (conn) =>
      (await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM t')).getRowObjectsJS(),
    )
    expect(n).toEqual([{ n: 0 }])

    const bad = dir.file('not-a-db.duckdb')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(bad, 'not a database'.repeat(500))
    const first = await withDuckDBFile(bad, async () => 1, { what: 'the test file' }).catch((e: unknown) => e)
    expect(first).toBeInstanceOf(DqxError)
    expect((first as DqxError).message).toMatch(/^cannot open the test file .*not-a-db\.duckdb: /)
    writeFileSync(bad, '')
    const { rmSync } = await import('node:fs')
    rmSync(bad)
    await expect(withDuckDBFile(bad, async () => 2)).resolves.toBe(2)
  })

  it('an aborted signal stops the work before it starts', async () => {
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    await expect(
      withDuckDBFile(dir.file('abort.duckdb'), async () => 1, { signal: ac.signal }),
    ).rejects.toThrow('stop')
  })
})

describe('transaction()', () => {
  it('runs the whole transaction again after a retryable error, and rolls back each failed attempt', async () => {
    const conn = await engineConnection()
    try {
      await conn.run('CREATE OR REPLACE TEMP TABLE tx (x INTEGER PRIMARY KEY)')
      let attempts = 0
      const out = await transaction(
        async () => ({ exec: (sql: string) => conn.run(sql) }),
        () => undefined,
        async (r) => {
          attempts += 1
          await r.exec(`INSERT INTO tx VALUES (${attempts})`)
          if (attempts < 3) await r.exec(`INSERT INTO tx VALUES (${attempts})`) // a real constraint error
          return attempts
        },
        { retryable: (err) => /Duplicate key|PRIMARY KEY|constraint/i.test(String(err)) },
      )
      expect(out).toBe(3)
      expect((await conn.runAndReadAll('SELECT x FROM tx')).getRowObjectsJS()).toEqual([{ x: 3 }])
      // Not retryable, or out of attempts: the error goes to the caller.
      await expect(
        transaction(
          async () => ({ exec: (sql: string) => conn.run(sql) }),
          () => undefined,
          (r) => r.exec('INSERT INTO tx VALUES (3)'),
          { retryable: () => true, attempts: 2 },
        ),
      ).rejects.toThrow(/Duplicate key|PRIMARY KEY|constraint/i)
    } finally {
      conn.closeSync()
    }
  })
})

describe.skipIf(!hasPg())('pg pools and pgTransaction', () => {
  const baseUrl = pgUrl()
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    db = await freshDatabase(baseUrl, 'dqx_persist')
    await withClient(db.url, (c) =>
      c.query('CREATE TABLE acct (id int PRIMARY KEY, n int); INSERT INTO acct VALUES (1, 0), (2, 0)'),
    )
  })
  afterAll(() => db.drop())

  it('one pool per connection string and options, ended by the last release', async () => {
    const before = openPoolCount()
    const a = leasePool(db.url, { max: 2, connectTimeoutMs: 5000 })
    const b = leasePool(db.url, { max: 2, connectTimeoutMs: 5000 })
    const c = leasePool(db.url, { max: 3, connectTimeoutMs: 5000 })
    expect(a.pool).toBe(b.pool)
    expect(c.pool).not.toBe(a.pool)
    expect(openPoolCount()).toBe(before + 2)
    await a.release()
    await a.release() // twice is harmless
    expect((await b.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    await b.release()
    await c.release()
    expect(openPoolCount()).toBe(before)
  })

  it('retries a transaction PostgreSQL chose as a deadlock victim, and it commits', async () => {
    const lease = leasePool(db.url, { max: 2, connectTimeoutMs: 5000 })
    const other = await lease.pool.connect()
    let attempts = 0
    let oursHasA: () => void = () => {}
    const oursLocked = new Promise<void>((r) => {
      oursHasA = r
    })
    try {
      // The other transaction holds row 2 first, with a deadlock_timeout long enough that the
      // deadlock check that finds the cycle is ours (it runs once per wait, deadlock_timeout after it starts).
      await other.query('BEGIN')
      await other.query("SET LOCAL deadlock_timeout = '20s'")
      await other.query('UPDATE acct SET n = n + 10 WHERE id = 2')
      const ours = pgTransaction(
        lease.pool,
        async (client) => {
          attempts += 1
          await client.query('UPDATE acct SET n = n + 1 WHERE id = 1')
          if (attempts === 1) {
            oursHasA()
            // Only once the other waits for our row 1 do we wait for its row 2: the cycle is whole
            // when our wait begins, whatever the machine's scheduling, so our check finds it.
            for (let waiting = 0; waiting === 0; ) {
              const w = await client.query(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
              )
              waiting = (w.rows[0] as { n: number }).n
            }
            await client.query('UPDATE acct SET n = n + 1 WHERE id = 2')
          }
        },
        { connectError: (e) => e as Error },
      )
      await oursLocked
      // Blocks on our row 1 until PostgreSQL aborts our first attempt.
      await other.query('UPDATE acct SET n = n + 10 WHERE id = 1')
      await other.query('COMMIT')
      await ours
    } finally {
      other.release()
    }
    expect(attempts).toBe(2)
    const r = await lease.pool.query('SELECT id, n FROM acct ORDER BY id')
    expect(r.rows).toEqual([
      { id: 1, n: 11 },
      { id: 2, n: 10 },
    ])
    await lease.release()
  })

  it('recognises deadlock and serialization failures only', () => {
    expect(isRetryablePgError({ code: '40P01' })).toBe(true)
    expect(isRetryablePgError({ code: '40001' })).toBe(true)
    expect(isRetryablePgError({ code: '23505' })).toBe(false)
    expect(isRetryablePgError(new Error('x'))).toBe(false)
  })
})
