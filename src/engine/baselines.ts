// Types and input validation shared by the three MetricDB stores for the history features:
// assertion history (anomaly baselines leave out failed days), pinned baselines, and retention.
import { DqxError } from '../core/errors.js'
import { parseIsoDate, shiftDate } from '../core/result-key.js'
import type { AssertionStatus } from '../core/types.js'
import { tagsKey } from './metric-db.js'

/** One assertion's outcomes over a date range (`MetricDB.getAssertionHistory`). */
export interface AssertionHistoryQuery {
  suite: string
  check: string
  assertion: string
  tags: Readonly<Record<string, string>>
  /** First and last date, inclusive ('YYYY-MM-DD'). */
  from: string
  to: string
}

/** The outcome of the latest run of an assertion on one date. */
export interface AssertionHistoryEntry {
  date: string
  status: AssertionStatus
  value: number | null
  error?: string
  runId: string
}

/**
 * What a pinned baseline applies to: the `metric` text of a single-metric assertion
 * (`sum(revenue)`), or the expression text of a compound one (`result.expression`); the dataset
 * it reads (datasets joined with ',' when it reads several); the ResultKey tags (default none).
 */
export interface BaselineTarget {
  metric: string
  dataset: string
  tags?: Readonly<Record<string, string>>
}

/**
 * A pinned baseline: either a fixed value (`spread` is the standard deviation for zscore and the
 * MAD for mad; relativeChange ignores it), or a fixed date range whose stored values are the
 * baseline instead of the rolling window.
 */
export type BaselinePin = BaselineTarget &
  (
    | { value: number; spread?: number; from?: never; to?: never }
    | { from: string; to: string; value?: never; spread?: never }
  )

/** A pin as stored: tags always present. */
export type StoredBaselinePin = { metric: string; dataset: string; tags: Record<string, string> } & (
  | { value: number; spread?: number }
  | { from: string; to: string }
)

export interface PruneOptions {
  /** Delete metrics and results whose date is more than this many days before `now`. */
  olderThanDays: number
  /** The day to count back from (a Date, or 'YYYY-MM-DD'); default today (UTC). */
  now?: Date | string
}

export interface PruneResult {
  /** Metric values deleted. */
  metrics: number
  /** Assertion results deleted. */
  results: number
  /** Rows dated before this day were deleted. */
  cutoff: string
}

/** A pin's columns, as the SQL stores keep them. */
export interface PinRow {
  metric: string
  dataset: string
  tags: Record<string, string>
  tagsText: string
  value: number | null
  spread: number | null
  from: string | null
  to: string | null
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') {
    throw new DqxError('INVALID_ARGUMENT', `${what} must be a non-empty string, got ${typeof v}`)
  }
  return v
}

function tagsOf(v: unknown, what: string): Record<string, string> {
  if (v === undefined) return {}
  if (
    v === null ||
    typeof v !== 'object' ||
    Array.isArray(v) ||
    Object.values(v).some((t) => typeof t !== 'string')
  ) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `${what}: tags must be an object of string values, e.g. { env: 'prod' }`,
    )
  }
  return JSON.parse(tagsKey(v as Record<string, string>)) as Record<string, string>
}

/** Validates a pin target; `tags` come back in canonical (sorted) order. */
export function normalizeTarget(t: unknown, what: string): Omit<PinRow, 'value' | 'spread' | 'from' | 'to'> {
  if (t === null || typeof t !== 'object') {
    throw new DqxError('INVALID_ARGUMENT', `${what} takes { metric, dataset, tags? }`)
  }
  const o = t as Record<string, unknown>
  const tags = tagsOf(o.tags, what)
  return {
    metric: text(o.metric, `${what}: metric`),
    dataset: text(o.dataset, `${what}: dataset`),
    tags,
    tagsText: JSON.stringify(tags),
  }
}

/** Validates `pinBaseline()` input: a target plus exactly one of a finite `value` or a `from`..`to` range. */
export function normalizePin(pin: unknown): PinRow {
  const what = 'pinBaseline()'
  const target = normalizeTarget(pin, what)
  const o = pin as Record<string, unknown>
  const hasValue = o.value !== undefined
  const hasRange = o.from !== undefined || o.to !== undefined
  if (hasValue === hasRange) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `${what} takes either value (and optionally spread) or from and to, e.g. { metric: 'sum(revenue)', dataset: 'orders', from: '2026-10-01', to: '2026-10-31' }`,
    )
  }
  if (hasValue) {
    const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
    if (!finite(o.value))
      throw new DqxError('INVALID_ARGUMENT', `${what}: value must be a finite number, got ${String(o.value)}`)
    if (o.spread !== undefined && (!finite(o.spread) || o.spread < 0)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        `${what}: spread must be a non-negative number, got ${String(o.spread)}`,
      )
    }
    return {
      ...target,
      value: o.value,
      spread: (o.spread as number | undefined) ?? null,
      from: null,
      to: null,
    }
  }
  parseIsoDate(o.from, `${what}: from`)
  parseIsoDate(o.to, `${what}: to`)
  const [from, to] = [o.from as string, o.to as string]
  if (from > to) throw new DqxError('INVALID_ARGUMENT', `${what}: from (${from}) is after to (${to})`)
  return { ...target, value: null, spread: null, from, to }
}

/** A stored pin back from its columns. */
export function toPin(r: Record<string, unknown>): StoredBaselinePin {
  const base = {
    metric: String(r.metric),
    dataset: String(r.dataset),
    tags: JSON.parse(String(r.tags)) as Record<string, string>,
  }
  if (r.value === null || r.value === undefined)
    return { ...base, from: String(r.from_date), to: String(r.to_date) }
  return r.spread === null || r.spread === undefined
    ? { ...base, value: Number(r.value) }
    : { ...base, value: Number(r.value), spread: Number(r.spread) }
}

/** The first date `prune()` keeps: `now` (default today, UTC) minus `olderThanDays`. */
export function pruneCutoff(options: unknown): string {
  if (options === null || typeof options !== 'object') {
    throw new DqxError('INVALID_ARGUMENT', 'prune() takes { olderThanDays, now? }')
  }
  const { olderThanDays: days, now } = options as Record<string, unknown>
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `prune(): olderThanDays must be a non-negative whole number, got ${String(days)}`,
    )
  }
  let today: string
  if (now === undefined) today = new Date().toISOString().slice(0, 10)
  else if (now instanceof Date && !Number.isNaN(now.getTime())) today = now.toISOString().slice(0, 10)
  else {
    parseIsoDate(now, 'prune(): now')
    today = now as string
  }
  return shiftDate(today, -days)
}

/** An assertion-history query, checked: the stores bind it as parameters. */
export function checkHistoryQuery(q: AssertionHistoryQuery): void {
  parseIsoDate(q.from, 'getAssertionHistory(): from')
  parseIsoDate(q.to, 'getAssertionHistory(): to')
}

/** An assertion-history row (date as text) back as an entry. */
export function toHistoryEntry(r: Record<string, unknown>): AssertionHistoryEntry {
  const e: AssertionHistoryEntry = {
    date: String(r.date),
    status: String(r.status) as AssertionHistoryEntry['status'],
    value: r.value === null ? null : Number(r.value),
    runId: String(r.run_id),
  }
  if (r.error !== null) e.error = String(r.error)
  return e
}
