// A named threshold with the range it may be tuned within: assertions read its current value when
// they are judged, so an operator can move it (suite.setTunable / `dqx tune`) without a code change.
import { DqxError } from './errors.js'

/** The inclusive range a tunable may take. */
export interface TunableBounds {
  min: number
  max: number
}

/**
 * A named, bounded number usable wherever an assertion takes a number: as a bound
 * (`isLt(maxNullRate)`, `isBetween(lo, hi)`) or an operand (`.mul(t)`). Its `value` is the
 * declared default; a suite reads the current value from its MetricDB (the latest change
 * recorded by `setTunable`) when it evaluates.
 */
export class Tunable {
  readonly name: string
  /** The declared default. */
  readonly value: number
  readonly min: number
  readonly max: number

  constructor(name: string, value: number, bounds: TunableBounds) {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      throw new DqxError(
        'TUNABLE',
        `tunable(): the name must start with a letter or _ and hold only letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}`,
      )
    }
    if (bounds === null || typeof bounds !== 'object') {
      throw new DqxError(
        'TUNABLE',
        `tunable '${name}' needs its bounds, e.g. tunable('${name}', 0.05, { min: 0, max: 0.2 })`,
      )
    }
    const { min, max } = bounds
    for (const [what, n] of [
      ['min', min],
      ['max', max],
      ['value', value],
    ] as const) {
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        throw new DqxError('TUNABLE', `tunable '${name}': ${what} must be a finite number, got ${String(n)}`)
      }
    }
    if (min > max) {
      throw new DqxError('TUNABLE', `tunable '${name}': min ${min} is above max ${max}`)
    }
    this.name = name
    this.min = min
    this.max = max
    this.value = this.check(value)
    Object.freeze(this)
  }

  /** `value` when it lies in [min, max]; otherwise a TUNABLE DqxError naming the tunable and its bounds. */
  check(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new DqxError(
        'TUNABLE',
        `tunable '${this.name}' needs a finite number in [${this.min}, ${this.max}], got ${String(value)}`,
      )
    }
    if (value < this.min || value > this.max) {
      throw new DqxError(
        'TUNABLE',
        `tunable '${this.name}' must stay within [${this.min}, ${this.max}], got ${value}; pick a value in range or widen its bounds where it is declared`,
      )
    }
    return value
  }

  /** Same name, default and bounds: two declarations of one tunable. */
  sameAs(other: Tunable): boolean {
    return (
      other.name === this.name &&
      other.value === this.value &&
      other.min === this.min &&
      other.max === this.max
    )
  }

  toString(): string {
    return this.name
  }
}

/** A number an assertion takes: a literal or a tunable. */
export type NumberOrTunable = number | Tunable

/** The current value of each tunable, as a suite resolves them (declared default when unset). */
export type TunableValues = (t: Tunable) => number

/** The declared defaults: what an assertion reads outside a suite that stores changes. */
export const declaredValues: TunableValues = (t) => t.value

/**
 * Declares a named threshold: `tunable('max_null_rate', 0.05, { min: 0, max: 0.2 })`. Use it as an
 * assertion bound or operand; change it with `suite.setTunable(name, value, { who, why })` or
 * `dqx tune name value --why …`. A value outside [min, max] is a TUNABLE DqxError.
 */
export function tunable(name: string, value: number, bounds: TunableBounds): Tunable {
  return new Tunable(name, value, bounds)
}
