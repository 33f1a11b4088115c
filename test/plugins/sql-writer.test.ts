import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataSource, DqxError, ResultKey, type RunReport, VerificationSuite } from '../../src/index.js'
import { sqlWriter } from '../../src/plugins/index.js'
import { runRows } from '../../src/plugins/sql-writer.js'
import { captureLogger, createResultsContext, makeResult, runPlugin } from '../../src/testing/index.js'
import { closedPort, freshDatabase, hasPg, pgUrl, withClient } from '../engine/pg-helpers.js'
import { brokenCheck, ordersCheck, rows, silentServer, skippedCheck } from './sink-helpers.js'

type Row = Record<string, unknown>

const dir = mkdtempSync(join(tmpdir(), 'dqx-sqlwriter-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function duckRows(file: string, sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(file)
  try {
    const conn = await instance.connect()
    try {
      return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[]
    } finally {
      conn.closeSync()
    }
  } finally {
    instance.closeSync()
  }
}

const key = new ResultKey('2026-11-25', { env: 'test' })

/** What the results table should hold for a report, in the shape both databases are read back in. */
function expectedResults(report: RunReport): Row[] {
  return report.results.map((r, i) => ({
    run_id: report.runId,
    seq: i,
    suite: r.suite,
    check_name: r.check,
    assertion: r.assertion,
    severity: r.severity,
    status: r.status,
    value: r.value,
    expression: r.expression,
    bound: r.bound ?? null,
    error: r.error ?? null,
    date: r.date,
    tags: r.tags,
    assertion_tags: r.assertionTags,
  }))
}

function expectedSymbols(report: RunReport): Row[] {
  return report.symbols.map((s, i) => ({
    run_id: report.runId,
    seq: i,
    name: s.name,
    metric: s.metric,
    dataset: s.dataset,
    value: s.value,
    date: s.date,
    tags: s.tags,
    error: s.error ?? null,
  }))
}

const RESULTS_SQL = (t: string, run: string) =>
  `SELECT run_id, seq, suite, check_name, assertion, severity, status, value, expression, bound, error,
          CAST(date AS VARCHAR) AS date, CAST(tags AS VARCHAR) AS tags, CAST(assertion_tags AS VARCHAR) AS assertion_tags
     FROM ${t} WHERE run_id = '${run}' ORDER BY seq`
const SYMBOLS_SQL = (t: string, run: string) =>
  `SELECT run_id, seq, name, metric, dataset, value, CAST(date AS VARCHAR) AS date, CAST(tags AS VARCHAR) AS tags, error
     FROM ${t} WHERE run_id = '${run}' ORDER BY seq`
const RUN_SQL = (t: string, run: string) =>
  `SELECT run_id, suite, CAST(date AS VARCHAR) AS date, CAST(tags AS VARCHAR) AS tags, status, duration_ms,
          CAST(datasources AS VARCHAR) AS datasources, total, passed, failed, skipped, pass_rate,
          CAST(failures_by_severity AS VARCHAR) AS failures_by_severity, error
     FROM ${t} WHERE run_id = '${run}'`

/** JSON columns come back as text: parse them; numbers from PostgreSQL int columns are numbers already. */
function parseJson(rows: Row[], cols: string[]): Row[] {
  return rows.map((r) => {
    const out = { ...r }
    for (const c of cols) if (typeof out[c] === 'string') out[c] = JSON.parse(out[c] as string)
    return out
  })
}

function expectedRun(report: RunReport, status: string, error: string | null = null): Row {
  const s = report.summary
  return {
    run_id: report.runId,
    suite: report.suiteName,
    date: report.key.date,
    tags: { ...report.key.tags },
    status,
    duration_ms: expect.any(Number),
    datasources: report.datasources,
    total: s.total,
    passed: s.passed,
    failed: s.failed,
    skipped: s.skipped,
    pass_rate: s.passRate,
    failures_by_severity: s.failuresBySeverity,
    error,
  }
}

describe('sqlWriter (DuckDB file)', () => {
  it('writes the run, every result and every symbol, and reads back equal', async () => {
    const file = join(dir, 'nested', 'deeper', 'results.duckdb')
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(sqlWriter({ db: { duckdb: file } }), {
      records: rows,
      checks: [ordersCheck, skippedCheck],
      key,
      logger,
    })
    expect(report.pluginErrors).toEqual([])
    const run = parseJson(await duckRows(file, RUN_SQL('dqx_runs', report.runId)), [
      'tags',
      'datasources',
      'failures_by_severity',
    ])
    expect(run).toEqual([expectedRun(report, 'failed')])
    const results = parseJson(await duckRows(file, RESULTS_SQL('dqx_assertion_results', report.runId)), [
      'tags',
      'assertion_tags',
    ])
    expect(results).toEqual(expectedResults(report))
    expect(results.map((r) => r.status)).toEqual(['PASSED', 'FAILED', 'FAILED', 'PASSED', 'SKIPPED'])
    const symbols = parseJson(await duckRows(file, SYMBOLS_SQL('dqx_symbols', report.runId)), ['tags'])
    expect(symbols).toEqual(expectedSymbols(report))
    expect(symbols.length).toBeGreaterThan(0)
    expect(lines.find((l) => l.msg === 'run written')).toMatchObject({
      plugin: 'sqlWriter',
      db: 'duckdb',
      results: 5,
      symbols: symbols.length,
    })
  })

  it('is idempotent per runId: the same report written twice (even concurrently) is stored once', async () => {
    const file = join(dir, 'idem.duckdb')
    const { logger, lines } = captureLogger('info')
    // Two writers on one file in one suite: both see the same runId, concurrently.
    const report = await runPlugin(
      [sqlWriter({ db: { duckdb: file } }), sqlWriter({ name: 'again', db: { duckdb: file } })],
      {
        records: rows,
        checks: [ordersCheck],
        logger,
      },
    )
    expect(report.pluginErrors).toEqual([])
    const messages = lines.filter((l) => String(l.msg).startsWith('run ')).map((l) => l.msg)
    expect(messages.sort()).toEqual(['run already written; nothing to do', 'run written'])
    expect(await duckRows(file, 'SELECT count(*)::INTEGER AS n FROM dqx_runs')).toEqual([{ n: 1 }])
    expect(await duckRows(file, 'SELECT count(*)::INTEGER AS n FROM dqx_assertion_results')).toEqual([
      { n: 4 },
    ])

    // Calling the tap again with the same context (a re-delivered report) writes nothing either.
    const suite = new VerificationSuite({
      name: 's',
      checks: [ordersCheck],
      audit: false,
      plugins: [sqlWriter({ db: { duckdb: file } })],
    })
    const ctx = createResultsContext({ results: [makeResult({ status: 'FAILED' }), makeResult()] })
    expect(await suite.hooks.processResults.promise(ctx)).toMatchObject([{ plugin: 'sqlWriter' }])
    expect(await suite.hooks.processResults.promise(ctx)).toMatchObject([{ plugin: 'sqlWriter' }])
    expect(
      await duckRows(
        file,
        "SELECT count(*)::INTEGER AS n FROM dqx_assertion_results WHERE run_id = 'test-run'",
      ),
    ).toEqual([{ n: 2 }])
    // A new run is a new row.
    await runPlugin(sqlWriter({ db: { duckdb: file } }), { records: rows, checks: [ordersCheck] })
    expect(await duckRows(file, 'SELECT count(*)::INTEGER AS n FROM dqx_runs')).toEqual([{ n: 3 }])
  })

  it('records a failed run (run-level error) as a run row with status error', async () => {
    const file = join(dir, 'errors.duckdb')
    const err = await runPlugin(sqlWriter({ db: { duckdb: file }, tablePrefix: 'qa_' }), {
      records: rows,
      checks: [brokenCheck],
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    const runs = await duckRows(file, 'SELECT status, error, total FROM qa_runs')
    expect(runs).toEqual([{ status: 'error', error: (err as Error).message, total: 0 }])
    expect(await duckRows(file, 'SELECT count(*)::INTEGER AS n FROM qa_assertion_results')).toEqual([
      { n: 0 },
    ])
  })

  it('writes all or nothing: a failing insert rolls the whole run back', async () => {
    const file = join(dir, 'rollback.duckdb')
    // A symbols table of another shape: the third insert of the transaction fails.
    const instance = await DuckDBInstance.create(file)
    const conn = await instance.connect()
    await conn.run('CREATE TABLE rb_symbols (run_id VARCHAR, seq INTEGER, name VARCHAR)')
    conn.closeSync()
    instance.closeSync()
    const report = await runPlugin(sqlWriter({ db: { duckdb: file }, tablePrefix: 'rb_' }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(report.pluginErrors).toHaveLength(1)
    expect(report.pluginErrors[0]?.error?.message).toMatch(
      new RegExp(
        `^sqlWriter 'sqlWriter' could not write run ${report.runId} to duckdb:.*rollback\\.duckdb: `,
      ),
    )
    const tables = await duckRows(
      file,
      'SELECT table_name FROM information_schema.tables ORDER BY table_name',
    )
    expect(tables.map((t) => t.table_name)).toEqual(['rb_symbols'])
  })

  it("stops a long write at the tap's timeout (interrupts DuckDB, rolls back)", async () => {
    const file = join(dir, 'abort.duckdb')
    const many = Array.from({ length: 100_000 }, (_, i) => makeResult({ assertion: `rule ${i}`, value: i }))
    const ctx = createResultsContext({ results: many })
    const suite = new VerificationSuite({
      name: 's',
      checks: [ordersCheck],
      audit: false,
      pluginTimeoutMs: 250,
      plugins: [sqlWriter({ db: { duckdb: file } })],
    })
    const t0 = performance.now()
    const [run] = await suite.hooks.processResults.promise(ctx)
    expect(run).toMatchObject({ plugin: 'sqlWriter', timedOut: true })
    expect(performance.now() - t0).toBeLessThan(3000) // the whole write takes several seconds
    // Writes to one file queue up: once this small run is written, the aborted one has finished.
    const next = await runPlugin(sqlWriter({ db: { duckdb: file } }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(next.pluginErrors).toEqual([])
    expect(await duckRows(file, 'SELECT run_id FROM dqx_runs')).toEqual([{ run_id: next.runId }])
    expect(await duckRows(file, 'SELECT count(*)::INTEGER AS n FROM dqx_assertion_results')).toEqual([
      { n: 4 },
    ])
  })

  it('turns a result without bound or error into NULLs', () => {
    const { bound: _b, ...r } = makeResult({ value: null })
    const out = runRows(createResultsContext({ results: [r] }))
    expect(out.results[0]?.slice(7, 11)).toEqual([null, 'numRows()', null, null])
  })

  it('validates its options', () => {
    expect(() => sqlWriter({ db: { sqlite: 'x' } } as never)).toThrow(
      "invalid options for plugin 'sqlWriter': db: expected { duckdb: file } or { postgres: 'postgres://…' connection URL }",
    )
    expect(() => sqlWriter({ db: { duckdb: 'x' }, tablePrefix: 'drop table;' })).toThrow(
      'tablePrefix: expected letters, digits and _ (starting with a letter or _)',
    )
  })
})

describe.skipIf(!hasPg())('sqlWriter (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    db = await freshDatabase(pgUrl(), 'dqx_sqlw')
  })
  afterAll(async () => {
    await db?.drop()
  })
  const q = (sql: string) => withClient(db.url, async (c) => (await c.query(sql)).rows as Row[])

  it('writes the run, every result and every symbol, and reads back equal', async () => {
    const report = await runPlugin(sqlWriter({ db: { postgres: db.url } }), {
      records: rows,
      checks: [ordersCheck, skippedCheck],
      key,
    })
    expect(report.pluginErrors).toEqual([])
    const cast = (sql: string) => sql.replace(/AS VARCHAR/g, 'AS text')
    expect(
      parseJson(await q(cast(RUN_SQL('dqx_runs', report.runId))), [
        'tags',
        'datasources',
        'failures_by_severity',
      ]),
    ).toEqual([expectedRun(report, 'failed')])
    expect(
      parseJson(await q(cast(RESULTS_SQL('dqx_assertion_results', report.runId))), [
        'tags',
        'assertion_tags',
      ]),
    ).toEqual(expectedResults(report))
    expect(parseJson(await q(cast(SYMBOLS_SQL('dqx_symbols', report.runId))), ['tags'])).toEqual(
      expectedSymbols(report),
    )
    // JSON columns are jsonb: queryable.
    expect(
      await q(
        `SELECT count(*)::int AS n FROM dqx_assertion_results WHERE assertion_tags ? 'pii' AND run_id = '${report.runId}'`,
      ),
    ).toEqual([{ n: 1 }])
  })

  it('is idempotent per runId, also with concurrent writers', async () => {
    const report = await runPlugin(
      [
        sqlWriter({ db: { postgres: db.url }, tablePrefix: 'idem_' }),
        sqlWriter({ name: 'twin', db: { postgres: db.url }, tablePrefix: 'idem_' }),
      ],
      { records: rows, checks: [ordersCheck], concurrency: 2 },
    )
    expect(report.pluginErrors).toEqual([])
    expect(await q('SELECT count(*)::int AS n FROM idem_runs')).toEqual([{ n: 1 }])
    expect(await q('SELECT count(*)::int AS n FROM idem_assertion_results')).toEqual([{ n: 4 }])
  })

  it('records a run-level error', async () => {
    await expect(
      runPlugin(sqlWriter({ db: { postgres: db.url }, tablePrefix: 'err_' }), {
        records: rows,
        checks: [brokenCheck],
      }),
    ).rejects.toThrow(DqxError)
    expect(await q('SELECT status, total FROM err_runs')).toEqual([{ status: 'error', total: 0 }])
  })

  it('rolls back on failure and names the target without the password', async () => {
    await q('CREATE TABLE rb_symbols (run_id text, seq int, name text)')
    const report = await runPlugin(sqlWriter({ db: { postgres: db.url }, tablePrefix: 'rb_' }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(report.pluginErrors[0]?.error?.message).toMatch(
      /could not write run .* to postgres:\/\/.*: column "metric" of relation "rb_symbols" does not exist/,
    )
    expect(await q("SELECT to_regclass('rb_runs') IS NULL AS gone")).toEqual([{ gone: true }])
  })

  it('never puts the connection password in errors or logs', async () => {
    const port = await closedPort()
    const { logger, text } = captureLogger('debug')
    const secret = 'Pg-Pa55w0rd-zz'
    const report = await runPlugin(
      [
        sqlWriter({ db: { postgres: `postgres://dq:${secret}@127.0.0.1:${port}/x` } }),
        sqlWriter({
          name: 'encoded',
          db: {
            postgres: `postgresql://dq:${encodeURIComponent(`${secret}/@`)}@127.0.0.1:${port}/x?sslmode=disable`,
          },
        }),
      ],
      { records: rows, checks: [ordersCheck], logger },
    )
    const messages = report.pluginErrors.map((r) => r.error?.message ?? '')
    expect(messages).toHaveLength(2)
    expect(messages[0]).toMatch(
      /^sqlWriter 'sqlWriter' could not write run .* to postgres:\/\/dq:\[redacted\]@127\.0\.0\.1:\d+\/\[redacted\]: .*ECONNREFUSED/,
    )
    expect(messages[1]).toMatch(
      /^sqlWriter 'encoded' could not write run .* to postgresql:\/\/dq:\[redacted\]@127\.0\.0\.1:\d+\/\[redacted\]\?\[redacted\]: connect ECONNREFUSED/,
    )
    expect(`${text()}${messages.join('')}`).not.toContain(secret)
  })

  it("stops at the tap's timeout when the database blocks, and ends the session", async () => {
    await runPlugin(sqlWriter({ db: { postgres: db.url }, tablePrefix: 'lock_' }), {
      records: rows,
      checks: [ordersCheck],
    })
    const holder = new pg.Client({ connectionString: db.url })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE lock_runs IN ACCESS EXCLUSIVE MODE')
      const report = await runPlugin(
        sqlWriter({ db: { postgres: db.url }, tablePrefix: 'lock_', name: 'blocked' }),
        {
          records: rows,
          checks: [ordersCheck],
          pluginTimeoutMs: 300,
        },
      )
      expect(report.pluginErrors[0]).toMatchObject({ plugin: 'blocked', timedOut: true })
      // The writer's session goes away (its connection was ended), so it no longer waits on our lock.
      let waiting = 1
      for (let i = 0; i < 50 && waiting > 0; i++) {
        await new Promise((r) => setTimeout(r, 20))
        const r = await holder.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
        waiting = (r.rows[0] as { n: number }).n
      }
      expect(waiting).toBe(0)
      await holder.query('ROLLBACK')
    } finally {
      await holder.end()
    }
    expect(await q('SELECT count(*)::int AS n FROM lock_runs')).toEqual([{ n: 1 }])
  })

  it("gives up at the tap's timeout on a server that never answers", async () => {
    const silent = await silentServer()
    try {
      const closed = silent.nextClose()
      const report = await runPlugin(
        sqlWriter({ db: { postgres: `postgres://dq:pw-zz-9@127.0.0.1:${silent.port}/x` } }),
        {
          records: rows,
          checks: [ordersCheck],
          pluginTimeoutMs: 150,
        },
      )
      expect(report.pluginErrors[0]).toMatchObject({ plugin: 'sqlWriter', timedOut: true })
      await closed // our connection attempt was closed
      expect(silent.closed()).toBeGreaterThanOrEqual(1)
    } finally {
      await silent.close()
    }
  })

  it('reads a DataSource run and a Postgres write in one suite', async () => {
    const suite = new VerificationSuite({
      name: 'pg-suite',
      checks: [ordersCheck],
      audit: false,
      plugins: [sqlWriter({ db: { postgres: db.url }, tablePrefix: 'suite_' })],
    })
    const report = await suite.run({ data: DataSource.fromRecords(rows) }, key)
    expect(await q(`SELECT suite, status FROM suite_runs WHERE run_id = '${report.runId}'`)).toEqual([
      { suite: 'pg-suite', status: 'failed' },
    ])
  })
})
