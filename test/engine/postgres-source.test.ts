// DataSource.postgres against a real PostgreSQL 15: option checks, the one-scan SELECT in the
// PostgreSQL dialect, type conversion, schemas and quoting, date filters, statement timeouts,
// pools shared per connection string and closed with the run, and every failure as a clear DqxError
// that never shows the password.
import { createServer, type Server, type Socket } from 'node:net'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource, type EngineSession } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { createEngineSession } from '../../src/engine/engine-session.js'
import { computeMetrics } from '../../src/engine/metric-computer.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import type { PostgresSourceOptions } from '../../src/engine/postgres-source.js'
import { computeOrders } from './compute.js'
import { closedPort, freshDatabase, hasPg, pgUrl, silentLogger, withClient } from './pg-helpers.js'

const pgReady = hasPg()
const baseUrl = pgUrl()
const KEY = new ResultKey('2026-11-25')
const SECRET = 's3cr3t-Pa55'

let db: Awaited<ReturnType<typeof freshDatabase>>
// Option checks need only a well-formed URL; the server's replaces it when there is one.
let url = 'postgres://postgres@127.0.0.1:5432/dqx_options_only'

beforeAll(async () => {
  if (!pgReady) return
  db = await freshDatabase(baseUrl, 'dqx_src')
  url = db.url
  await withClient(url, async (c) => {
    await c.query(`CREATE TABLE orders (
      id integer, price numeric(10,2), qty bigint, ratio real, email text, status varchar(20),
      flag boolean, created_at timestamp, "we""ird col" double precision)`)
    await c.query(`INSERT INTO orders VALUES
      (1, 10.50, 1, 0.5, 'a@x', 'paid', true, '2026-11-24 10:00', 1),
      (2, 20.25, 2, 1.5, 'a@x', 'paid', false, '2026-11-25 09:00', 2),
      (3, NULL, 3, NULL, NULL, 'new', NULL, '2026-11-25 23:59:59', 3),
      (4, 30.00, 9007199254740993, 2.5, 'b@x', 'it''s', true, '2026-11-25 00:00', NULL),
      (5, 1.25, -4, -1, 'c@x', 'new', true, '2026-11-26 00:00', 5)`)
    await c.query('CREATE SCHEMA shop')
    await c.query('CREATE TABLE shop.orders (id integer)')
    await c.query('INSERT INTO shop.orders SELECT generate_series(1, 7)')
    await c.query('CREATE TABLE "MixedCase" (id integer)')
    await c.query('INSERT INTO "MixedCase" VALUES (1), (2)')
  })
})

afterAll(async () => {
  await db?.drop()
})

/** Runs computeMetrics the way a suite does, with a session closed afterwards; values by metric name. */
const compute = computeOrders

async function failure(p: Promise<unknown>): Promise<DqxError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DqxError)
  return err as DqxError
}

const pgSource = (extra: Partial<PostgresSourceOptions> = {}): DataSource =>
  DataSource.postgres({ connectionString: url, table: 'orders', ...extra } as PostgresSourceOptions)

describe('DataSource.postgres options', () => {
  it('needs an options object with a postgres:// connection string, never echoing it', () => {
    expect(() => DataSource.postgres(undefined as never)).toThrow(/needs options/)
    expect(() => DataSource.postgres({ table: 'x' } as never)).toThrow(
      /connection string of the form postgres:\/\/.*got undefined/,
    )
    const kv = `host=db password=${SECRET}`
    try {
      DataSource.postgres({ connectionString: kv, table: 'x' })
      expect.unreachable()
    } catch (err) {
      expect((err as DqxError).code).toBe('DATA_SOURCE')
      expect((err as Error).message).toMatch(/without the postgres:\/\/ scheme/)
      expect(inspect(err)).not.toContain(SECRET)
    }
  })

  it('rejects an unparsable URL without repeating it', () => {
    try {
      DataSource.postgres({ connectionString: `postgres://u:${SECRET}@h:99999/db`, table: 'x' })
      expect.unreachable()
    } catch (err) {
      expect((err as Error).message).toMatch(/not a valid URL.*percent-encoded/)
      expect(inspect(err, { depth: 10 })).not.toContain(SECRET)
    }
  })

  it('takes exactly one of table and query, and schema only with table', () => {
    expect(() => DataSource.postgres({ connectionString: url } as never)).toThrow(
      /exactly one of table or query/,
    )
    expect(() =>
      DataSource.postgres({ connectionString: url, table: 't', query: 'select 1' } as never),
    ).toThrow(/exactly one of table or query/)
    expect(() => DataSource.postgres({ connectionString: url, table: ' ' })).toThrow(
      /table must be a non-empty string/,
    )
    expect(() => DataSource.postgres({ connectionString: url, table: 't', schema: '' })).toThrow(
      /schema must be a non-empty string/,
    )
    expect(() =>
      DataSource.postgres({ connectionString: url, query: 'select 1', schema: 's' } as never),
    ).toThrow(/schema goes with table/)
    expect(() => DataSource.postgres({ connectionString: url, query: 'select 1; select 2' })).toThrow(
      /single query/,
    )
    expect(() => DataSource.postgres({ connectionString: url, query: 42 } as never)).toThrow(
      /query must be a non-empty/,
    )
  })

  it('checks timeouts and dateColumn', () => {
    for (const bad of [0, -1, 1.5, '100', Number.NaN]) {
      expect(() => pgSource({ statementTimeoutMs: bad as number })).toThrow(
        /statementTimeoutMs must be a positive integer/,
      )
      expect(() => pgSource({ connectTimeoutMs: bad as number })).toThrow(
        /connectTimeoutMs must be a positive integer/,
      )
    }
    expect(() => pgSource({ dateColumn: '' })).toThrow(/dateColumn must be a non-empty column name/)
  })

  it('describes itself without the password', () => {
    const withPw = new URL(url)
    withPw.username = 'postgres'
    withPw.password = SECRET
    const s = DataSource.postgres({ connectionString: withPw.toString(), table: 'orders', schema: 'shop' })
    expect(s.kind).toBe('postgres')
    expect(s.describe()).toBe(
      `postgres postgres@${withPw.hostname}:${withPw.port}${withPw.pathname} table "shop"."orders"`,
    )
    const q = DataSource.postgres({
      connectionString: url,
      query: `SELECT id FROM orders WHERE status = 'x' ${'-'.repeat(60)}`,
    })
    expect(q.describe()).toMatch(/ query SELECT id FROM orders WHERE status = 'x' -+\.\.\.$/)
    expect(DataSource.postgres({ connectionString: url, query: 'SELECT 1 AS one;' }).describe()).toMatch(
      / query SELECT 1 AS one$/,
    )
  })
})

describe.skipIf(!pgReady)('scanning a table', () => {
  it('computes every metric in one scan, converting bigint and numeric results to numbers', async () => {
    const v = await compute(pgSource(), [
      { kind: 'numRows' },
      { kind: 'sum', column: 'price' },
      { kind: 'sum', column: 'qty' },
      { kind: 'average', column: 'price' },
      { kind: 'minimum', column: 'ratio' },
      { kind: 'maximum', column: 'qty' },
      { kind: 'variance', column: 'id' },
      { kind: 'stddev', column: 'id' },
      { kind: 'nullCount', column: 'email' },
      { kind: 'uniqueCount', column: 'email' },
      { kind: 'approxDistinct', column: 'status' },
      { kind: 'duplicateCount', columns: ['email', 'status'] },
      { kind: 'countValues', column: 'status', values: ["it's", 'paid'] },
      { kind: 'countValues', column: 'flag', values: [true] },
      { kind: 'countValues', column: 'id', values: [1, 5, 6.5] },
      { kind: 'countValues', column: 'id', values: [] },
      { kind: 'minLength', column: 'status' },
      { kind: 'maxLength', column: 'email' },
      { kind: 'sum', column: 'we"ird col' },
      { kind: 'customSql', sql: 'count(*) FILTER (WHERE flag)' },
      { kind: 'customSql', sql: 'sum(price)' },
      { kind: 'customSql', sql: 'max(email)' },
    ])
    expect(v).toEqual({
      'numRows()': 5,
      'sum(price)': 62,
      // 1 + 2 + 3 + (2^53 + 1) - 4, summed exactly as numeric, then rounded once to a double
      'sum(qty)': Number(9007199254740995n),
      'average(price)': 62 / 4,
      'minimum(ratio)': -1,
      'maximum(qty)': 9007199254740992, // bigint 2^53 + 1 cast to double precision
      'variance(id)': 2.5,
      'stddev(id)': Math.sqrt(2.5),
      'nullCount(email)': 1,
      'uniqueCount(email)': 3,
      'approxDistinct(status)': 3, // exact in PostgreSQL
      'duplicateCount(email, status)': 1,
      'countValues(status, ["it\'s", "paid"])': 3,
      'countValues(flag, [true])': 3,
      'countValues(id, [1, 5, 6.5])': 2,
      'countValues(id, [])': 0,
      'minLength(status)': 3,
      'maxLength(email)': 3,
      'sum("we\\"ird col")': 11,
      'customSql(count(*) FILTER (WHERE flag))': 3,
      'customSql(sum(price))': 62,
      'customSql(max(email))': expect.stringMatching(/returned string \(c@x\), expected a number/),
    })
  })

  it('reads a table in a schema, and quoted names keep their case', async () => {
    expect(await compute(pgSource({ schema: 'shop' }), [{ kind: 'numRows' }])).toEqual({ 'numRows()': 7 })
    expect(await compute(pgSource({ table: 'MixedCase' }), [{ kind: 'numRows' }])).toEqual({ 'numRows()': 2 })
  })

  it('scans a query source', async () => {
    const s = DataSource.postgres({
      connectionString: url,
      query: "SELECT id * 2 AS d FROM orders WHERE status = 'paid';",
    })
    expect(await compute(s, [{ kind: 'sum', column: 'd' }, { kind: 'numRows' }])).toEqual({
      'sum(d)': 6,
      'numRows()': 2,
    })
  })

  it('with a dateColumn scans one day only, and computes lagged days from the source', async () => {
    const s = pgSource({ dateColumn: 'created_at' })
    expect(await compute(s, [{ kind: 'numRows' }, { kind: 'nullCount', column: 'price' }])).toEqual({
      'numRows()': 3,
      'nullCount(price)': 1,
    })
    expect(await compute(s, [{ kind: 'numRows' }], { lag: 1 })).toEqual({ 'numRows()': 1 })
  })

  it('works with a bare { duckdb } session too (pools then close themselves when idle)', async () => {
    const bare: EngineSession = { duckdb: new DuckDBSession() }
    try {
      expect(await compute(pgSource(), [{ kind: 'numRows' }], { session: bare })).toEqual({ 'numRows()': 5 })
      expect(await compute(pgSource({ schema: 'shop' }), [{ kind: 'numRows' }], { session: bare })).toEqual({
        'numRows()': 7,
      })
    } finally {
      await bare.duckdb.close()
    }
  })
})

describe.skipIf(!pgReady)('missing tables and columns', () => {
  it('a missing table names the table and suggests a schema', async () => {
    const err = await failure(compute(pgSource({ table: 'nosuch' }), [{ kind: 'numRows' }]))
    expect(err.code).toBe('DATA_SOURCE')
    expect(err.message).toMatch(
      /dataset 'orders': table "nosuch" does not exist in PostgreSQL .*\/dqx_src_\w+ \(a table outside the search_path needs schema: \.\.\.\)/,
    )
    expect(err.message).toMatch(/case-sensitive/)
  })

  it('a missing table in a schema names both, without the search_path hint', async () => {
    const err = await failure(compute(pgSource({ schema: 'shop', table: 'Orders' }), [{ kind: 'numRows' }]))
    expect(err.message).toMatch(/table "shop"."Orders" does not exist/)
    expect(err.message).not.toMatch(/search_path/)
  })

  it('a query reading a missing table is an SQL error naming the dataset', async () => {
    const s = DataSource.postgres({ connectionString: url, query: 'SELECT * FROM nosuch' })
    const err = await failure(compute(s, [{ kind: 'numRows' }]))
    expect(err.code).toBe('SQL')
    expect(err.message).toMatch(
      /dataset 'orders' \(postgres .* query SELECT \* FROM nosuch\): relation "nosuch" does not exist/,
    )
  })

  it('a missing column goes through describe: names the column, dataset and check, with a hint', async () => {
    const err = await failure(compute(pgSource(), [{ kind: 'sum', column: 'Price' }]))
    expect(err.code).toBe('MISSING_COLUMN')
    expect(err.message).toMatch(
      /check 'c1': column 'Price' \(in sum\(Price\)\) does not exist in dataset 'orders'/,
    )
    expect(err.message).toMatch(/did you mean 'price'\?/)
    expect(err.message).toMatch(
      /columns are: id, price, qty, ratio, email, status, flag, created_at, we"ird col/,
    )
  })

  it('describe reports PostgreSQL type names, so a text column cannot be summed', async () => {
    const err = await failure(compute(pgSource(), [{ kind: 'sum', column: 'status' }]))
    expect(err.code).toBe('CHECK_DEFINITION')
    expect(err.message).toMatch(/'status' in dataset 'orders' is character varying/)
  })

  it('a missing dateColumn is reported before any scan', async () => {
    const err = await failure(compute(pgSource({ dateColumn: 'day' }), [{ kind: 'numRows' }]))
    expect(err.message).toMatch(/dateColumn 'day' does not exist/)
  })

  it('bad customSql is an SQL error with the server message', async () => {
    const err = await failure(compute(pgSource(), [{ kind: 'customSql', sql: 'sum(nosuch)' }]))
    expect(err.code).toBe('SQL')
    expect(err.message).toMatch(/column "nosuch" does not exist/)
  })
})

describe.skipIf(!pgReady)('connection failures', () => {
  it('connection refused names host:port, says what to check, and never shows the password', async () => {
    const port = await closedPort()
    const cs = `postgres://dqxuser:${SECRET}@127.0.0.1:${port}/warehouse`
    const err = await failure(
      compute(DataSource.postgres({ connectionString: cs, table: 'orders' }), [{ kind: 'numRows' }]),
    )
    expect(err.code).toBe('DATA_SOURCE')
    expect(err.message).toBe(
      `dataset 'orders': cannot connect to PostgreSQL at 127.0.0.1:${port} (database 'warehouse', user 'dqxuser'): connection refused; check that the server is running and that the connection string's host, port, user and database are right`,
    )
    for (const text of [
      err.message,
      String(err),
      inspect(err, { depth: 10 }),
      JSON.stringify(err),
      err.stack ?? '',
    ]) {
      expect(text).not.toContain(SECRET)
    }
  })

  it('an unknown role is an authentication failure', async () => {
    const u = new URL(url)
    u.username = 'nobody'
    u.password = SECRET
    const err = await failure(
      compute(DataSource.postgres({ connectionString: u.toString(), table: 'orders' }), [
        { kind: 'numRows' },
      ]),
    )
    expect(err.message).toMatch(/user 'nobody'\): authentication failed: role "nobody" does not exist; check/)
    expect(inspect(err, { depth: 10 })).not.toContain(SECRET)
  })

  it('a missing database says so', async () => {
    const u = new URL(url)
    u.pathname = '/no_such_db'
    const err = await failure(
      compute(DataSource.postgres({ connectionString: u.toString(), table: 'orders' }), [
        { kind: 'numRows' },
      ]),
    )
    expect(err.message).toMatch(
      /\(database 'no_such_db', user 'postgres'\): database "no_such_db" does not exist/,
    )
  })

  it('an unknown host says the host was not found', async () => {
    const s = DataSource.postgres({
      connectionString: 'postgres://u@nonexistent-host.invalid:5432/db',
      table: 'orders',
    })
    const err = await failure(compute(s, [{ kind: 'numRows' }]))
    expect(err.message).toMatch(
      /at nonexistent-host\.invalid:5432 \(database 'db', user 'u'\): host 'nonexistent-host\.invalid' not found/,
    )
  })

  it('a server that never answers hits connectTimeoutMs', async () => {
    const sockets: Socket[] = []
    const silent = createServer((s) => sockets.push(s))
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res))
    const { port } = silent.address() as { port: number }
    try {
      const s = DataSource.postgres({
        connectionString: `postgres://127.0.0.1:${port}/db`,
        table: 'orders',
        connectTimeoutMs: 150,
      })
      const err = await failure(compute(s, [{ kind: 'numRows' }]))
      expect(err.message).toMatch(
        new RegExp(`at 127\\.0\\.0\\.1:${port} \\(database 'db'.*\\): no connection within 150 ms`),
      )
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((res) => silent.close(() => res()))
    }
  })
})

/** A TCP proxy to the test server whose connections the test can cut mid-query. */
async function proxy(): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const target = new URL(url)
  const pairs: Socket[] = []
  const { createConnection } = await import('node:net')
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) })
    client.pipe(upstream).pipe(client)
    client.on('error', () => {})
    upstream.on('error', () => {})
    pairs.push(client, upstream)
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  const u = new URL(url)
  u.hostname = '127.0.0.1'
  u.port = String((server.address() as { port: number }).port)
  return {
    url: u.toString(),
    cut: () => {
      for (const s of pairs) s.destroy()
    },
    close: () => new Promise<void>((res) => server.close(() => res())),
  }
}

describe.skipIf(!pgReady)('statement timeouts and broken connections', () => {
  const sleepy = "SELECT id FROM orders, pg_sleep(1.5) WHERE status <> 'x'"

  it('a scan longer than statementTimeoutMs is cancelled by the server with a clear message', async () => {
    const session = createEngineSession()
    try {
      const s = DataSource.postgres({ connectionString: url, query: sleepy, statementTimeoutMs: 200 })
      const t0 = performance.now()
      const err = await failure(compute(s, [{ kind: 'numRows' }], { session }))
      expect(performance.now() - t0).toBeLessThan(1400)
      expect(err.code).toBe('SQL')
      expect(err.message).toMatch(
        /ran longer than statementTimeoutMs \(200 ms\) and the server cancelled it; raise statementTimeoutMs/,
      )
      // The pooled connection is clean afterwards: the timeout was SET LOCAL inside a read-only transaction.
      expect(await compute(pgSource(), [{ kind: 'numRows' }], { session })).toEqual({ 'numRows()': 5 })
      expect(
        await compute(pgSource({ statementTimeoutMs: 5_000 }), [{ kind: 'numRows' }], { session }),
      ).toEqual({
        'numRows()': 5,
      })
      const timeouts = await withClient(url, (c) =>
        c.query("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"),
      )
      expect(timeouts.rows[0]).toEqual({ setting: '0' })
    } finally {
      await session.close()
    }
  })

  it('a scan cancelled for another reason is an SQL error with the server message', async () => {
    const s = DataSource.postgres({ connectionString: url, query: sleepy })
    const run = failure(compute(s, [{ kind: 'numRows' }]))
    await new Promise((r) => setTimeout(r, 400))
    await withClient(url, (c) =>
      c.query(
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'dqx' AND datname = current_database() AND query LIKE '%pg_sleep%'",
      ),
    )
    const err = await run
    expect(err.code).toBe('SQL')
    expect(err.message).toMatch(/canceling statement due to user request/)
  })

  it('a connection lost mid-scan is a DATA_SOURCE error, with or without a timeout transaction', async () => {
    for (const statementTimeoutMs of [undefined, 10_000]) {
      const p = await proxy()
      const session = createEngineSession()
      try {
        const opts = {
          connectionString: p.url,
          query: sleepy,
          ...(statementTimeoutMs ? { statementTimeoutMs } : {}),
        }
        const run = failure(compute(DataSource.postgres(opts), [{ kind: 'numRows' }], { session }))
        await new Promise((r) => setTimeout(r, 500))
        p.cut()
        const err = await run
        expect(err.code).toBe('DATA_SOURCE')
        expect(err.message).toMatch(
          /lost the connection to PostgreSQL at 127\.0\.0\.1:\d+: Connection terminated unexpectedly/,
        )
      } finally {
        await session.close()
        await p.close()
      }
    }
  })
})

describe.skipIf(!pgReady)('pools', () => {
  /** Connections carrying our application_name, once the server has let closed ones go (up to 3 s). */
  async function connections(appPrefix: string, want: (n: number) => boolean): Promise<number> {
    let n = -1
    for (let i = 0; i < 60; i++) {
      n = await withClient(url, async (c) => {
        const r = await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1',
          [`${appPrefix}%`],
        )
        return r.rows[0]?.n ?? 0
      })
      if (want(n)) break
      await new Promise((r) => setTimeout(r, 50))
    }
    return n
  }

  it('one pool per connection string per run, all closed when the run session closes', async () => {
    const session = createEngineSession()
    const withApp = (name: string): string => {
      const u = new URL(url)
      u.searchParams.set('application_name', name)
      return u.toString()
    }
    const one = withApp('dqx_pools_one')
    const sources = {
      a: DataSource.postgres({ connectionString: one, table: 'orders' }),
      b: DataSource.postgres({ connectionString: one, table: 'orders', schema: 'shop' }),
      c: DataSource.postgres({ connectionString: withApp('dqx_pools_two'), table: 'orders' }),
      d: DataSource.fromRecords([{ x: 1 }]),
    }
    const values = await computeMetrics({
      needs: ['a', 'b', 'c', 'd'].map((dataset) => ({
        dataset,
        spec: { kind: 'numRows' },
        lag: 0,
        check: 'c',
      })),
      sources,
      key: KEY,
      db: MetricDB.memory(),
      session,
      logger: silentLogger,
      suite: 's',
      runId: 'r',
      scanConcurrency: 1,
    })
    expect([...values.values()].map((v) => v.value)).toEqual([5, 7, 5, 1])
    const keys = session.resources.keys()
    expect(keys).toHaveLength(2)
    for (const k of keys) expect(k).toMatch(/^postgres:[0-9a-f]{16}:10000$/) // loggable: no URL, no password
    // With scanConcurrency 1 datasets run one after another, so each pool needed a single connection.
    expect(await connections('dqx_pools_', (n) => n === 2)).toBe(2)
    await session.close()
    expect(session.resources.keys()).toEqual([])
    expect(await connections('dqx_pools_', (n) => n === 0)).toBe(0)
  })
})
