import { DqxError } from './errors.js'

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Parses 'YYYY-MM-DD' into a UTC timestamp, refusing dates that do not exist (2026-02-30). */
export function parseIsoDate(date: unknown, what = 'date'): number {
  if (typeof date !== 'string') {
    throw new DqxError('INVALID_DATE', `${what} must be a 'YYYY-MM-DD' string, got ${typeof date}`)
  }
  const m = DATE_RE.exec(date)
  if (!m)
    throw new DqxError('INVALID_DATE', `${what} '${date}' is not in 'YYYY-MM-DD' form, e.g. '2026-11-25'`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  // Not Date.UTC(y, …): it maps years 0–99 to 1900–1999, which would reject '0099-01-01'.
  const back = new Date(0)
  back.setUTCFullYear(y, mo - 1, d)
  const t = back.getTime()
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new DqxError(
      'INVALID_DATE',
      `${what} '${date}' does not exist in the calendar; use a real day such as '${y}-${String(Math.min(Math.max(mo, 1), 12)).padStart(2, '0')}-01'`,
    )
  }
  return t
}

const DAY_MS = 86_400_000

/** Shifts an ISO date by whole days (negative = into the past). */
export function shiftDate(date: string, days: number): string {
  return new Date(parseIsoDate(date) + days * DAY_MS).toISOString().slice(0, 10)
}

const TAG_KEY_RE = /^[A-Za-z_][A-Za-z0-9_.:-]*$/
/** Names every JavaScript object already has a meaning for: as tag names they would vanish or corrupt a tags object. */
const RESERVED_TAG_NAMES = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Refuses a tag name that cannot be one: outside letters, digits and `_ . : -`, or one of
 * `__proto__`, `constructor`, `prototype`. The one rule for ResultKey, `dqx run --tag` and pins.
 */
export function checkTagName(name: string): void {
  if (RESERVED_TAG_NAMES.has(name)) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `ResultKey tag name ${JSON.stringify(name)} is not allowed: __proto__, constructor and prototype are reserved by JavaScript objects; choose another name, e.g. 'env'`,
    )
  }
  if (!TAG_KEY_RE.test(name)) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `ResultKey tag name ${JSON.stringify(name)} is not allowed: use letters, digits, '_', '.', ':' or '-', starting with a letter or '_'`,
    )
  }
}

/**
 * Identifies one run's slice of data: a day plus free-form tags (env, region …).
 * Metrics are stored and looked up by (metric, dataset, key), so `lag(n)` is how
 * history is addressed.
 */
export class ResultKey {
  readonly date: string
  readonly tags: Readonly<Record<string, string>>

  constructor(date: string, tags: Record<string, string> = {}) {
    parseIsoDate(date, 'ResultKey date')
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        'ResultKey tags must be an object of string values, e.g. { env: "prod" }',
      )
    }
    const clean: Record<string, string> = {}
    for (const k of Object.keys(tags).sort()) {
      const v = tags[k]
      checkTagName(k)
      if (typeof v !== 'string') {
        throw new DqxError('INVALID_ARGUMENT', `ResultKey tag '${k}' must be a string, got ${typeof v}`)
      }
      clean[k] = v
    }
    this.date = date
    this.tags = Object.freeze(clean)
    Object.freeze(this)
  }

  /** The same tags, `days` days earlier. */
  lag(days: number): ResultKey {
    if (!Number.isInteger(days) || days < 0) {
      throw new DqxError('INVALID_ARGUMENT', `lag must be a non-negative whole number of days, got ${days}`)
    }
    return days === 0 ? this : new ResultKey(shiftDate(this.date, -days), { ...this.tags })
  }

  /** Canonical text of the tags (sorted keys), used as a storage key. */
  get tagsKey(): string {
    return JSON.stringify(this.tags)
  }

  toString(): string {
    const t = Object.entries(this.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    return t ? `${this.date} [${t}]` : this.date
  }

  toJSON(): { date: string; tags: Record<string, string> } {
    return { date: this.date, tags: { ...this.tags } }
  }
}

/** Tags as people read them in messages, reports and alerts: `env=prod, region=eu` ('' without tags). */
export function formatTags(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
}
