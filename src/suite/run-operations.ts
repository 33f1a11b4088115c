// What profiles, tunables and data availability change about a run, applied to the planned checks:
// before the scan (disabled assertions and a skipped run date need no metrics; bounds take the
// tunables' current values; scaled values and new severities) and after it (missing history).

import type { Logger } from 'pino'
import {
  type AvailabilityRules,
  checkThreshold,
  skippedRunDate,
  unavailableHistory,
} from '../core/availability.js'
import type { CollectedCheck } from '../core/check.js'
import { didYouMean } from '../core/did-you-mean.js'
import type { AssertionOverride, PlannedCheck } from '../core/evaluate.js'
import type { MetricRef } from '../core/expression.js'
import { checkProfiles, type Profile, resolveProfiles, ScaledExpr } from '../core/profile.js'
import type { ResultKey } from '../core/result-key.js'
import type { TunableValues } from '../core/tunable.js'
import type { MetricDB } from '../engine/metric-db.js'
import { SuiteTunables, valuesOf } from './suite-tunables.js'

/** The suite options this module reads (validated here, at construction). */
export interface OperationsOptions {
  /** Calendar-scoped rules that disable, scale or re-grade assertions (docs/operations.md). */
  profiles?: readonly Profile[]
  /** 0..1: share of needed history that must be available; below it the assertion is SKIPPED. */
  dataAvThreshold?: number
}

/** One run's view: active profiles, tunable values and availability rules. */
export interface RunOperations {
  /** Current tunable values (operands and bounds). */
  readonly tunables: TunableValues
  /** Before the scan: profiles, tunable bounds and a skipped run date applied. */
  prepare(planned: readonly PlannedCheck[]): PlannedCheck[]
  /** After the scan: assertions whose history is unavailable are SKIPPED. */
  judgeHistory(planned: readonly PlannedCheck[], missing: (ref: MetricRef) => boolean): PlannedCheck[]
}

export class SuiteOperations {
  readonly profiles: readonly Profile[]
  readonly dataAvThreshold: number | undefined
  readonly tunables: SuiteTunables

  constructor(
    suite: string,
    options: OperationsOptions,
    collected: readonly CollectedCheck[],
    logger: Pick<Logger, 'warn'>,
  ) {
    this.profiles = checkProfiles(options.profiles)
    this.dataAvThreshold = checkThreshold(options.dataAvThreshold)
    this.tunables = new SuiteTunables(suite, collected)
    for (const warning of unmatchedSelectors(this.profiles, collected)) logger.warn({ suite }, warning)
  }

  /** Names of the profiles active on the key's date; undefined for a suite without profiles. */
  activeProfileNames(key: ResultKey): string[] | undefined {
    if (this.profiles.length === 0) return undefined
    return this.profiles.filter((p) => p.isActive(key.date)).map((p) => p.name)
  }

  /** Reads the tunables' current values (one MetricDB query, none without tunables). */
  async forRun(
    key: ResultKey,
    db: MetricDB,
    skipDates: (dataset: string) => ReadonlySet<string>,
  ): Promise<RunOperations> {
    const values = valuesOf(await this.tunables.current(db))
    const active = this.profiles.filter((p) => p.isActive(key.date))
    const rules: AvailabilityRules = { key, skipDates, threshold: this.dataAvThreshold }
    return {
      tunables: values,
      prepare: (planned) => planned.map((pc) => prepareCheck(pc, active, values, rules)),
      judgeHistory: (planned, missing) =>
        planned.map((pc) => {
          if (pc.skipReason !== undefined) return pc
          let overrides: Map<string, AssertionOverride> | undefined
          for (const a of pc.assertions) {
            const o = pc.overrides?.get(a.name)
            if (o?.skip || a.schema) continue
            const reason = unavailableHistory(a, rules, missing)
            if (reason === undefined) continue
            overrides ??= new Map(pc.overrides)
            overrides.set(a.name, { ...o, skip: { reason, cause: 'data-unavailable' } })
          }
          return overrides ? { ...pc, overrides } : pc
        }),
    }
  }
}

function prepareCheck(
  pc: PlannedCheck,
  active: readonly Profile[],
  values: TunableValues,
  rules: AvailabilityRules,
): PlannedCheck {
  if (pc.skipReason !== undefined) return pc
  const overrides = new Map<string, AssertionOverride>()
  const assertions = pc.assertions.map((a) => {
    const resolved = resolveProfiles(active, pc.collected.check.name, a)
    let spec = a
    if (a.bindTunables) spec = { ...spec, validator: a.bindTunables(values) }
    if (resolved.scale !== 1) spec = { ...spec, expr: new ScaledExpr(spec.expr, resolved.scale) }
    if (resolved.severity !== undefined) spec = { ...spec, severity: resolved.severity }
    const o: AssertionOverride = {}
    if (resolved.effects.length > 0) o.profiles = resolved.effects
    if (resolved.disabledBy) {
      const { profile, rule } = resolved.disabledBy
      o.skip = { reason: `disabled by profile '${profile}' (${rule})`, cause: 'disabled-by-profile' }
    } else if (!a.schema) {
      const reason = skippedRunDate(a, rules)
      if (reason !== undefined) o.skip = { reason, cause: 'data-unavailable' }
    }
    if (o.profiles || o.skip) overrides.set(a.name, o)
    return spec
  })
  return overrides.size > 0 ? { ...pc, assertions, overrides } : { ...pc, assertions }
}

/**
 * A rule naming a check or assertion the suite does not have selects nothing: most likely a typo,
 * so it is reported (a warning, not an error: one list of profiles may serve several suites).
 */
function unmatchedSelectors(profiles: readonly Profile[], collected: readonly CollectedCheck[]): string[] {
  const out: string[] = []
  const checks = new Map(collected.map((c) => [c.check.name, c.assertions.map((a) => a.name)]))
  for (const p of profiles) {
    for (const r of p.rules) {
      const s = r.selector
      if (s.kind !== 'assertion') continue
      const names = checks.get(s.check)
      if (names === undefined) {
        const hint = didYouMean(s.check, [...checks.keys()])
        out.push(
          `profile '${p.name}': ${r.describe()} names no check of this suite${hint ? ` — did you mean '${hint}'?` : ''}; the rule selects nothing here`,
        )
      } else if (s.assertion !== undefined && !names.includes(s.assertion)) {
        const hint = didYouMean(s.assertion, names)
        out.push(
          `profile '${p.name}': ${r.describe()}: check '${s.check}' has no such assertion${hint ? ` — did you mean '${hint}'?` : ''}; the rule selects nothing here`,
        )
      }
    }
  }
  return out
}
