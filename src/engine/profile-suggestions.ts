import type { Severity } from '../core/types.js'
import type { ColumnProfile, DatasetProfile, ProfileValue } from './profile.js'

// Checks a profile suggests: each held on the profiled data, and each is written as TypeScript
// (`mp` and `ctx` of a check function) so that `dqx profile --write` produces a config that
// type-checks and runs. Deequ's constraint suggestion is the model: start from what the data
// is, then edit the bounds to what it must be.

/** One suggested assertion. */
export interface SuggestedAssertion {
  /** The assertion's name (`email is never null`). */
  name: string
  severity: Severity
  /** The column it is about, or undefined for dataset-level ones (row count). */
  column: string | undefined
  /** The metric expression, as TypeScript over `mp` (`mp.nullCount('email')`). */
  metric: string
  /** The assertion call (`isZero()`). */
  assertion: string
  /** Why it is suggested, for the printed list and the config's comments. */
  reason: string
}

export interface SuggestOptions {
  /** Columns confirmed unique (exact count): they get a uniqueness check. See `keyCandidates`. */
  uniqueColumns?: readonly string[]
  /** Most distinct values for an allowed-set check (default 8). */
  maxAllowedValues?: number
}

/** A TypeScript string literal (single-quoted, escaped). */
export function tsString(s: string): string {
  return `'${s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`
}

function tsValue(v: ProfileValue): string {
  return typeof v === 'string' ? tsString(v) : String(v)
}

/** Rounds outward to 3 significant digits: lo down, hi up (so the observed value stays inside). */
export function roundOutward(v: number, direction: 'down' | 'up'): number {
  if (v === 0 || !Number.isFinite(v)) return v
  const mag = 10 ** (Math.floor(Math.log10(Math.abs(v))) - 2)
  const r = direction === 'down' ? Math.floor(v / mag) * mag : Math.ceil(v / mag) * mag
  return Number(r.toPrecision(12))
}

/**
 * The range a numeric column is suggested to stay in: observed min/max widened by 10 % of the
 * spread (10 % of the value when min = max), kept at or above 0 when no value is negative,
 * rounded outward (to whole numbers for integer columns).
 */
export function rangeWithMargin(
  col: Pick<ColumnProfile, 'kind' | 'min' | 'max'>,
): [number, number] | undefined {
  if (typeof col.min !== 'number' || typeof col.max !== 'number') return undefined
  const spread = col.max - col.min
  const margin = spread > 0 ? spread * 0.1 : Math.abs(col.max) * 0.1 || 1
  let lo = col.min - margin
  let hi = col.max + margin
  if (col.min >= 0) lo = Math.max(0, lo)
  if (col.kind === 'integer') return [Math.floor(lo), Math.ceil(hi)]
  lo = roundOutward(lo, 'down')
  hi = roundOutward(hi, 'up')
  return [Math.min(lo, col.min), Math.max(hi, col.max)]
}

/**
 * Columns that look like keys: integer or string, no nulls, and an estimated distinct count of
 * at least 98 % of the rows. The estimate cannot prove uniqueness: confirm them with
 * `uniqueColumns(source, candidates)` before suggesting a uniqueness check.
 */
export function keyCandidates(p: DatasetProfile): string[] {
  if (p.rows < 2) return []
  return p.columns
    .filter(
      (c) =>
        (c.kind === 'integer' || c.kind === 'string') && c.nullCount === 0 && c.distinct >= p.rows * 0.98,
    )
    .map((c) => c.name)
}

const q = tsString

/** The checks a profile suggests, dataset-level first, then per column in column order. */
export function suggestChecks(p: DatasetProfile, options: SuggestOptions = {}): SuggestedAssertion[] {
  const unique = new Set(options.uniqueColumns ?? [])
  const maxAllowed = options.maxAllowedValues ?? 8
  const out: SuggestedAssertion[] = []
  if (p.rows === 0) {
    return [
      {
        name: `${p.dataset} has rows`,
        severity: 'P0',
        column: undefined,
        metric: 'mp.numRows()',
        assertion: 'isPositive()',
        reason: 'the profiled data was empty: at least expect rows',
      },
    ]
  }
  out.push(
    {
      name: `${p.dataset} has rows`,
      severity: 'P0',
      column: undefined,
      metric: 'mp.numRows()',
      assertion: 'isPositive()',
      reason: `${p.rows} rows`,
    },
    {
      name: `${p.dataset} row count is normal`,
      severity: 'P2',
      column: undefined,
      metric: 'mp.numRows()',
      // Skipped (not failed) until a week of runs is stored: the first runs have no history.
      assertion:
        "isNotAnomalous({ method: 'relativeChange', threshold: 0.5, minHistory: { days: 7, otherwise: 'skip' } })",
      reason: 'row count within ±50 % of its recent median, once 7 days of runs are stored',
    },
  )
  for (const c of p.columns) {
    if (c.kind === 'other') continue
    const col = q(c.name)
    if (c.nullCount === 0) {
      out.push({
        name: `${c.name} is never null`,
        severity: 'P1',
        column: c.name,
        metric: `mp.nullCount(${col})`,
        assertion: 'isZero()',
        reason: 'no null in the profiled rows',
      })
    }
    if (unique.has(c.name)) {
      out.push({
        name: `${c.name} is unique`,
        severity: 'P0',
        column: c.name,
        metric: `mp.duplicateCount([${col}])`,
        assertion: 'isZero()',
        reason: 'every value distinct: looks like a key',
      })
      continue
    }
    const values = c.topValues
    if (
      (c.kind === 'string' || c.kind === 'integer') &&
      values.length > 0 &&
      values.length <= maxAllowed &&
      values.length === c.distinct &&
      p.rows >= 2 * values.length
    ) {
      const list = [...values]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map(tsValue)
        .join(', ')
      out.push({
        name: `${c.name} in allowed set`,
        severity: 'P1',
        column: c.name,
        // Non-null rows whose value is not in the set: zero.
        metric: `mp.numRows().sub(mp.nullCount(${col})).sub(mp.countValues(${col}, [${list}]))`,
        assertion: 'isZero()',
        reason: `${values.length} distinct values`,
      })
      continue
    }
    if (c.kind === 'integer' || c.kind === 'number') {
      const range = rangeWithMargin(c)
      if (range) {
        out.push(
          {
            name: `${c.name} lower bound`,
            severity: 'P2',
            column: c.name,
            metric: `mp.minimum(${col})`,
            assertion: `isGeq(${range[0]})`,
            reason: `observed min ${c.min}, with a 10 % margin`,
          },
          {
            name: `${c.name} upper bound`,
            severity: 'P2',
            column: c.name,
            metric: `mp.maximum(${col})`,
            assertion: `isLeq(${range[1]})`,
            reason: `observed max ${c.max}, with a 10 % margin`,
          },
        )
      }
    }
    if (c.kind === 'string' && c.minLength !== undefined && c.minLength >= 1) {
      out.push({
        name: `${c.name} is never empty`,
        severity: 'P2',
        column: c.name,
        metric: `mp.minLength(${col})`,
        assertion: 'isGeq(1)',
        reason: `shortest value has ${c.minLength} characters`,
      })
    }
  }
  return out
}
