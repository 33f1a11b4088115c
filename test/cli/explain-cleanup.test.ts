// `dqx run --explain` (text and --json) and `dqx cleanup`, in process, over a DuckDB MetricDB file.
import { afterAll, describe, expect, it } from 'vitest'
import { shiftDate } from '../../src/core/result-key.js'
import { cliInProcess, ORDERS_CSV, project } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})

const CONFIG = `import { check, DataSource, defineConfig, MetricDB } from 'dqx'

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.sum('price', { ttlDays: 1 }).dayOverDay()).where({ name: 'revenue stable', severity: 'P3' }).isBetween(0.5, 2)
})

export default defineConfig([
  { name: 'shop', checks: [orders], db: MetricDB.duckdb('metrics.duckdb'), datasources: { orders: DataSource.csv('data/orders.csv') } },
  { name: 'shop-copy', checks: [orders], db: MetricDB.duckdb('metrics.duckdb'), datasources: { orders: DataSource.csv('data/orders.csv') } },
  { name: 'scratch', checks: [orders], datasources: { orders: DataSource.csv('data/orders.csv') } },
])
`

const TODAY = new Date().toISOString().slice(0, 10)

describe('dqx run --explain and dqx cleanup', () => {
  const p = project({ 'dqx.config.ts': CONFIG, 'data/orders.csv': ORDERS_CSV }, 'dqx-explain-')
  cleanups.push(p.cleanup)

  it('--explain prints, after the report, each symbol’s SQL, value used and value stored', async () => {
    const yesterday = await cliInProcess(['run', '--suite', 'shop', '--date', shiftDate(TODAY, -1)], p.dir)
    expect(yesterday.code).toBe(0)
    const r = await cliInProcess(['run', '--suite', 'shop', '--explain', '--date', TODAY], p.dir)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Explain: suite 'shop', run `)
    expect(r.stdout).toContain(
      'PASSED  orders › revenue stable (P3): dayOverDay(sum(price)) = 1, expected in [0.5, 2]',
    )
    expect(r.stdout).toMatch(
      /x_3 {2}lag\(1, sum\(price\)\) on 'orders' for \S+ = 75.5\n {6}read from the MetricDB \(duckdb:/,
    )
    expect(r.stdout).toMatch(
      /\n {2}q1 {2}scan of 'orders' for \S+ \(2 metric\(s\)\)\n {6}SELECT count\(\*\) AS m0, /,
    )
  })

  it('--json --explain adds the trace to each report', async () => {
    const r = await cliInProcess(['run', '--suite', 'shop', '--explain', '--json', '--date', TODAY], p.dir)
    expect(r.code).toBe(0)
    const [report] = JSON.parse(r.stdout) as {
      explain: { queries: { sql: string }[]; assertions: { symbols: { source: string }[] }[] }
    }[]
    expect(report?.explain.queries[0]?.sql).toMatch(/^SELECT count\(\*\) AS m0/)
    expect(report?.explain.assertions[1]?.symbols.map((s) => s.source)).toEqual(['scan', 'metricdb'])
  })

  it('dqx cleanup deletes expired values once per store and reports them', async () => {
    // sum(price) has ttlDays 1: today's value expires after tomorrow, yesterday's after today.
    const later = await cliInProcess(['cleanup', '--now', shiftDate(TODAY, 2)], p.dir)
    expect(later.code).toBe(0)
    expect(later.stderr).toContain("cleanup: suite 'scratch' keeps its metrics in memory")
    expect(later.stdout).toMatch(
      new RegExp(
        `^duckdb:\\S+metrics\\.duckdb \\(suites shop, shop-copy\\), as of ${shiftDate(TODAY, 2)}: 2 expired metric value\\(s\\) deleted\\n {2}2 {2}sum\\(price\\) on 'orders'\\n$`,
      ),
    )
    const again = await cliInProcess(
      ['cleanup', '--json', '--suite', 'shop', '--now', shiftDate(TODAY, 2)],
      p.dir,
    )
    expect(JSON.parse(again.stdout)).toEqual([
      expect.objectContaining({ suites: ['shop'], deleted: 0, byMetric: [], asOf: shiftDate(TODAY, 2) }),
    ])
    const bad = await cliInProcess(['cleanup', '--now', '2026-02-30'], p.dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--now/)
  })

  it('dqx cleanup skips a MetricDB without deleteExpiredMetrics and exits 2 for a store that fails', async () => {
    const config = `import { check, DataSource, defineConfig, MetricDB } from 'dqx'
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})
const memory = MetricDB.memory()
const structural = {
  description: 'structural',
  putMetrics: (r) => memory.putMetrics(r), getMetric: (q) => memory.getMetric(q), getHistory: (q) => memory.getHistory(q),
  putResults: (i, r) => memory.putResults(i, r), getResults: (q) => memory.getResults(q), close: () => memory.close(),
}
const datasources = { orders: DataSource.csv('data/orders.csv') }
export default defineConfig([
  { name: 'old', checks: [orders], db: structural, datasources },
  { name: 'broken', checks: [orders], db: MetricDB.duckdb('data'), datasources },
])
`
    const q = project({ 'dqx.config.ts': config, 'data/orders.csv': ORDERS_CSV }, 'dqx-cleanup-')
    cleanups.push(q.cleanup)
    const r = await cliInProcess(['cleanup'], q.dir)
    expect(r.stderr).toContain('cleanup structural: this MetricDB has no deleteExpiredMetrics(); skipped')
    expect(r.stderr).toMatch(/cleanup duckdb:\S+data: /)
    expect(r.code).toBe(2)
  })
})
