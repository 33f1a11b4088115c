// Failed-row samples: for a FAILED assertion whose metric has a row predicate (nullCount,
// countValues, duplicateCount, minimum/maximum, minLength/maxLength), at most `sampleLimit` of the
// rows behind the failure and how many there are. Runs only for failures, after the one-scan
// metric query, so a passing run issues exactly the statements it did without samples.
import type { Logger } from 'pino'
import type { AssertionSpec } from '../core/assertion.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError, toError } from '../core/errors.js'
import type { PlannedCheck } from '../core/evaluate.js'
import { Metric, type MetricRef, RateExpr } from '../core/expression.js'
import { metricColumns, metricName } from '../core/metric-spec.js'
import type { ResultKey } from '../core/result-key.js'
import type { AssertionResult } from '../core/types.js'
import type { BoundSource, DataSource } from './data-source.js'
import type { ReferenceRelation, RowPredicate, SampleQueryPlan } from './dialect.js'
import { type MetricValue, valueKey } from './metric-computer.js'
import { Params } from './sql.js'

export const DEFAULT_SAMPLE_LIMIT = 10
/** Same absolute slack as the comparison assertions (TOLERANCE). */
const EPS = 1e-9

const PREDICATE_KINDS = new Set([
  'nullCount',
  'countValues',
  'duplicateCount',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'matchCount',
  'validCount',
  'orphanCount',
])

/** Metrics of an assertion that have a row predicate: today's (lag 0), distinct, in order of use. */
function predicateRefs(spec: AssertionSpec): MetricRef[] {
  const seen = new Set<string>()
  return spec.expr.refs().filter((r) => {
    const id = `${r.dataset}\u0000${metricName(r.spec)}`
    if (r.lag !== 0 || !PREDICATE_KINDS.has(r.spec.kind) || seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/** The dataset failed-row samples of an assertion come from, or undefined when it has none. */
export function sampleDataset(spec: AssertionSpec): string | undefined {
  const datasets = new Set(predicateRefs(spec).map((r) => r.dataset as string))
  return datasets.size === 1 ? ([...datasets][0] as string) : undefined
}

/** A sample's predicate and the columns its metrics read. */
export interface SampleTarget {
  dataset: string
  predicate: RowPredicate
  /** Columns the predicate's metrics read, in order of use. */
  columns: string[]
  /**
   * The matching rows' count when the run already knows it: a lone nullCount or countValues
   * predicate counts exactly what its metric counted (same rows, same date filter), so no count
   * query is needed.
   */
  total?: number
}

/**
 * Which rows a FAILED assertion is about. `metricValue(ref)` is the metric's value in this run:
 * minimum/maximum (and the lengths) select the rows at that extreme, or — when the assertion is
 * directly isGeq/isGt/isLeq/isLt/isBetween/isPositive/isNegative on the metric and the failing
 * side is the one every row must respect — the rows that violate the bound.
 */
export function sampleTarget(
  spec: AssertionSpec,
  metricValue: (ref: MetricRef) => number | null | undefined,
  reference: (dataset: string, column: string) => ReferenceRelation | undefined = () => undefined,
): SampleTarget | undefined {
  const dataset = sampleDataset(spec)
  if (dataset === undefined) return undefined
  // A bound on the metric itself, or on its rate (same direction: rate = count / rows).
  const direct =
    (spec.expr instanceof Metric || spec.expr instanceof RateExpr) && spec.anomaly === undefined
      ? spec.validator.range
      : undefined
  const tolerance = spec.validator.tolerance ?? EPS
  const predicates: RowPredicate[] = []
  const columns: string[] = []
  const counted: (number | undefined)[] = []
  for (const ref of predicateRefs(spec)) {
    const value = metricValue(ref)
    const p = predicateOf(ref, value, direct, tolerance, reference)
    if (!p) continue
    predicates.push(p)
    const exact =
      p.kind === 'isNull' || p.kind === 'in' || p.kind === 'orphan' || (p.kind === 'match' && !p.negate)
    counted.push(exact ? (value as number) : undefined)
    for (const c of metricColumns(ref.spec)) if (!columns.includes(c)) columns.push(c)
  }
  if (predicates.length === 0) return undefined
  if (predicates.length > 1) return { dataset, predicate: { kind: 'or', predicates }, columns }
  const target: SampleTarget = { dataset, predicate: predicates[0] as RowPredicate, columns }
  if (counted[0] !== undefined) target.total = counted[0]
  return target
}

function predicateOf(
  ref: MetricRef,
  value: number | null | undefined,
  range: AssertionSpec['validator']['range'],
  EPS: number,
  reference: (dataset: string, column: string) => ReferenceRelation | undefined,
): RowPredicate | undefined {
  const spec = ref.spec
  // Only a lower bound: too few rows match, so the rows that do not are the failure; only an
  // upper bound: too many match. Otherwise matches for matchCount, invalid rows for validCount.
  const lowerOnly = range?.lo !== undefined && range.hi === undefined
  const upperOnly = range?.hi !== undefined && range.lo === undefined
  switch (spec.kind) {
    case 'matchCount':
      return { kind: 'match', column: spec.column, pattern: spec.pattern, negate: lowerOnly }
    case 'validCount':
      return { kind: 'valid', column: spec.column, rule: spec.rule, negate: !upperOnly }
    case 'orphanCount': {
      const rel = reference(spec.reference.dataset, spec.reference.column)
      return rel === undefined ? undefined : { kind: 'orphan', column: spec.column, reference: rel }
    }
    case 'nullCount':
      return { kind: 'isNull', column: spec.column }
    case 'countValues':
      return spec.values.length === 0 ? undefined : { kind: 'in', column: spec.column, values: spec.values }
    case 'duplicateCount':
      return { kind: 'duplicate', columns: spec.columns }
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'maxLength': {
      // Always a number for a FAILED result without an error (every metric it read had a value).
      if (typeof value !== 'number') return undefined
      const length = spec.kind === 'minLength' || spec.kind === 'maxLength'
      const column = spec.column
      if (spec.kind === 'minimum' || spec.kind === 'minLength') {
        // Every row must respect a lower bound on the minimum: the rows below it violate it.
        if (range?.lo !== undefined && (range.loStrict ? value <= range.lo + EPS : value < range.lo - EPS)) {
          return { kind: 'compare', column, length, op: range.loStrict ? '<=' : '<', value: range.lo }
        }
      } else if (
        range?.hi !== undefined &&
        (range.hiStrict ? value >= range.hi - EPS : value > range.hi + EPS)
      ) {
        return { kind: 'compare', column, length, op: range.hiStrict ? '>=' : '>', value: range.hi }
      }
      return { kind: 'compare', column, length, op: '=', value }
    }
    /* v8 ignore next 2 -- predicateRefs only passes the kinds above */
    default:
      return undefined
  }
}

/** A value as JSON can carry it: bigint → number (string beyond 2^53), Date → ISO text, bytes → base64, NaN/±Infinity → text. */
export function jsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (typeof v !== 'object') return typeof v === 'string' || typeof v === 'boolean' ? v : String(v)
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString()
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (Array.isArray(v)) return v.map(jsonSafe)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]))
}

/** Fails the run (before the dataset's scan) when an assertion's sampleColumns name a column the dataset lacks. */
export function checkAssertionSampleColumns(
  dataset: string,
  source: DataSource,
  columns: readonly string[],
  checks: readonly PlannedCheck[],
): void {
  for (const pc of checks) {
    if (pc.skipReason !== undefined) continue
    for (const a of pc.assertions) {
      // Most assertions name no sampleColumns: skip them before working out their dataset.
      if (a.sampleColumns.length === 0 || sampleDataset(a) !== dataset) continue
      for (const c of a.sampleColumns) {
        if (columns.includes(c)) continue
        throw missing(
          `check '${pc.collected.check.name}', assertion '${a.name}': sampleColumns names column '${c}'`,
          c,
          dataset,
          source,
          columns,
        )
      }
    }
  }
}

/** Fails the run when a suite-level sampleColumns entry exists in none of the run's datasets. */
export function checkSuiteSampleColumns(
  wanted: readonly string[],
  bound: ReadonlyMap<string, { columns: readonly string[] }>,
  sources: Readonly<Record<string, DataSource>>,
): void {
  const all = [...bound.entries()]
  for (const c of wanted) {
    if (all.length === 0 || all.some(([, d]) => d.columns.includes(c))) continue
    const what = `suite option sampleColumns names column '${c}'`
    if (all.length > 1) {
      const list = all.map(([name, d]) => `${name}: ${d.columns.join(', ')}`).join('; ')
      throw new DqxError('MISSING_COLUMN', `${what}, which no dataset of the run has (${list})`)
    }
    const [dataset, only] = all[0] as [string, { columns: readonly string[] }]
    throw missing(what, c, dataset, sources[dataset] as DataSource, only.columns)
  }
}

function missing(
  what: string,
  column: string,
  dataset: string,
  source: DataSource,
  columns: readonly string[],
): DqxError {
  const hint = didYouMean(column, columns)
  return new DqxError(
    'MISSING_COLUMN',
    `${what}, which dataset '${dataset}' (${source.describe()}) does not have${hint ? ` — did you mean '${hint}'?` : ''}; columns are: ${columns.join(', ')}`,
  )
}

export interface SampleRunOptions {
  /** The run's results; FAILED ones with a row predicate get `samples`. */
  results: AssertionResult[]
  checks: readonly PlannedCheck[]
  /** Each dataset as the metric scan bound it, with its columns. */
  bound: ReadonlyMap<string, { source: BoundSource; columns: readonly string[] }>
  sources: Readonly<Record<string, DataSource>>
  key: ResultKey
  /** The run's metric values by valueKey(). */
  values: ReadonlyMap<string, MetricValue>
  /** Rows per sample; 0 takes none and issues no query. */
  limit: number
  /** Suite-level sampleColumns (each dataset uses those it has). */
  columns: readonly string[]
  logger: Logger
}

/**
 * Attaches failed-row samples to the FAILED results (those with a value: a result that failed to
 * evaluate has nothing to sample). Per sampled assertion, with the predicate and the run's date
 * filter: the rows, with only the needed columns and a LIMIT, and — unless the metric already
 * counted them (nullCount, countValues) — a count. A sample query that fails is logged (warn)
 * and leaves that result without samples.
 */
export async function attachSamples(o: SampleRunOptions): Promise<void> {
  if (o.limit === 0) return
  const specs = new Map<string, AssertionSpec>()
  for (const pc of o.checks) {
    for (const a of pc.assertions) specs.set(`${pc.collected.check.name}\u0000${a.name}`, a)
  }
  for (const result of o.results) {
    if (result.status !== 'FAILED' || result.error !== undefined) continue
    const spec = specs.get(`${result.check}\u0000${result.assertion}`) as AssertionSpec
    const target = sampleTarget(
      spec,
      (ref) => o.values.get(valueKey(ref.dataset as string, ref.spec, 0))?.value,
      (dataset, column) => {
        const r = o.bound.get(dataset)
        return r === undefined ? undefined : { relation: r.source.relation, column }
      },
    )
    if (!target) continue
    const b = o.bound.get(target.dataset) as { source: BoundSource; columns: readonly string[] }
    const source = o.sources[target.dataset] as DataSource
    const columns = [
      ...new Set([
        ...target.columns,
        ...spec.sampleColumns,
        ...o.columns.filter((c) => b.columns.includes(c)),
      ]),
    ]
    const plan = (select: SampleQueryPlan['select']): SampleQueryPlan => {
      const p: SampleQueryPlan = { relation: b.source.relation, predicate: target.predicate, select }
      if (source.dateColumn !== undefined) p.dateFilter = { column: source.dateColumn, date: o.key.date }
      return p
    }
    const where = { dataset: target.dataset, check: result.check, assertion: result.assertion }
    try {
      const run = async (select: SampleQueryPlan['select']): Promise<Record<string, unknown>[]> => {
        const params = new Params(b.source.dialect)
        const sql = b.source.dialect.renderSampleQuery(plan(select), params)
        o.logger.debug({ ...where, kind: select === 'count' ? 'count' : 'rows', sql }, 'sample')
        return b.source.query(sql, params.values)
      }
      const total = target.total ?? Number(((await run('count'))[0] as Record<string, unknown>).total)
      const rows = await run({ columns, limit: o.limit })
      result.samples = { rows: rows.map((r) => jsonSafe(r) as Record<string, unknown>), total }
    } catch (err) {
      o.logger.warn(
        { ...where, err: toError(err).message },
        'failed-row sample query failed; the result has no samples',
      )
    }
  }
}
