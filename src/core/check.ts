import { AssertionBuilder, type AssertionConfig, type AssertionSpec } from './assertion.js'
import { DqxError } from './errors.js'
import type { Expr, Metric } from './expression.js'
import { MetricProvider } from './metric-provider.js'
import { type SchemaExpectation, SchemaExpr, type SchemaRule, schemaRule } from './schema.js'
import type { Severity } from './types.js'

/** What a check function receives besides the metric provider. */
export interface CheckContext {
  /** Starts an assertion on a metric expression: `ctx.assertThat(mp.numRows()).where({ name }).isPositive()`. */
  assertThat(expr: Expr | Metric): AssertionBuilder
  /**
   * Asserts the dataset's columns and their types (logical: integer, number, string, boolean,
   * date, timestamp; or an engine type name). FAILED lists every difference; columns the
   * expectation does not name fail it unless `allowExtra`. With this assertion, a metric reading a
   * missing column of the dataset fails (with an error) instead of failing the whole run.
   */
  expectSchema(dataset: string, expectation: SchemaExpectation): SchemaAssertion
  /**
   * Asserts the dataset has the same columns, types and order as in this suite's previous run
   * (the schema stored in the MetricDB); SKIPPED on the first run.
   */
  expectSchemaUnchanged(dataset: string): SchemaAssertion
}

/** A recorded schema assertion; `where()` renames it or sets severity and tags. */
export interface SchemaAssertion {
  where(config: Pick<AssertionConfig, 'name' | 'severity' | 'tags'>): void
}

export interface CheckOptions {
  name: string
  /** Datasets the check reads. With one, metrics default to it; with several, each metric names its dataset. */
  datasets?: string[]
}

export type CheckFn = (mp: MetricProvider, ctx: CheckContext) => void

/** A named group of assertions over one or more datasets. */
export interface Check {
  readonly name: string
  readonly datasets: readonly string[]
  readonly fn: CheckFn
}

/** Declares a check. Nothing runs until a VerificationSuite is built from it. */
export function check(options: CheckOptions, fn: CheckFn): Check {
  if (options === null || typeof options !== 'object') {
    throw new DqxError(
      'CHECK_DEFINITION',
      "check() takes options first: check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => { … })",
    )
  }
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new DqxError(
      'CHECK_DEFINITION',
      'check() needs a non-empty name, e.g. check({ name: "orders are sane" }, …)',
    )
  }
  if (typeof fn !== 'function') {
    throw new DqxError(
      'CHECK_DEFINITION',
      `check '${options.name}' needs a function (mp, ctx) => { … } as its second argument`,
    )
  }
  const datasets = options.datasets ?? []
  if (!Array.isArray(datasets) || datasets.some((d) => typeof d !== 'string' || d === '')) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `check '${options.name}': datasets must be an array of non-empty names`,
    )
  }
  return Object.freeze({ name: options.name, datasets: Object.freeze([...datasets]), fn })
}

/** A check's assertions, collected once by calling its function. */
export interface CollectedCheck {
  readonly check: Check
  readonly assertions: readonly AssertionSpec[]
}

/**
 * Runs a check function against a recording context. Metric datasets are
 * bound here: a check with one dataset lends it to every metric; a metric
 * naming a dataset the check does not declare is a definition error.
 */
export function collectAssertions(c: Check): CollectedCheck {
  const assertions: AssertionSpec[] = []
  const seen = new Set<string>()
  const mp = new MetricProvider()
  const schemaAt: number[] = []
  const schemaAssertion = (rule: SchemaRule): SchemaAssertion => {
    const expr = new SchemaExpr(rule)
    if (c.datasets.length > 0 && !c.datasets.includes(rule.dataset)) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `check '${c.name}': ${expr.toString()} names dataset '${rule.dataset}', which is not among the check's datasets (${c.datasets.join(', ')}); add it to datasets`,
      )
    }
    const at = assertions.length
    let recorded: AssertionSpec | undefined
    // Recorded at once (no terminal call as for assertThat); where() may rename it afterwards.
    new AssertionBuilder(expr, (spec) => {
      recorded = { ...spec, schema: rule }
    }).noop()
    const spec = recorded as AssertionSpec
    const name = rule.kind === 'expect' ? `schema of ${rule.dataset}` : `schema of ${rule.dataset} unchanged`
    const initial: AssertionSpec = {
      ...spec,
      name,
      validator: { bound: 'no differences', test: (v) => v === 0 },
    }
    // Names are claimed once the check function returns: where() may still rename it.
    assertions.push(initial)
    schemaAt.push(at)
    return {
      where(config) {
        new AssertionBuilder(expr, () => {}).where(config as AssertionConfig)
        const current = assertions[at] as AssertionSpec
        const severity: Severity = config.severity ?? current.severity
        assertions[at] = {
          ...current,
          name: config.name,
          severity,
          tags: Object.freeze([...(config.tags ?? current.tags)]),
        }
      },
    }
  }
  const claim = (name: string): void => {
    if (seen.has(name)) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `check '${c.name}' has a duplicate assertion name '${name}'; give each assertion its own name`,
      )
    }
    seen.add(name)
  }
  const ctx: CheckContext = {
    expectSchema(dataset, expectation) {
      return schemaAssertion(schemaRule(c.name, dataset, expectation))
    },
    expectSchemaUnchanged(dataset) {
      if (typeof dataset !== 'string' || dataset === '') {
        throw new DqxError(
          'CHECK_DEFINITION',
          `check '${c.name}': expectSchemaUnchanged() needs a dataset name, e.g. ctx.expectSchemaUnchanged('orders')`,
        )
      }
      return schemaAssertion({ kind: 'unchanged', dataset })
    },
    assertThat(expr) {
      if (!(expr instanceof Object) || typeof (expr as Expr).evaluate !== 'function') {
        throw new DqxError(
          'CHECK_DEFINITION',
          `check '${c.name}': assertThat() takes a metric expression such as mp.numRows()`,
        )
      }
      return new AssertionBuilder(expr, (spec) => {
        claim(spec.name)
        assertions.push(bindDataset(c, spec))
      })
    },
  }
  try {
    c.fn(mp, ctx)
    for (const at of schemaAt) claim((assertions[at] as AssertionSpec).name)
  } catch (err) {
    if (err instanceof DqxError) throw err
    throw new DqxError(
      'CHECK_DEFINITION',
      `check '${c.name}' threw while declaring its assertions: ${String(err)}`,
      {
        cause: err,
      },
    )
  }
  return { check: c, assertions }
}

function bindDataset(c: Check, spec: AssertionSpec): AssertionSpec {
  let expr = spec.expr
  if (c.datasets.length === 1) expr = expr.withDataset(c.datasets[0] as string)
  for (const ref of expr.refs()) {
    if (ref.dataset === undefined && c.datasets.length > 1) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `check '${c.name}', assertion '${spec.name}': ${String(ref)} must name its dataset ({ dataset: '…' }) because the check reads ${c.datasets.map((d) => `'${d}'`).join(', ')}`,
      )
    }
    if (ref.dataset !== undefined && c.datasets.length > 0 && !c.datasets.includes(ref.dataset)) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `check '${c.name}', assertion '${spec.name}': dataset '${ref.dataset}' is not among the check's datasets (${c.datasets.join(', ')}); add it to datasets`,
      )
    }
  }
  return expr === spec.expr ? spec : { ...spec, expr }
}
