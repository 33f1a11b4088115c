// Types and input validation shared by the three MetricDB stores for the history features:
// assertion history (anomaly baselines leave out failed days), pinned baselines, and retention.

import { z } from 'zod'
import { DqxError } from '../core/errors.js'
import { checkTagName, parseIsoDate, shiftDate } from '../core/result-key.js'
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

const text = (what: string) =>
  z.string({ error: (iss) => `${what} must be a non-empty string, got ${typeof iss.input}` }).min(1, {
    error: `${what} must be a non-empty string, got an empty string`,
  })

/** Tag names follow the ResultKey rule (checkTagName): the reserved names are refused with its message. */
const TAGS = (what: string) => `${what}: tags must be an object of string values, e.g. { env: 'prod' }`

/**
 * Tag names follow the ResultKey rule (checkTagName), judged on the raw object: a parsed record
 * would no longer show an own `__proto__` key.
 */
const tags = (what: string) =>
  z
    .unknown()
    .superRefine((t, ctx) => {
      if (t === null || typeof t !== 'object' || Array.isArray(t)) return
      for (const name of Object.keys(t)) {
        try {
          checkTagName(name)
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `${what}: ${(err as Error).message}`, abort: true })
        }
      }
    })
    .pipe(z.record(z.string(), z.string({ error: TAGS(what) }), { error: TAGS(what) }))
    .optional()

const targetSchema = (what: string) =>
  z.looseObject(
    { metric: text(`${what}: metric`), dataset: text(`${what}: dataset`), tags: tags(what) },
    { error: `${what} takes { metric, dataset, tags? }` },
  )

const finite = (what: string) =>
  z
    .number({ error: (iss) => `${what} must be a finite number, got ${String(iss.input)}` })
    .refine(Number.isFinite, {
      error: (iss) => `${what} must be a finite number, got ${String(iss.input)}`,
    })

const isoDate = (what: string) =>
  z.unknown().superRefine((v, ctx) => {
    try {
      parseIsoDate(v, what)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
    }
  })

const PIN = 'pinBaseline()'
const EITHER = `${PIN} takes either value (and optionally spread) or from and to, e.g. { metric: 'sum(revenue)', dataset: 'orders', from: '2026-10-01', to: '2026-10-31' }`

/** Exactly one form, judged before the fields of either: the message shows both forms. */
const oneForm = z.unknown().superRefine((o, ctx) => {
  if (o === null || typeof o !== 'object') return
  const { value, from, to } = o as Record<string, unknown>
  if ((value !== undefined) === (from !== undefined || to !== undefined)) {
    ctx.addIssue({ code: 'custom', message: EITHER, abort: true })
    return
  }
  // The range form needs both ends: a missing one gets parseIsoDate's message.
  for (const [end, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined || v !== undefined) continue
    try {
      parseIsoDate(v, `${PIN}: ${end}`)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message, abort: true })
    }
  }
})

const pinSchema = oneForm.pipe(
  targetSchema(PIN).extend({
    value: finite(`${PIN}: value`).optional(),
    spread: z
      .number({ error: (iss) => `${PIN}: spread must be a non-negative number, got ${String(iss.input)}` })
      .refine((n) => Number.isFinite(n) && n >= 0, {
        error: (iss) => `${PIN}: spread must be a non-negative number, got ${String(iss.input)}`,
      })
      .optional(),
    from: isoDate(`${PIN}: from`).optional(),
    to: isoDate(`${PIN}: to`).optional(),
  }),
)

/** The first issue of a failed parse as the DqxError callers have always seen. */
function parsed<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new DqxError('INVALID_ARGUMENT', (result.error.issues[0] as z.core.$ZodIssue).message)
}

function canonicalTags(t: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return JSON.parse(tagsKey(t ?? {})) as Record<string, string>
}

/** Validates a pin target; `tags` come back in canonical (sorted) order. */
export function normalizeTarget(t: unknown, what: string): Omit<PinRow, 'value' | 'spread' | 'from' | 'to'> {
  const o = parsed(targetSchema(what), t)
  const tags = canonicalTags(o.tags)
  return { metric: o.metric, dataset: o.dataset, tags, tagsText: JSON.stringify(tags) }
}

/** Validates `pinBaseline()` input: a target plus exactly one of a finite `value` or a `from`..`to` range. */
export function normalizePin(pin: unknown): PinRow {
  const o = parsed(pinSchema, pin)
  const tags = canonicalTags(o.tags)
  const target = { metric: o.metric, dataset: o.dataset, tags, tagsText: JSON.stringify(tags) }
  if (o.value !== undefined)
    return { ...target, value: o.value, spread: o.spread ?? null, from: null, to: null }
  const [from, to] = [o.from as string, o.to as string]
  if (from > to) throw new DqxError('INVALID_ARGUMENT', `${PIN}: from (${from}) is after to (${to})`)
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
const pruneSchema = z.looseObject(
  {
    olderThanDays: z
      .int({
        error: (iss) =>
          `prune(): olderThanDays must be a non-negative whole number, got ${String(iss.input)}`,
      })
      .min(0, {
        error: (iss) =>
          `prune(): olderThanDays must be a non-negative whole number, got ${String(iss.input)}`,
      }),
    now: z
      .unknown()
      .superRefine((v, ctx) => {
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime()))
            ctx.addIssue({
              code: 'custom',
              message: "prune(): now must be a 'YYYY-MM-DD' string or a valid Date, got an invalid Date",
            })
          return
        }
        try {
          parseIsoDate(v, 'prune(): now')
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message })
        }
      })
      .optional(),
  },
  { error: 'prune() takes { olderThanDays, now? }' },
)

export function pruneCutoff(options: unknown): string {
  const { olderThanDays: days, now } = parsed(pruneSchema, options)
  const today =
    now === undefined
      ? new Date().toISOString().slice(0, 10)
      : now instanceof Date
        ? now.toISOString().slice(0, 10)
        : (now as string)
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
