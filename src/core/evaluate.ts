import type { AssertionSpec } from './assertion.js'
import type { CollectedCheck } from './check.js'
import type { EvalResult, Lookup, MetricRef } from './expression.js'
import { metricName } from './metric-spec.js'
import type { ProfileEffect } from './profile.js'
import type { ResultKey } from './result-key.js'
import { judgeSchema, type SchemaColumn } from './schema.js'
import type { TunableValues } from './tunable.js'
import type { AnomalyDetail, AssertionResult, AssertionStatus, SkipCause, SymbolInfo } from './types.js'

/** What evaluation needs of the computed metrics. */
export interface MetricValues {
  get(dataset: string, ref: MetricRef): { value: number | null; date: string; error?: string } | undefined
}

/** What the run decided about one assertion before judging it (profiles, data availability). */
export interface AssertionOverride {
  /** SKIPPED with this reason instead of being judged. */
  skip?: { reason: string; cause: SkipCause }
  /** Copied onto the result. */
  profiles?: ProfileEffect[]
}

/** A check as the run sees it: its assertions bound to datasets, or why it is skipped. */
export interface PlannedCheck {
  collected: CollectedCheck
  assertions: readonly AssertionSpec[]
  skipReason?: string
  /** The kind of `skipReason`, copied onto the SKIPPED results. */
  skipCause?: SkipCause
  /** Per assertion name: skipped or annotated before evaluation. */
  overrides?: ReadonlyMap<string, AssertionOverride>
}

/** A verdict reached outside the assertion's validator (anomaly assertions read history). */
export interface Judgement {
  status: AssertionStatus
  bound: string
  error?: string
  anomaly?: AnomalyDetail
  skipCause?: SkipCause
}

export interface EvaluateOptions {
  /** Judges an assertion whose value was computed; undefined leaves it to the validator. */
  judge?: (check: string, assertion: AssertionSpec, value: number) => Judgement | undefined
  /** Each dataset's columns in this run (undefined: not in the run) and in the suite's previous run. */
  schemas?: {
    current(dataset: string): readonly SchemaColumn[] | undefined
    previous(dataset: string): readonly SchemaColumn[] | undefined
  }
  /** Current values of tunable operands (default: their declared values). */
  tunables?: TunableValues
}

/** A metric reference as symbols name it: `sum(revenue)`, `lag(1, sum(revenue))`. */
export function symbolName(ref: MetricRef): string {
  const base = metricName(ref.spec)
  return ref.lag === 0 ? base : `lag(${ref.lag}, ${base})`
}

/**
 * Judges every assertion against the computed metric values. Nothing here
 * throws for bad data: a missing, NULL or NaN value, or a division by zero,
 * fails only the assertion that depends on it, with the reason in `error`.
 */
export function evaluate(
  suite: string,
  key: ResultKey,
  checks: readonly PlannedCheck[],
  values: MetricValues,
  options: EvaluateOptions = {},
): { results: AssertionResult[]; symbols: SymbolInfo[] } {
  const results: AssertionResult[] = []
  const symbols: SymbolInfo[] = []
  const seen = new Set<string>()
  const tags = { ...key.tags }

  // Every metric an evaluated assertion reads becomes a symbol, x_1 … in order of first use.
  const addSymbol = (ref: MetricRef): void => {
    const dataset = ref.dataset as string
    const id = `${dataset}\u0000${symbolName(ref)}`
    if (seen.has(id)) return
    seen.add(id)
    const v = values.get(dataset, ref)
    const sym: SymbolInfo = {
      name: `x_${symbols.length + 1}`,
      metric: symbolName(ref),
      dataset,
      value: v?.value ?? null,
      date: v?.date ?? key.lag(ref.lag).date,
      tags: { ...tags },
    }
    if (v?.error !== undefined) sym.error = v.error
    symbols.push(sym)
  }

  const read = (ref: MetricRef): EvalResult => {
    const dataset = ref.dataset as string
    const v = values.get(dataset, ref)
    const what = `${symbolName(ref)} on '${dataset}'`
    if (!v) return { ok: false, error: `${what} was not computed` }
    if (v.error !== undefined) return { ok: false, error: v.error }
    if (v.value === null)
      return {
        ok: false,
        error: `${what} is NULL (no rows, or too few non-null values for it${ref.lag > 0 ? ` on ${key.lag(ref.lag).date}` : ''})`,
      }
    if (Number.isNaN(v.value)) return { ok: false, error: `${what} is NaN (the data contains NaN)` }
    return { ok: true, value: v.value }
  }
  const lookup: Lookup = options.tunables ? Object.assign(read, { tunable: options.tunables }) : read

  for (const pc of checks) {
    for (const a of pc.assertions) {
      const override = pc.overrides?.get(a.name)
      const base = {
        date: key.date,
        suite,
        check: pc.collected.check.name,
        assertion: a.name,
        severity: a.severity,
        expression: a.expr.toString(),
        bound: a.validator.bound,
        tags: { ...tags },
        assertionTags: [...a.tags],
        ...(override?.profiles ? { profiles: override.profiles.map((e) => ({ ...e })) } : {}),
      }
      if (pc.skipReason !== undefined) {
        const cause = pc.skipCause === undefined ? {} : { skipCause: pc.skipCause }
        results.push({ ...base, status: 'SKIPPED', value: null, error: pc.skipReason, ...cause })
        continue
      }
      if (override?.skip) {
        const { reason, cause } = override.skip
        results.push({ ...base, status: 'SKIPPED', value: null, error: reason, skipCause: cause })
        continue
      }
      if (a.schema !== undefined) {
        const current = options.schemas?.current(a.schema.dataset)
        if (current === undefined) {
          results.push({
            ...base,
            status: 'SKIPPED',
            value: null,
            error: `dataset '${a.schema.dataset}' not provided to this run`,
            skipCause: 'dataset-not-provided',
          })
          continue
        }
        results.push({
          ...base,
          ...judgeSchema(a.schema, current, options.schemas?.previous(a.schema.dataset)),
        })
        continue
      }
      for (const ref of a.expr.refs()) addSymbol(ref)
      const r = a.expr.evaluate(lookup)
      if (!r.ok) {
        results.push({ ...base, status: 'FAILED', value: null, error: r.error })
        continue
      }
      const judged = options.judge?.(pc.collected.check.name, a, r.value)
      if (judged) {
        results.push({ ...base, value: r.value, ...judged })
        continue
      }
      results.push({ ...base, status: a.validator.test(r.value) ? 'PASSED' : 'FAILED', value: r.value })
    }
  }
  return { results, symbols }
}
