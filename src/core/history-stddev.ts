import { DqxError } from './errors.js'
import { type EvalResult, Expr, type Lookup, Metric, type MetricRef } from './expression.js'

/** `mp.ext.stddev(metric, { offset, n })`: which days of the metric's stored history to read. */
export interface HistoryWindow {
  /** Days back from the run's date to the window's last day: 0 = today (default), 1 = yesterday. */
  offset?: number
  /** Days in the window, the last one included: `offset` … `offset + n − 1` days back. */
  n: number
}

/**
 * The sample standard deviation of one metric's values on `n` consecutive days ending `offset`
 * days back (Python DQX `ext.stddev`). Today's value (offset 0) comes from the run's scan, the
 * others from the MetricDB, each as a symbol of its own. Every day must have a value: a missing
 * day fails the assertion naming the days, never a stddev over fewer values. One day gives 0.
 */
export class HistoryStddevExpr extends Expr {
  readonly days: readonly Metric[]
  constructor(
    readonly metric: Metric,
    readonly offset: number,
    readonly n: number,
  ) {
    super()
    this.days = Array.from({ length: n }, (_, i) => metric.lagged(offset + i))
  }
  evaluate(lookup: Lookup): EvalResult {
    const values: number[] = []
    const missing: string[] = []
    for (const day of this.days) {
      const r = lookup(day)
      if (r.ok) values.push(r.value)
      else missing.push(r.error)
    }
    if (missing.length > 0) {
      const first = missing[0] as string
      return {
        ok: false,
        error: `${this.toString()}: ${missing.length} of ${this.n} day(s) without a value; ${first}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`,
      }
    }
    if (values.length < 2) return { ok: true, value: 0 }
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0)
    const sd = Math.sqrt(ss / (values.length - 1))
    return Number.isFinite(sd)
      ? { ok: true, value: sd }
      : { ok: false, error: `${this.toString()} is not finite` }
  }
  refs(): MetricRef[] {
    return [...this.days]
  }
  withDataset(dataset: string): Expr {
    return this.metric.dataset === undefined
      ? new HistoryStddevExpr(this.metric.withDataset(dataset), this.offset, this.n)
      : this
  }
  toString(): string {
    return `stddev(${this.metric.toString()}, offset ${this.offset}, n ${this.n})`
  }
}

function wholeNumber(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `ext.stddev(): ${what} must be a whole number ${min === 0 ? '>= 0' : `>= ${min}`}, got ${String(v)}`,
    )
  }
  return v
}

/**
 * Metrics derived from a metric's stored history (`mp.ext`, as in Python DQX). dayOverDay and
 * weekOverWeek are also methods of every metric (`mp.sum('x').dayOverDay()`).
 */
export class ExtendedMetrics {
  /** See HistoryStddevExpr: the sample stddev of `n` days of `metric` ending `offset` days back. */
  stddev(metric: Metric, window: HistoryWindow): Expr {
    if (!(metric instanceof Metric)) {
      throw new DqxError(
        'CHECK_DEFINITION',
        'ext.stddev() needs a single metric such as mp.sum("revenue"), not an expression: its history is read per day',
      )
    }
    if (window === null || typeof window !== 'object') {
      throw new DqxError('CHECK_DEFINITION', 'ext.stddev() needs a window: { offset?: 0, n: 7 }')
    }
    const offset = wholeNumber(window.offset ?? 0, 'offset', 0)
    const n = wholeNumber(window.n, 'n', 1)
    return new HistoryStddevExpr(metric, offset, n)
  }
  /** `metric.dayOverDay()`: today's value over yesterday's. */
  dayOverDay(metric: Metric): Expr {
    return metric.dayOverDay()
  }
  /** `metric.weekOverWeek()`: today's value over the value 7 days back. */
  weekOverWeek(metric: Metric): Expr {
    return metric.weekOverWeek()
  }
}
