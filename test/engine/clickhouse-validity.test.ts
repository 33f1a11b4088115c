// Every validity metric (matchCount, validCount in/between/format, .rate(), quantile,
// approxQuantile, median, freshnessHours, orphanCount with its samples, expectSchema and
// expectSchemaUnchanged) on ClickHouse, against plain-JS values over the same rows (NULLs,
// unicode, hostile column names, an empty table):
// - ClickHouse 18.16: a two-shard Distributed table read by DataSource.clickhouse, which picks the
//   18.x spellings (clickhouseInlineDialect) from the server's version; the referenced customers
//   are a Distributed table too, keyed UInt64 against the orders' Nullable(Int64).
// - current ClickHouse (chDB 26.7, in-process): the same rows in MergeTree tables, through
//   DataSource.warehouse with clickhouseDialect and with clickhouseInlineDialect (the 18.x
//   spellings must give the same values on a current server), and the dialect's orphan query.
// Also: one scan per dataset and date on the server (system.query_log), plus one anti-join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chQuery, PASSWORD_USER } from '../../scripts/clickhouse.mjs'
import { check } from '../../src/core/check.js'
import type { Expr } from '../../src/core/expression.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { metricName } from '../../src/core/metric-spec.js'
import { ResultKey } from '../../src/core/result-key.js'
import { logicalType } from '../../src/core/schema.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import type { Dialect } from '../../src/engine/dialect.js'
import {
  clickhouseDialect,
  clickhouseDialectFor,
  clickhouseInlineDialect,
  GROUP_ARRAY_LIMIT,
} from '../../src/engine/dialects/clickhouse.js'
import { quoteBacktick } from '../../src/engine/dialects/common.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import type { ScanEvent } from '../../src/engine/scan-events.js'
import { Params, type SqlParam } from '../../src/engine/sql.js'
import { toNamedParams, type WarehouseExecute } from '../../src/engine/warehouse-source.js'
import { captureLogger, expectClose, quietSuite } from '../helpers/data.js'
import { serverAvailable } from '../helpers/servers.js'
import {
  CHDB_MISSING,
  type Chdb,
  type ChdbSession,
  chUrl,
  chUrl2,
  clickhouseUp,
  distributedTable,
  dropDistributed,
  loadChdb,
  loggedQueries,
  uniqueTable,
} from './ch-helpers.js'
import { COL, CUSTOMERS, makeRows, type Row, reference } from './validity-data.js'

const KEY = new ResultKey('2026-11-25')
const ROWS = makeRows(1500)
const KEYS = CUSTOMERS.map((c) => c.id)
const IN_SET = ['paid', "it's", 'a"b', '漢字']

/** The orders' ClickHouse columns: every one Nullable, the key Int64 (customers' id is UInt64). */
const COLUMNS = [
  `${quoteBacktick(COL.amount)} Nullable(Float64)`,
  `${quoteBacktick(COL.email)} Nullable(String)`,
  `${quoteBacktick(COL.status)} Nullable(String)`,
  `${quoteBacktick(COL.seen)} Nullable(DateTime('UTC'))`,
  `${quoteBacktick(COL.customer)} Nullable(Int64)`,
  `${quoteBacktick(COL.code)} Nullable(String)`,
].join(', ')
const CUSTOMER_COLUMNS = 'id UInt64, name String'

/** A row as JSONEachRow: DateTime as 'YYYY-MM-DD hh:mm:ss' (18.16 reads no ISO 'T…Z'). */
const chRow = (r: Row): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      v instanceof Date ? v.toISOString().slice(0, 19).replace('T', ' ') : v,
    ]),
  )

interface Case {
  name: string
  expr: (mp: MetricProvider) => Expr
  want: (rows: readonly Row[]) => number | null
  /** Absolute slack (approximate metrics); default: relative 1e-9. */
  slack?: number
  /** On an empty dataset the value is NULL (or a rate): the assertion FAILS with this error. */
  emptyError?: RegExp
  /** Needs the referenced dataset on the same engine (not run through DataSource.warehouse). */
  orphan?: true
}

const orphans = (mp: MetricProvider) => mp.orphanCount(COL.customer, { dataset: 'customers', column: 'id' })

const CASES: Case[] = [
  { name: 'rows', expr: (mp) => mp.numRows(), want: reference.numRows },
  {
    name: 'match email',
    expr: (mp) => mp.matchCount(COL.email, '^[a-z]+@'),
    want: (r) => reference.matchCount(r, COL.email, '^[a-z]+@'),
  },
  {
    name: 'match /PAID|X;Y/i',
    expr: (mp) => mp.matchCount(COL.status, /PAID|X;Y/i),
    want: (r) => reference.matchCount(r, COL.status, 'PAID|X;Y', 'i'),
  },
  {
    // A bare literal: ClickHouse 18.16 prefilters '(?i)PAID' case-sensitively (0 rows).
    name: 'match /PAID/i',
    expr: (mp) => mp.matchCount(COL.status, /PAID/i),
    want: (r) => reference.matchCount(r, COL.status, 'PAID', 'i'),
  },
  {
    name: 'match /^ÜNÏ/i (unicode case folding)',
    expr: (mp) => mp.matchCount(COL.status, /^ÜNÏ/i),
    want: (r) => reference.matchCount(r, COL.status, '^ÜNÏ', 'i'),
  },
  {
    name: 'match unicode',
    expr: (mp) => mp.matchCount(COL.status, '^(ü|漢)'),
    want: (r) => reference.matchCount(r, COL.status, '^(ü|漢)'),
  },
  {
    name: 'match "." counts characters, not bytes',
    expr: (mp) => mp.matchCount(COL.status, '^.{2}$'),
    want: (r) => reference.matchCount(r, COL.status, '^.{2}$'),
  },
  {
    name: 'match a number column as text',
    expr: (mp) => mp.matchCount(COL.customer, '^1'),
    want: (r) => reference.matchCount(r, COL.customer, '^1'),
  },
  {
    name: 'valid in',
    expr: (mp) => mp.validCount(COL.status, { in: IN_SET }),
    want: (r) => reference.validIn(r, COL.status, IN_SET),
  },
  { name: 'valid in (empty set)', expr: (mp) => mp.validCount(COL.status, { in: [] }), want: () => 0 },
  {
    name: 'valid in (numbers, on an integer column)',
    expr: (mp) => mp.validCount(COL.customer, { in: [1, 2, 24] }),
    want: (r) => reference.validIn(r, COL.customer, [1, 2, 24]),
  },
  {
    name: 'valid between',
    expr: (mp) => mp.validCount(COL.amount, { between: [0, 500.5] }),
    want: (r) => reference.validBetween(r, COL.amount, 0, 500.5),
  },
  {
    name: 'valid between (an integer column)',
    expr: (mp) => mp.validCount(COL.customer, { between: [3, 17] }),
    want: (r) => reference.validBetween(r, COL.customer, 3, 17),
  },
  ...(['email', 'uuid', 'date', 'iso-timestamp', 'url'] as const).map(
    (format): Case => ({
      name: `format ${format}`,
      expr: (mp) => mp.validCount(format === 'email' ? COL.email : COL.code, { format }),
      want: (r) => reference.validFormat(r, format === 'email' ? COL.email : COL.code, format),
    }),
  ),
  {
    name: 'email valid rate',
    expr: (mp) => mp.validCount(COL.email, { format: 'email' }).rate(),
    want: (r) => (r.length === 0 ? null : reference.validFormat(r, COL.email, 'email') / r.length),
    emptyError: /has no rows, so there is no rate/,
  },
  {
    name: 'null rate',
    expr: (mp) => mp.nullCount(COL.amount).rate(),
    want: (r) => (r.length === 0 ? null : r.filter((x) => x[COL.amount] === null).length / r.length),
    emptyError: /has no rows/,
  },
  ...[0, 0.1, 0.37, 0.9, 1].map(
    (q): Case => ({
      name: `quantile ${q}`,
      expr: (mp) => mp.quantile(COL.amount, q),
      want: (r) => reference.quantile(r, COL.amount, q),
      emptyError: /is NULL/,
    }),
  ),
  {
    name: 'quantile of an integer column',
    expr: (mp) => mp.quantile(COL.customer, 0.25),
    want: (r) => reference.quantile(r, COL.customer, 0.25),
    emptyError: /is NULL/,
  },
  {
    name: 'median',
    expr: (mp) => mp.median(COL.amount),
    want: (r) => reference.quantile(r, COL.amount, 0.5),
    emptyError: /is NULL/,
  },
  {
    // ClickHouse's quantile: a reservoir of 8 192 values, so exact over 1 500 (within 1 %).
    name: 'approx median',
    expr: (mp) => mp.approxQuantile(COL.amount, 0.5),
    want: (r) => reference.quantile(r, COL.amount, 0.5),
    slack: 0.01 * 2000,
    emptyError: /is NULL/,
  },
  {
    name: 'freshness',
    expr: (mp) => mp.freshnessHours(COL.seen),
    want: (r) => reference.freshnessHours(r, COL.seen, KEY.date),
    emptyError: /is NULL/,
  },
  { name: 'orphans', expr: orphans, want: (r) => reference.orphanCount(r, COL.customer, KEYS), orphan: true },
  {
    name: 'orphan rate',
    expr: (mp) => orphans(mp).rate(),
    want: (r) => (r.length === 0 ? null : reference.orphanCount(r, COL.customer, KEYS) / r.length),
    emptyError: /has no rows/,
    orphan: true,
  },
]

const checkOf = (cases: readonly Case[]) =>
  check({ name: 'validity', datasets: ['orders'] }, (mp, ctx) => {
    for (const c of cases) ctx.assertThat(c.expr(mp)).where({ name: c.name }).noop()
  })

function expectMatchesReference(report: RunReport, rows: readonly Row[], cases: readonly Case[]): void {
  expect(report.error).toBeUndefined()
  expect(report.results).toHaveLength(cases.length)
  for (const c of cases) {
    const result = report.results.find((r) => r.assertion === c.name)
    const want = c.want(rows)
    if (want === null) {
      expect(result?.status, c.name).toBe('FAILED')
      expect(result?.error, c.name).toMatch(c.emptyError as RegExp)
      continue
    }
    expect(result?.status, `${c.name}: ${result?.error}`).toBe('PASSED')
    if (c.slack !== undefined) {
      expect(Math.abs((result?.value as number) - want), c.name).toBeLessThanOrEqual(c.slack)
    } else expectClose(result?.value, want)
  }
}

/** The JS references must not be vacuous: every count case counts something, and not everything. */
it('the rows exercise every case (no reference value is trivially 0 or all rows)', () => {
  for (const c of CASES) {
    if (c.name === 'valid in (empty set)' || c.name === 'rows') continue
    const v = c.want(ROWS)
    expect(v, c.name).not.toBeNull()
    expect(v, c.name).not.toBe(0)
    if (!c.name.includes('rate') && !c.name.includes('quantile') && !c.name.includes('median'))
      expect(v, c.name).toBeLessThan(ROWS.length)
  }
})

describe('clickhouseDialectFor picks the spellings by server version', () => {
  it('20.5 and later: typed parameters and current functions; before (or unparsable): the 18.x ones', () => {
    for (const v of ['20.5.1.1', '20.12', '24.8.4.13', '26.7.2.1', '100.1'])
      expect(clickhouseDialectFor(v), v).toBe(clickhouseDialect)
    for (const v of ['18.16.1', '19.17.4.11', '20.4.9.110', '', 'unknown'])
      expect(clickhouseDialectFor(v), v).toBe(clickhouseInlineDialect)
  })

  it('ClickHouse type names map to the logical types of expectSchema and freshnessHours', () => {
    const cases: [string, string | undefined][] = [
      ["DateTime('UTC')", 'timestamp'],
      ['DateTime', 'timestamp'],
      ['DateTime64(3)', 'timestamp'],
      ["DateTime64(6, 'Europe/Paris')", 'timestamp'],
      ['Date', 'date'],
      ['Date32', 'date'],
      ['UInt8', 'integer'],
      ['UInt256', 'integer'],
      ['Int128', 'integer'],
      ['Float32', 'number'],
      ['Decimal(18, 4)', 'number'],
      ['Decimal64(2)', 'number'],
      ['String', 'string'],
      ['FixedString(16)', 'string'],
      ["Enum8('a' = 1, 'b' = 2)", 'string'],
      ['Bool', 'boolean'],
      ['Array(String)', undefined],
      ['UUID', undefined],
    ]
    for (const [type, want] of cases) expect(logicalType(type), type).toBe(want)
  })
})

describe.skipIf(!clickhouseUp())('validity metrics on ClickHouse 18.16 (two-shard Distributed table)', () => {
  const orders = uniqueTable('v_orders')
  const customers = uniqueTable('v_customers')
  const empty = uniqueTable('v_empty')
  const emptyCustomers = uniqueTable('v_empty_customers')
  const changed = uniqueTable('v_changed')
  const source = (table: string) => DataSource.clickhouse({ url: chUrl, table })
  const run = (suite: ReturnType<typeof quietSuite>, o: string, c: string) =>
    suite.run({ orders: source(o), customers: source(c) }, KEY)

  beforeAll(async () => {
    await distributedTable(orders, COLUMNS, ROWS.map(chRow), (_, i) => (i % 2 === 0 ? 0 : 1))
    await distributedTable(customers, CUSTOMER_COLUMNS, CUSTOMERS, (c) => (c.id < 7 ? 0 : 1))
    await distributedTable(empty, COLUMNS, [], () => 0)
    await distributedTable(emptyCustomers, CUSTOMER_COLUMNS, [], () => 0)
  })
  afterAll(async () => {
    for (const t of [orders, customers, empty, emptyCustomers, changed]) await dropDistributed(t)
  })

  it('the server is 18.16 and the table spans both shards', async () => {
    expect((await chQuery(chUrl, 'SELECT version()')).trim()).toMatch(/^18\.16\./)
    const counts = await Promise.all(
      [chUrl, chUrl2].map(async (u) =>
        Number((await chQuery(u, `SELECT count() FROM ${orders}_local`)).trim()),
      ),
    )
    expect(counts).toEqual([750, 750])
  })

  it('every metric equals plain JS; one scan and one anti-join, the 18.x spellings', async () => {
    const { logger, lines } = captureLogger()
    const events: ScanEvent[] = []
    const report = await quietSuite([checkOf(CASES)], { logger }).run(
      { orders: source(orders), customers: source(customers) },
      KEY,
      { onProgress: (e) => events.push(e) },
    )
    expectMatchesReference(report, ROWS, CASES)
    // The engine's scan events: one scan of 'orders', one statement, every non-referential metric.
    const ends = events.filter((e) => e.phase === 'end')
    expect(ends.map((e) => [e.dataset, e.statements, e.error])).toEqual([['orders', 1, undefined]])
    const mp = new MetricProvider()
    const scanned = new Set(
      CASES.flatMap((c) => c.expr(mp).refs())
        .filter((r) => r.spec.kind !== 'orphanCount')
        .map((r) => metricName(r.spec)),
    )
    expect(ends[0]?.metrics).toBe(scanned.size)
    const scans = lines.filter((l) => l.msg === 'scan')
    expect(scans.map((l) => l.dataset)).toEqual(['orders'])
    const sql = String(scans[0]?.sql)
    for (const part of ['arraySort(groupArray(', 'toUnixTimestamp(toDateTime(max(', "'(?i)(?:PAID)'"]) {
      expect(sql).toContain(part)
    }
    expect(sql).not.toMatch(/\{p\d+:/)
    const orphan = lines.filter((l) => l.msg === 'orphan query')
    expect(orphan.map((l) => [l.dataset, l.reference])).toEqual([['orders', 'customers']])
    expect(String(orphan[0]?.sql)).toContain(`GLOBAL NOT IN (SELECT toString(\`id\`) FROM \`${customers}\``)

    // The server saw the same: of the queries reading the orders table, one scan and one anti-join
    // (the rest describe it); shard 2 received one part of each.
    const initial = (await loggedQueries(chUrl, `\`${orders}\``, true)).filter(
      (q) => !q.startsWith('DESCRIBE'),
    )
    expect(initial.map((q) => (q.includes('GLOBAL NOT IN') ? 'anti-join' : 'scan'))).toEqual([
      'scan',
      'anti-join',
    ])
    const remote = await loggedQueries(chUrl2, `${orders}_local`, false)
    expect(remote.filter((q) => !q.startsWith('DESCRIBE'))).toHaveLength(2)
  })

  it("with a dateColumn: every metric over that day's rows, still one scan and one anti-join", async () => {
    const { logger, lines } = captureLogger()
    const daily = DataSource.clickhouse({ url: chUrl, table: orders, dateColumn: COL.seen })
    const report = await quietSuite([checkOf(CASES)], { logger }).run(
      { orders: daily, customers: source(customers) },
      KEY,
    )
    const day = ROWS.filter((r) => (r[COL.seen] as Date | null)?.toISOString().startsWith(KEY.date))
    expect(day.length).toBeGreaterThan(100)
    expect(day.length).toBeLessThan(ROWS.length / 2)
    expectMatchesReference(report, day, CASES)
    expect(lines.filter((l) => l.msg === 'scan').map((l) => l.date)).toEqual([KEY.date])
    expect(lines.filter((l) => l.msg === 'orphan query')).toHaveLength(1)
  })

  it('an empty table: counts 0, quantiles and freshness NULL, rates FAILED', async () => {
    expectMatchesReference(await run(quietSuite([checkOf(CASES)]), empty, emptyCustomers), [], CASES)
  })

  it('failed-row samples: non-matching rows and orphan keys, counted and selected on the server', async () => {
    const c = check({ name: 'samples', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.validCount(COL.email, { format: 'email' }).rate())
        .where({ name: 'emails' })
        .isGeq(0.99)
      ctx.assertThat(orphans(mp)).where({ name: 'orphans' }).isZero()
    })
    const report = await quietSuite([c], { sampleColumns: [COL.status] }).run(
      { orders: source(orders), customers: source(customers) },
      KEY,
    )
    const [emails, orphaned] = report.results
    const invalid = ROWS.filter(
      (r) => r[COL.email] === null || !new RegExp(VALID_EMAIL).test(String(r[COL.email])),
    ).length
    expect(emails?.status).toBe('FAILED')
    expect(emails?.samples?.total).toBe(invalid)
    for (const row of emails?.samples?.rows ?? []) {
      const v = row[COL.email]
      expect(v === null || !new RegExp(VALID_EMAIL).test(String(v)), String(v)).toBe(true)
      expect(Object.keys(row).sort()).toEqual([COL.email, COL.status].sort())
    }
    expect(emails?.samples?.rows.length).toBeGreaterThan(0)
    expect(orphaned?.status).toBe('FAILED')
    expect(orphaned?.samples?.total).toBe(reference.orphanCount(ROWS, COL.customer, KEYS))
    expect(orphaned?.samples?.rows.length).toBeGreaterThan(0)
    for (const row of orphaned?.samples?.rows ?? []) expect(KEYS).not.toContain(row[COL.customer])
  })

  it('expectSchema with logical types; expectSchemaUnchanged against the run before', async () => {
    const db = MetricDB.memory()
    const c = check({ name: 'schema', datasets: ['orders'] }, (_mp, ctx) => {
      ctx.expectSchema('orders', {
        columns: {
          [COL.amount]: 'number',
          [COL.email]: 'string',
          [COL.status]: 'string',
          [COL.seen]: 'timestamp',
          [COL.customer]: 'integer',
          [COL.code]: 'string',
        },
      })
      ctx
        .expectSchema('orders', { columns: { [COL.amount]: 'integer', gone: 'date' }, allowExtra: true })
        .where({
          name: 'wrong',
        })
      ctx.expectSchemaUnchanged('orders')
    })
    const suite = quietSuite([c], { db })
    const first = await suite.run({ orders: source(orders) }, KEY)
    expect(first.results.map((r) => [r.assertion, r.status])).toEqual([
      ['schema of orders', 'PASSED'],
      ['wrong', 'FAILED'],
      ['schema of orders unchanged', 'SKIPPED'],
    ])
    expect(first.results[1]?.error).toBe(
      `schema of 'orders': column '${COL.amount}' is Float64, expected integer; missing column 'gone' (expected date)`,
    )
    expect((await suite.run({ orders: source(orders) }, KEY)).results[2]?.status).toBe('PASSED')

    // The same dataset name, now a table whose amount is a String and without the code column.
    await distributedTable(
      changed,
      COLUMNS.replace(
        `${quoteBacktick(COL.amount)} Nullable(Float64)`,
        `${quoteBacktick(COL.amount)} String`,
      ).replace(`, ${quoteBacktick(COL.code)} Nullable(String)`, ''),
      [],
      () => 0,
    )
    const after = (await suite.run({ orders: source(changed) }, KEY)).results
    expect(after[2]?.status).toBe('FAILED')
    expect(after[2]?.error).toBe(
      `schema of 'orders': column '${COL.amount}' changed type from Float64 to String; column '${COL.code}' (String) was removed`,
    )
    expect(after[0]?.error).toContain(`missing column '${COL.code}' (expected string)`)
  })

  it('freshnessHours of a Date column counts from its midnight UTC; of a String column is a DqxError', async () => {
    const t = uniqueTable('v_dates')
    try {
      await distributedTable(
        t,
        "d Nullable(Date), ts DateTime('Asia/Tokyo'), s String",
        [
          { d: '2026-11-24', ts: '2026-11-25 21:00:00', s: '2026-11-25' },
          { d: null, ts: '2026-11-20 00:00:00', s: 'x' },
        ],
        (_, i) => (i === 0 ? 0 : 1),
      )
      const c = check({ name: 'fresh', datasets: ['t'] }, (mp, ctx) => {
        ctx.assertThat(mp.freshnessHours('d')).where({ name: 'date' }).noop()
        ctx.assertThat(mp.freshnessHours('ts')).where({ name: 'tokyo' }).noop()
      })
      const report = await quietSuite([c]).run({ t: source(t) }, KEY)
      expect(report.results.map((r) => r.value)).toEqual([48, 12])
      const bad = check({ name: 'fresh text', datasets: ['t'] }, (mp, ctx) => {
        ctx.assertThat(mp.freshnessHours('s')).noop()
      })
      await expect(quietSuite([bad]).run({ t: source(t) }, KEY)).rejects.toThrow(
        /freshnessHours\(s\) needs a DATE, TIMESTAMP or TIMESTAMPTZ column, but 's' in dataset 't' \(clickhouse .*\) is String/,
      )
    } finally {
      await dropDistributed(t)
    }
  })

  it(`an exact quantile of more than ${GROUP_ARRAY_LIMIT} values on one shard: a DqxError naming column and version`, async () => {
    const t = uniqueTable('v_big')
    try {
      await distributedTable(t, 'x Float64', [{ x: -1 }], () => 0)
      // Shard 2 holds 17 000 000 values: more than 18.16 merges in one groupArray state.
      await chQuery(chUrl2, `INSERT INTO ${t}_local SELECT toFloat64(number) FROM numbers(17000000)`)
      const c = (f: (mp: MetricProvider) => Expr) =>
        check({ name: 'big', datasets: ['t'] }, (mp, ctx) => {
          ctx.assertThat(f(mp)).where({ name: 'q' }).noop()
        })
      for (const f of [
        (mp: MetricProvider) => mp.median('x'),
        (mp: MetricProvider) => mp.quantile('x', 0.9),
      ]) {
        const report = quietSuite([c(f)]).run({ t: source(t) }, KEY)
        await expect(report).rejects.toMatchObject({ name: 'DqxError', code: 'SQL' })
        await expect(report).rejects.toThrow(
          /quantile\(\)\/median\(\) of `x` cannot be computed on ClickHouse 18\.16\.\d+: before 20\.5 .* more than 16,777,215 of them from one shard; use mp\.approxQuantile\(\) .*\(server said: Code: 128.*\(scanning for check 'big'\)/,
        )
      }
      // The estimate runs: ClickHouse's reservoir over 17 000 001 values, within 1 % of the range.
      const approx = await quietSuite([c((mp) => mp.approxQuantile('x', 0.5))]).run({ t: source(t) }, KEY)
      expect(Math.abs((approx.results[0]?.value as number) - 8_500_000)).toBeLessThan(170_000)
    } finally {
      await dropDistributed(t)
    }
  })

  it('ClickHouse tables behind different logins are different engines: orphanCount says so', async () => {
    const c = check({ name: 'o', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(orphans(mp)).noop()
    })
    const report = quietSuite([c]).run(
      {
        orders: source(orders),
        customers: DataSource.clickhouse({ url: chUrl, table: customers, ...PASSWORD_USER }),
      },
      KEY,
    )
    await expect(report).rejects.toThrow(
      /are on different engines.*ClickHouse tables on the same server, login and database/,
    )
  })
})

const VALID_EMAIL = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'

const chdb = loadChdb()
describe.skipIf(!serverAvailable('chDB', chdb ? undefined : CHDB_MISSING))(
  'validity metrics on current ClickHouse (chDB)',
  () => {
    let session: ChdbSession
    const orders = uniqueTable('v_orders')
    const customers = uniqueTable('v_customers')
    const empty = uniqueTable('v_empty')
    const rowsOf = (text: string) =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    const execute =
      (typed: boolean): WarehouseExecute =>
      async (sql, params: readonly SqlParam[]) =>
        rowsOf(
          typed
            ? session.queryBind(sql, toNamedParams(params), 'JSONEachRow')
            : session.query(sql, 'JSONEachRow'),
        )
    const warehouse = (table: string, dialect: Dialect) =>
      DataSource.warehouse({ dialect, table, execute: execute(dialect === clickhouseDialect) })
    const scanCases = CASES.filter((c) => !c.orphan)

    beforeAll(() => {
      session = new (chdb as Chdb).Session()
      expect(session.query('SELECT version()', 'TSV').trim()).toMatch(/^26\.7\./)
      for (const [t, cols] of [
        [orders, COLUMNS],
        [customers, CUSTOMER_COLUMNS],
        [empty, COLUMNS],
      ] as const) {
        session.query(`CREATE TABLE ${t} (${cols}) ENGINE = MergeTree ORDER BY tuple()`)
      }
      session.query(
        `INSERT INTO ${orders} FORMAT JSONEachRow ${ROWS.map((r) => JSON.stringify(chRow(r))).join('\n')}`,
      )
      session.query(
        `INSERT INTO ${customers} FORMAT JSONEachRow ${CUSTOMERS.map((r) => JSON.stringify(r)).join('\n')}`,
      )
    })
    afterAll(() => session?.cleanup())

    for (const dialect of [clickhouseDialect, clickhouseInlineDialect]) {
      const which =
        dialect === clickhouseDialect ? 'clickhouseDialect' : 'clickhouseInlineDialect (18.x spellings)'
      it(`${which}: every scan metric equals plain JS, on the rows and on an empty table`, async () => {
        const { logger, lines } = captureLogger()
        const report = await quietSuite([checkOf(scanCases)], { logger }).run(
          { orders: warehouse(orders, dialect) },
          KEY,
        )
        expectMatchesReference(report, ROWS, scanCases)
        expect(lines.filter((l) => l.msg === 'scan')).toHaveLength(1)
        expectMatchesReference(
          await quietSuite([checkOf(scanCases)]).run({ orders: warehouse(empty, dialect) }, KEY),
          [],
          scanCases,
        )
      })

      it(`${which}: the orphan query and the orphan samples equal plain JS`, async () => {
        const relation = () => orders
        const ref = () => customers
        const params = new Params(dialect)
        const sql = dialect.renderOrphanQuery(
          { relation, reference: ref, keys: [{ column: COL.customer, refColumn: 'id' }] },
          params,
        )
        const [row] = await execute(dialect === clickhouseDialect)(
          sql,
          params.values,
          new AbortController().signal,
        )
        expect(Number(row?.m0)).toBe(reference.orphanCount(ROWS, COL.customer, KEYS))
        const sp = new Params(dialect)
        const sample = dialect.renderSampleQuery(
          {
            relation,
            predicate: { kind: 'orphan', column: COL.customer, reference: { relation: ref, column: 'id' } },
            select: { columns: [COL.customer], limit: 1000 },
          },
          sp,
        )
        const keys = (
          await execute(dialect === clickhouseDialect)(sample, sp.values, new AbortController().signal)
        ).map((r) => Number(r[COL.customer]))
        expect(keys.sort()).toEqual(
          ROWS.map((r) => r[COL.customer])
            .filter((k): k is number => k !== null && !KEYS.includes(k as number))
            .sort(),
        )
      })
    }

    it('freshness keeps DateTime64 fractions with clickhouseDialect (the 18.x spelling has whole seconds)', async () => {
      const t = uniqueTable('v_dt64')
      session.query(`CREATE TABLE ${t} (ts DateTime64(3, 'UTC'), d Date) ENGINE = MergeTree ORDER BY tuple()`)
      session.query(`INSERT INTO ${t} VALUES ('2026-11-25 10:00:00.500', '2026-11-24')`)
      const c = check({ name: 'fresh', datasets: ['t'] }, (mp, ctx) => {
        ctx.assertThat(mp.freshnessHours('ts')).where({ name: 'ts' }).noop()
        ctx.assertThat(mp.freshnessHours('d')).where({ name: 'd' }).noop()
      })
      const values = async (dialect: Dialect) =>
        (await quietSuite([c]).run({ t: warehouse(t, dialect) }, KEY)).results.map((r) => r.value)
      const [ts, d] = await values(clickhouseDialect)
      expectClose(ts, 14 - 0.5 / 3600)
      expect(d).toBe(48)
      expect(await values(clickhouseInlineDialect)).toEqual([14, 48])
    })

    it("DESCRIBE's type names (inside Nullable) have the logical types expectSchema checks", () => {
      const types = rowsOf(session.query(`DESCRIBE TABLE ${orders}`, 'JSONEachRow')).map((r) =>
        String(r.type).replace(/^Nullable\((.*)\)$/, '$1'),
      )
      expect(types.map(logicalType)).toEqual(['number', 'string', 'string', 'timestamp', 'integer', 'string'])
    })
  },
)
