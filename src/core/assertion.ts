import { DqxError } from './errors.js'
import type { Expr } from './expression.js'
import { SEVERITIES, type Severity } from './types.js'

/** Comparisons allow this much slack so that 0.1 + 0.2 equals 0.3. */
export const TOLERANCE = 1e-9

/** How a value is judged: a predicate plus its human-readable bound. */
export interface Validator {
  readonly bound: string
  test(value: number): boolean
}

export interface AssertionConfig {
  name: string
  severity?: Severity
  tags?: string[]
  /** Extra columns to include in failed-row samples. */
  sampleColumns?: string[]
}

/** An assertion as the suite stores it: an expression, a validator and its labels. */
export interface AssertionSpec {
  readonly name: string
  readonly severity: Severity
  readonly tags: readonly string[]
  readonly expr: Expr
  readonly validator: Validator
  readonly sampleColumns: readonly string[]
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
    this.config = config
    return this
  }

  private add(bound: string, test: (v: number) => boolean): void {
    const cfg = this.config
    this.record({
      name: cfg?.name ?? `${this.expr.toString()} ${bound}`,
      severity: cfg?.severity ?? 'P1',
      tags: Object.freeze([...(cfg?.tags ?? [])]),
      expr: this.expr,
      validator: { bound, test },
      sampleColumns: Object.freeze([...(cfg?.sampleColumns ?? [])]),
    })
  }

  isGeq(n: number): void {
    const b = finite(n, 'isGeq()')
    this.add(`>= ${b}`, (v) => v >= b - TOLERANCE)
  }
  isGt(n: number): void {
    const b = finite(n, 'isGt()')
    this.add(`> ${b}`, (v) => v > b + TOLERANCE)
  }
  isLeq(n: number): void {
    const b = finite(n, 'isLeq()')
    this.add(`<= ${b}`, (v) => v <= b + TOLERANCE)
  }
  isLt(n: number): void {
    const b = finite(n, 'isLt()')
    this.add(`< ${b}`, (v) => v < b - TOLERANCE)
  }
  isEq(n: number): void {
    const b = finite(n, 'isEq()')
    this.add(`== ${b}`, (v) => Math.abs(v - b) <= TOLERANCE)
  }
  isNeq(n: number): void {
    const b = finite(n, 'isNeq()')
    this.add(`!= ${b}`, (v) => Math.abs(v - b) > TOLERANCE)
  }
  /** lo <= value <= hi (inclusive). */
  isBetween(lo: number, hi: number): void {
    const [a, b] = [finite(lo, 'isBetween()'), finite(hi, 'isBetween()')]
    if (a > b)
      throw new DqxError(
        'CHECK_DEFINITION',
        `isBetween(${a}, ${b}): the lower bound is above the upper bound`,
      )
    this.add(`in [${a}, ${b}]`, (v) => v >= a - TOLERANCE && v <= b + TOLERANCE)
  }
  /** value < lo or value > hi. */
  isNotBetween(lo: number, hi: number): void {
    const [a, b] = [finite(lo, 'isNotBetween()'), finite(hi, 'isNotBetween()')]
    if (a > b)
      throw new DqxError(
        'CHECK_DEFINITION',
        `isNotBetween(${a}, ${b}): the lower bound is above the upper bound`,
      )
    this.add(`not in [${a}, ${b}]`, (v) => v < a - TOLERANCE || v > b + TOLERANCE)
  }
  isPositive(): void {
    this.add('> 0', (v) => v > TOLERANCE)
  }
  isNegative(): void {
    this.add('< 0', (v) => v < -TOLERANCE)
  }
  isZero(): void {
    this.add('== 0', (v) => Math.abs(v) <= TOLERANCE)
  }
  /** Records the value without judging it (always PASSED unless it cannot be computed). */
  noop(): void {
    this.add('(recorded)', () => true)
  }
}
