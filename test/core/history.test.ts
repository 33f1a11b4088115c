// lag / dayOverDay / weekOverWeek across runs, read from a DuckDB-file MetricDB (also from a second
// process), or computed from the source itself when it has a dateColumn.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import type { ScanEvent } from '../../src/engine/scan-events.js'
import { quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

const revenue = (values: number[]) => DataSource.fromRecords(values.map((revenue) => ({ revenue })))

const trend = check({ name: 'trend', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.sum('revenue')).where({ name: 'today' }).noop()
  ctx
    .assertThat(mp.sum('revenue', { lag: 1 }))
    .where({ name: 'yesterday' })
    .noop()
  ctx.assertThat(mp.sum('revenue').dayOverDay()).where({ name: 'dod' }).isBetween(0.5, 2)
})

let dir: TempDir
let db: MetricDB
beforeEach(() => {
  dir = tempDir()
  db = MetricDB.duckdb(dir.file('metrics.duckdb'))
})
afterEach(async () => {
  await db.close()
  dir.cleanup()
})

describe('history from the MetricDB', () => {
  it('reads yesterday’s value for lag and dayOverDay', async () => {
    const suite = quietSuite([trend], { db })
    const day1 = await suite.run({ orders: revenue([40, 60]) }, new ResultKey('2026-11-24'))
    expect(day1.results.find((r) => r.assertion === 'today')?.value).toBe(100)
    const day2 = await suite.run({ orders: revenue([100, 50]) }, new ResultKey('2026-11-25'))
    const r = Object.fromEntries(day2.results.map((x) => [x.assertion, x]))
    expect(r.today).toMatchObject({ status: 'PASSED', value: 150 })
    expect(r.yesterday).toMatchObject({ status: 'PASSED', value: 100, expression: 'lag(1, sum(revenue))' })
    expect(r.dod).toMatchObject({ status: 'PASSED', value: 1.5, expression: 'dayOverDay(sum(revenue))' })
    expect(day2.symbols.map((s) => [s.metric, s.date, s.value])).toEqual([
      ['sum(revenue)', '2026-11-25', 150],
      ['lag(1, sum(revenue))', '2026-11-24', 100],
    ])
  })

  it('reads the value 7 days back for weekOverWeek, through a new MetricDB object on the same file', async () => {
    const wow = check({ name: 'wow', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue').weekOverWeek()).where({ name: 'wow' }).isGt(1)
      ctx
        .assertThat(mp.numRows({ lag: 7 }))
        .where({ name: 'rows a week ago' })
        .isEq(1)
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(1)
    })
    await quietSuite([wow, trend], { db }).run({ orders: revenue([10]) }, new ResultKey('2026-11-18'))
    await db.close()
    const again = MetricDB.duckdb(dir.file('metrics.duckdb'))
    try {
      const report = await quietSuite([wow], { db: again }).run(
        { orders: revenue([30]) },
        new ResultKey('2026-11-25'),
      )
      expect(report.results.map((r) => [r.assertion, r.status, r.value])).toEqual([
        ['wow', 'PASSED', 3],
        ['rows a week ago', 'PASSED', 1],
        ['rows', 'PASSED', 1],
      ])
    } finally {
      await again.close()
    }
  })

  it('fails (never passes) when history is missing, naming the metric and the date', async () => {
    const report = await quietSuite([trend], { db }).run(
      { orders: revenue([1]) },
      new ResultKey('2026-11-25', { env: 'prod' }),
    )
    const r = Object.fromEntries(report.results.map((x) => [x.assertion, x]))
    expect(r.today?.status).toBe('PASSED')
    expect(r.yesterday).toMatchObject({ status: 'FAILED', value: null })
    expect(r.yesterday?.error).toBe(
      `no value of sum(revenue) on 'orders' for 2026-11-24 [env=prod] in the MetricDB (${db.description}); run the suite for that day first, or give the data source a dateColumn`,
    )
    expect(r.dod).toMatchObject({ status: 'FAILED', value: null })
    expect(r.dod?.error).toMatch(
      /^dayOverDay\(sum\(revenue\)\): no value of sum\(revenue\) on 'orders' for 2026-11-24/,
    )
    expect(report.symbols.find((s) => s.metric === 'lag(1, sum(revenue))')).toMatchObject({
      date: '2026-11-24',
      value: null,
    })
  })

  it('keeps history per tag set', async () => {
    const suite = quietSuite([trend], { db })
    await suite.run({ orders: revenue([100]) }, new ResultKey('2026-11-24', { env: 'dev' }))
    const prod = await suite.run({ orders: revenue([100]) }, new ResultKey('2026-11-25', { env: 'prod' }))
    expect(prod.results.find((r) => r.assertion === 'dod')?.status).toBe('FAILED')
    const dev = await suite.run({ orders: revenue([150]) }, new ResultKey('2026-11-25', { env: 'dev' }))
    expect(dev.results.find((r) => r.assertion === 'dod')?.value).toBe(1.5)
  })

  it('fails dayOverDay when yesterday was zero', async () => {
    const suite = quietSuite([trend], { db })
    await suite.run({ orders: revenue([0]) }, new ResultKey('2026-11-24'))
    const report = await suite.run({ orders: revenue([5]) }, new ResultKey('2026-11-25'))
    const dod = report.results.find((r) => r.assertion === 'dod')
    expect(dod).toMatchObject({ status: 'FAILED', value: null })
    expect(dod?.error).toBe(
      'dayOverDay(sum(revenue)): division by zero in sum(revenue) / lag(1, sum(revenue)) (lag(1, sum(revenue)) is 0)',
    )
  })

  it('uses the default in-memory MetricDB across runs of one suite', async () => {
    const suite = quietSuite([trend])
    await suite.run({ orders: revenue([10]) }, new ResultKey('2026-11-24'))
    const report = await suite.run({ orders: revenue([20]) }, new ResultKey('2026-11-25'))
    expect(report.results.find((r) => r.assertion === 'dod')?.value).toBe(2)
  })

  it('a second process opening the same file sees yesterday’s values', async () => {
    const file = dir.file('metrics.duckdb')
    await quietSuite([trend], { db }).run(
      { orders: revenue([80]) },
      new ResultKey('2026-11-24', { env: 'prod' }),
    )
    await db.close() // release the file: DuckDB lets one process write it at a time

    const script = dir.file('second-run.mts')
    writeFileSync(
      script,
      `import { check, DataSource, MetricDB, ResultKey, VerificationSuite } from ${JSON.stringify(`${REPO}src/index.ts`)}
const trend = check({ name: 'trend', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.sum('revenue').dayOverDay()).where({ name: 'dod' }).isBetween(0.5, 2)
})
const db = MetricDB.duckdb(${JSON.stringify(file)})
const suite = new VerificationSuite({ name: 'test', checks: [trend], db, audit: false })
const report = await suite.run({ orders: DataSource.fromRecords([{ revenue: 120 }]) }, new ResultKey('2026-11-25', { env: 'prod' }))
await db.close()
process.stdout.write(JSON.stringify(report.results.map((r) => ({ status: r.status, value: r.value, error: r.error }))))
`,
    )
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO, encoding: 'utf8' })
    expect(child.status, child.stderr).toBe(0)
    expect(JSON.parse(child.stdout)).toEqual([{ status: 'PASSED', value: 1.5 }])

    // And back: this process sees what the child stored.
    const stored = await db.getMetric({
      metric: 'sum(revenue)',
      dataset: 'orders',
      date: '2026-11-25',
      tags: { env: 'prod' },
    })
    expect(stored?.value).toBe(120)
  })
})

describe('history from a source with a dateColumn', () => {
  const day = (d: string) => new Date(`${d}T12:00:00Z`)
  const rows = [
    { day: day('2026-11-18'), revenue: 10 },
    { day: day('2026-11-24'), revenue: 40 },
    { day: day('2026-11-24'), revenue: 60 },
    { day: day('2026-11-25'), revenue: 150 },
    { day: day('2026-11-26'), revenue: 999 },
  ]

  it('scans only the run’s day, and computes lagged values from the source itself', async () => {
    const wow = check({ name: 'wow', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue').weekOverWeek()).where({ name: 'wow' }).isEq(15)
    })
    const scans: ScanEvent[] = []
    const source = DataSource.fromRecords(rows, { dateColumn: 'day' })
    const report = await quietSuite([trend, wow], { db }).run(
      { orders: source },
      new ResultKey('2026-11-25'),
      {
        onProgress: (e) => e.phase === 'end' && scans.push(e),
      },
    )
    const r = Object.fromEntries(report.results.map((x) => [x.assertion, x]))
    expect(r.today?.value).toBe(150)
    expect(r.yesterday?.value).toBe(100)
    expect(r.dod).toMatchObject({ status: 'PASSED', value: 1.5 })
    expect(r.wow).toMatchObject({ status: 'PASSED', value: 15 })
    // One scan per date: today, yesterday and a week ago.
    expect(scans.map((e) => e.date).sort()).toEqual(['2026-11-18', '2026-11-24', '2026-11-25'])
    // The lagged values are stored for their own days.
    const stored = await db.getMetric({
      metric: 'sum(revenue)',
      dataset: 'orders',
      date: '2026-11-24',
      tags: {},
    })
    expect(stored?.value).toBe(100)
  })

  it('prefers values already in the MetricDB over rescanning the source', async () => {
    await db.putMetrics([
      {
        metric: 'sum(revenue)',
        dataset: 'orders',
        date: '2026-11-24',
        tags: {},
        value: 75,
        suite: 'test',
        runId: 'r0',
      },
    ])
    const scans: ScanEvent[] = []
    const source = DataSource.fromRecords(rows, { dateColumn: 'day' })
    const report = await quietSuite([trend], { db }).run({ orders: source }, new ResultKey('2026-11-25'), {
      onProgress: (e) => e.phase === 'end' && scans.push(e),
    })
    expect(report.results.find((r) => r.assertion === 'dod')?.value).toBe(2)
    expect(scans.map((e) => e.date)).toEqual(['2026-11-25'])
  })

  it('works with a parquet source and a DATE column', async () => {
    const { duckdbRun } = await import('../helpers/data.js')
    const file = dir.file('daily.parquet')
    await duckdbRun(
      `COPY (SELECT DATE '2026-11-24' + (i % 2)::INTEGER AS d, i AS revenue FROM range(10) t(i)) TO '${file}' (FORMAT parquet)`,
    )
    // 2026-11-24: 0+2+4+6+8 = 20; 2026-11-25: 1+3+5+7+9 = 25
    const report = await quietSuite([trend], { db }).run(
      { orders: DataSource.parquet(file, { dateColumn: 'd' }) },
      new ResultKey('2026-11-25'),
    )
    expect(report.results.map((r) => r.value)).toEqual([25, 20, 1.25])
  })
})
