// Anomaly assertions (`isNotAnomalous`): option validation, the baseline statistics of each method,
// and the verdict. Pure and synchronous; the history itself is read from the MetricDB by
// anomaly-history.ts before evaluation.
import { z } from 'zod'
import { DqxError } from './errors.js'
import { parseIsoDate, shiftDate } from './result-key.js'
import type { AnomalyDetail, AnomalyMethod, AssertionStatus } from './types.js'

export type { AnomalyDetail, AnomalyMethod }

export const ANOMALY_METHODS: readonly AnomalyMethod[] = ['zscore', 'mad', 'relativeChange']

/** What to do when the baseline has fewer days than needed. */
export interface MinHistory {
  /** Baseline days needed (with `seasonality: 'weekly'`: same-weekday days). */
  days: number
  /** 'fail' (default): FAILED with an error; 'skip': SKIPPED with the same message. */
  otherwise?: 'fail' | 'skip'
}

/** `isNotAnomalous(options)`: judge today's value against the MetricDB history of the same expression. */
export interface AnomalyOptions {
  method: AnomalyMethod
  /** Baseline length: days back (default 14), or weeks back with `seasonality: 'weekly'` (default 4). */
  window?: number
  /** Largest score still normal. Defaults: zscore 3, mad 3.5, relativeChange 0.5 (±50%). */
  threshold?: number
  /** 'weekly': compare only with the same weekday, one value per week. */
  seasonality?: 'weekly'
  /** Days the baseline needs (a number = `{ days }`); default half the window, at least 3, at most the window. */
  minHistory?: number | MinHistory
}

/** AnomalyOptions with every default filled in. */
export interface AnomalyConfig {
  readonly method: AnomalyMethod
  readonly window: number
  readonly threshold: number
  readonly weekly: boolean
  readonly minHistory: Readonly<Required<MinHistory>>
}

export const DEFAULT_THRESHOLD: Readonly<Record<AnomalyMethod, number>> = {
  zscore: 3,
  mad: 3.5,
  relativeChange: 0.5,
}
/** Fewest baseline values each method can work with (a sample sd needs two). */
const MIN_POINTS: Readonly<Record<AnomalyMethod, number>> = { zscore: 2, mad: 1, relativeChange: 1 }
const MAX_WINDOW = 3660
/** MAD × 1.4826 estimates the standard deviation of normal data (the modified z-score). */
export const MAD_SCALE = 1.4826
/** When MAD is 0: mean absolute deviation × √(π/2) (Iglewicz & Hoaglin; IBM's modified z-score). */
export const MEAN_AD_SCALE = 1.253314
/** Same absolute slack as the comparison assertions (TOLERANCE), for "equal to the baseline". */
const EPS = 1e-9

function bad(message: string): DqxError {
  return new DqxError('CHECK_DEFINITION', `isNotAnomalous(): ${message}`)
}

const shown = (v: unknown): string => JSON.stringify(v) ?? String(v)

const wholeNumber = (what: string, min: number, max: number) => {
  const message = (iss: { input?: unknown }) =>
    `${what} must be a whole number from ${min} to ${max}, got ${String(iss.input)}`
  return z.int({ error: message }).min(min, { error: message }).max(max, { error: message })
}

/** The options that do not depend on each other; window and minHistory are judged once method and seasonality are known. */
const anomalyOptionsSchema = z.looseObject(
  {
    method: z.enum(ANOMALY_METHODS as [AnomalyMethod, ...AnomalyMethod[]], {
      error: (iss) => `method must be 'zscore', 'mad' or 'relativeChange', got ${shown(iss.input)}`,
    }),
    seasonality: z
      .literal('weekly', {
        error: (iss) => `seasonality must be 'weekly' or left out, got ${shown(iss.input)}`,
      })
      .optional(),
    threshold: z
      .number({ error: (iss) => `threshold must be a positive number, got ${String(iss.input)}` })
      .positive({ error: (iss) => `threshold must be a positive number, got ${String(iss.input)}` })
      .optional(),
    window: z.unknown().optional(),
    minHistory: z.unknown().optional(),
  },
  { error: "takes options such as { method: 'zscore' }" },
)

const minHistorySchema = (window: number, min: number, unit: string) =>
  z.union(
    [
      wholeNumber(`minHistory.days (at most the window of ${window} ${unit})`, min, window).transform(
        (days) => ({
          days,
          otherwise: 'fail' as const,
        }),
      ),
      z.object({
        days: wholeNumber(`minHistory.days (at most the window of ${window} ${unit})`, min, window),
        otherwise: z
          .enum(['fail', 'skip'], {
            error: (iss) => `minHistory.otherwise must be 'fail' or 'skip', got ${shown(iss.input)}`,
          })
          .default('fail'),
      }),
    ],
    {
      error: (iss) =>
        `minHistory must be a number of days or { days, otherwise: 'fail' | 'skip' }, got ${String(iss.input)}`,
    },
  )

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  // A union reports its members' issues nested: the most specific message is the deepest.
  let issue = r.error.issues[0] as z.core.$ZodIssue
  while (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const inner = issue.errors.map((e) => e[0]).find((e) => e !== undefined && e.code !== 'invalid_type')
    if (!inner) break
    issue = inner
  }
  throw bad(issue.message)
}

/** Validates isNotAnomalous() options and fills in the defaults; a bad option is a CHECK_DEFINITION error. */
export function resolveAnomalyOptions(options: unknown): AnomalyConfig {
  const o = parse(anomalyOptionsSchema, options)
  const weekly = o.seasonality === 'weekly'
  const unit = weekly ? 'weeks' : 'days'
  const min = MIN_POINTS[o.method]
  const window = parse(wholeNumber(`window (${unit})`, min, MAX_WINDOW), o.window ?? (weekly ? 4 : 14))
  const threshold = o.threshold ?? DEFAULT_THRESHOLD[o.method]
  const minHistory = parse(
    minHistorySchema(window, min, unit),
    // null is a mistake to report, not a request for the default.
    o.minHistory === undefined ? Math.min(window, Math.max(3, Math.ceil(window / 2))) : o.minHistory,
  )
  return Object.freeze({
    method: o.method,
    window,
    threshold,
    weekly,
    minHistory: Object.freeze(minHistory),
  })
}

const METHOD_TEXT: Readonly<Record<AnomalyMethod, string>> = {
  zscore: 'zscore',
  mad: 'modified zscore',
  relativeChange: 'relative change',
}

/** The assertion's bound before any history is read: `not anomalous (zscore ≤ 3 over 14 days)`. */
export function describeAnomaly(c: AnomalyConfig): string {
  return `not anomalous (${METHOD_TEXT[c.method]} ≤ ${c.threshold} over ${c.window} ${c.weekly ? 'weeks, same weekday' : 'days'})`
}

/** The baseline dates of a run on `date`, oldest first: the `window` days (or same weekdays) before it. */
export function baselineDates(date: string, c: Pick<AnomalyConfig, 'window' | 'weekly'>): string[] {
  const step = c.weekly ? 7 : 1
  const out: string[] = []
  for (let k = c.window; k >= 1; k--) out.push(shiftDate(date, -k * step))
  return out
}

/** Every date in [from, to]; with `weekday`, only the dates on that weekday (0 = Sunday, UTC). */
export function datesBetween(from: string, to: string, weekday?: number): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = shiftDate(d, 1)) {
    if (weekday === undefined || weekdayOf(d) === weekday) out.push(d)
  }
  return out
}

export function weekdayOf(date: string): number {
  return new Date(parseIsoDate(date)).getUTCDay()
}

const WEEKDAYS = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays']

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

/** Sample standard deviation (n − 1), two-pass. */
export function sampleSd(values: readonly number[]): number {
  const m = mean(values)
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1))
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** A baseline reduced to what a method compares with: score = |value − center| / scale. */
export interface BaselineStats {
  /** Mean (zscore) or median (mad, relativeChange). */
  center: number
  /** sd (zscore), MAD (mad), null (relativeChange). */
  spread: number | null
  /** The score's denominator: sd, 1.4826·MAD (1.253314·mean AD when MAD is 0), |median|. */
  scale: number
  /** Text of the statistics for the bound, e.g. `mean 100.2, sd 4.1`. */
  text: string
}

/** A statistic for a bound text: 4 significant digits (whole numbers from 1000 up), no float noise. */
export function fmt(n: number): string {
  return Math.abs(n) >= 1000 ? String(Math.round(n)) : String(Number(n.toPrecision(4)))
}

/**
 * A spread that is only floating-point noise (the sd of fourteen 0.04s is 7e-18, not 0) is 0:
 * "no spread" should read as such in the bound, not as a score of 3e16.
 */
function denoise(spread: number, center: number): number {
  return spread <= 1e-12 * Math.max(1, Math.abs(center)) ? 0 : spread
}

/** The statistics of a baseline (at least the method's minimum of values). */
export function baselineStats(method: AnomalyMethod, values: readonly number[]): BaselineStats {
  if (method === 'zscore') {
    const m = mean(values)
    const sd = denoise(sampleSd(values), m)
    return { center: m, spread: sd, scale: sd, text: `mean ${fmt(m)}, sd ${fmt(sd)}` }
  }
  const med = median(values)
  if (method === 'relativeChange')
    return { center: med, spread: null, scale: Math.abs(med), text: `median ${fmt(med)}` }
  const deviations = values.map((v) => Math.abs(v - med))
  const mad = denoise(median(deviations), med)
  if (mad > 0)
    return { center: med, spread: mad, scale: MAD_SCALE * mad, text: `median ${fmt(med)}, MAD ${fmt(mad)}` }
  const meanAd = denoise(mean(deviations), med)
  return {
    center: med,
    spread: 0,
    scale: MEAN_AD_SCALE * meanAd,
    text: `median ${fmt(med)}, MAD 0, mean AD ${fmt(meanAd)}`,
  }
}

/** Statistics of a pinned value: the value is the center, `spread` the sd (zscore) or MAD (mad). */
export function pinnedStats(
  method: AnomalyMethod,
  value: number,
  spread: number | undefined,
): BaselineStats | string {
  if (method === 'relativeChange')
    return { center: value, spread: null, scale: Math.abs(value), text: `pinned median ${fmt(value)}` }
  if (spread === undefined) {
    const what = method === 'zscore' ? 'its standard deviation' : 'its MAD'
    return `the pinned baseline has a value but no spread, and ${method} needs ${what}: pin it with pinBaseline({ …, value, spread })`
  }
  return method === 'zscore'
    ? { center: value, spread, scale: spread, text: `pinned mean ${fmt(value)}, sd ${fmt(spread)}` }
    : {
        center: value,
        spread,
        scale: MAD_SCALE * spread,
        text: `pinned median ${fmt(value)}, MAD ${fmt(spread)}`,
      }
}

/** |value − center| / scale; with a zero scale, 0 when the value equals the center and Infinity otherwise. */
export function anomalyScore(value: number, stats: Pick<BaselineStats, 'center' | 'scale'>): number {
  const distance = Math.abs(value - stats.center)
  if (stats.scale === 0) return distance <= EPS ? 0 : Number.POSITIVE_INFINITY
  return distance / stats.scale
}

/** Where a baseline comes from, prepared by anomaly-history.ts. */
export type AnomalyBaseline =
  | {
      kind: 'history' | 'pinnedRange'
      /** The values of the baseline days, oldest first. */
      values: readonly number[]
      from: string
      to: string
      /** Dates in the window left out because this assertion FAILED on them. */
      excluded: readonly string[]
      /** What the values are of, for messages: `sum(revenue) on 'orders' [env=prod]`. */
      subject: string
      /** The run's weekday (0 = Sunday) with weekly seasonality. */
      weekday?: number
    }
  | { kind: 'pinnedValue'; value: number; spread?: number }
  | { kind: 'unavailable'; error: string }

/** The verdict of one anomaly assertion. */
export interface AnomalyJudgement {
  status: AssertionStatus
  bound: string
  error?: string
  anomaly: AnomalyDetail
}

function detail(
  c: AnomalyConfig,
  b: AnomalyBaseline,
  stats: BaselineStats | undefined,
  score: number | null,
  n: number,
): AnomalyDetail {
  const ranged = b.kind === 'history' || b.kind === 'pinnedRange'
  return {
    method: c.method,
    threshold: c.threshold,
    score,
    center: stats?.center ?? null,
    spread: stats?.spread ?? null,
    n,
    needed: ranged ? c.minHistory.days : 0,
    baseline: b.kind === 'unavailable' ? 'history' : b.kind,
    from: ranged ? b.from : null,
    to: ranged ? b.to : null,
    excluded: b.kind === 'history' ? [...b.excluded] : [],
    weekly: c.weekly,
  }
}

/** Judges today's value against a prepared baseline. Never throws; too little history is FAILED (or SKIPPED), never PASSED. */
export function judgeAnomaly(value: number, c: AnomalyConfig, b: AnomalyBaseline): AnomalyJudgement {
  const head = `${METHOD_TEXT[c.method]} ≤ ${fmt(c.threshold)}`
  if (b.kind === 'unavailable') {
    return {
      status: 'FAILED',
      bound: describeAnomaly(c),
      error: b.error,
      anomaly: detail(c, b, undefined, null, 0),
    }
  }
  let stats: BaselineStats
  let n = 0
  let suffix = ''
  if (b.kind === 'pinnedValue') {
    const pinned = pinnedStats(c.method, b.value, b.spread)
    if (typeof pinned === 'string') {
      return {
        status: 'FAILED',
        bound: describeAnomaly(c),
        error: pinned,
        anomaly: detail(c, b, undefined, null, 0),
      }
    }
    stats = pinned
  } else {
    n = b.values.length
    const unit = b.weekday === undefined ? (n === 1 ? 'day' : 'days') : (WEEKDAYS[b.weekday] as string)
    if (n < c.minHistory.days) {
      const skip = c.minHistory.otherwise === 'skip'
      const left = b.excluded.length
      const error =
        `too little history for ${c.method}: ${n} ${unit} with a value of ${b.subject} between ${b.from} and ${b.to}` +
        `${b.kind === 'pinnedRange' ? ' (the pinned range)' : ''}, need ${c.minHistory.days} (minHistory.days)` +
        (left > 0
          ? `; ${left} more ${left === 1 ? 'day was' : 'days were'} left out because this assertion failed on ${left === 1 ? 'it' : 'them'} (${b.excluded.join(', ')})`
          : '') +
        (skip ? "; skipped because minHistory.otherwise is 'skip'" : '')
      return {
        status: skip ? 'SKIPPED' : 'FAILED',
        bound: describeAnomaly(c),
        error,
        anomaly: detail(c, b, undefined, null, n),
      }
    }
    stats = baselineStats(c.method, b.values)
    suffix = `, n ${n}${b.weekday === undefined ? '' : ` ${unit}`}${b.kind === 'pinnedRange' ? `, pinned ${b.from}..${b.to}` : ''}`
  }
  const score = anomalyScore(value, stats)
  return {
    status: score <= c.threshold + EPS ? 'PASSED' : 'FAILED',
    bound: `${head} (${stats.text}${suffix})`,
    anomaly: detail(c, b, stats, score, n),
  }
}
