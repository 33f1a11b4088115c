import { DqxError } from '../../core/errors.js'
import type { MetricSpec } from '../../core/metric-spec.js'
import { type MetricLiteral, VALID_FORMATS, type ValidRule } from '../../core/metric-spec.js'
import type {
  Dialect,
  OrphanQueryPlan,
  RenderOptions,
  RowPredicate,
  SampleQueryPlan,
  ValiditySpec,
} from '../dialect.js'
import type { Params } from '../sql.js'

/** An engine's type name for each kind of countValues literal. */
export interface LiteralTypes {
  string: string
  number: string
  boolean: string
}

/**
 * Binds each literal as a parameter with an explicit type (`CAST($1 AS text)`),
 * so the engine compares like with like instead of guessing the parameter's type.
 */
export function typedParams(values: readonly MetricLiteral[], params: Params, types: LiteralTypes): string {
  return values.map((v) => `CAST(${params.add(v)} AS ${types[typeof v as keyof LiteralTypes]})`).join(', ')
}

/** Backtick quoting (BigQuery, ClickHouse): backslash and backtick are escaped with a backslash. */
export function quoteBacktick(name: string): string {
  if (name.includes('\u0000')) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `identifier ${JSON.stringify(name)} contains a NUL character, which SQL cannot quote`,
    )
  }
  return `\`${name.replace(/[\\`]/g, '\\$&')}\``
}

/** What differs between engines in failed-row sample queries. */
export interface SampleSyntax {
  /** Length in characters of a (quoted) column, e.g. `length(CAST("x" AS VARCHAR))`. */
  lengthOf(column: string): string
  /** Type names for bound literals; `number` also types the number a comparison binds. */
  types: LiteralTypes
  /** Counting every row: `count(*)`, ClickHouse `count()`. */
  countAll: string
  /** A column's value as text, for regex matching: `CAST("x" AS VARCHAR)`. */
  asText(column: string): string
  /** True when `text` contains a match of the regex bound at `pattern` (a placeholder). */
  regexMatch(text: string, pattern: string): string
  /** The regex as the engine needs it before it is bound (default: as given). */
  pattern?(regex: string): string
  /** Rows where `condition` holds, as an aggregate: `count(*) FILTER (WHERE …)`, `COUNTIF(…)`. */
  countIf(condition: string): string
  /**
   * True when the (qualified) `key` has no equal value in `column` of `reference`. Default:
   * `NOT EXISTS (SELECT 1 FROM ref AS dqx_ref WHERE dqx_ref.column = key)`, which DuckDB and
   * PostgreSQL plan as an anti-join.
   */
  notInReference?(key: string, reference: string, column: string): string
}

/** The condition a validity metric counts (and its samples select), with every value bound. */
export function validityCondition(
  d: Pick<Dialect, 'quoteIdent'>,
  s: SampleSyntax,
  column: string,
  test: { pattern: string } | { rule: ValidRule },
  params: Params,
  qualifier = '',
): string {
  const col = `${qualifier}${d.quoteIdent(column)}`
  const regex = (r: string): string => params.add(s.pattern ? s.pattern(r) : r)
  if ('pattern' in test) return s.regexMatch(s.asText(col), regex(test.pattern))
  const rule = test.rule
  switch (rule.kind) {
    case 'in':
      // An empty set holds no value: a constant false (IN () is not SQL).
      return rule.values.length === 0 ? '(1 = 0)' : `${col} IN (${typedParams(rule.values, params, s.types)})`
    case 'between':
      return `${col} BETWEEN CAST(${params.add(rule.lo)} AS ${s.types.number}) AND CAST(${params.add(rule.hi)} AS ${s.types.number})`
    case 'format':
      return s.regexMatch(s.asText(col), regex(VALID_FORMATS[rule.format]))
  }
}

/** matchCount and validCount for dialects with filtered counts; the other validity kinds are the caller's. */
export function renderValidityCount(
  d: Pick<Dialect, 'quoteIdent'>,
  s: SampleSyntax,
  spec: Extract<ValiditySpec, { kind: 'matchCount' | 'validCount' }>,
  params: Params,
): string {
  const test = spec.kind === 'matchCount' ? { pattern: spec.pattern } : { rule: spec.rule }
  return s.countIf(validityCondition(d, s, spec.column, test, params))
}

/** A quantile level as SQL text: validated to [0, 1] when the metric was declared, so a plain number. */
export function quantileLiteral(q: number): string {
  if (!Number.isFinite(q) || q < 0 || q > 1) {
    throw new DqxError('INVALID_ARGUMENT', `quantile level must be between 0 and 1, got ${q}`)
  }
  return String(q)
}

function notInReference(s: SampleSyntax, key: string, reference: string, column: string): string {
  if (s.notInReference) return s.notInReference(key, reference, column)
  return `NOT EXISTS (SELECT 1 FROM ${reference} AS dqx_ref WHERE dqx_ref.${column} = ${key})`
}

/** renderOrphanQuery for the dialects: one anti-join count per key, in one SELECT. */
export function renderOrphanQueryWith(
  d: Pick<Dialect, 'quoteIdent' | 'renderDateFilter'>,
  s: SampleSyntax,
  plan: OrphanQueryPlan,
  params: Params,
): string {
  const counts = plan.keys.map((k, i) => {
    const key = `dqx_src.${d.quoteIdent(k.column)}`
    // Placeholders in text order: `?`-style dialects bind positionally.
    const from = plan.relation(params)
    const where = [
      plan.dateFilter ? d.renderDateFilter(plan.dateFilter.column, plan.dateFilter.date, params) : undefined,
      `${key} IS NOT NULL`,
      notInReference(s, key, plan.reference(params), d.quoteIdent(k.refColumn)),
    ].filter((w) => w !== undefined)
    return `(SELECT ${s.countAll} FROM ${from} AS dqx_src WHERE ${where.join(' AND ')}) AS m${i}`
  })
  return `SELECT ${counts.join(', ')}`
}

type Leaf = Exclude<RowPredicate, { kind: 'or' }>

/** Duplicate leaves in reading order: the i-th reads the window column `dqx_dup<i>`. */
function duplicates(p: RowPredicate, out: Extract<RowPredicate, { kind: 'duplicate' }>[] = []): typeof out {
  if (p.kind === 'duplicate') out.push(p)
  else if (p.kind === 'or') for (const q of p.predicates) duplicates(q, out)
  return out
}

/** Columns the non-duplicate leaves read. */
function predicateColumns(p: RowPredicate, out: string[] = []): string[] {
  if (p.kind === 'or') for (const q of p.predicates) predicateColumns(q, out)
  else if (p.kind !== 'duplicate') out.push(p.column)
  return out
}

/** renderPredicate for the dialects: `seq` numbers duplicate leaves as renderSampleQuery does. */
export function renderPredicateWith(
  d: Pick<Dialect, 'quoteIdent'>,
  s: SampleSyntax,
  pred: RowPredicate,
  params: Params,
  seq: { n: number } = { n: 0 },
): string {
  if (pred.kind === 'or') {
    return `(${pred.predicates.map((p) => renderPredicateWith(d, s, p, params, seq)).join(' OR ')})`
  }
  const leaf: Leaf = pred
  switch (leaf.kind) {
    case 'isNull':
      return `${d.quoteIdent(leaf.column)} IS NULL`
    case 'in':
      return `${d.quoteIdent(leaf.column)} IN (${typedParams(leaf.values, params, s.types)})`
    case 'compare': {
      const col = leaf.length ? s.lengthOf(d.quoteIdent(leaf.column)) : d.quoteIdent(leaf.column)
      return `${col} ${leaf.op} CAST(${params.add(leaf.value)} AS ${s.types.number})`
    }
    case 'duplicate':
      return `dqx_dup${seq.n++} > 1`
    case 'match':
    case 'valid': {
      const test = leaf.kind === 'match' ? { pattern: leaf.pattern } : { rule: leaf.rule }
      const cond = validityCondition(d, s, leaf.column, test, params)
      return leaf.negate ? `(${d.quoteIdent(leaf.column)} IS NULL OR NOT (${cond}))` : cond
    }
    case 'orphan': {
      const key = `dqx_src.${d.quoteIdent(leaf.column)}`
      return `(${key} IS NOT NULL AND ${notInReference(s, key, leaf.reference.relation(params), d.quoteIdent(leaf.reference.column))})`
    }
  }
}

/** renderSampleQuery for the dialects: predicate, projection and LIMIT pushed into one SELECT. */
export function renderSampleQueryWith(
  d: Pick<Dialect, 'quoteIdent' | 'renderDateFilter'>,
  s: SampleSyntax,
  plan: SampleQueryPlan,
  params: Params,
): string {
  const out = plan.select === 'count' ? [] : [...plan.select.columns]
  const head = plan.select === 'count' ? `${s.countAll} AS total` : out.map((c) => d.quoteIdent(c)).join(', ')
  const limit = plan.select === 'count' ? '' : ` LIMIT ${plan.select.limit}`
  const rel = plan.relation(params)
  const date = plan.dateFilter
    ? d.renderDateFilter(plan.dateFilter.column, plan.dateFilter.date, params)
    : undefined
  const dups = duplicates(plan.predicate)
  if (dups.length === 0) {
    const where = [date, renderPredicateWith(d, s, plan.predicate, params)].filter((w) => w !== undefined)
    return `SELECT ${head} FROM ${rel} AS dqx_src WHERE ${where.join(' AND ')}${limit}`
  }
  // Duplicates need every row's group size: a window over the (date-filtered) rows, then the predicate.
  const inner = [...new Set([...out, ...predicateColumns(plan.predicate)])].map((c) => d.quoteIdent(c))
  dups.forEach((p, i) => {
    inner.push(
      `${s.countAll} OVER (PARTITION BY ${p.columns.map((c) => d.quoteIdent(c)).join(', ')}) AS dqx_dup${i}`,
    )
  })
  const innerSql = `SELECT ${inner.join(', ')} FROM ${rel} AS dqx_src${date === undefined ? '' : ` WHERE ${date}`}`
  return `SELECT ${head} FROM (${innerSql}) AS dqx_src WHERE ${renderPredicateWith(d, s, plan.predicate, params)}${limit}`
}

/** orphanCount reads a second dataset: never one aggregate of the scan. */
export function orphanInScan(): DqxError {
  return new DqxError('INVALID_ARGUMENT', 'orphanCount is computed by renderOrphanQuery, not inside a scan')
}

/** How an SQL-standard engine (all but ClickHouse) spells the parts of a scan's aggregates. */
export interface AggregateSyntax extends SampleSyntax {
  /** The floating-point type sums, averages and extremes are cast to. */
  double: string
  /** countValues of no values: a typed zero. */
  zero: string
  /** approxDistinct's aggregate over a quoted column. */
  approxDistinct(column: string): string
  /** One never-NULL value per row of the quoted columns, counted DISTINCT by duplicateCount. */
  rowOf(columns: readonly string[]): string
  /**
   * `first(col, { orderBy })` over quoted columns: col of the row with the smallest non-NULL
   * orderBy, NULL when that value is NULL or no row has an orderBy (no standard SQL spelling).
   */
  first(column: string, orderBy: string): string
  /** The metrics an engine spells its own way (undefined: the standard form). */
  override?(spec: MetricSpec, params: Params, options: RenderOptions | undefined): string | undefined
}

/**
 * A metric in the SQL-standard form the engines share, with each engine's spellings from `s`;
 * validity metrics go to the dialect's renderValidityMetric. Only what differs lives in the
 * dialect files.
 */
function renderStandardMetric(
  d: Dialect,
  s: AggregateSyntax,
  spec: MetricSpec,
  params: Params,
  options?: RenderOptions,
): string {
  const own = s.override?.(spec, params, options)
  if (own !== undefined) return own
  const q = (c: string): string => d.quoteIdent(c)
  switch (spec.kind) {
    case 'numRows':
      return s.countAll
    case 'sum':
      return `CAST(sum(${q(spec.column)}) AS ${s.double})`
    case 'average':
      return `CAST(avg(${q(spec.column)}) AS ${s.double})`
    case 'minimum':
      return `CAST(min(${q(spec.column)}) AS ${s.double})`
    case 'maximum':
      return `CAST(max(${q(spec.column)}) AS ${s.double})`
    case 'variance':
      return `var_samp(${q(spec.column)})`
    case 'stddev':
      return `stddev_samp(${q(spec.column)})`
    case 'nullCount':
      return `${s.countAll} - count(${q(spec.column)})`
    case 'uniqueCount':
      return `count(DISTINCT ${q(spec.column)})`
    case 'approxDistinct':
      return s.approxDistinct(q(spec.column))
    case 'duplicateCount':
      return `${s.countAll} - count(DISTINCT ${s.rowOf(spec.columns.map(q))})`
    case 'countValues':
      if (spec.values.length === 0) return s.zero
      return s.countIf(`${q(spec.column)} IN (${typedParams(spec.values, params, s.types)})`)
    case 'minLength':
      return `min(${s.lengthOf(q(spec.column))})`
    case 'maxLength':
      return `max(${s.lengthOf(q(spec.column))})`
    case 'first':
      return s.first(q(spec.column), q(spec.orderBy))
    case 'customSql':
      return `(${spec.sql})`
    case 'orphanCount':
      throw orphanInScan()
    default:
      return d.renderValidityMetric(spec, params)
  }
}

/**
 * The methods every dialect spells from its SampleSyntax alone: orphan queries, row predicates
 * and failed-row sample queries. `self` is the dialect being defined (read when a method runs, so
 * it may refer to the object under construction).
 */
export function sampleRendering(
  self: () => Dialect,
  s: SampleSyntax,
): Pick<Dialect, 'renderOrphanQuery' | 'renderPredicate' | 'renderSampleQuery'> {
  return {
    renderOrphanQuery: (plan, params) => renderOrphanQueryWith(self(), s, plan, params),
    renderPredicate: (predicate, params) => renderPredicateWith(self(), s, predicate, params),
    renderSampleQuery: (plan, params) => renderSampleQueryWith(self(), s, plan, params),
  }
}

/** sampleRendering plus the scan's aggregates in the SQL-standard form (all but ClickHouse). */
export function standardRendering(
  self: () => Dialect,
  s: AggregateSyntax,
): Pick<Dialect, 'renderMetric' | 'renderOrphanQuery' | 'renderPredicate' | 'renderSampleQuery'> {
  return {
    renderMetric: (spec, params, options) => renderStandardMetric(self(), s, spec, params, options),
    ...sampleRendering(self, s),
  }
}
