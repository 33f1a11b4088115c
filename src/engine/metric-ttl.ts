// Metric TTL (time to live), shared by the three MetricDB stores. A value is kept for `ttlDays`
// full days after its date: with ttlDays 30 the value of 2026-11-01 is read and kept through
// 2026-12-01 and expired from 2026-12-02 (UTC). The metric's own `ttlDays` is fixed into the row
// when it is written (expires_on = date + ttlDays); rows written without one follow the store's
// `defaultTtlDays`, read when the store judges them, so changing the default applies to them all.
import { DqxError } from '../core/errors.js'
import { parseIsoDate, shiftDate } from '../core/result-key.js'
import type { StoredMetric } from './metric-db.js'

export interface DeleteExpiredOptions {
  /** The day expiry is judged on (a Date, or 'YYYY-MM-DD'); default today (UTC). */
  now?: Date | string
}

/** What `deleteExpiredMetrics` removed. */
export interface DeleteExpiredResult {
  /** Metric values deleted. */
  deleted: number
  /** The day expiry was judged on ('YYYY-MM-DD'). */
  asOf: string
  /** Deleted values per metric and dataset, largest first. */
  byMetric: { metric: string; dataset: string; values: number }[]
}

/** Store options every MetricDB accepts for TTL. */
export interface TtlStoreOptions {
  /**
   * Days to keep values of metrics that declare no `ttlDays` of their own (default: forever).
   * Judged on every read and cleanup, so changing it applies to rows already stored.
   */
  defaultTtlDays?: number
}

/** A TTL as given by a user: a positive whole number of days. */
export function checkTtlDays(value: unknown, what: string, code: 'CHECK_DEFINITION' | 'METRIC_DB'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new DqxError(
      code,
      `${what}: ttlDays must be a positive whole number of days, got ${value === null ? 'null' : String(value)}`,
    )
  }
  return value
}

/** The store-wide default, validated (undefined: keep forever). */
export function defaultTtl(options: TtlStoreOptions | undefined, store: string): number | undefined {
  const v = options?.defaultTtlDays
  return v === undefined ? undefined : checkTtlDays(v, `${store}: defaultTtlDays`, 'METRIC_DB')
}

/** The day expiry is judged on: `now` as 'YYYY-MM-DD' (UTC), default today. */
export function expiryDay(options: unknown): string {
  if (options === undefined) return new Date().toISOString().slice(0, 10)
  if (options === null || typeof options !== 'object') {
    throw new DqxError('INVALID_ARGUMENT', 'deleteExpiredMetrics() takes { now?: Date | "YYYY-MM-DD" }')
  }
  const { now } = options as DeleteExpiredOptions
  if (now === undefined) return new Date().toISOString().slice(0, 10)
  if (now instanceof Date) {
    if (Number.isNaN(now.getTime())) {
      throw new DqxError('INVALID_ARGUMENT', 'deleteExpiredMetrics(): now is an invalid Date')
    }
    return now.toISOString().slice(0, 10)
  }
  parseIsoDate(now, 'deleteExpiredMetrics(): now')
  return now
}

/** The stored expiry of a value written with `ttlDays` (null: none of its own). */
export function expiresOn(date: string, ttlDays: number | undefined): string | null {
  return ttlDays === undefined ? null : shiftDate(date, ttlDays)
}

/**
 * Which rows are live on `today`: a row's own expiry (expires_on) must not have passed, and a row
 * without one must not be older than the store default. `oldestDefault` is the first live date
 * under the default (undefined: no default, such rows never expire).
 */
export interface LiveWindow {
  today: string
  oldestDefault: string | undefined
}

export function liveWindow(today: string, defaultTtlDays: number | undefined): LiveWindow {
  return {
    today,
    oldestDefault: defaultTtlDays === undefined ? undefined : shiftDate(today, -defaultTtlDays),
  }
}

/** The in-memory form of the stores' SQL predicate. */
export function isExpired(row: { date: string; expiresOn: string | null }, w: LiveWindow): boolean {
  if (row.expiresOn !== null) return row.expiresOn < w.today
  return w.oldestDefault !== undefined && row.date < w.oldestDefault
}

/** Deleted rows (metric, dataset) summed per metric and dataset, largest first. */
export function summarizeDeleted(
  rows: readonly { metric: string; dataset: string }[],
  asOf: string,
): DeleteExpiredResult {
  const counts = new Map<string, { metric: string; dataset: string; values: number }>()
  for (const r of rows) {
    const k = JSON.stringify([r.metric, r.dataset])
    const entry = counts.get(k)
    if (entry) entry.values += 1
    else counts.set(k, { metric: r.metric, dataset: r.dataset, values: 1 })
  }
  const byMetric = [...counts.values()].sort(
    (a, b) => b.values - a.values || a.dataset.localeCompare(b.dataset) || a.metric.localeCompare(b.metric),
  )
  return { deleted: rows.length, asOf, byMetric }
}

/**
 * The SQL form of isExpired over dqx_metrics' `date` and `expires_on` columns, for the SQL
 * stores: `param(i)` spells the i-th added parameter as a DATE (`CAST($3 AS DATE)`, `$3::date`).
 * Never NULL, so `NOT (…)` selects the live rows.
 */
export function expiredSql(w: LiveWindow, param: (value: string) => string): string {
  const own = `COALESCE(expires_on < ${param(w.today)}, FALSE)`
  if (w.oldestDefault === undefined) return `(${own})`
  return `(${own} OR (expires_on IS NULL AND date < ${param(w.oldestDefault)}))`
}

/**
 * `expiredSql` for a store whose placeholders are numbered `$n`: the dates are appended to
 * `params`, and `asDate` spells a placeholder as a DATE (`CAST($3 AS DATE)`, `$3::date`).
 */
export function expiredClause(
  w: LiveWindow,
  params: unknown[],
  asDate: (placeholder: string) => string,
): string {
  return expiredSql(w, (v) => {
    params.push(v)
    return asDate(`$${params.length}`)
  })
}

/**
 * True when writing `rows` may have stored values already expired on `today` (a backfill older
 * than its TTL): only then can a cleanup find more than the first one of that day did, since
 * expiry moves in whole days. A store whose default is unknown (a structural MetricDB) is judged
 * with the shortest TTL there is, one day.
 */
export function writesExpired(
  rows: readonly StoredMetric[],
  today: string,
  defaultTtlDays: number | undefined | 'unknown',
): boolean {
  const w = liveWindow(today, defaultTtlDays === 'unknown' ? 1 : defaultTtlDays)
  return rows.some((r) => isExpired({ date: r.date, expiresOn: expiresOn(r.date, r.ttlDays) }, w))
}
