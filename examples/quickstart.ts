// dqx quick start: `npm run example` (or `npx tsx examples/quickstart.ts`).
//
// 1. Generates two days of a small orders dataset as parquet files (with DuckDB) in a temp dir.
// 2. Runs one suite for yesterday, then for today, against a MetricDB file, so that today's
//    `dayOverDay()` finds yesterday's value.
// 3. Prints each run's results as a table and a summary line, then removes the temp dir.
//
// Some assertions fail, error or are skipped ON PURPOSE (see the comments) so you can see what
// each outcome looks like. The script itself exits 0 whatever the results; it exits non-zero only
// if a run throws (a DqxError: missing column, unreadable file ...).
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  type AssertionResult,
  check,
  DataSource,
  MetricDB,
  ResultKey,
  type RunReport,
  VerificationSuite,
} from '../src/index.js'

const YESTERDAY = '2026-11-24'
const TODAY = '2026-11-25'

// ---------------------------------------------------------------------------------------------
// The checks: the README's quick start, plus a few more metrics.
// ---------------------------------------------------------------------------------------------

const orders = check({ name: 'orders are sane', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.nullCount('email').div(mp.numRows()))
    .where({ name: 'email null rate', tags: ['pii'] })
    .isLt(0.05)
  ctx.assertThat(mp.average('price')).where({ name: 'avg price' }).isBetween(1, 100)
  // FAILED with an `error` on the first day, on purpose: the MetricDB holds no sum(revenue) for the
  // day before yet. From the second run on it compares with the previous run's value.
  ctx.assertThat(mp.sum('revenue').dayOverDay()).where({ name: 'revenue stable' }).isBetween(0.5, 2)
})

const details = check({ name: 'order details', datasets: ['orders'] }, (mp, ctx) => {
  ctx
    .assertThat(mp.duplicateCount(['order_id']))
    .where({ name: 'unique order ids', severity: 'P0' })
    .isZero()
  ctx
    .assertThat(mp.numRows().sub(mp.countValues('status', ['placed', 'shipped', 'delivered', 'cancelled'])))
    .where({ name: 'known statuses only' })
    .isZero()
  // FAILS on purpose: today's data has a spike in cancellations (8% of orders).
  ctx
    .assertThat(mp.countValues('status', ['cancelled']).div(mp.numRows()))
    .where({ name: 'cancellation rate', severity: 'P2' })
    .isLt(0.05)
  ctx.assertThat(mp.maxLength('email')).where({ name: 'email fits', severity: 'P3' }).isLeq(254)
  // customSql is the raw-SQL escape hatch: an aggregate you wrote yourself, never user input.
  ctx
    .assertThat(mp.customSql('count(*) FILTER (WHERE quantity <= 0)'))
    .where({ name: 'positive quantities' })
    .isZero()
  ctx.assertThat(mp.uniqueCount('customer_id')).where({ name: 'customers' }).noop()
})

// SKIPPED on purpose: the runs below provide no 'customers' dataset.
const customers = check({ name: 'customers', datasets: ['customers'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has customers' }).isPositive()
})

// ---------------------------------------------------------------------------------------------
// Sample data: ~1000 orders a day, deterministic, with a few NULLs in email, price and revenue.
// ---------------------------------------------------------------------------------------------

async function writeOrders(file: string, date: string, rows: number, cancelledPct: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  try {
    await conn.run(`
      COPY (
        SELECT
          order_id,
          1 + (order_id * 13) % 400                                        AS customer_id,
          CASE WHEN order_id % 40 = 0 THEN NULL
               ELSE 'customer' || (1 + (order_id * 13) % 400) || '@example.com' END AS email,
          price,
          quantity,
          round(price * quantity, 2)                                       AS revenue,
          CASE WHEN (order_id * 37) % 100 < ${cancelledPct} THEN 'cancelled'
               WHEN (order_id * 37) % 100 < 20 THEN 'placed'
               WHEN (order_id * 37) % 100 < 45 THEN 'shipped'
               ELSE 'delivered' END                                        AS status,
          TIMESTAMP '${date}' + to_seconds(order_id * 60)                  AS ordered_at
        FROM (
          SELECT
            i AS order_id,
            CASE WHEN i % 97 = 0 THEN NULL ELSE round(5 + (i * 7919) % 9000 / 100.0, 2) END AS price,
            1 + (i * 31) % 5 AS quantity
          FROM range(${rows}) t(i)
        )
      ) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`)
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}

// ---------------------------------------------------------------------------------------------
// A tiny plain-text table (no dependencies), ~100 columns wide.
// ---------------------------------------------------------------------------------------------

function formatValue(v: number | null): string {
  if (v === null) return '-'
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) >= 1000 ? v.toFixed(1) : String(Number(v.toPrecision(4)))
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = ''
    }
    line = line === '' ? word : `${line} ${word}`
    while (line.length > width) {
      lines.push(line.slice(0, width))
      line = line.slice(width)
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

function formatResults(results: readonly AssertionResult[], shorten = (s: string) => s, width = 100): string {
  const header = ['status', 'sev', 'check', 'assertion', 'value', 'bound / error']
  const rows = results.map((r) => [
    r.status,
    r.severity,
    r.check,
    r.assertion,
    formatValue(r.value),
    r.bound ?? '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const lastWidth = Math.max(24, width - widths.slice(0, -1).reduce((a, b) => a + b + 2, 0))
  const indent = ' '.repeat(width - lastWidth)
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const out = [line(header), '-'.repeat(width)]
  results.forEach((r, i) => {
    out.push(line(rows[i]!))
    // An assertion that could not be evaluated, or was skipped, says why in `error`.
    if (r.error !== undefined)
      out.push(...wrap(`error: ${shorten(r.error)}`, lastWidth).map((l) => indent + l))
  })
  return out.join('\n')
}

function summaryLine(report: RunReport): string {
  const s = report.summary
  const failed = (['P0', 'P1', 'P2', 'P3'] as const)
    .filter((sev) => s.failuresBySeverity[sev] > 0)
    .map((sev) => `${s.failuresBySeverity[sev]} ${sev}`)
  return (
    `${report.suiteName} ${report.key}: ${s.total} assertions, ${s.passed} passed, ` +
    `${s.failed} failed${failed.length > 0 ? ` (${failed.join(', ')})` : ''}, ${s.skipped} skipped; ` +
    `pass rate ${s.passRate.toFixed(1)}%`
  )
}

// ---------------------------------------------------------------------------------------------
// Run it.
// ---------------------------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'dqx-quickstart-'))
// A DuckDB file keeps metric history across runs and processes; MetricDB.memory() is the default.
const db = MetricDB.duckdb(join(dir, 'metrics.duckdb'))
try {
  await writeOrders(join(dir, 'orders', YESTERDAY, 'part-0.parquet'), YESTERDAY, 1000, 3)
  await writeOrders(join(dir, 'orders', TODAY, 'part-0.parquet'), TODAY, 1100, 8)

  const suite = new VerificationSuite({
    name: 'nightly',
    checks: [orders, details, customers],
    db,
    // This example prints its own table; the built-in audit summary (on stderr) is turned off.
    audit: false,
  })

  for (const date of [YESTERDAY, TODAY]) {
    const report = await suite.run(
      { orders: DataSource.parquet(join(dir, 'orders', date, '*.parquet')) },
      new ResultKey(date, { env: 'prod' }),
    )
    console.log(`\n== run for ${date} ==\n`)
    console.log(formatResults(report.results, (text) => text.replaceAll(dir, '$TMPDIR')))
    console.log(`\n${summaryLine(report)}`)
  }
} finally {
  await db.close()
  await rm(dir, { recursive: true, force: true })
}
