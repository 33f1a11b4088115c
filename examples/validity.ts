// dqx validity checks: `npx tsx examples/validity.ts`.
//
// 1. Writes orders and customers as parquet files with DuckDB (a few bad emails, unknown
//    statuses, orders of customers that do not exist) and keeps a "warehouse" copy of the orders
//    that lost a row.
// 2. Runs one suite twice against a DuckDB-file MetricDB: the first run stores each dataset's
//    schema; before the second, the orders file gains a column, which expectSchemaUnchanged reports.
// 3. Prints every result with its value, the rows behind each failure, and the stored schemas,
//    then removes the temp dir. Exits 0 unless a run throws (failed assertions are expected here).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { check, DataSource, MetricDB, ResultKey, type RunReport, VerificationSuite } from '../src/index.js'

const orders = check({ name: 'orders are valid', datasets: ['orders'] }, (mp, ctx) => {
  ctx.expectSchema('orders', {
    columns: { id: 'integer', email: 'string', status: 'string', amount: 'number', created_at: 'timestamp' },
    allowExtra: true,
  })
  ctx.expectSchemaUnchanged('orders')
  // GX's `mostly`: 99% of rows hold a syntactically valid email (NULLs count as invalid).
  ctx
    .assertThat(mp.validCount('email', { format: 'email' }).rate())
    .where({ name: 'valid emails' })
    .isGeq(0.99)
  ctx
    .assertThat(mp.validCount('status', { in: ['new', 'paid', 'shipped'] }).rate())
    .where({ name: 'known status' })
    .isEq(1)
  ctx
    .assertThat(mp.matchCount('email', /@example\.com$/i))
    .where({ name: 'no test accounts', severity: 'P2' })
    .isZero()
  ctx
    .assertThat(mp.validCount('amount', { between: [0, 10_000] }).rate())
    .where({ name: 'amounts in range' })
    .isGeq(0.95)
  ctx.assertThat(mp.quantile('amount', 0.99)).where({ name: 'p99 amount' }).isLt(5_000)
  ctx.assertThat(mp.median('amount')).where({ name: 'median amount', tolerance: 25 }).isEq(250)
  ctx.assertThat(mp.freshnessHours('created_at')).where({ name: 'fresh', severity: 'P0' }).isLeq(24)
  // Referential integrity: `customers` is a datasource of the run, not a dataset of this check.
  ctx
    .assertThat(mp.orphanCount('customer_id', { dataset: 'customers', column: 'id' }))
    .where({ name: 'every order has a customer', sampleColumns: ['id'] })
    .isZero()
})

// Reconciliation: the warehouse copy must hold the same rows and the same total amount.
const reconcile = check(
  { name: 'warehouse matches orders', datasets: ['orders', 'warehouse'] },
  (mp, ctx) => {
    ctx
      .assertThat(mp.numRows({ dataset: 'warehouse' }).sub(mp.numRows({ dataset: 'orders' })))
      .where({ name: 'row counts agree' })
      .isZero()
    ctx
      .assertThat(mp.sum('amount', { dataset: 'warehouse' }).div(mp.sum('amount', { dataset: 'orders' })))
      .where({ name: 'amounts agree', tolerance: 1e-6 })
      .isEq(1)
  },
)

async function writeData(dir: string, extraColumn: boolean): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  const file = (name: string) => `'${join(dir, name).replaceAll("'", "''")}'`
  try {
    await conn.run(`CREATE TABLE orders AS SELECT
        i AS id,
        CASE WHEN i % 97 = 0 THEN 'not an email' WHEN i % 50 = 0 THEN NULL
             WHEN i % 333 = 0 THEN 'qa' || i || '@EXAMPLE.com' ELSE 'user' || i || '@shop.io' END AS email,
        CASE WHEN i % 250 = 0 THEN 'lost' ELSE ['new', 'paid', 'shipped'][1 + i % 3] END AS status,
        round(50 + (hash(i) % 4000) / 10.0, 2) AS amount,
        CAST(i % 240 AS INTEGER) AS customer_id,
        TIMESTAMP '2026-11-25 18:00:00' - INTERVAL (i % 48) HOUR AS created_at
        ${extraColumn ? ", 'EUR' AS currency" : ''}
      FROM range(1, 2001) r(i)`)
    await conn.run(`COPY orders TO ${file('orders.parquet')} (FORMAT parquet)`)
    await conn.run(
      `COPY (SELECT * FROM orders WHERE id <> 7) TO ${file('warehouse.parquet')} (FORMAT parquet)`,
    )
    await conn.run(
      `COPY (SELECT i AS id, 'customer ' || i AS name FROM range(0, 230) r(i)) TO ${file('customers.parquet')} (FORMAT parquet)`,
    )
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

function print(title: string, report: RunReport): void {
  console.log(
    `\n${title}: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`,
  )
  for (const r of report.results) {
    const value = r.value === null ? '—' : Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(4)
    console.log(`  ${r.status.padEnd(7)} ${r.assertion.padEnd(28)} ${r.expression.padEnd(48)} ${value}`)
    if (r.error) console.log(`          ${r.error}`)
    if (r.samples)
      console.log(`          ${r.samples.total} row(s), e.g. ${JSON.stringify(r.samples.rows.slice(0, 3))}`)
  }
}

const dir = await mkdtemp(join(tmpdir(), 'dqx-validity-'))
try {
  const db = MetricDB.duckdb(join(dir, 'metrics.duckdb'))
  const suite = new VerificationSuite({
    name: 'validity',
    checks: [orders, reconcile],
    db,
    audit: false,
    sampleLimit: 3,
  })
  const sources = {
    orders: DataSource.parquet(join(dir, 'orders.parquet')),
    warehouse: DataSource.parquet(join(dir, 'warehouse.parquet')),
    customers: DataSource.parquet(join(dir, 'customers.parquet')),
  }
  const key = new ResultKey('2026-11-25')

  await writeData(dir, false)
  print('First run (the schemas are stored)', await suite.run(sources, key))

  await writeData(dir, true) // upstream added a column
  const second = await suite.run(sources, key)
  print('Second run (orders gained a column)', second)
  console.log('\nSchemas stored with the run:')
  for (const [dataset, columns] of Object.entries(second.schemas ?? {})) {
    console.log(`  ${dataset}: ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`)
  }
  await db.close()
} finally {
  await rm(dir, { recursive: true, force: true })
}
