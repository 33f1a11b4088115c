// Every validity metric (matchCount, validCount, .rate(), quantile/approxQuantile/median,
// freshnessHours, orphanCount) computed by dqx over the same rows held as records, parquet, CSV
// and a PostgreSQL table, against plain-JS values over those rows: with NULLs, unicode, hostile
// column names, and empty datasets. Also: one scan per dataset (plus one anti-join per
// referenced dataset), and the errors a user meets.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { check } from '../../src/core/check.js'
import type { Expr } from '../../src/core/expression.js'
import type { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { captureLogger, expectClose, quietSuite, type TempDir, tempDir } from '../helpers/data.js'
import { freshDatabase, hasPg, pgUrl } from './pg-helpers.js'
import { COL, CUSTOMERS, makeRows, type Row, reference, writeFiles, writePgTables } from './validity-data.js'

const KEY = new ResultKey('2026-11-25')
const ROWS = makeRows(1500)
const KEYS = CUSTOMERS.map((c) => c.id)
const IN_SET = ['paid', "it's", 'a"b', '漢字']

interface Case {
  name: string
  expr: (mp: MetricProvider) => Expr
  want: (rows: readonly Row[]) => number | null
  /** Absolute slack (approximate metrics); default: relative 1e-9. */
  slack?: (rows: readonly Row[]) => number
  /** On an empty dataset the value is NULL (or a rate): the assertion FAILS with this error. */
  emptyError?: RegExp
}

const orphans = (mp: MetricProvider) => mp.orphanCount(COL.customer, { dataset: 'customers', column: 'id' })
const emailValid = (mp: MetricProvider) => mp.validCount(COL.email, { format: 'email' })

const CASES: Case[] = [
  { name: 'rows', expr: (mp) => mp.numRows(), want: reference.numRows },
  {
    name: 'match email',
    expr: (mp) => mp.matchCount(COL.email, '^[a-z]+@'),
    want: (r) => reference.matchCount(r, COL.email, '^[a-z]+@'),
  },
  {
    name: 'match status /PAID/i',
    expr: (mp) => mp.matchCount(COL.status, /PAID|X;Y/i),
    want: (r) => reference.matchCount(r, COL.status, 'PAID|X;Y', 'i'),
  },
  {
    name: 'match unicode',
    expr: (mp) => mp.matchCount(COL.status, '^(ü|漢)'),
    want: (r) => reference.matchCount(r, COL.status, '^(ü|漢)'),
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
  {
    name: 'valid in (empty set)',
    expr: (mp) => mp.validCount(COL.status, { in: [] }),
    want: () => 0,
  },
  {
    name: 'valid between',
    expr: (mp) => mp.validCount(COL.amount, { between: [0, 500.5] }),
    want: (r) => reference.validBetween(r, COL.amount, 0, 500.5),
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
    expr: (mp) => emailValid(mp).rate(),
    want: (r) => (r.length === 0 ? null : reference.validFormat(r, COL.email, 'email') / r.length),
    emptyError: /has no rows, so there is no rate/,
  },
  {
    name: 'null rate',
    expr: (mp) => mp.nullCount(COL.amount).rate(),
    want: (r) => (r.length === 0 ? null : r.filter((x) => x[COL.amount] === null).length / r.length),
    emptyError: /has no rows/,
  },
  {
    name: 'quantile 0.1',
    expr: (mp) => mp.quantile(COL.amount, 0.1),
    want: (r) => reference.quantile(r, COL.amount, 0.1),
    emptyError: /is NULL/,
  },
  {
    name: 'quantile 0.9',
    expr: (mp) => mp.quantile(COL.amount, 0.9),
    want: (r) => reference.quantile(r, COL.amount, 0.9),
    emptyError: /is NULL/,
  },
  {
    name: 'median',
    expr: (mp) => mp.median(COL.amount),
    want: (r) => reference.quantile(r, COL.amount, 0.5),
    emptyError: /is NULL/,
  },
  {
    name: 'approx median',
    expr: (mp) => mp.approxQuantile(COL.amount, 0.5),
    want: (r) => reference.quantile(r, COL.amount, 0.5),
    // t-digest over 1 500 values: within 2 % of the value range.
    slack: () => 0.02 * 2000,
    emptyError: /is NULL/,
  },
  {
    name: 'freshness',
    expr: (mp) => mp.freshnessHours(COL.seen),
    want: (r) => reference.freshnessHours(r, COL.seen, KEY.date),
    emptyError: /is NULL/,
  },
  {
    name: 'orphans',
    expr: orphans,
    want: (r) => reference.orphanCount(r, COL.customer, KEYS),
  },
  {
    name: 'orphan rate',
    expr: (mp) => orphans(mp).rate(),
    want: (r) => (r.length === 0 ? null : reference.orphanCount(r, COL.customer, KEYS) / r.length),
    emptyError: /has no rows/,
  },
]

const everything = check({ name: 'validity', datasets: ['orders'] }, (mp, ctx) => {
  for (const c of CASES) ctx.assertThat(c.expr(mp)).where({ name: c.name }).noop()
})

function expectMatchesReference(report: RunReport, rows: readonly Row[]): void {
  expect(report.error).toBeUndefined()
  for (const c of CASES) {
    const result = report.results.find((r) => r.assertion === c.name)
    const want = c.want(rows)
    if (want === null) {
      expect(result?.status, c.name).toBe('FAILED')
      expect(result?.error, c.name).toMatch(c.emptyError as RegExp)
      continue
    }
    expect(result?.status, `${c.name}: ${result?.error}`).toBe('PASSED')
    if (c.slack) expect(Math.abs((result?.value as number) - want), c.name).toBeLessThanOrEqual(c.slack(rows))
    else expectClose(result?.value, want)
  }
}

const run = (sources: Record<string, DataSource>) => quietSuite([everything]).run(sources, KEY)

describe('validity metrics equal plain-JS values over the same rows', () => {
  let dir: TempDir
  let files: Awaited<ReturnType<typeof writeFiles>>
  let empty: Awaited<ReturnType<typeof writeFiles>>
  beforeAll(async () => {
    dir = tempDir('dqx-validity-')
    files = await writeFiles(dir.path, ROWS)
    empty = await writeFiles(dir.path, [], 'empty')
  })
  afterAll(() => dir.cleanup())

  it('records', async () => {
    const report = await run({
      orders: DataSource.fromRecords(ROWS),
      customers: DataSource.fromRecords(CUSTOMERS),
    })
    expectMatchesReference(report, ROWS)
  })

  it('parquet', async () => {
    const report = await run({
      orders: DataSource.parquet(files.parquet),
      customers: DataSource.parquet(files.customersParquet),
    })
    expectMatchesReference(report, ROWS)
  })

  it('CSV (the referenced dataset a parquet file: one DuckDB engine)', async () => {
    const report = await run({
      orders: DataSource.csv(files.csv),
      customers: DataSource.parquet(files.customersParquet),
    })
    expectMatchesReference(report, ROWS)
  })

  it('empty records, parquet and CSV: counts are 0, quantiles and freshness NULL, rates FAILED', async () => {
    const schema = {
      [COL.amount]: 'number',
      [COL.email]: 'string',
      [COL.status]: 'string',
      [COL.seen]: 'date',
      [COL.customer]: 'number',
      [COL.code]: 'string',
    } as const
    for (const orders of [DataSource.fromRecords([], { schema }), DataSource.parquet(empty.parquet)]) {
      expectMatchesReference(await run({ orders, customers: DataSource.fromRecords(CUSTOMERS) }), [])
    }
    expectMatchesReference(
      await run({ orders: DataSource.parquet(empty.parquet), customers: DataSource.csv(files.customersCsv) }),
      [],
    )
  })
})

describe.skipIf(!hasPg())('validity metrics on PostgreSQL equal plain-JS values', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    db = await freshDatabase(pgUrl(), 'dqx_validity')
    await writePgTables(db.url, 'orders', ROWS)
    await writePgTables(db.url, 'empty', [])
  })
  afterAll(() => db.drop())

  it('a table, its referenced table on the same server: anti-join pushed down', async () => {
    const { logger, lines } = captureLogger()
    const report = await quietSuite([everything], { logger }).run(
      {
        orders: DataSource.postgres({ connectionString: db.url, table: 'orders' }),
        customers: DataSource.postgres({ connectionString: db.url, table: 'orders_customers' }),
      },
      KEY,
    )
    expectMatchesReference(report, ROWS)
    const orphan = lines.filter((l) => l.msg === 'orphan query')
    expect(orphan).toHaveLength(1)
    expect(String(orphan[0]?.sql)).toContain('NOT EXISTS (SELECT 1 FROM "orders_customers" AS dqx_ref')
    expect(lines.filter((l) => l.msg === 'scan')).toHaveLength(1)
  })

  it('an empty table', async () => {
    const report = await run({
      orders: DataSource.postgres({ connectionString: db.url, table: 'empty' }),
      customers: DataSource.postgres({ connectionString: db.url, table: 'empty_customers' }),
    })
    expectMatchesReference(report, [])
  })

  it('a PostgreSQL table cannot be anti-joined with records: a DqxError naming both', async () => {
    const report = run({
      orders: DataSource.postgres({ connectionString: db.url, table: 'orders' }),
      customers: DataSource.fromRecords(CUSTOMERS),
    })
    await expect(report).rejects.toMatchObject({ name: 'DqxError', code: 'DATA_SOURCE' })
    await expect(report).rejects.toThrow(
      /'orders' \(postgres .*\) and 'customers' \(records \(20 rows\)\) are on different engines/,
    )
  })
})

describe('one scan per dataset and date', () => {
  it('all non-referential metrics in ONE SELECT, plus one anti-join query per referenced dataset', async () => {
    const { logger, lines } = captureLogger()
    const query = vi.spyOn(DuckDBSession.prototype, 'query')
    try {
      const report = await quietSuite([everything], { logger }).run(
        { orders: DataSource.fromRecords(ROWS), customers: DataSource.fromRecords(CUSTOMERS) },
        KEY,
      )
      expect(report.summary.failed).toBe(0)
      const statements = query.mock.calls.map((c) => String(c[0]).split(' ', 1)[0])
      // Each record source: CREATE TABLE + DESCRIBE; then the one scan and the one anti-join.
      expect(statements).toEqual(['CREATE', 'DESCRIBE', 'CREATE', 'DESCRIBE', 'SELECT', 'SELECT'])
    } finally {
      query.mockRestore()
    }
    const scans = lines.filter((l) => l.msg === 'scan')
    expect(scans.map((l) => l.dataset)).toEqual(['orders'])
    // 22 assertions read 21 distinct metrics (the email rate reuses validCount(email, format
    // email); the rates read numRows): all but the orphanCount are aggregates of the one scan.
    expect(scans[0]?.metrics).toBe(19)
    const sql = String(scans[0]?.sql)
    for (const part of ['regexp_matches(', 'quantile_cont(', 'approx_quantile(', 'epoch(max(', 'BETWEEN']) {
      expect(sql).toContain(part)
    }
    expect(lines.filter((l) => l.msg === 'orphan query').map((l) => [l.dataset, l.reference])).toEqual([
      ['orders', 'customers'],
    ])
  })
})
