// isNotAnomalous: option validation and defaults, each method's statistics against a plain-JS
// reference (fixed cases and fast-check properties), and the verdict for every kind of baseline.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AnomalyBaseline,
  type AnomalyConfig,
  anomalyScore,
  baselineDates,
  baselineStats,
  datesBetween,
  describeAnomaly,
  fmt,
  judgeAnomaly,
  median,
  pinnedStats,
  resolveAnomalyOptions,
  weekdayOf,
} from '../../src/core/anomaly.js'
import { check, collectAssertions } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'

// ---------------------------------------------------------------------------------------------
// Reference implementations, written from the textbook definitions.

const ref = {
  mean: (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length,
  sd: (xs: number[]) => {
    const m = ref.mean(xs)
    return Math.sqrt(xs.map((x) => (x - m) ** 2).reduce((a, b) => a + b, 0) / (xs.length - 1))
  },
  median: (xs: number[]) => {
    const s = xs.slice().sort((a, b) => a - b)
    const n = s.length
    return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2
  },
  zscore: (x: number, xs: number[]) => Math.abs(x - ref.mean(xs)) / ref.sd(xs),
  /** Iglewicz–Hoaglin modified z-score: 0.6745 (x − median) / MAD, i.e. (x − median) / (1.4826 MAD). */
  modifiedZ: (x: number, xs: number[]) => {
    const m = ref.median(xs)
    const mad = ref.median(xs.map((v) => Math.abs(v - m)))
    if (mad === 0) {
      const meanAd = ref.mean(xs.map((v) => Math.abs(v - m)))
      return Math.abs(x - m) / (1.253314 * meanAd)
    }
    return Math.abs(x - m) / (1.4826 * mad)
  },
  relativeChange: (x: number, xs: number[]) => Math.abs(x - ref.median(xs)) / Math.abs(ref.median(xs)),
}

const config = (over: Partial<Parameters<typeof resolveAnomalyOptions>[0]> = {}): AnomalyConfig =>
  resolveAnomalyOptions({ method: 'zscore', ...over })

type Ranged = Extract<AnomalyBaseline, { values: readonly number[] }>
const history = (values: number[], over: Partial<Ranged> = {}): Ranged => ({
  kind: 'history',
  values,
  from: '2026-11-11',
  to: '2026-11-24',
  excluded: [],
  subject: "sum(revenue) on 'orders'",
  ...over,
})

const definitionError = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('CHECK_DEFINITION')
    return (err as DqxError).message
  }
  throw new Error('expected a CHECK_DEFINITION error')
}

describe('isNotAnomalous options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveAnomalyOptions({ method: 'zscore' })).toEqual({
      method: 'zscore',
      window: 14,
      threshold: 3,
      weekly: false,
      minHistory: { days: 7, otherwise: 'fail' },
    })
    expect(resolveAnomalyOptions({ method: 'mad' }).threshold).toBe(3.5)
    expect(resolveAnomalyOptions({ method: 'relativeChange' }).threshold).toBe(0.5)
    // Weekly: the window counts weeks, 4 by default; minHistory at least 3, at most the window.
    expect(resolveAnomalyOptions({ method: 'mad', seasonality: 'weekly' })).toMatchObject({
      window: 4,
      weekly: true,
      minHistory: { days: 3, otherwise: 'fail' },
    })
    expect(resolveAnomalyOptions({ method: 'zscore', window: 2 }).minHistory.days).toBe(2)
    expect(resolveAnomalyOptions({ method: 'zscore', window: 30 }).minHistory.days).toBe(15)
    expect(resolveAnomalyOptions({ method: 'zscore', minHistory: 5 }).minHistory).toEqual({
      days: 5,
      otherwise: 'fail',
    })
    expect(
      resolveAnomalyOptions({ method: 'zscore', minHistory: { days: 4, otherwise: 'skip' } }).minHistory,
    ).toEqual({ days: 4, otherwise: 'skip' })
    expect(Object.isFrozen(resolveAnomalyOptions({ method: 'zscore' }))).toBe(true)
  })

  it('refuses bad options with a CHECK_DEFINITION error naming the option', () => {
    expect(definitionError(() => resolveAnomalyOptions(undefined))).toBe(
      "isNotAnomalous(): takes options such as { method: 'zscore' }",
    )
    expect(definitionError(() => resolveAnomalyOptions({}))).toBe(
      "isNotAnomalous(): method must be 'zscore', 'mad' or 'relativeChange', got undefined",
    )
    expect(definitionError(() => resolveAnomalyOptions({ method: 'iqr' }))).toMatch(/got "iqr"/)
    expect(definitionError(() => config({ seasonality: 'daily' as 'weekly' }))).toBe(
      `isNotAnomalous(): seasonality must be 'weekly' or left out, got "daily"`,
    )
    expect(definitionError(() => config({ window: 1 }))).toBe(
      'isNotAnomalous(): window (days) must be a whole number from 2 to 3660, got 1',
    )
    expect(definitionError(() => config({ window: 2.5 }))).toMatch(/window \(days\)/)
    expect(definitionError(() => config({ seasonality: 'weekly', window: 0 }))).toMatch(/window \(weeks\)/)
    expect(() => resolveAnomalyOptions({ method: 'mad', window: 1 })).not.toThrow()
    expect(definitionError(() => config({ threshold: 0 }))).toBe(
      'isNotAnomalous(): threshold must be a positive number, got 0',
    )
    expect(definitionError(() => config({ threshold: Number.NaN }))).toMatch(/threshold/)
    expect(definitionError(() => config({ threshold: '3' as unknown as number }))).toMatch(/threshold/)
    expect(definitionError(() => config({ minHistory: 20 }))).toBe(
      'isNotAnomalous(): minHistory.days (at most the window of 14 days) must be a whole number from 2 to 14, got 20',
    )
    expect(definitionError(() => config({ minHistory: 1 }))).toMatch(/from 2 to 14, got 1/)
    expect(definitionError(() => config({ minHistory: null as unknown as number }))).toBe(
      "isNotAnomalous(): minHistory must be a number of days or { days, otherwise: 'fail' | 'skip' }, got null",
    )
    expect(definitionError(() => config({ minHistory: { days: 3, otherwise: 'pass' as 'skip' } }))).toBe(
      `isNotAnomalous(): minHistory.otherwise must be 'fail' or 'skip', got "pass"`,
    )
  })

  it('records the assertion with its config and a descriptive bound, validated at declaration', () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('x')).where({ name: 'a' }).isNotAnomalous({ method: 'mad', threshold: 4 })
      ctx.assertThat(mp.sum('y')).isNotAnomalous({ method: 'zscore', seasonality: 'weekly' })
    })
    const [a, b] = collectAssertions(c).assertions
    expect(a?.anomaly).toEqual(resolveAnomalyOptions({ method: 'mad', threshold: 4 }))
    expect(a?.validator.bound).toBe('not anomalous (modified zscore ≤ 4 over 14 days)')
    expect(a?.validator.test(1)).toBe(false)
    expect(b?.name).toBe('sum(y) not anomalous (zscore ≤ 3 over 4 weeks, same weekday)')
    expect(describeAnomaly(resolveAnomalyOptions({ method: 'relativeChange' }))).toBe(
      'not anomalous (relative change ≤ 0.5 over 14 days)',
    )
    const bad = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('x'))
        .where({ name: 'a' })
        .isNotAnomalous({ method: 'nope' as 'mad' })
    })
    expect(() => collectAssertions(bad)).toThrow(/method must be/)
  })
})

describe('dates', () => {
  it('the baseline window: the days before the run, or the same weekday of the weeks before it', () => {
    expect(baselineDates('2026-03-02', { window: 3, weekly: false })).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ])
    expect(baselineDates('2026-03-02', { window: 3, weekly: true })).toEqual([
      '2026-02-09',
      '2026-02-16',
      '2026-02-23',
    ])
    expect(baselineDates('2026-03-02', { window: 3, weekly: true }).map(weekdayOf)).toEqual([1, 1, 1])
  })

  it('datesBetween lists every day, or every day of one weekday', () => {
    expect(datesBetween('2026-12-30', '2027-01-02')).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ])
    expect(datesBetween('2026-11-01', '2026-11-30', 0)).toEqual([
      '2026-11-01',
      '2026-11-08',
      '2026-11-15',
      '2026-11-22',
      '2026-11-29',
    ])
    expect(datesBetween('2026-11-02', '2026-11-01')).toEqual([])
  })
})

describe('statistics against the reference', () => {
  const xs = [98, 102, 100, 97, 103, 101, 99, 100, 104, 96]

  it('zscore: mean and sample sd', () => {
    const s = baselineStats('zscore', xs)
    expect(s.center).toBeCloseTo(ref.mean(xs), 12)
    expect(s.spread).toBeCloseTo(ref.sd(xs), 12)
    expect(anomalyScore(112, s)).toBeCloseTo(ref.zscore(112, xs), 12)
    expect(s.text).toBe('mean 100, sd 2.582')
  })

  it('mad: median, MAD and the modified z-score (1.4826·MAD)', () => {
    const s = baselineStats('mad', xs)
    expect(s.center).toBe(100)
    expect(s.spread).toBe(2)
    expect(anomalyScore(112, s)).toBeCloseTo(ref.modifiedZ(112, xs), 12)
    expect(anomalyScore(112, s)).toBeCloseTo(12 / (1.4826 * 2), 12)
  })

  it('mad: with MAD 0 the mean absolute deviation (×1.253314) is the scale', () => {
    const flat = [10, 10, 10, 10, 14]
    const s = baselineStats('mad', flat)
    expect(s).toMatchObject({ center: 10, spread: 0 })
    expect(s.text).toBe('median 10, MAD 0, mean AD 0.8')
    expect(anomalyScore(13, s)).toBeCloseTo(ref.modifiedZ(13, flat), 12)
  })

  it('relativeChange: distance from the median relative to it', () => {
    const s = baselineStats('relativeChange', [100, 80, 120, 90])
    expect(s).toMatchObject({ center: 95, spread: null, text: 'median 95' })
    expect(anomalyScore(190, s)).toBeCloseTo(ref.relativeChange(190, [100, 80, 120, 90]), 12)
    expect(anomalyScore(-50, baselineStats('relativeChange', [-100, -100]))).toBe(0.5)
  })

  it('a zero scale: score 0 at the center, Infinity elsewhere', () => {
    const s = baselineStats('zscore', [5, 5, 5])
    expect(anomalyScore(5, s)).toBe(0)
    expect(anomalyScore(5 + 1e-12, s)).toBe(0)
    expect(anomalyScore(5.1, s)).toBe(Number.POSITIVE_INFINITY)
    expect(anomalyScore(0, baselineStats('relativeChange', [0, 0, 1]))).toBe(0)
    expect(anomalyScore(3, baselineStats('mad', [2, 2, 2]))).toBe(Number.POSITIVE_INFINITY)
  })

  it('a spread that is only floating-point noise counts as 0', () => {
    const flat = Array.from({ length: 14 }, () => 0.04)
    expect(ref.sd(flat)).toBeGreaterThan(0) // 7e-18: the mean of fourteen 0.04s is not exactly 0.04
    expect(baselineStats('zscore', flat)).toMatchObject({ spread: 0, scale: 0, text: 'mean 0.04, sd 0' })
    expect(anomalyScore(0.3, baselineStats('zscore', flat))).toBe(Number.POSITIVE_INFINITY)
    expect(baselineStats('mad', [0.1 + 0.2, 0.3, 0.3])).toMatchObject({ spread: 0, scale: 0 })
  })

  it('properties: every method matches the reference on random baselines', () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true })
    fc.assert(
      fc.property(fc.array(finite, { minLength: 2, maxLength: 40 }), finite, (values, x) => {
        const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b))
        const z = baselineStats('zscore', values)
        if (ref.sd(values) > 1e-6) expect(close(anomalyScore(x, z), ref.zscore(x, values))).toBe(true)
        expect(median(values)).toBe(ref.median(values))
        // Away from spreads below 1e-6, which may be rounding noise (treated as 0, tested above).
        const med = ref.median(values)
        const dev = values.map((v) => Math.abs(v - med))
        const [mad, meanAd] = [ref.median(dev), ref.mean(dev)]
        if (mad > 1e-6 || (mad === 0 && meanAd > 1e-6)) {
          expect(close(anomalyScore(x, baselineStats('mad', values)), ref.modifiedZ(x, values))).toBe(true)
        }
        const r = baselineStats('relativeChange', values)
        if (Math.abs(ref.median(values)) > 1e-6) {
          expect(close(anomalyScore(x, r), ref.relativeChange(x, values))).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('fmt: 4 significant digits, whole numbers from 1000', () => {
    expect([0.1 + 0.2, 100.2345, 4.1, 1234.56, -98765.4, 0.000123456, 0].map(fmt)).toEqual([
      '0.3',
      '100.2',
      '4.1',
      '1235',
      '-98765',
      '0.0001235',
      '0',
    ])
  })
})

describe('the verdict', () => {
  const xs = [98, 102, 100, 97, 103, 101, 99, 100, 104, 96]

  it('PASSED within the threshold, with the statistics in the bound and the detail', () => {
    const j = judgeAnomaly(104, config(), history(xs))
    expect(j.status).toBe('PASSED')
    expect(j.bound).toBe('zscore ≤ 3 (mean 100, sd 2.582, n 10)')
    expect(j.error).toBeUndefined()
    expect(j.anomaly).toEqual({
      method: 'zscore',
      threshold: 3,
      score: ref.zscore(104, xs),
      center: ref.mean(xs),
      spread: ref.sd(xs),
      n: 10,
      needed: 7,
      baseline: 'history',
      from: '2026-11-11',
      to: '2026-11-24',
      excluded: [],
      weekly: false,
    })
  })

  it('FAILED beyond it; the threshold is inclusive', () => {
    expect(judgeAnomaly(120, config(), history(xs)).status).toBe('FAILED')
    const rc = config({ method: 'relativeChange', minHistory: 3 })
    expect(judgeAnomaly(150, rc, history([100, 100, 100])).status).toBe('PASSED')
    expect(judgeAnomaly(150.001, rc, history([100, 100, 100])).status).toBe('FAILED')
    expect(judgeAnomaly(100, config({ method: 'mad', minHistory: 3 }), history([100, 100, 100])).bound).toBe(
      'modified zscore ≤ 3.5 (median 100, MAD 0, mean AD 0, n 3)',
    )
  })

  it('weekly baselines name the weekday in the bound', () => {
    const j = judgeAnomaly(100, config({ seasonality: 'weekly' }), history([99, 100, 101], { weekday: 3 }))
    expect(j.bound).toBe('zscore ≤ 3 (mean 100, sd 1, n 3 Wednesdays)')
    expect(j.anomaly.weekly).toBe(true)
  })

  it('too little history: FAILED with found vs needed, or SKIPPED when minHistory says so', () => {
    const few = history([100, 101, 99], { excluded: ['2026-11-20'] })
    const failed = judgeAnomaly(100, config(), few)
    expect(failed.status).toBe('FAILED')
    expect(failed.bound).toBe('not anomalous (zscore ≤ 3 over 14 days)')
    expect(failed.error).toBe(
      "too little history for zscore: 3 days with a value of sum(revenue) on 'orders' between 2026-11-11 and 2026-11-24, need 7 (minHistory.days); 1 more day was left out because this assertion failed on it (2026-11-20)",
    )
    expect(failed.anomaly).toMatchObject({
      score: null,
      center: null,
      n: 3,
      needed: 7,
      excluded: ['2026-11-20'],
    })
    const skipped = judgeAnomaly(
      100,
      config({ minHistory: { days: 5, otherwise: 'skip' } }),
      history([1], {
        excluded: ['2026-11-20', '2026-11-21'],
      }),
    )
    expect(skipped.status).toBe('SKIPPED')
    expect(skipped.error).toBe(
      "too little history for zscore: 1 day with a value of sum(revenue) on 'orders' between 2026-11-11 and 2026-11-24, need 5 (minHistory.days); 2 more days were left out because this assertion failed on them (2026-11-20, 2026-11-21); skipped because minHistory.otherwise is 'skip'",
    )
    const weekly = judgeAnomaly(1, config({ seasonality: 'weekly' }), history([1], { weekday: 0 }))
    expect(weekly.error).toMatch(/^too little history for zscore: 1 Sundays with a value of/)
  })

  it('a pinned range says so in the bound and in messages', () => {
    const b = history([99, 100, 101], { kind: 'pinnedRange', from: '2026-10-01', to: '2026-10-31' })
    const j = judgeAnomaly(100, config({ minHistory: 3 }), b)
    expect(j.bound).toBe('zscore ≤ 3 (mean 100, sd 1, n 3, pinned 2026-10-01..2026-10-31)')
    expect(j.anomaly).toMatchObject({
      baseline: 'pinnedRange',
      from: '2026-10-01',
      to: '2026-10-31',
      excluded: [],
    })
    expect(judgeAnomaly(1, config(), { ...b, values: [] }).error).toMatch(
      /between 2026-10-01 and 2026-10-31 \(the pinned range\), need 7/,
    )
  })

  it('a pinned value: center and spread in the method’s own terms, no history needed', () => {
    const z = judgeAnomaly(112, config(), { kind: 'pinnedValue', value: 100, spread: 4 })
    expect(z).toMatchObject({ status: 'PASSED', bound: 'zscore ≤ 3 (pinned mean 100, sd 4)' })
    expect(z.anomaly).toMatchObject({
      score: 3,
      center: 100,
      spread: 4,
      n: 0,
      needed: 0,
      baseline: 'pinnedValue',
      from: null,
    })
    const m = judgeAnomaly(112, config({ method: 'mad' }), { kind: 'pinnedValue', value: 100, spread: 2 })
    expect(m.status).toBe('FAILED')
    expect(m.anomaly.score).toBeCloseTo(12 / (1.4826 * 2), 12)
    expect(m.bound).toBe('modified zscore ≤ 3.5 (pinned median 100, MAD 2)')
    const r = judgeAnomaly(140, config({ method: 'relativeChange' }), { kind: 'pinnedValue', value: 100 })
    expect(r).toMatchObject({ status: 'PASSED', bound: 'relative change ≤ 0.5 (pinned median 100)' })
    expect(r.anomaly.score).toBeCloseTo(0.4, 12)
  })

  it('a pinned value without a spread cannot serve zscore or mad: FAILED with the fix in the error', () => {
    for (const method of ['zscore', 'mad'] as const) {
      const j = judgeAnomaly(100, config({ method }), { kind: 'pinnedValue', value: 100 })
      expect(j.status).toBe('FAILED')
      expect(j.error).toContain('pin it with pinBaseline({ …, value, spread })')
    }
    expect(pinnedStats('zscore', 1, undefined)).toMatch(/its standard deviation/)
    expect(pinnedStats('mad', 1, undefined)).toMatch(/its MAD/)
  })

  it('an unavailable baseline is FAILED with its reason', () => {
    const j = judgeAnomaly(1, config(), { kind: 'unavailable', error: 'no history method' })
    expect(j).toMatchObject({ status: 'FAILED', error: 'no history method' })
    expect(j.anomaly).toMatchObject({ baseline: 'history', n: 0, needed: 0, from: null })
  })
})
