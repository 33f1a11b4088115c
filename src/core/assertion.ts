import { type AnomalyConfig, type AnomalyOptions, describeAnomaly, resolveAnomalyOptions } from './anomaly.js'
import { DqxError } from './errors.js'
import type { Expr } from './expression.js'
import type { SchemaRule } from './schema.js'
import { declaredValues, type NumberOrTunable, Tunable, type TunableValues } from './tunable.js'
import { SEVERITIES, type Severity } from './types.js'

/** Comparisons allow this much slack so that 0.1 + 0.2 equals 0.3 (per assertion: where({ tolerance })). */
export const TOLERANCE = 1e-9

/**
 * The interval a comparison assertion accepts (`isGeq(0)` is `{ lo: 0 }`, `isLt(5)` is
 * `{ hi: 5, hiStrict: true }`): failed-row samples use it to select the rows that violate the bound.
 */
export interface ValueRange {
  readonly lo?: number
  readonly loStrict?: boolean
  readonly hi?: number
  readonly hiStrict?: boolean
}

/** How a value is judged: a predicate plus its human-readable bound. */
export interface Validator {
  readonly bound: string
  test(value: number): boolean
  /** The absolute slack of the comparison (default TOLERANCE). */
  readonly tolerance?: number
  /** Set by isGeq/isGt/isLeq/isLt/isBetween/isPositive/isNegative. */
  readonly range?: ValueRange
}

export interface AssertionConfig {
  name: string
  severity?: Severity
  tags?: string[]
  /** Extra columns to include in failed-row samples. */
  sampleColumns?: string[]
  /** Absolute slack of comparisons (isEq, isGeq, isBetween …); default 1e-9. */
  tolerance?: number
}

/** An assertion as the suite stores it: an expression, a validator and its labels. */
export interface AssertionSpec {
  readonly name: string
  readonly severity: Severity
  readonly tags: readonly string[]
  readonly expr: Expr
  readonly validator: Validator
  readonly sampleColumns: readonly string[]
  /** Set by isNotAnomalous(): the verdict comes from the MetricDB history, not from `validator`. */
  readonly anomaly?: AnomalyConfig
  /** Set by expectSchema()/expectSchemaUnchanged(): judged from the dataset's columns. */
  readonly schema?: SchemaRule
  /** The tunables among the bounds (`isLt(maxNullRate)`); `bindTunables` rebuilds the validator. */
  readonly tunables?: readonly Tunable[]
  /** The validator with each tunable bound at its current value (set when `tunables` is). */
  readonly bindTunables?: (values: TunableValues) => Validator
}

function finite(n: unknown, what: string): number {
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new DqxError('CHECK_DEFINITION', `${what} needs a number, got ${n === null ? 'null' : String(n)}`)
  }
  return n
}

/** A bound as given: a number (checked now) or a tunable (read when the assertion is judged). */
function bound(n: unknown, what: string): NumberOrTunable {
  return n instanceof Tunable ? n : finite(n, what)
}

/** How a bound reads in `bound`: `0.05`, or `0.1 (max_null_rate)` for a tunable. */
function label(n: NumberOrTunable, values: TunableValues): string {
  return n instanceof Tunable ? `${values(n)} (${n.name})` : String(n)
}

/** A comparison's validator for given bound values: what `is*` records, rebuilt when tunables move. */
type MakeValidator = (
  nums: number[],
  labels: string[],
) => { bound: string; test: (v: number) => boolean; range?: ValueRange }

/**
 * The lower bound must not exceed the upper one. With tunables this holds for any values they may
 * take: the lower one's max must not exceed the upper one's min.
 */
function orderedBounds(what: string, [lo, hi]: NumberOrTunable[]): void {
  const low = lo instanceof Tunable ? lo.max : (lo as number)
  const high = hi instanceof Tunable ? hi.min : (hi as number)
  if (low > high) {
    const name = (b: NumberOrTunable | undefined): string =>
      b instanceof Tunable ? `${b.name} (up to ${b.max} / down to ${b.min})` : String(b)
    throw new DqxError(
      'CHECK_DEFINITION',
      lo instanceof Tunable || hi instanceof Tunable
        ? `${what}(${name(lo)}, ${name(hi)}): the lower bound can exceed the upper bound; keep the lower tunable's max at or below the upper one's min`
        : `${what}(${lo}, ${hi}): the lower bound is above the upper bound`,
    )
  }
}

/** The builder behind `ctx.assertThat(expr)`; each `is*` method records one assertion. */
export class AssertionBuilder {
  private config: AssertionConfig | undefined

  constructor(
    private readonly expr: Expr,
    private readonly record: (spec: AssertionSpec) => void,
  ) {}

  /** Names the assertion and sets its severity (default P1) and tags. */
  where(config: AssertionConfig): this {
    if (config === null || typeof config !== 'object') {
      throw new DqxError(
        'CHECK_DEFINITION',
        'where() takes an object such as { name: "email null rate", severity: "P1" }',
      )
    }
    if (typeof config.name !== 'string' || config.name.trim() === '') {
      throw new DqxError(
        'CHECK_DEFINITION',
        `where() needs a non-empty name for the assertion on ${this.expr.toString()}`,
      )
    }
    if (config.severity !== undefined && !SEVERITIES.includes(config.severity)) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `assertion '${config.name}': severity must be one of P0, P1, P2, P3, got ${JSON.stringify(config.severity)}`,
      )
    }
    if (
      config.tags !== undefined &&
      (!Array.isArray(config.tags) || config.tags.some((t) => typeof t !== 'string'))
    ) {
      throw new DqxError('CHECK_DEFINITION', `assertion '${config.name}': tags must be an array of strings`)
    }
    if (
      config.sampleColumns !== undefined &&
      (!Array.isArray(config.sampleColumns) ||
        config.sampleColumns.some((c) => typeof c !== 'string' || c === ''))
    ) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `assertion '${config.name}': sampleColumns must be an array of column names`,
      )
    }
    if (
      config.tolerance !== undefined &&
      (typeof config.tolerance !== 'number' || !Number.isFinite(config.tolerance) || config.tolerance < 0)
    ) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `assertion '${config.name}': tolerance must be a finite number >= 0, got ${String(config.tolerance)}`,
      )
    }
    this.config = config
    return this
  }

  /** The comparison slack: where({ tolerance }) or TOLERANCE. */
  private get tol(): number {
    return this.config?.tolerance ?? TOLERANCE
  }

  private add(
    bound: string,
    test: (v: number) => boolean,
    extra: { range?: ValueRange; anomaly?: AnomalyConfig } = {},
  ): void {
    this.record(this.spec({ bound, test, ...(extra.range ? { range: extra.range } : {}) }, extra.anomaly))
  }

  private spec(
    made: { bound: string; test: (v: number) => boolean; range?: ValueRange },
    anomaly?: AnomalyConfig,
  ): AssertionSpec {
    const cfg = this.config
    const spec: AssertionSpec = {
      name: cfg?.name ?? `${this.expr.toString()} ${made.bound}`,
      severity: cfg?.severity ?? 'P1',
      tags: Object.freeze([...(cfg?.tags ?? [])]),
      expr: this.expr,
      validator: this.validator(made),
      sampleColumns: Object.freeze([...(cfg?.sampleColumns ?? [])]),
    }
    return anomaly ? { ...spec, anomaly } : spec
  }

  private validator(made: { bound: string; test: (v: number) => boolean; range?: ValueRange }): Validator {
    const { bound, test, range } = made
    return range
      ? { bound, test, tolerance: this.tol, range: Object.freeze(range) }
      : { bound, test, tolerance: this.tol }
  }

  /**
   * Records a comparison against `bounds`. With a tunable among them the validator is rebuilt
   * from the tunables' current values when the assertion is judged (`bindTunables`); the name
   * given by default always shows the declared values.
   */
  private compare(bounds: readonly NumberOrTunable[], make: MakeValidator): void {
    const build = (values: TunableValues): Validator =>
      this.validator(
        make(
          bounds.map((b) => (b instanceof Tunable ? values(b) : b)),
          bounds.map((b) => label(b, values)),
        ),
      )
    const tunables = bounds.filter((b): b is Tunable => b instanceof Tunable)
    const made = make(
      bounds.map((b) => (b instanceof Tunable ? b.value : b)),
      bounds.map((b) => label(b, declaredValues)),
    )
    const spec = this.spec(made)
    this.record(tunables.length === 0 ? spec : { ...spec, tunables, bindTunables: build })
  }

  isGeq(n: NumberOrTunable): void {
    const t = this.tol
    this.compare([bound(n, 'isGeq()')], ([b], [l]) => ({
      bound: `>= ${l}`,
      test: (v) => v >= (b as number) - t,
      range: { lo: b as number },
    }))
  }
  isGt(n: NumberOrTunable): void {
    const t = this.tol
    this.compare([bound(n, 'isGt()')], ([b], [l]) => ({
      bound: `> ${l}`,
      test: (v) => v > (b as number) + t,
      range: { lo: b as number, loStrict: true },
    }))
  }
  isLeq(n: NumberOrTunable): void {
    const t = this.tol
    this.compare([bound(n, 'isLeq()')], ([b], [l]) => ({
      bound: `<= ${l}`,
      test: (v) => v <= (b as number) + t,
      range: { hi: b as number },
    }))
  }
  isLt(n: NumberOrTunable): void {
    const t = this.tol
    this.compare([bound(n, 'isLt()')], ([b], [l]) => ({
      bound: `< ${l}`,
      test: (v) => v < (b as number) - t,
      range: { hi: b as number, hiStrict: true },
    }))
  }
  isEq(n: NumberOrTunable): void {
    const t = this.tol
    this.compare([bound(n, 'isEq()')], ([b], [l]) => ({
      bound: `== ${l}`,
      test: (v) => Math.abs(v - (b as number)) <= t,
    }))
  }
  isNeq(n: NumberOrTunable): void {
    const t = this.tol
    this.compare([bound(n, 'isNeq()')], ([b], [l]) => ({
      bound: `!= ${l}`,
      test: (v) => Math.abs(v - (b as number)) > t,
    }))
  }
  /** lo <= value <= hi (inclusive). */
  isBetween(lo: NumberOrTunable, hi: NumberOrTunable): void {
    const bounds = [bound(lo, 'isBetween()'), bound(hi, 'isBetween()')]
    orderedBounds('isBetween', bounds)
    const t = this.tol
    this.compare(bounds, ([a, b], [la, lb]) => ({
      bound: `in [${la}, ${lb}]`,
      test: (v) => v >= (a as number) - t && v <= (b as number) + t,
      range: { lo: a as number, hi: b as number },
    }))
  }
  /** value < lo or value > hi. */
  isNotBetween(lo: NumberOrTunable, hi: NumberOrTunable): void {
    const bounds = [bound(lo, 'isNotBetween()'), bound(hi, 'isNotBetween()')]
    orderedBounds('isNotBetween', bounds)
    const t = this.tol
    this.compare(bounds, ([a, b], [la, lb]) => ({
      bound: `not in [${la}, ${lb}]`,
      test: (v) => v < (a as number) - t || v > (b as number) + t,
    }))
  }
  isPositive(): void {
    const t = this.tol
    this.add('> 0', (v) => v > t, { range: { lo: 0, loStrict: true } })
  }
  isNegative(): void {
    const t = this.tol
    this.add('< 0', (v) => v < -t, { range: { hi: 0, hiStrict: true } })
  }
  isZero(): void {
    const t = this.tol
    this.add('== 0', (v) => Math.abs(v) <= t)
  }
  /** Records the value without judging it (always PASSED unless it cannot be computed). */
  noop(): void {
    this.add('(recorded)', () => true)
  }
  /**
   * Judges the value against its own history in the MetricDB (same expression, dataset and
   * tags; the `window` days before the run, minus days this assertion failed on): FAILED when
   * the score exceeds `threshold`, and FAILED (or SKIPPED, per `minHistory`) when the history is
   * too short. See docs/anomaly-detection.md.
   */
  isNotAnomalous(options: AnomalyOptions): void {
    const anomaly = resolveAnomalyOptions(options)
    // Never judged by the validator: the suite reads the history and judges it before evaluate().
    this.add(describeAnomaly(anomaly), () => false, { anomaly })
  }
}
