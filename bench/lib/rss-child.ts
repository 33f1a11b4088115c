// One engine workload in a fresh process, reporting the process's peak RSS on stdout as JSON.
// Spawned by engine.bench.ts (`node --import tsx bench/lib/rss-child.ts <variant> <file> [sql]`):
//   dqx-basic | dqx-distinct   run the dqx suite over the parquet file
//   raw                         run the given hand-written SQL with @duckdb/node-api only
// The raw variant imports nothing from dqx, so its RSS is DuckDB's and Node's alone.
import { resourceUsage } from 'node:process'

const [variant, file, sql] = process.argv.slice(2)
if (variant === undefined || file === undefined) throw new Error('usage: rss-child <variant> <file> [sql]')

const t0 = performance.now()
if (variant === 'raw') {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  const reader = await conn.runAndReadAll(sql as string)
  if (reader.getRowObjectsJS().length !== 1) throw new Error('raw query returned no row')
  conn.closeSync()
  inst.closeSync()
} else {
  const { DataSource, ResultKey, VerificationSuite } = await import('../../src/index.js')
  const w = await import('./workload.js')
  const metrics = variant === 'dqx-distinct' ? w.DISTINCT : w.BASIC
  const suite = new VerificationSuite({
    name: variant,
    checks: [w.workloadCheck(variant, 'orders', metrics)],
    audit: false,
  })
  const report = await suite.run({ orders: DataSource.parquet(file) }, new ResultKey('2026-11-25'))
  if (report.summary.passed !== metrics.length) throw new Error(`${variant}: not every assertion passed`)
}
const ms = performance.now() - t0
// maxRSS is in kilobytes (the kernel's ru_maxrss); VmHWM in /proc is the same figure on Linux.
process.stdout.write(`${JSON.stringify({ variant, maxRssKb: resourceUsage().maxRSS, ms })}\n`)
