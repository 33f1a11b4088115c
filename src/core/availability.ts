// Data availability: a day declared unusable for a dataset (its source's `skipDates`), or history
// that was never stored, makes the assertions that need it SKIPPED with the dates named instead of
// FAILED. The suite option `dataAvThreshold` says how much of the needed history must be there.
import type { AssertionSpec } from './assertion.js'
import { DqxError } from './errors.js'
import type { MetricRef } from './expression.js'
import type { ResultKey } from './result-key.js'

export interface AvailabilityRules {
  key: ResultKey
  /** The dates declared unavailable for a dataset (empty when none). */
  skipDates(dataset: string): ReadonlySet<string>
  /** 0..1: the share of needed values that must be available; undefined = missing history FAILS. */
  threshold: number | undefined
}

/** Checks the suite option: a number in [0, 1]. */
export function checkThreshold(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `dataAvThreshold must be a number from 0 to 1 (the share of needed history that must be available, e.g. 0.9), got ${String(value)}`,
    )
  }
  return value
}

/** The (dataset, date) pairs an assertion reads, each once, in order of first use. */
function needed(spec: AssertionSpec, key: ResultKey): { dataset: string; date: string; ref: MetricRef }[] {
  const seen = new Set<string>()
  const out: { dataset: string; date: string; ref: MetricRef }[] = []
  for (const ref of spec.expr.refs()) {
    const dataset = ref.dataset as string
    const date = key.lag(ref.lag).date
    const k = `${dataset}\u0000${date}`
    if (seen.has(k)) continue
    seen.add(k)
    out.push({ dataset, date, ref })
  }
  return out
}

function describe(pairs: readonly { dataset: string; date: string }[]): string {
  const byDataset = new Map<string, string[]>()
  for (const p of pairs) byDataset.set(p.dataset, [...(byDataset.get(p.dataset) ?? []), p.date])
  return [...byDataset].map(([d, dates]) => `'${d}' on ${dates.join(', ')}`).join('; ')
}

/**
 * Before the scan: the reason to skip an assertion that reads a dataset on the run's own date
 * when that date is declared unavailable (its metrics are then not computed at all).
 */
export function skippedRunDate(spec: AssertionSpec, rules: AvailabilityRules): string | undefined {
  const today = needed(spec, rules.key).filter(
    (n) => n.date === rules.key.date && rules.skipDates(n.dataset).has(n.date),
  )
  if (today.length === 0) return undefined
  return `data unavailable: ${describe(today)} declared in skipDates`
}

/**
 * After the scan: the reason to skip an assertion whose history is unavailable. A value on a
 * declared skip date is never judged; history missing from the MetricDB skips the assertion only
 * when less than `threshold` of the needed values are there (without a threshold it FAILS as before).
 */
export function unavailableHistory(
  spec: AssertionSpec,
  rules: AvailabilityRules,
  missing: (ref: MetricRef) => boolean,
): string | undefined {
  const all = needed(spec, rules.key)
  const declared = all.filter((n) => rules.skipDates(n.dataset).has(n.date))
  const absent = all.filter((n) => !rules.skipDates(n.dataset).has(n.date) && missing(n.ref))
  const available = all.length - declared.length - absent.length
  const parts: string[] = []
  if (declared.length > 0) parts.push(`${describe(declared)} declared in skipDates`)
  if (absent.length > 0) parts.push(`no stored value for ${describe(absent)}`)
  const share = `${available} of ${all.length} needed value${all.length === 1 ? '' : 's'} available`
  if (declared.length > 0) return `data unavailable: ${parts.join('; ')} (${share})`
  const t = rules.threshold
  if (absent.length > 0 && t !== undefined && available / all.length < t) {
    return `data unavailable: ${parts.join('; ')} (${share}, below dataAvThreshold ${t})`
  }
  return undefined
}
