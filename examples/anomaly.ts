// dqx anomaly detection and failed-row samples: `npx tsx examples/anomaly.ts`.
//
// 1. Writes a month of orders (2026-11-01 .. 2026-12-01) into one parquet file with DuckDB:
//    weekdays around 1000 in revenue, weekends around 30% of that, a few NULL emails a day.
//    The last day goes wrong: revenue triples, NULL emails jump, some prices are negative.
// 2. Runs the suite once per day against a DuckDB-file MetricDB, so each day's metrics become the
//    history the next days are judged against (`isNotAnomalous`).
// 3. Prints one line per day, then the last day's failures with their baselines and the rows
//    behind them (`samples`), and removes the temp dir. Exits 0 unless a run throws.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  type AssertionResult,
  check,
  DataSource,
  MetricDB,
  ResultKey,
  VerificationSuite,
} from '../src/index.js'

const FIRST = '2026-11-01'
const DAYS = 31 // through 2026-12-01, the bad day

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  // Weekends are quieter: compare each day with the median of the same weekday over the last
  // 4 weeks, allowing ±30%. Without `seasonality: 'weekly'` every Saturday would be an anomaly.
  ctx
    .assertThat(mp.sum('revenue'))
    .where({ name: 'revenue is normal for this weekday', severity: 'P0' })
    .isNotAnomalous({ method: 'relativeChange', threshold: 0.3, seasonality: 'weekly', minHistory: 2 })
  // A compound expression: its value on each past day is computed from the stored metrics.
  ctx
    .assertThat(mp.nullCount('email').div(mp.numRows()))
    .where({ name: 'email null rate is normal', sampleColumns: ['order_id', 'customer'] })
    .isNotAnomalous({ method: 'zscore', window: 14 })
  // A plain bound: the failed-row sample shows the rows that break it.
  ctx
    .assertThat(mp.minimum('price'))
    .where({ name: 'no negative prices', sampleColumns: ['order_id'] })
    .isGeq(0)
})

/** One parquet file with every day's orders; the last day is the anomaly. */
async function writeOrders(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  try {
    await conn.run(`
      COPY (
        WITH days AS (
          SELECT d::DATE AS day, d::DATE = DATE '2026-12-01' AS bad, dayofweek(d) IN (0, 6) AS weekend
          FROM range(DATE '${FIRST}', DATE '${FIRST}' + INTERVAL ${DAYS} DAY, INTERVAL 1 DAY) t(d)
        )
        SELECT day,
               day::VARCHAR || '-' || n AS order_id,
               'customer-' || (n * 7 % 50) AS customer,
               CASE WHEN (bad AND n % 4 = 0) OR hash(day, n, 'email') % 25 = 0 THEN NULL
                    ELSE 'c' || n || '@example.com' END AS email,
               CASE WHEN bad AND n % 10 = 1 THEN -5.0 ELSE 10.0 + (hash(day, n) % 100) / 100.0 END AS price,
               round((CASE WHEN weekend THEN 6.0 ELSE 20.0 END + (hash(n, day) % 400) / 100.0)
                     * CASE WHEN bad THEN 3 ELSE 1 END, 2) AS revenue
        FROM days, range(50) r(n)
      ) TO '${file}' (FORMAT parquet)`)
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length))

function printFailure(r: AssertionResult): void {
  console.log(`\n  ✗ ${r.assertion} [${r.severity}]`)
  console.log(`    value:      ${Number(r.value?.toPrecision(6))}`)
  console.log(`    bound:      ${r.bound}`)
  if (r.anomaly?.score != null)
    console.log(`    score:      ${r.anomaly.score.toFixed(2)} (threshold ${r.anomaly.threshold})`)
  if (r.error) console.log(`    error:      ${r.error}`)
  if (r.samples) {
    console.log(`    samples:    ${r.samples.rows.length} of ${r.samples.total} rows`)
    for (const row of r.samples.rows.slice(0, 5)) console.log(`                ${JSON.stringify(row)}`)
  }
}

const dir = await mkdtemp(join(tmpdir(), 'dqx-anomaly-'))
const db = MetricDB.duckdb(join(dir, 'metrics.duckdb'))
try {
  const file = join(dir, 'orders.parquet')
  await writeOrders(file)
  const source = DataSource.parquet(file, { dateColumn: 'day' })
  const suite = new VerificationSuite({ name: 'nightly', checks: [orders], db, audit: false, sampleLimit: 5 })

  console.log('day         weekday  passed failed  failures')
  let last: Awaited<ReturnType<typeof suite.run>> | undefined
  for (let i = 0; i < DAYS; i++) {
    const key = new ResultKey(
      new Date(Date.parse(`${FIRST}T00:00:00Z`) + i * 864e5).toISOString().slice(0, 10),
    )
    last = await suite.run({ orders: source }, key)
    const s = last.summary
    const weekday = new Date(`${key.date}T00:00:00Z`).toLocaleDateString('en', {
      weekday: 'short',
      timeZone: 'UTC',
    })
    const failures = last.results.filter((r) => r.status === 'FAILED').map((r) => r.assertion)
    console.log(
      `${key.date}  ${pad(weekday, 7)}  ${pad(String(s.passed), 6)} ${pad(String(s.failed), 6)}  ${failures.join(', ')}`,
    )
  }
  // The first days fail on purpose: too little history yet (an anomaly check never passes blind).
  console.log('\n(the first days FAIL with "too little history" until a baseline exists)')

  const report = last as NonNullable<typeof last>
  console.log(`\n${report.key.date}: ${report.summary.failed} of ${report.summary.total} assertions failed`)
  for (const r of report.results.filter((x) => x.status === 'FAILED')) printFailure(r)

  const revenue = report.results.find((r) => r.assertion.startsWith('revenue'))
  if (revenue?.status !== 'FAILED') throw new Error('expected the revenue spike to be caught')
} finally {
  await db.close()
  await rm(dir, { recursive: true, force: true })
}
