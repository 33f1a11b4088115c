import { type AnomalyConfig, type AnomalyOptions, describeAnomaly, resolveAnomalyOptions } from './anomaly.js'
import { DqxError } from './errors.js'
import type { Expr } from './expression.js'
import type { SchemaRule } from './schema.js'
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
}

function finite(n: unknown, what: string): number {
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new DqxError('CHECK_DEFINITION', `${what} needs a number, got ${n === null ? 'null' : String(n)}`)
  }
  return n
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
    const cfg = this.config
    const spec: AssertionSpec = {
      name: cfg?.name ?? `${this.expr.toString()} ${bound}`,
      severity: cfg?.severity ?? 'P1',
      tags: Object.freeze([...(cfg?.tags ?? [])]),
      expr: this.expr,
      validator: extra.range
        ? { bound, test, tolerance: this.tol, range: Object.freeze(extra.range) }
        : { bound, test, tolerance: this.tol },
      sampleColumns: Object.freeze([...(cfg?.sampleColumns ?? [])]),
    }
    this.record(extra.anomaly ? { ...spec, anomaly: extra.anomaly } : spec)
  }

  isGeq(n: number): void {
    const b = finite(n, 'isGeq()')
    const t = this.tol
    this.add(`>= ${b}`, (v) => v >= b - t, { range: { lo: b } })
  }
  isGt(n: number): void {
    const b = finite(n, 'isGt()')
    const t = this.tol
    this.add(`> ${b}`, (v) => v > b + t, { range: { lo: b, loStrict: true } })
  }
  isLeq(n: number): void {
    const b = finite(n, 'isLeq()')
    const t = this.tol
    this.add(`<= ${b}`, (v) => v <= b + t, { range: { hi: b } })
  }
  isLt(n: number): void {
    const b = finite(n, 'isLt()')
    const t = this.tol
    this.add(`< ${b}`, (v) => v < b - t, { range: { hi: b, hiStrict: true } })
  }
  isEq(n: number): void {
    const b = finite(n, 'isEq()')
    const t = this.tol
    this.add(`== ${b}`, (v) => Math.abs(v - b) <= t)
  }
  isNeq(n: number): void {
    const b = finite(n, 'isNeq()')
    const t = this.tol
    this.add(`!= ${b}`, (v) => Math.abs(v - b) > t)
  }
  /** lo <= value <= hi (inclusive). */
  isBetween(lo: number, hi: number): void {
    const [a, b] = [finite(lo, 'isBetween()'), finite(hi, 'isBetween()')]
    const t = this.tol
    if (a > b)
      throw new DqxError(
        'CHECK_DEFINITION',
        `isBetween(${a}, ${b}): the lower bound is above the upper bound`,
      )
    this.add(`in [${a}, ${b}]`, (v) => v >= a - t && v <= b + t, { range: { lo: a, hi: b } })
  }
  /** value < lo or value > hi. */
  isNotBetween(lo: number, hi: number): void {
    const [a, b] = [finite(lo, 'isNotBetween()'), finite(hi, 'isNotBetween()')]
    const t = this.tol
    if (a > b)
      throw new DqxError(
        'CHECK_DEFINITION',
        `isNotBetween(${a}, ${b}): the lower bound is above the upper bound`,
      )
    this.add(`not in [${a}, ${b}]`, (v) => v < a - t || v > b + t)
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
