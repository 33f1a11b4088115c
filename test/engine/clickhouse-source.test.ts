// DataSource.clickhouse against the real two-shard ClickHouse 18.16 pair: option checks, the
// one-scan SELECT over a Distributed table, values inlined by clickhouseLiteral (18.16 has no
// query parameters), date filters and lagged days, query sources, password users, and every
// failure (unknown table or column, refused login, timeout, no server) as a DqxError naming the
// dataset, the table or column and the check — never the password.
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD_USER } from '../../scripts/clickhouse.mjs'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { makeRedactor } from '../../src/core/redact.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { ClickHouseSourceOptions } from '../../src/engine/clickhouse-source.js'
import { DataSource } from '../../src/engine/data-source.js'
import { clickhouseInlineDialect } from '../../src/engine/dialects/clickhouse.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { createEngineSession } from '../../src/engine/engine-session.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { Params } from '../../src/engine/sql.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { silentLogger } from '../helpers/data.js'
import { chUrl, clickhouseUp, distributedTable, dropDistributed, uniqueTable } from './ch-helpers.js'
import { computeOrders } from './compute.js'
import { closedPort } from './pg-helpers.js'

const KEY = new ResultKey('2026-11-25')
const table = uniqueTable('orders')
const ROWS = [
  { id: 1, price: 10.5, qty: 1, email: 'a@x', status: 'paid', created_at: '2026-11-24 10:00:00' },
  { id: 2, price: 20.25, qty: 2, email: 'a@x', status: 'paid', created_at: '2026-11-25 09:00:00' },
  { id: 3, price: null, qty: 3, email: null, status: 'new', created_at: '2026-11-25 23:59:59' },
  { id: 4, price: 30, qty: -4, email: 'b@x', status: "it's", created_at: '2026-11-25 00:00:00' },
  { id: 5, price: 1.25, qty: 5, email: 'c@x', status: 'new', created_at: '2026-11-26 00:00:00' },
]

const compute = computeOrders

async function failure(p: Promise<unknown>): Promise<DqxError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DqxError)
  return err as DqxError
}

function expectNoSecret(err: Error, secret: string): void {
  for (const text of [
    err.message,
    String(err),
    inspect(err, { depth: 10 }),
    JSON.stringify(err),
    err.stack ?? '',
  ]) {
    expect(text).not.toContain(secret)
  }
}

const source = (extra: Partial<ClickHouseSourceOptions> = {}): DataSource =>
  DataSource.clickhouse({ url: chUrl, table, ...extra } as ClickHouseSourceOptions)

describe('DataSource.clickhouse options', () => {
  const bad = (o: unknown) => () => DataSource.clickhouse(o as ClickHouseSourceOptions)
  it('checks the url, the table or query, and the timeout', () => {
    expect(bad(null)).toThrow('DataSource.clickhouse(): needs options: { url, table } or { url, query }')
    expect(bad({ table: 't' })).toThrow("url must be the server's HTTP endpoint")
    expect(bad({ url: 'not a url', table: 't' })).toThrow('url is not a valid URL')
    expect(bad({ url: 'tcp://h:9000', table: 't' })).toThrow('url must use http:// or https://')
    const withPassword = bad({ url: 'http://u:hunter22@h:8123', table: 't' })
    expect(withPassword).toThrow('url must not carry credentials')
    try {
      withPassword()
    } catch (e) {
      expectNoSecret(e as Error, 'hunter22')
    }
    expect(bad({ url: 'http://h:8123' })).toThrow('needs exactly one of table or query')
    expect(bad({ url: 'http://h:8123', table: 't', query: 'SELECT 1' })).toThrow(
      'needs exactly one of table or query',
    )
    expect(bad({ url: 'http://h:8123', table: '' })).toThrow('table must be a non-empty string')
    expect(bad({ url: 'http://h:8123', query: 'SELECT 1; SELECT 2' })).toThrow('takes a single query')
    expect(bad({ url: 'http://h:8123', table: 't', requestTimeoutMs: 0 })).toThrow(
      'requestTimeoutMs must be a positive integer',
    )
    expect(bad({ url: 'http://h:8123', table: 't', username: 5 })).toThrow(
      'username must be a non-empty string',
    )
  })

  it('describes itself by user, host, database and table (or query), never the password', () => {
    const s = DataSource.clickhouse({
      url: 'http://h:8123',
      table: 'events',
      username: 'u',
      password: 'pw-123',
      database: 'db',
    })
    expect(s.kind).toBe('clickhouse')
    expect(s.describe()).toBe('clickhouse u@h:8123/db table `events`')
    expect(
      DataSource.clickhouse({ url: 'http://h:8123', query: `SELECT ${'x, '.repeat(30)}1` }).describe(),
    ).toMatch(/^clickhouse default@h:8123\/default query SELECT x, .{40,}\.\.\.$/)
  })

  it('its messages go through the one redactor: the password and whole URL credentials removed', () => {
    expect(
      makeRedactor(['p@ss/x'])('login p@ss/x failed for http://bob:p%40ss%2Fx@h:1/ and https://a:b@c'),
    ).toBe('login [redacted] failed for http://[redacted]@h:1/ and https://[redacted]@c')
    expect(makeRedactor([undefined])('nothing here')).toBe('nothing here')
  })
})

describe.skipIf(!clickhouseUp())('DataSource.clickhouse on a Distributed table over two shards', () => {
  beforeAll(async () => {
    await distributedTable(
      table,
      "id UInt64, price Nullable(Float64), qty Int64, email Nullable(String), status String, created_at DateTime('UTC')",
      ROWS,
      (r) => (r.id % 2 === 0 ? 0 : 1),
    )
  })
  afterAll(async () => {
    await dropDistributed(table)
  })

  it('computes metrics on the server, binding countValues literals inline on 18.16', async () => {
    const session = createEngineSession()
    try {
      const bound = await source().bind(session, 'orders')
      // The server says it is 18.16: the 18.x dialect, with values written as literals.
      expect(bound.dialect).toBe(clickhouseInlineDialect)
      expect(await bound.describe()).toEqual([
        { name: 'id', type: 'UInt64' },
        { name: 'price', type: 'Float64' },
        { name: 'qty', type: 'Int64' },
        { name: 'email', type: 'String' },
        { name: 'status', type: 'String' },
        { name: 'created_at', type: "DateTime('UTC')" },
      ])
    } finally {
      await session.close()
    }
    const v = await compute(source(), [
      { kind: 'numRows' },
      { kind: 'sum', column: 'price' },
      { kind: 'minimum', column: 'qty' },
      { kind: 'nullCount', column: 'email' },
      { kind: 'countValues', column: 'status', values: ["it's", 'new'] },
      { kind: 'countValues', column: 'status', values: [] },
      { kind: 'duplicateCount', columns: ['email'] },
      { kind: 'maxLength', column: 'status' },
    ])
    expect(v).toEqual({
      'numRows()': 5,
      'sum(price)': 62,
      'minimum(qty)': -4,
      'nullCount(email)': 1,
      'countValues(status, ["it\'s", "new"])': 3,
      'countValues(status, [])': 0,
      'duplicateCount(email)': 1,
      'maxLength(status)': 4,
    })
  })

  it('NULL, not 0 or nan, for aggregates over no values', async () => {
    const v = await compute(
      source({ dateColumn: 'created_at' }),
      [
        { kind: 'sum', column: 'price' },
        { kind: 'average', column: 'price' },
        { kind: 'variance', column: 'price' },
        { kind: 'minLength', column: 'email' },
        { kind: 'numRows' },
      ],
      { lag: 30 },
    )
    expect(v).toEqual({
      'sum(price)': null,
      'average(price)': null,
      'variance(price)': null,
      'minLength(email)': null,
      'numRows()': 0,
    })
  })

  it('on 18.16 variance is the plain varSamp: the stable state cannot cross shards there', async () => {
    const session = createEngineSession()
    try {
      const bound = await source().bind(session, 'orders')
      const sql = bound.dialect.renderMetric({ kind: 'variance', column: 'price' }, new Params(bound.dialect))
      expect(sql).toBe('if(count(`price`) < 2, NULL, varSamp(`price`))')
      // What the stable variant does on a Distributed table there.
      const err = await failure(bound.query(`SELECT varSampStable(price) AS v FROM \`${table}\``, []))
      expect(err.message).toMatch(/Unknown compression method/)
    } finally {
      await session.close()
    }
  })

  it('with a dateColumn scans one day only, and computes lagged days from the source', async () => {
    expect(await compute(source({ dateColumn: 'created_at' }), [{ kind: 'numRows' }])).toEqual({
      'numRows()': 3,
    })
    expect(await compute(source({ dateColumn: 'created_at' }), [{ kind: 'numRows' }], { lag: 1 })).toEqual({
      'numRows()': 1,
    })
  })

  it('scans a query source and a table in a named database', async () => {
    const q = DataSource.clickhouse({ url: chUrl, query: `SELECT * FROM ${table} WHERE qty > 0 -- positive` })
    expect(await compute(q, [{ kind: 'numRows' }, { kind: 'maximum', column: 'qty' }])).toEqual({
      'numRows()': 4,
      'maximum(qty)': 5,
    })
    expect(await compute(source({ database: 'default' }), [{ kind: 'numRows' }])).toEqual({ 'numRows()': 5 })
  })

  it('logs in as a user with a password', async () => {
    expect(await compute(source(PASSWORD_USER), [{ kind: 'numRows' }])).toEqual({ 'numRows()': 5 })
  })

  it('a refused login names the user and says what to check, never showing the password', async () => {
    const secret = 'wrong-Pa55-9x'
    const err = await failure(
      compute(source({ username: PASSWORD_USER.username, password: secret }), [{ kind: 'numRows' }]),
    )
    expect(err.code).toBe('DATA_SOURCE')
    expect(err.message).toMatch(
      /^dataset 'orders': ClickHouse at 127\.0\.0\.1:\d+ refused the login of user 'dqx'; check username and password \(server said: .*Wrong password for user dqx/,
    )
    expectNoSecret(err, secret)
  })

  it('a missing table names the table and the database', async () => {
    const err = await failure(compute(source({ table: 'no_such_table' }), [{ kind: 'numRows' }]))
    expect(err.code).toBe('DATA_SOURCE')
    expect(err.message).toMatch(
      /^dataset 'orders': table `no_such_table` does not exist in ClickHouse at 127\.0\.0\.1:\d+ \(database default\); check the table and database names — they are case-sensitive \(server said: .*doesn't exist/,
    )
  })

  it('a missing column names the column, dataset and check, with a hint, before any scan', async () => {
    const err = await failure(compute(source(), [{ kind: 'sum', column: 'Price' }], { check: 'prices' }))
    expect(err.code).toBe('MISSING_COLUMN')
    expect(err.message).toContain(
      "check 'prices': column 'Price' (in sum(Price)) does not exist in dataset 'orders'",
    )
    expect(err.message).toContain("did you mean 'price'?")
  })

  it('a String column cannot be summed: the check is told before any scan', async () => {
    const err = await failure(compute(source(), [{ kind: 'sum', column: 'status' }]))
    expect(err.message).toBe(
      "check 'c1': sum(status) needs a numeric column, but 'status' in dataset 'orders' is String",
    )
  })

  it('an unknown column inside customSql is an SQL error naming the check and the metric', async () => {
    const err = await failure(
      compute(source(), [{ kind: 'numRows' }, { kind: 'customSql', sql: 'sum(nope)' }], { check: 'custom' }),
    )
    expect(err.code).toBe('SQL')
    expect(err.message).toMatch(
      /^check 'custom': customSql\(sum\(nope\)\) failed in dataset 'orders' \(clickhouse .*\): .*Unknown identifier: nope/,
    )
  })

  it('a query running past requestTimeoutMs is cancelled with a message saying what to change', async () => {
    const slow = DataSource.clickhouse({ url: chUrl, query: 'SELECT sleep(3) AS s', requestTimeoutMs: 1000 })
    const err = await failure(compute(slow, [{ kind: 'sum', column: 's' }]))
    expect(err.code).toBe('SQL')
    expect(err.message).toContain("dataset 'orders' (clickhouse default@")
    expect(err.message).toContain(
      'the query ran longer than requestTimeoutMs (1000 ms) and was cancelled; raise requestTimeoutMs',
    )
  })

  it('no server at the address is a DATA_SOURCE error naming host and port', async () => {
    const port = await closedPort()
    const err = await failure(
      compute(DataSource.clickhouse({ url: `http://127.0.0.1:${port}`, table, password: 'pw-never-shown' }), [
        { kind: 'numRows' },
      ]),
    )
    expect(err.code).toBe('DATA_SOURCE')
    expect(err.message).toBe(
      `dataset 'orders': cannot reach ClickHouse at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    )
    expectNoSecret(err, 'pw-never-shown')
  })

  it('one client per server and credentials per run, closed with the run; a bare { duckdb } session works too', async () => {
    const session = createEngineSession()
    await source().bind(session, 'a')
    await source().bind(session, 'b')
    await source(PASSWORD_USER).bind(session, 'c')
    expect(session.resources.keys().filter((k) => k.startsWith('clickhouse:'))).toHaveLength(2)
    await session.close()
    expect(session.resources.keys()).toEqual([])
    const duckdb = new DuckDBSession()
    try {
      const bound = await source().bind({ duckdb }, 'orders')
      expect(await bound.query('SELECT count() AS n FROM `' + table + '`', [])).toEqual([{ n: 5 }])
    } finally {
      await duckdb.close()
    }
  })

  it('failed assertions carry failed-row samples queried on the server', async () => {
    const c = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.nullCount('email')).where({ name: 'emails present' }).isZero()
      ctx.assertThat(mp.minimum('qty')).where({ name: 'no negative qty' }).isGeq(0)
    })
    const suite = new VerificationSuite({
      name: 'ch',
      checks: [c],
      logger: silentLogger(),
      audit: false,
      sampleColumns: ['id'],
    })
    const report = await suite.run({ orders: source() }, KEY)
    expect(report.results.map((r) => [r.assertion, r.status, r.samples])).toEqual([
      ['emails present', 'FAILED', { rows: [{ email: null, id: 3 }], total: 1 }],
      ['no negative qty', 'FAILED', { rows: [{ qty: -4, id: 4 }], total: 1 }],
    ])
  })

  it('a suite writes ClickHouse metrics to any MetricDB and reads history back for dayOverDay', async () => {
    const db = MetricDB.memory()
    const c = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows().dayOverDay()).where({ name: 'rows day over day' }).isBetween(0, 10)
    })
    const suite = new VerificationSuite({ name: 'ch', checks: [c], db, logger: silentLogger(), audit: false })
    const report = await suite.run({ orders: source({ dateColumn: 'created_at' }) }, KEY)
    expect(report.results[0]?.status).toBe('PASSED')
    expect(report.results[0]?.value).toBe(3)
    expect(
      await db.getMetric({ metric: 'numRows()', dataset: 'orders', date: '2026-11-25', tags: {} }),
    ).toMatchObject({ value: 3 })
  })
})
