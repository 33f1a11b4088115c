import { DqxError } from './errors.js'
import { COUNT_KINDS, type MetricSpec, metricName } from './metric-spec.js'
import { Tunable, type TunableValues } from './tunable.js'

/** One metric occurrence as the evaluator needs it: what, on which dataset, how many days back. */
export interface MetricRef {
  readonly spec: MetricSpec
  /** Undefined until the owning check resolves it to its dataset. */
  readonly dataset: string | undefined
  readonly lag: number
  /** Days the MetricDB keeps the values (the metric's `ttlDays`); undefined: the store's default. */
  readonly ttlDays?: number | undefined
}

/**
 * What an evaluator must supply for each metric reference; `tunable`, when present, gives the
 * current value of a tunable operand (else its declared default is used).
 */
export type Lookup = ((ref: MetricRef) => EvalResult) & { readonly tunable?: TunableValues }

export type EvalResult = { ok: true; value: number } | { ok: false; error: string }

const ok = (value: number): EvalResult => ({ ok: true, value })
const fail = (error: string): EvalResult => ({ ok: false, error })

export type Operand = Expr | number | Tunable

function toExpr(x: Operand, op: string): Expr {
  if (x instanceof Expr) return x
  if (typeof x === 'number') return new ConstExpr(x)
  if (x instanceof Tunable) return new TunableExpr(x)
  throw new DqxError(
    'CHECK_DEFINITION',
    `.${op}() takes a metric expression, a number or a tunable, got ${x === null ? 'null' : typeof x}`,
  )
}

/**
 * An arithmetic expression over metrics. Immutable; evaluation never throws:
 * division by zero, NaN and missing values come back as `{ ok: false, error }`
 * so that only the assertion using them fails.
 */
export abstract class Expr {
  abstract evaluate(lookup: Lookup): EvalResult
  /** Every metric the expression reads, in order of appearance. */
  abstract refs(): MetricRef[]
  abstract toString(): string
  /** Binds unresolved metric references to a dataset (the check's). */
  abstract withDataset(dataset: string): Expr
  /** The tunables the expression reads as operands (none unless a node holds one). */
  tunables(): Tunable[] {
    return []
  }

  add(other: Operand): Expr {
    return new BinaryExpr('+', this, toExpr(other, 'add'))
  }
  sub(other: Operand): Expr {
    return new BinaryExpr('-', this, toExpr(other, 'sub'))
  }
  mul(other: Operand): Expr {
    return new BinaryExpr('*', this, toExpr(other, 'mul'))
  }
  div(other: Operand): Expr {
    return new BinaryExpr('/', this, toExpr(other, 'div'))
  }
  abs(): Expr {
    return new AbsExpr(this)
  }
}

export class ConstExpr extends Expr {
  constructor(readonly value: number) {
    super()
  }
  evaluate(): EvalResult {
    return Number.isNaN(this.value) ? fail('constant is NaN') : ok(this.value)
  }
  refs(): MetricRef[] {
    return []
  }
  withDataset(): Expr {
    return this
  }
  toString(): string {
    return String(this.value)
  }
}

/** A tunable used as an operand: its current value (the lookup's), shown by name. */
export class TunableExpr extends Expr {
  constructor(readonly tunable: Tunable) {
    super()
  }
  evaluate(lookup: Lookup): EvalResult {
    return ok(lookup.tunable ? lookup.tunable(this.tunable) : this.tunable.value)
  }
  refs(): MetricRef[] {
    return []
  }
  override tunables(): Tunable[] {
    return [this.tunable]
  }
  withDataset(): Expr {
    return this
  }
  toString(): string {
    return this.tunable.name
  }
}

const PRECEDENCE: Record<BinaryOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2 }
export type BinaryOp = '+' | '-' | '*' | '/'

export class BinaryExpr extends Expr {
  constructor(
    readonly op: BinaryOp,
    readonly left: Expr,
    readonly right: Expr,
  ) {
    super()
  }
  evaluate(lookup: Lookup): EvalResult {
    const l = this.left.evaluate(lookup)
    if (!l.ok) return l
    const r = this.right.evaluate(lookup)
    if (!r.ok) return r
    let v: number
    switch (this.op) {
      case '+':
        v = l.value + r.value
        break
      case '-':
        v = l.value - r.value
        break
      case '*':
        v = l.value * r.value
        break
      case '/':
        if (r.value === 0)
          return fail(
            `division by zero in ${this.toString()}${this.right instanceof ConstExpr ? '' : ` (${this.right.toString()} is 0)`}`,
          )
        v = l.value / r.value
        break
    }
    return Number.isNaN(v) ? fail(`${this.toString()} is NaN`) : ok(v)
  }
  refs(): MetricRef[] {
    return [...this.left.refs(), ...this.right.refs()]
  }
  override tunables(): Tunable[] {
    return [...this.left.tunables(), ...this.right.tunables()]
  }
  withDataset(dataset: string): Expr {
    return new BinaryExpr(this.op, this.left.withDataset(dataset), this.right.withDataset(dataset))
  }
  toString(): string {
    const p = PRECEDENCE[this.op]
    const wrap = (e: Expr, right: boolean): string => {
      const s = e.toString()
      if (!(e instanceof BinaryExpr)) return s
      const q = PRECEDENCE[e.op]
      // Parenthesise lower precedence, and equal precedence on the right of - and /.
      return q < p || (right && q === p && (this.op === '-' || this.op === '/')) ? `(${s})` : s
    }
    return `${wrap(this.left, false)} ${this.op} ${wrap(this.right, true)}`
  }
}

export class AbsExpr extends Expr {
  constructor(readonly inner: Expr) {
    super()
  }
  evaluate(lookup: Lookup): EvalResult {
    const r = this.inner.evaluate(lookup)
    return r.ok ? ok(Math.abs(r.value)) : r
  }
  refs(): MetricRef[] {
    return this.inner.refs()
  }
  override tunables(): Tunable[] {
    return this.inner.tunables()
  }
  withDataset(dataset: string): Expr {
    return new AbsExpr(this.inner.withDataset(dataset))
  }
  toString(): string {
    return `abs(${this.inner.toString()})`
  }
}

/** A single metric, the leaf every expression is built from (`mp.sum('revenue')`). */
export class Metric extends Expr implements MetricRef {
  constructor(
    readonly spec: MetricSpec,
    readonly dataset: string | undefined,
    readonly lag: number,
    readonly ttlDays?: number | undefined,
  ) {
    super()
  }
  evaluate(lookup: Lookup): EvalResult {
    return lookup(this)
  }
  refs(): MetricRef[] {
    return [this]
  }
  withDataset(dataset: string): Metric {
    return this.dataset === undefined ? new Metric(this.spec, dataset, this.lag, this.ttlDays) : this
  }
  /** The same metric `days` further back (its TTL kept: a lagged value may be computed and written too). */
  lagged(days: number): Metric {
    return new Metric(this.spec, this.dataset, this.lag + days, this.ttlDays)
  }
  /** The metric as text, without dataset: `sum(revenue)`, `lag(1, sum(revenue))`. */
  toString(): string {
    const base = metricName(this.spec)
    return this.lag === 0 ? base : `lag(${this.lag}, ${base})`
  }

  /** Today's value over yesterday's (read from the MetricDB). */
  dayOverDay(): Expr {
    return new ChangeExpr('dayOverDay', this, 1)
  }
  /** Today's value over the value 7 days back (read from the MetricDB). */
  weekOverWeek(): Expr {
    return new ChangeExpr('weekOverWeek', this, 7)
  }
  /**
   * A count metric as a share of the rows: count / numRows() of the same dataset and day (0…1).
   * An empty dataset has no rate: the assertion FAILS with an error rather than passing on 0/0.
   */
  rate(): Expr {
    if (!COUNT_KINDS.has(this.spec.kind)) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `.rate() divides a count by numRows(); ${this.toString()} is not a count (use it on ${[...COUNT_KINDS].join(', ')}), or divide explicitly with .div(mp.numRows())`,
      )
    }
    return new RateExpr(this)
  }
}

/** `count / numRows()` of one dataset and day, shown as `rate(count)`; no rows is an error, not 0/0. */
export class RateExpr extends Expr {
  readonly rows: Metric
  constructor(readonly metric: Metric) {
    super()
    this.rows = new Metric({ kind: 'numRows' }, metric.dataset, metric.lag, metric.ttlDays)
  }
  evaluate(lookup: Lookup): EvalResult {
    const rows = lookup(this.rows)
    if (!rows.ok) return rows
    if (rows.value === 0) {
      return fail(
        `${this.toString()}: dataset '${this.metric.dataset}' has no rows${this.metric.lag > 0 ? ` ${this.metric.lag} day(s) back` : ''}, so there is no rate to judge`,
      )
    }
    const count = lookup(this.metric)
    if (!count.ok) return count
    return ok(count.value / rows.value)
  }
  refs(): MetricRef[] {
    return [this.metric, this.rows]
  }
  withDataset(dataset: string): Expr {
    return this.metric.dataset === undefined ? new RateExpr(this.metric.withDataset(dataset)) : this
  }
  toString(): string {
    return `rate(${this.metric.toString()})`
  }
}

/** `metric / metric lagged by n days`, shown by name rather than as a division. */
export class ChangeExpr extends Expr {
  private readonly ratio: BinaryExpr
  constructor(
    readonly label: string,
    readonly metric: Metric,
    readonly days: number,
  ) {
    super()
    this.ratio = new BinaryExpr('/', metric, metric.lagged(days))
  }
  evaluate(lookup: Lookup): EvalResult {
    const r = this.ratio.evaluate(lookup)
    return r.ok ? r : fail(`${this.toString()}: ${r.error}`)
  }
  refs(): MetricRef[] {
    return this.ratio.refs()
  }
  withDataset(dataset: string): Expr {
    return new ChangeExpr(this.label, this.metric.withDataset(dataset), this.days)
  }
  toString(): string {
    return `${this.label}(${this.metric.toString()})`
  }
}
