// isNotAnomalous end to end over a DuckDB-file MetricDB: a month of history built by running the
// suite once per day (or by storing metrics directly), spikes caught, weekly seasonality, failed
// days left out of later baselines and counted again after a fixed re-run, pinned baselines,
// prune, minHistory, compound expressions, and the math checked against a JS reference.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fmt } from '../../src/core/anomaly.js'
import { check } from '../../src/core/check.js'
import { ResultKey, shiftDate } from '../../src/core/result-key.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB, type StoredMetric } from '../../src/engine/metric-db.js'
import { quietSuite, rng, type TempDir, tempDir } from '../helpers/data.js'

const START = '2026-10-01' // a Thursday
const dayN = (i: number) => shiftDate(START, i)

const ref = {
  mean: (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length,
  sd: (xs: number[]) => {
    const m = ref.mean(xs)
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1))
  },
  median: (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    const n = s.length
    return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2
  },
}

/** About 1000 of revenue a day over 40 orders, times `factor`; 2 of 40 emails are NULL. */
function orders(i: number, factor = 1) {
  const r = rng(1000 + i)
  return Array.from({ length: 40 }, (_, k) => ({
    id: k,
    email: k % 20 === 0 ? null : `u${k}@example.com`,
    revenue: Math.round((25 + (r() - 0.5) * 4) * factor * 100) / 100,
  }))
}
const dailySum = (i: number, factor = 1) => orders(i, factor).reduce((a, o) => a + o.revenue, 0)

const byName = (results: readonly AssertionResult[]) =>
  Object.fromEntries(results.map((r) => [r.assertion, r]))

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

const put = (values: [date: string, value: number][], over: Partial<StoredMetric> = {}) =>
  db.putMetrics(
    values.map(([date, value]) => ({
      metric: 'sum(revenue)',
      dataset: 'orders',
      date,
      tags: {},
      value,
      suite: 'seed',
      runId: 'seed',
      ...over,
    })),
  )
const one = (revenue: number) => ({ orders: DataSource.fromRecords([{ revenue }]) })

describe('a month of daily runs', () => {
  const methods = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
    ctx.assertThat(mp.sum('revenue')).where({ name: 'zscore' }).isNotAnomalous({ method: 'zscore' })
    ctx.assertThat(mp.sum('revenue')).where({ name: 'mad' }).isNotAnomalous({ method: 'mad' })
    ctx.assertThat(mp.sum('revenue')).where({ name: 'relative' }).isNotAnomalous({ method: 'relativeChange' })
  })

  it('fails until enough history exists, then passes normal days and catches a spike, matching the reference', async () => {
    const suite = quietSuite([methods], { db })
    const seen: Record<string, string>[] = []
    for (let i = 0; i < 31; i++) {
      const report = await suite.run({ orders: DataSource.fromRecords(orders(i)) }, new ResultKey(dayN(i)))
      seen.push(Object.fromEntries(report.results.map((r) => [r.assertion, r.status])))
    }
    // Days 0-6: fewer than the 7 days needed (FAILED with an error, never PASSED); then normal.
    expect(seen.slice(0, 7).every((s) => Object.values(s).every((v) => v === 'FAILED'))).toBe(true)
    expect(seen.slice(7).every((s) => Object.values(s).every((v) => v === 'PASSED'))).toBe(true)

    // Day 31: revenue triples.
    const report = await suite.run({ orders: DataSource.fromRecords(orders(31, 3)) }, new ResultKey(dayN(31)))
    const r = byName(report.results)
    const window = Array.from({ length: 14 }, (_, k) => dailySum(17 + k))
    const today = dailySum(31, 3)
    expect(r.zscore?.status).toBe('FAILED')
    expect(r.zscore?.error).toBeUndefined()
    expect(r.zscore?.value).toBeCloseTo(today, 9)
    expect(r.zscore?.anomaly?.center).toBeCloseTo(ref.mean(window), 9)
    expect(r.zscore?.anomaly?.spread).toBeCloseTo(ref.sd(window), 9)
    expect(r.zscore?.anomaly?.score).toBeCloseTo(Math.abs(today - ref.mean(window)) / ref.sd(window), 6)
    expect(r.zscore?.anomaly).toMatchObject({
      n: 14,
      needed: 7,
      from: dayN(17),
      to: dayN(30),
      excluded: [],
      baseline: 'history',
    })
    expect(r.zscore?.bound).toMatch(/^zscore ≤ 3 \(mean \d+(\.\d+)?, sd \d+(\.\d+)?, n 14\)$/)
    const med = ref.median(window)
    const mad = ref.median(window.map((v) => Math.abs(v - med)))
    expect(r.mad?.status).toBe('FAILED')
    expect(r.mad?.anomaly?.score).toBeCloseTo(Math.abs(today - med) / (1.4826 * mad), 6)
    expect(r.relative?.status).toBe('FAILED')
    expect(r.relative?.anomaly?.score).toBeCloseTo(Math.abs(today - med) / med, 9)
    expect(r.relative?.bound).toMatch(/^relative change ≤ 0.5 \(median \d+(\.\d+)?, n 14\)$/)

    // A day at 1.2× is within every threshold but the z-score's (sd is about 1.3% of the mean).
    const mild = await suite.run({ orders: DataSource.fromRecords(orders(32, 1.2)) }, new ResultKey(dayN(32)))
    expect(byName(mild.results).relative?.status).toBe('PASSED')
    expect(byName(mild.results).zscore?.status).toBe('FAILED')
  }, 60_000)
})

describe('failed days leave the baseline; a fixed re-run brings them back', () => {
  const zs = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
    ctx
      .assertThat(mp.sum('revenue'))
      .where({ name: 'normal' })
      .isNotAnomalous({ method: 'zscore', window: 7, minHistory: 3 })
  })

  it('excludes the failed day, includes it again once a re-run of that day passes', async () => {
    await put(Array.from({ length: 20 }, (_, i) => [dayN(i), dailySum(i)] as [string, number]))
    const suite = quietSuite([zs], { db })
    // Day 20: a spike, FAILED.
    const bad = await suite.run({ orders: DataSource.fromRecords(orders(20, 4)) }, new ResultKey(dayN(20)))
    expect(bad.results[0]?.status).toBe('FAILED')

    // Day 21, another spike: still caught, because day 20 is not in its baseline. With day 20 in
    // the baseline the sd would be so large that this spike would pass.
    const again = await suite.run({ orders: DataSource.fromRecords(orders(21, 4)) }, new ResultKey(dayN(21)))
    const r = again.results[0] as AssertionResult
    expect(r.status).toBe('FAILED')
    expect(r.anomaly?.excluded).toEqual([dayN(20)])
    expect(r.anomaly?.n).toBe(6)
    const clean = Array.from({ length: 6 }, (_, k) => dailySum(14 + k))
    expect(r.anomaly?.center).toBeCloseTo(ref.mean(clean), 9)
    const withBad = [...clean, dailySum(20, 4)]
    expect(Math.abs(dailySum(21, 4) - ref.mean(withBad)) / ref.sd(withBad)).toBeLessThan(3)

    // The data of day 20 is fixed and the day re-run: PASSED, and the latest run of that day wins.
    const fixed = await suite.run({ orders: DataSource.fromRecords(orders(20)) }, new ResultKey(dayN(20)))
    expect(fixed.results[0]?.status).toBe('PASSED')
    // Day 22 (day 21 failed and stays out; day 20 counts again, with its fixed value).
    const later = await suite.run({ orders: DataSource.fromRecords(orders(22)) }, new ResultKey(dayN(22)))
    const l = later.results[0] as AssertionResult
    expect(l.status).toBe('PASSED')
    expect(l.anomaly?.excluded).toEqual([dayN(21)])
    const window = [...Array.from({ length: 5 }, (_, k) => dailySum(15 + k)), dailySum(20)]
    expect(l.anomaly?.n).toBe(6)
    expect(l.anomaly?.center).toBeCloseTo(ref.mean(window), 9)
  })

  it('a day that FAILED for lack of history is not a bad day: it stays in later baselines', async () => {
    const suite = quietSuite([zs], { db })
    for (let i = 0; i < 4; i++)
      await suite.run({ orders: DataSource.fromRecords(orders(i)) }, new ResultKey(dayN(i)))
    const report = await suite.run({ orders: DataSource.fromRecords(orders(4)) }, new ResultKey(dayN(4)))
    expect(report.results[0]?.anomaly).toMatchObject({ n: 4, excluded: [] })
    expect(report.results[0]?.status).toBe('PASSED')
  })

  it('the exclusion is per assertion, per suite and per tag set', async () => {
    await put(Array.from({ length: 14 }, (_, i) => [dayN(i), 100 + (i % 3)] as [string, number]))
    await put(
      Array.from({ length: 14 }, (_, i) => [dayN(i), 100 + (i % 3)] as [string, number]),
      { tags: { env: 'dev' } },
    )
    // Another suite's failure on day 13 does not remove the day from this suite's baseline.
    await db.putResults('elsewhere', [
      {
        date: dayN(13),
        suite: 'other',
        check: 'revenue',
        assertion: 'normal',
        severity: 'P1',
        status: 'FAILED',
        value: 1,
        expression: 'sum(revenue)',
        tags: {},
        assertionTags: [],
      },
    ])
    const r = (await quietSuite([zs], { db }).run(one(101), new ResultKey(dayN(14)))).results[0]
    expect(r?.anomaly).toMatchObject({ n: 7, excluded: [] })
    // History is per tag set too.
    const dev = (await quietSuite([zs], { db }).run(one(101), new ResultKey(dayN(14), { env: 'dev' })))
      .results[0]
    expect(dev?.anomaly?.n).toBe(7)
    const prod = (await quietSuite([zs], { db }).run(one(101), new ResultKey(dayN(14), { env: 'prod' })))
      .results[0]
    expect(prod).toMatchObject({ status: 'FAILED' })
    expect(prod?.error).toBe(
      `too little history for zscore: 0 days with a value of sum(revenue) on 'orders' [env=prod] between ${dayN(7)} and ${dayN(13)}, need 3 (minHistory.days)`,
    )
  })
})

describe('weekly seasonality', () => {
  // Five weeks of history: weekdays about 1000, weekends at 30%.
  const weekly = (i: number) => {
    const d = new Date(`${dayN(i)}T00:00:00Z`).getUTCDay()
    const base = d === 0 || d === 6 ? 300 : 1000
    return base + ((i * 7) % 11) - 5
  }
  const seasonal = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
    for (const method of ['mad', 'relativeChange'] as const) {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: `${method} daily` })
        .isNotAnomalous({ method })
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: `${method} weekly` })
        .isNotAnomalous({ method, seasonality: 'weekly' })
    }
  })

  it('a Saturday at 30% is normal against Saturdays, and anomalous against the last 14 days', async () => {
    await put(Array.from({ length: 37 }, (_, i) => [dayN(i), weekly(i)] as [string, number]))
    const saturday = dayN(37)
    expect(new Date(`${saturday}T00:00:00Z`).getUTCDay()).toBe(6)
    const report = await quietSuite([seasonal], { db }).run(one(301), new ResultKey(saturday))
    const r = byName(report.results)
    expect(r['mad daily']?.status).toBe('FAILED')
    expect(r['relativeChange daily']?.status).toBe('FAILED')
    expect(r['mad weekly']?.status).toBe('PASSED')
    expect(r['relativeChange weekly']?.status).toBe('PASSED')
    // Four Saturdays back (the default window of 4 weeks), all on the same weekday.
    const saturdays = [dayN(9), dayN(16), dayN(23), dayN(30)].map((d) =>
      weekly(Number((Date.parse(d) - Date.parse(START)) / 864e5)),
    )
    expect(r['mad weekly']?.anomaly).toMatchObject({ n: 4, weekly: true, from: dayN(9), to: dayN(30) })
    expect(r['mad weekly']?.anomaly?.center).toBe(ref.median(saturdays))
    expect(r['mad weekly']?.bound).toMatch(/, n 4 Saturdays\)$/)
    // And a weekday-sized Saturday is what the weekly assertions catch.
    const odd = byName((await quietSuite([seasonal], { db }).run(one(1000), new ResultKey(saturday))).results)
    expect(odd['mad weekly']?.status).toBe('FAILED')
    expect(odd['relativeChange weekly']?.status).toBe('FAILED')
    expect(odd['mad daily']?.status).toBe('PASSED')
  })

  it('with a weekly window the minimum counts weeks', async () => {
    await put([[dayN(30), 300]])
    const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'w' })
        .isNotAnomalous({ method: 'mad', seasonality: 'weekly', window: 6 })
    })
    const r = (await quietSuite([c], { db }).run(one(300), new ResultKey(dayN(37)))).results[0]
    expect(r?.error).toBe(
      `too little history for mad: 1 Saturdays with a value of sum(revenue) on 'orders' between ${dayN(-5)} and ${dayN(30)}, need 3 (minHistory.days)`,
    )
  })
})

describe('pinned baselines', () => {
  const zs = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
    ctx.assertThat(mp.sum('revenue')).where({ name: 'normal' }).isNotAnomalous({ method: 'zscore' })
  })
  const target = { metric: 'sum(revenue)', dataset: 'orders' }

  it('a pinned value replaces history (none needed); unpinning goes back to history', async () => {
    const suite = quietSuite([zs], { db })
    await db.pinBaseline({ ...target, value: 1000, spread: 10 })
    const ok = (await suite.run(one(1025), new ResultKey(dayN(0)))).results[0]
    expect(ok).toMatchObject({ status: 'PASSED', bound: 'zscore ≤ 3 (pinned mean 1000, sd 10)' })
    expect(ok?.anomaly).toMatchObject({ baseline: 'pinnedValue', score: 2.5, n: 0 })
    expect((await suite.run(one(1031), new ResultKey(dayN(1)))).results[0]?.status).toBe('FAILED')
    // Another tag set is not pinned.
    expect((await suite.run(one(1000), new ResultKey(dayN(1), { env: 'x' }))).results[0]?.error).toMatch(
      /too little history/,
    )
    expect(await db.unpinBaseline(target)).toBe(true)
    // Day 1 FAILED against the pin, so it is not part of the history either.
    expect((await suite.run(one(1000), new ResultKey(dayN(2)))).results[0]?.error).toMatch(
      new RegExp(
        `^too little history for zscore: 1 day .*; 1 more day was left out because this assertion failed on it \\(${dayN(1)}\\)$`,
      ),
    )
  })

  it('a pinned range is the baseline instead of the window, failed days and all', async () => {
    // October: about 1000; November: drifting up to about 2000.
    await put(Array.from({ length: 31 }, (_, i) => [dayN(i), 1000 + (i % 5)] as [string, number]))
    await put(Array.from({ length: 20 }, (_, i) => [dayN(31 + i), 1500 + i * 25] as [string, number]))
    const suite = quietSuite([zs], { db })
    const key = new ResultKey(dayN(51))
    // Against the last 14 days, 2000 is normal; against the pinned October, it is not.
    expect((await suite.run(one(2000), key)).results[0]?.status).toBe('PASSED')
    await db.pinBaseline({ ...target, from: dayN(0), to: dayN(30) })
    const r = (await suite.run(one(2000), key)).results[0]
    expect(r?.status).toBe('FAILED')
    const october = Array.from({ length: 31 }, (_, i) => 1000 + (i % 5))
    expect(r?.anomaly).toMatchObject({
      baseline: 'pinnedRange',
      n: 31,
      from: dayN(0),
      to: dayN(30),
      excluded: [],
    })
    expect(r?.anomaly?.center).toBeCloseTo(ref.mean(october), 9)
    expect(r?.bound).toBe(
      `zscore ≤ 3 (mean ${fmt(ref.mean(october))}, sd ${fmt(ref.sd(october))}, n 31, pinned ${dayN(0)}..${dayN(30)})`,
    )
  })

  it('a pinned range with weekly seasonality uses only its days on the run’s weekday', async () => {
    await put(Array.from({ length: 28 }, (_, i) => [dayN(i), i % 7 === 2 ? 300 : 1000] as [string, number]))
    const c = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'w' })
        .isNotAnomalous({ method: 'relativeChange', seasonality: 'weekly' })
    })
    const suite = quietSuite([c], { db })
    await db.pinBaseline({ ...target, from: dayN(0), to: dayN(27) })
    // dayN(2) is a Saturday: the pinned Saturdays are all 300.
    const r = (await suite.run(one(310), new ResultKey(dayN(30)))).results[0]
    expect(r).toMatchObject({ status: 'PASSED' })
    expect(r?.anomaly).toMatchObject({ baseline: 'pinnedRange', n: 4, center: 300 })
    // A pinned range without a single day of that weekday: nothing to compare with.
    await db.pinBaseline({ ...target, from: dayN(3), to: dayN(5) })
    const none = (await suite.run(one(310), new ResultKey(dayN(30)))).results[0]
    expect(none?.error).toBe(
      `too little history for relativeChange: 0 Saturdays with a value of sum(revenue) on 'orders' between ${dayN(3)} and ${dayN(5)} (the pinned range), need 3 (minHistory.days)`,
    )
  })

  it('a pin of a compound expression is keyed by its expression text', async () => {
    const ratio = check({ name: 'emails', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.nullCount('email').div(mp.numRows()))
        .where({ name: 'null rate' })
        .isNotAnomalous({ method: 'relativeChange', threshold: 0.2 })
    })
    await db.pinBaseline({ metric: 'nullCount(email) / numRows()', dataset: 'orders', value: 0.05 })
    const r = (
      await quietSuite([ratio], { db }).run(
        { orders: DataSource.fromRecords(orders(0)) },
        new ResultKey(dayN(0)),
      )
    ).results[0]
    expect(r).toMatchObject({
      status: 'PASSED',
      value: 0.05,
      bound: 'relative change ≤ 0.2 (pinned median 0.05)',
    })
  })
})

describe('compound and lagged expressions', () => {
  it('evaluates the expression on every history day from the stored metrics', async () => {
    const ratio = check({ name: 'emails', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.nullCount('email').div(mp.numRows()))
        .where({ name: 'null rate' })
        .isNotAnomalous({ method: 'zscore' })
    })
    const rows = [9, 10, 11, 10, 9, 10, 12, 10, 11, 10]
    await put(
      rows.map((v, i) => [dayN(i), v]),
      { metric: 'nullCount(email)' },
    )
    // numRows() is missing on day 3 and 0 on day 5 (division by zero): those days are not in the baseline.
    await put(
      rows.map((_, i) => [dayN(i), i === 5 ? 0 : 100] as [string, number]).filter(([d]) => d !== dayN(3)),
      { metric: 'numRows()' },
    )
    const records = Array.from({ length: 100 }, (_, k) => ({ email: k < 30 ? null : 'x' }))
    const r = (
      await quietSuite([ratio], { db }).run(
        { orders: DataSource.fromRecords(records) },
        new ResultKey(dayN(10)),
      )
    ).results[0]
    const rates = rows.filter((_, i) => i !== 3 && i !== 5).map((v) => v / 100)
    expect(r?.status).toBe('FAILED')
    expect(r?.value).toBe(0.3)
    expect(r?.anomaly?.n).toBe(8)
    expect(r?.anomaly?.center).toBeCloseTo(ref.mean(rates), 12)
    expect(r?.anomaly?.spread).toBeCloseTo(ref.sd(rates), 12)
    expect(r?.error).toBeUndefined()
  })

  it('reads lagged metrics for each history day (dayOverDay), and skips days whose value overflows', async () => {
    const dod = check({ name: 'dod', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue').dayOverDay())
        .where({ name: 'dod' })
        .isNotAnomalous({ method: 'mad', window: 7, minHistory: 3 })
      ctx
        .assertThat(mp.sum('revenue').mul(1e300))
        .where({ name: 'huge' })
        .isNotAnomalous({ method: 'relativeChange', window: 7, minHistory: 2 })
    })
    const values = [100, 110, 99, 108, 100, 104, 96, 100, 1e10, 100]
    await put(values.map((v, i) => [dayN(i), v]))
    const report = await quietSuite([dod], { db }).run(one(200), new ResultKey(dayN(10)))
    const r = byName(report.results)
    const ratios = values.slice(3).map((v, k) => v / (values[k + 2] as number))
    expect(r.dod?.anomaly?.n).toBe(7)
    expect(r.dod?.anomaly?.center).toBeCloseTo(ref.median(ratios), 12)
    expect(r.dod?.value).toBe(2)
    // 1e10 × 1e300 is Infinity: that day has no value; the other six do.
    expect(r.huge?.anomaly?.n).toBe(6)
    expect(r.huge?.anomaly?.center).toBe(1e302)
  })
})

describe('minHistory', () => {
  it('too little history FAILS by default, and is SKIPPED with otherwise: skip — never a silent pass', async () => {
    await put([dayN(10), dayN(11), dayN(12)].map((d) => [d, 100]))
    const c = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'fail' })
        .isNotAnomalous({ method: 'mad', minHistory: 7 })
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'skip' })
        .isNotAnomalous({ method: 'mad', minHistory: { days: 7, otherwise: 'skip' } })
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'enough' })
        .isNotAnomalous({ method: 'mad', minHistory: 3 })
    })
    const report = await quietSuite([c], { db }).run(one(100), new ResultKey(dayN(13)))
    const r = byName(report.results)
    const message = `too little history for mad: 3 days with a value of sum(revenue) on 'orders' between ${dayN(-1)} and ${dayN(12)}, need 7 (minHistory.days)`
    expect(r.fail).toMatchObject({ status: 'FAILED', value: 100, error: message })
    expect(r.skip).toMatchObject({
      status: 'SKIPPED',
      value: 100,
      error: `${message}; skipped because minHistory.otherwise is 'skip'`,
    })
    expect(r.enough?.status).toBe('PASSED')
    expect(report.summary).toMatchObject({ passed: 1, failed: 1, skipped: 1 })
  })
})

describe('retention', () => {
  it('after prune the history is gone and the assertion says so', async () => {
    await put(Array.from({ length: 30 }, (_, i) => [dayN(i), 100 + (i % 2)] as [string, number]))
    const c = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue')).where({ name: 'normal' }).isNotAnomalous({ method: 'zscore' })
    })
    const suite = quietSuite([c], { db })
    expect((await suite.run(one(100), new ResultKey(dayN(30)))).results[0]?.status).toBe('PASSED')
    const pruned = await db.prune({ olderThanDays: 3, now: dayN(30) })
    expect(pruned).toEqual({ metrics: 27, results: 0, cutoff: dayN(27) })
    const r = (await suite.run(one(100), new ResultKey(dayN(30)))).results[0]
    expect(r?.status).toBe('FAILED')
    expect(r?.error).toMatch(/: 3 days with a value of sum\(revenue\)/)
  })
})

describe('plumbing', () => {
  it('reads nothing from the MetricDB for a suite without anomaly assertions', async () => {
    const spies = ['getHistory', 'getAssertionHistory', 'getPinnedBaseline'].map((m) =>
      vi.spyOn(db, m as 'getHistory'),
    )
    const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue')).where({ name: 'x' }).isPositive()
    })
    await quietSuite([c], { db }).run(one(1), new ResultKey(dayN(0)))
    for (const s of spies) expect(s).not.toHaveBeenCalled()
  })

  it('reads each metric series once for all anomaly assertions on it', async () => {
    await put(Array.from({ length: 14 }, (_, i) => [dayN(i), 100 + (i % 3)] as [string, number]))
    const getHistory = vi.spyOn(db, 'getHistory')
    const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'c' })
        .isNotAnomalous({ method: 'mad', seasonality: 'weekly', window: 1, minHistory: 1 })
      ctx.assertThat(mp.sum('revenue')).where({ name: 'a' }).isNotAnomalous({ method: 'zscore' })
      ctx.assertThat(mp.sum('revenue')).where({ name: 'b' }).isNotAnomalous({ method: 'mad', window: 7 })
    })
    const report = await quietSuite([c], { db }).run(one(101), new ResultKey(dayN(14)))
    expect(report.results.map((r) => r.status)).toEqual(['PASSED', 'PASSED', 'PASSED'])
    expect(getHistory).toHaveBeenCalledTimes(1)
    expect(getHistory.mock.calls[0]?.[0]).toMatchObject({ from: dayN(0), to: dayN(13) })
  })

  it('a check skipped for a missing dataset is SKIPPED without reading history', async () => {
    const spy = vi.spyOn(db, 'getAssertionHistory')
    const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue')).where({ name: 'a' }).isNotAnomalous({ method: 'zscore' })
    })
    const other = check({ name: 'o', datasets: ['users'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'n' }).isPositive()
    })
    const report = await quietSuite([c, other], { db }).run(
      { users: DataSource.fromRecords([{ a: 1 }]) },
      new ResultKey(dayN(0)),
    )
    expect(report.results[0]).toMatchObject({ status: 'SKIPPED' })
    expect(spy).not.toHaveBeenCalled()
  })

  it('a value that cannot be computed fails as usual, before any judging', async () => {
    const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue')).where({ name: 'a' }).isNotAnomalous({ method: 'zscore' })
    })
    const r = (
      await quietSuite([c], { db }).run(
        { orders: DataSource.fromRecords([{ revenue: null }], { schema: { revenue: 'number' } }) },
        new ResultKey(dayN(0)),
      )
    ).results[0]
    expect(r).toMatchObject({ status: 'FAILED', value: null })
    expect(r?.error).toMatch(/is NULL/)
    expect(r?.anomaly).toBeUndefined()
  })

  it('a MetricDB without the history methods fails the assertion with a clear error', async () => {
    const inner = MetricDB.memory()
    const legacy = {
      description: 'legacy',
      putMetrics: inner.putMetrics.bind(inner),
      getMetric: inner.getMetric.bind(inner),
      getHistory: inner.getHistory.bind(inner),
      putResults: inner.putResults.bind(inner),
      getResults: inner.getResults.bind(inner),
      close: inner.close.bind(inner),
    } as unknown as MetricDB
    const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('revenue')).where({ name: 'a' }).isNotAnomalous({ method: 'zscore' })
    })
    const r = (await quietSuite([c], { db: legacy }).run(one(1), new ResultKey(dayN(0)))).results[0]
    expect(r).toMatchObject({ status: 'FAILED', value: 1 })
    expect(r?.error).toBe(
      'the MetricDB (legacy) has no getAssertionHistory/getPinnedBaseline method, which isNotAnomalous needs; use MetricDB.memory(), MetricDB.duckdb(file) or MetricDB.postgres(url)',
    )
  })

  it('the results are persisted with their status, so a new MetricDB object on the file sees the exclusions', async () => {
    const c = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'n' })
        .isNotAnomalous({ method: 'relativeChange', window: 3, minHistory: 1 })
    })
    await put([[dayN(0), 100]])
    expect((await quietSuite([c], { db }).run(one(500), new ResultKey(dayN(1)))).results[0]?.status).toBe(
      'FAILED',
    )
    await db.close()
    const again = MetricDB.duckdb(dir.file('metrics.duckdb'))
    try {
      const r = (await quietSuite([c], { db: again }).run(one(100), new ResultKey(dayN(2)))).results[0]
      expect(r).toMatchObject({ status: 'PASSED' })
      expect(r?.anomaly).toMatchObject({ n: 1, excluded: [dayN(1)] })
    } finally {
      await again.close()
    }
  })
})
