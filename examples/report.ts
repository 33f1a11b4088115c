// Profile → checks → runs → HTML report, through the API: `npx tsx examples/report.ts`.
//
// 1. profile() the example orders file (examples/newcomer/data/orders.parquet) in one scan and
//    print a few of its statistics.
// 2. Turn the suggested checks into a check (the same suggestions `dqx profile --write` writes
//    as a dqx.config.ts), confirming key columns exactly first.
// 3. Run the suite for 21 days of a DuckDB view over that file whose volume drifts and whose
//    emails go missing on two days, into a MetricDB file, with the htmlReport plugin on the last
//    day: the report has history charts, an anomaly band and failed-row samples.
// Writes the report to a temp dir and prints its path (set DQX_REPORT_OUT to keep it elsewhere).
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  check,
  DataSource,
  keyCandidates,
  MetricDB,
  profile,
  ResultKey,
  suggestChecks,
  uniqueColumns,
  VerificationSuite,
} from '../src/index.js'
import { htmlReport } from '../src/plugins/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const file = join(here, 'newcomer', 'data', 'orders.parquet')
const out = process.env.DQX_REPORT_OUT ?? (await mkdtemp(join(tmpdir(), 'dqx-report-example-')))
await mkdir(out, { recursive: true })

// 1. One scan.
const orders = DataSource.parquet(file)
const p = await profile(orders, { dataset: 'orders' })
console.log(`profiled ${p.rows} rows, ${p.columns.length} columns in ${Math.round(p.durationMs)} ms`)
for (const c of p.columns) {
  console.log(
    `  ${c.name.padEnd(12)} ${c.type.padEnd(8)} nulls ${(c.nullRate * 100).toFixed(1)}%  distinct ${c.distinct}`,
  )
}

// 2. Suggestions, as a check. The config writer turns the same list into TypeScript; here each
//    suggestion's code runs directly.
const suggestions = suggestChecks(p, { uniqueColumns: await uniqueColumns(orders, keyCandidates(p)) })
const suggested = check({ name: 'orders profile', datasets: ['orders'] }, (mp, ctx) => {
  for (const s of suggestions) {
    new Function(
      'mp',
      'ctx',
      `ctx.assertThat(${s.metric}).where(${JSON.stringify({ name: s.name, severity: s.severity })}).${s.assertion}`,
    )(mp, ctx)
  }
  // One hand-written assertion: average price in a band (its bounds are drawn on its chart).
  ctx
    .assertThat(mp.average('price'))
    .where({ name: 'average price', severity: 'P2', tags: ['finance'] })
    .isBetween(45, 56)
})
console.log(
  `${suggestions.length} suggested assertions, e.g. ${suggestions
    .slice(2, 5)
    .map((s) => `'${s.name}'`)
    .join(', ')}`,
)

// 3. 21 daily runs. Each day is a slice of the file: a drifting number of rows; days 12 and 20
//    lose customer ids (non-null fails, with failed-row samples), and day 20 also has half the
//    rows (the row-count anomaly check fails).
const db = MetricDB.duckdb(join(out, 'metrics.duckdb'))
const days = 21
const reportFile = join(out, 'report.html')
for (let d = 0; d < days; d += 1) {
  const date = `2026-11-${String(d + 1).padStart(2, '0')}`
  const rows = d === 20 ? 700 : 1400 + ((d * 37) % 200)
  const broken = d === 12 || d === 20
  const dayData = DataSource.sql(
    `SELECT order_id, ${broken ? 'CASE WHEN order_id % 50 = 0 THEN NULL ELSE customer_id END' : 'customer_id'} AS customer_id,
            email, status, quantity, price, order_date
     FROM read_parquet('${file.replaceAll("'", "''")}') LIMIT ${rows}`,
  )
  const suite = new VerificationSuite({
    name: 'orders nightly',
    checks: [suggested],
    db,
    audit: false,
    sampleColumns: ['order_id'],
    plugins: d === days - 1 ? [htmlReport({ file: reportFile, historyDays: 30 })] : [],
  })
  const report = await suite.run({ orders: dayData }, new ResultKey(date, { env: 'example' }))
  if (d === days - 1 || report.summary.failed > 0) {
    console.log(
      `${date}: ${report.summary.passed} passed, ${report.summary.failed} failed, ${report.summary.skipped} skipped`,
    )
  }
  if (report.pluginErrors.length > 0) throw report.pluginErrors[0]?.error
}
await db.close()
console.log(`HTML report: ${reportFile}`)
