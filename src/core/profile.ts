// Calendar-scoped changes to how assertions are judged: "during Black Friday week, revenue checks
// are P3 and their value is scaled ×1/3", "the legacy export is disabled in every environment".
// A profile is active on the ResultKey's date; its rules pick assertions by tag, check or name.
import type { AssertionSpec } from './assertion.js'
import { DqxError } from './errors.js'
import { type EvalResult, Expr, type Lookup, type MetricRef } from './expression.js'
import { parseIsoDate } from './result-key.js'
import type { Tunable } from './tunable.js'
import { SEVERITIES, type Severity } from './types.js'

/** Which assertions a rule applies to. */
export type RuleSelector =
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'assertion'; readonly check: string; readonly assertion?: string }

/**
 * One rule of a profile: a selector plus what happens to the assertions it selects. Immutable;
 * `disable()`, `set()` and `scale()` each return a new rule, so they chain:
 * `tag('revenue').scale(1 / 3).set({ severity: 'P3' })`.
 */
export class ProfileRule {
  /** Matching assertions are SKIPPED. */
  readonly disables: boolean
  /** Multiplies the assertion's value before it is judged (1 = unchanged). */
  readonly factor: number
  /** Replaces the assertion's severity. */
  readonly severity: Severity | undefined

  constructor(
    readonly selector: RuleSelector,
    actions: { disables?: boolean; factor?: number; severity?: Severity | undefined } = {},
  ) {
    this.disables = actions.disables ?? false
    this.factor = actions.factor ?? 1
    this.severity = actions.severity
    Object.freeze(this)
  }

  /** Matching assertions are SKIPPED, with the profile named in the reason. */
  disable(): ProfileRule {
    return new ProfileRule(this.selector, { ...this.actions(), disables: true })
  }

  /** Overrides what matching assertions report: `{ severity: 'P3' }`. */
  set(overrides: { severity: Severity }): ProfileRule {
    if (overrides === null || typeof overrides !== 'object' || !SEVERITIES.includes(overrides.severity)) {
      throw new DqxError(
        'PROFILE',
        `${this.describe()}.set(): severity must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(overrides?.severity)}`,
      )
    }
    return new ProfileRule(this.selector, { ...this.actions(), severity: overrides.severity })
  }

  /**
   * Multiplies the value of matching assertions by `factor` before it is judged (factors of several
   * rules multiply). To let revenue triple on a sale day, scale it by 1/3.
   */
  scale(factor: number): ProfileRule {
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) {
      throw new DqxError(
        'PROFILE',
        `${this.describe()}.scale(): the factor must be a finite number above 0, got ${String(factor)}`,
      )
    }
    return new ProfileRule(this.selector, { ...this.actions(), factor: this.factor * factor })
  }

  /** True when the rule changes something. */
  get acts(): boolean {
    return this.disables || this.factor !== 1 || this.severity !== undefined
  }

  matches(check: string, assertion: AssertionSpec): boolean {
    const s = this.selector
    if (s.kind === 'tag') return assertion.tags.includes(s.tag)
    return s.check === check && (s.assertion === undefined || s.assertion === assertion.name)
  }

  /** The selector as written: `tag('pii')`, `assertion('orders', 'has rows')`. */
  describe(): string {
    const s = this.selector
    if (s.kind === 'tag') return `tag(${JSON.stringify(s.tag)})`
    return `assertion(${JSON.stringify(s.check)}${s.assertion === undefined ? '' : `, ${JSON.stringify(s.assertion)}`})`
  }

  private actions(): { disables: boolean; factor: number; severity: Severity | undefined } {
    return { disables: this.disables, factor: this.factor, severity: this.severity }
  }
}

function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DqxError('PROFILE', `${what} must be a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Selects the assertions that carry tag `t` (`where({ tags: [t] })`). */
export function tag(t: string): ProfileRule {
  return new ProfileRule({ kind: 'tag', tag: nonEmpty(t, 'tag()') })
}

/** Selects every assertion of check `checkName`, or only the one named `assertionName`. */
export function assertion(checkName: string, assertionName?: string): ProfileRule {
  const check = nonEmpty(checkName, 'assertion(): the check name')
  if (assertionName === undefined) return new ProfileRule({ kind: 'assertion', check })
  return new ProfileRule({
    kind: 'assertion',
    check,
    assertion: nonEmpty(assertionName, 'assertion(): the assertion name'),
  })
}

/** A set of rules active on some dates: a date range (seasonal) or every date (permanent). */
export interface Profile {
  readonly name: string
  readonly kind: 'seasonal' | 'permanent'
  /** First and last active day (inclusive) of a seasonal profile. */
  readonly startDate?: string
  readonly endDate?: string
  readonly rules: readonly ProfileRule[]
  /** True when the profile applies to a run of `date` ('YYYY-MM-DD'). */
  isActive(date: string): boolean
}

function checkRules(name: string, rules: unknown): readonly ProfileRule[] {
  if (!Array.isArray(rules)) {
    throw new DqxError(
      'PROFILE',
      `profile '${name}': rules must be an array, e.g. [tag('revenue').set({ severity: 'P3' })]`,
    )
  }
  for (const [i, r] of rules.entries()) {
    if (!(r instanceof ProfileRule)) {
      throw new DqxError(
        'PROFILE',
        `profile '${name}': rules[${i}] is not a rule; build rules with tag(t) or assertion(check, name?) followed by .disable(), .set({ severity }) or .scale(factor)`,
      )
    }
    if (!r.acts) {
      throw new DqxError(
        'PROFILE',
        `profile '${name}': rules[${i}] ${r.describe()} changes nothing; add .disable(), .set({ severity }) or .scale(factor)`,
      )
    }
  }
  return Object.freeze([...(rules as ProfileRule[])])
}

function options(o: unknown, fn: string): Record<string, unknown> {
  if (o === null || typeof o !== 'object') {
    throw new DqxError(
      'PROFILE',
      `${fn}() takes options, e.g. ${fn}({ name: 'black friday', ${fn === 'seasonalProfile' ? "startDate: '2026-11-27', endDate: '2026-11-30', " : ''}rules: [...] })`,
    )
  }
  return o as Record<string, unknown>
}

/** A profile active from `startDate` through `endDate` (inclusive, 'YYYY-MM-DD'). */
export function seasonalProfile(o: {
  name: string
  startDate: string
  endDate: string
  rules: readonly ProfileRule[]
}): Profile {
  const opts = options(o, 'seasonalProfile')
  const name = nonEmpty(opts.name, 'seasonalProfile(): name')
  const start = parseIsoDate(opts.startDate, `profile '${name}': startDate`)
  const end = parseIsoDate(opts.endDate, `profile '${name}': endDate`)
  if (start > end) {
    throw new DqxError(
      'PROFILE',
      `profile '${name}': startDate ${String(opts.startDate)} is after endDate ${String(opts.endDate)}`,
    )
  }
  const startDate = opts.startDate as string
  const endDate = opts.endDate as string
  return Object.freeze({
    name,
    kind: 'seasonal' as const,
    startDate,
    endDate,
    rules: checkRules(name, opts.rules),
    isActive: (date: string) => date >= startDate && date <= endDate,
  })
}

/** A profile active on every date (per environment or account overrides). */
export function permanentProfile(o: { name: string; rules: readonly ProfileRule[] }): Profile {
  const opts = options(o, 'permanentProfile')
  const name = nonEmpty(opts.name, 'permanentProfile(): name')
  return Object.freeze({
    name,
    kind: 'permanent' as const,
    rules: checkRules(name, opts.rules),
    isActive: () => true,
  })
}

/** What one rule of an active profile did to an assertion (AssertionResult.profiles). */
export interface ProfileEffect {
  /** The profile's name. */
  profile: string
  /** The rule's selector as written, e.g. `tag("revenue")`. */
  rule: string
  /** The rule disabled the assertion (SKIPPED). */
  disabled?: true
  /** The rule's factor: the judged value is the expression's value times every factor. */
  scale?: number
  /** The severity the rule set. */
  severity?: Severity
}

/** The combined effect of every active rule on one assertion: rules apply in profile then rule order. */
export interface ResolvedProfiles {
  effects: ProfileEffect[]
  /** The first rule that disabled it. */
  disabledBy?: ProfileEffect
  /** Product of the factors. */
  scale: number
  /** The last severity set. */
  severity?: Severity
}

export function resolveProfiles(
  active: readonly Profile[],
  check: string,
  spec: AssertionSpec,
): ResolvedProfiles {
  const out: ResolvedProfiles = { effects: [], scale: 1 }
  for (const p of active) {
    for (const r of p.rules) {
      if (!r.matches(check, spec)) continue
      const effect: ProfileEffect = { profile: p.name, rule: r.describe() }
      if (r.disables) {
        effect.disabled = true
        out.disabledBy ??= effect
      }
      if (r.factor !== 1) {
        effect.scale = r.factor
        out.scale *= r.factor
      }
      if (r.severity !== undefined) {
        effect.severity = r.severity
        out.severity = r.severity
      }
      out.effects.push(effect)
    }
  }
  return out
}

/** Checks a suite's `profiles` option: an array of profiles with distinct names. */
export function checkProfiles(profiles: unknown): readonly Profile[] {
  if (profiles === undefined) return []
  if (!Array.isArray(profiles)) {
    throw new DqxError(
      'PROFILE',
      'profiles must be an array, e.g. [seasonalProfile({ … }), permanentProfile({ … })]',
    )
  }
  const names = new Set<string>()
  for (const [i, p] of profiles.entries()) {
    const ok =
      p !== null &&
      typeof p === 'object' &&
      typeof (p as Profile).name === 'string' &&
      typeof (p as Profile).isActive === 'function' &&
      Array.isArray((p as Profile).rules)
    if (!ok) {
      throw new DqxError(
        'PROFILE',
        `profiles[${i}] is not a profile; create it with seasonalProfile({ name, startDate, endDate, rules }) or permanentProfile({ name, rules })`,
      )
    }
    const name = (p as Profile).name
    if (names.has(name)) {
      throw new DqxError('PROFILE', `profiles has a duplicate name '${name}'; give each profile its own name`)
    }
    names.add(name)
  }
  return Object.freeze([...(profiles as Profile[])])
}

/**
 * An expression whose value is scaled by a profile. It reads and prints as the expression it
 * wraps, so that pinned baselines and history keyed by the expression text still match.
 */
export class ScaledExpr extends Expr {
  constructor(
    readonly inner: Expr,
    readonly factor: number,
  ) {
    super()
  }
  evaluate(lookup: Lookup): EvalResult {
    const r = this.inner.evaluate(lookup)
    return r.ok ? { ok: true, value: r.value * this.factor } : r
  }
  refs(): MetricRef[] {
    return this.inner.refs()
  }
  override tunables(): Tunable[] {
    return this.inner.tunables()
  }
  withDataset(dataset: string): Expr {
    return new ScaledExpr(this.inner.withDataset(dataset), this.factor)
  }
  toString(): string {
    return this.inner.toString()
  }
}
