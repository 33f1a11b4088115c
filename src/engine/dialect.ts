import type { MetricLiteral, MetricSpec, ValidRule } from '../core/metric-spec.js'
import type { Params, PlaceholderStyle } from './sql.js'

/**
 * How one SQL engine spells each metric. The core describes metrics as
 * `MetricSpec`s; a dialect renders them into aggregate expressions so that
 * all metrics of a dataset run as one SELECT on whatever engine holds the data.
 * Dialects live in `./dialects/` (DuckDB, PostgreSQL, BigQuery, Trino, ClickHouse).
 */
export interface Dialect extends PlaceholderStyle {
  readonly name: string
  quoteIdent(name: string): string
  /** One aggregate expression computing `spec` over the scanned rows. */
  renderMetric(spec: MetricSpec, params: Params, options?: RenderOptions): string
  /** A predicate keeping only rows of one day, for sources with a date column. */
  renderDateFilter(column: string, date: string, params: Params): string
  /**
   * A row predicate as a boolean SQL condition over the source's columns (failed-row samples).
   * A `duplicate` leaf reads the window column `dqx_dup<i>` that renderSampleQuery adds (i counts
   * the duplicate leaves in reading order), so render it standalone only for display.
   */
  renderPredicate(predicate: RowPredicate, params: Params): string
  /**
   * A failed-row sample query: `count` counts the rows matching the predicate; `rows` selects at
   * most `limit` of them with only the listed columns. Predicate, projection and LIMIT are all in
   * the SQL, so the engine prunes columns and stops early.
   */
  renderSampleQuery(plan: SampleQueryPlan, params: Params): string
  /**
   * The validity metrics (docs/metrics-and-assertions.md), one aggregate each like renderMetric,
   * which delegates to it: matchCount and validCount as filtered counts with the pattern and
   * values bound, quantile/approxQuantile/median, and freshnessHours as the epoch seconds of the
   * column's maximum (the engine turns it into hours against the ResultKey or the clock).
   */
  renderValidityMetric(spec: ValiditySpec, params: Params): string
  /**
   * orphanCount: one SELECT per (dataset, referenced dataset) pair with one aliased count per
   * metric (m0, m1 …), each an anti-join of the dataset's rows (non-null key) against the
   * referenced relation, read whole.
   */
  renderOrphanQuery(plan: OrphanQueryPlan, params: Params): string
}

/** The metric kinds renderValidityMetric renders. */
export type ValiditySpec = Extract<
  MetricSpec,
  { kind: 'matchCount' | 'validCount' | 'quantile' | 'approxQuantile' | 'median' | 'freshnessHours' }
>

/** The referenced side of an anti-join: a relation of the same engine and its key column. */
export interface ReferenceRelation {
  relation: (params: Params) => string
  column: string
}

/** One orphanCount query: the dataset (with its date filter) and one key column per metric. */
export interface OrphanQueryPlan {
  relation: (params: Params) => string
  dateFilter?: { column: string; date: string }
  reference: (params: Params) => string
  /** Per metric: the dataset's key column and the referenced column. */
  keys: readonly { column: string; refColumn: string }[]
}

/**
 * Which rows a failed metric is about (docs/failed-rows.md): `col IS NULL` for nullCount,
 * `col IN (…)` for countValues, rows whose key combination occurs more than once for
 * duplicateCount, a comparison of a column (or its length in characters) with a number for
 * minimum/maximum/minLength/maxLength, regex matches (or, negated, the NULL or non-matching
 * rows) for matchCount, valid values (or, negated, the NULL or invalid ones) for validCount,
 * keys without a match in the referenced relation for orphanCount, and `or` to combine them.
 */
export type RowPredicate =
  | { kind: 'isNull'; column: string }
  | { kind: 'in'; column: string; values: readonly MetricLiteral[] }
  | { kind: 'compare'; column: string; length: boolean; op: '<' | '<=' | '>' | '>=' | '='; value: number }
  | { kind: 'duplicate'; columns: readonly string[] }
  | { kind: 'match'; column: string; pattern: string; negate: boolean }
  | { kind: 'valid'; column: string; rule: ValidRule; negate: boolean }
  | { kind: 'orphan'; column: string; reference: ReferenceRelation }
  | { kind: 'or'; predicates: readonly RowPredicate[] }

/** One failed-row sample query over one dataset (and, with a date column, one day). */
export interface SampleQueryPlan {
  relation: (params: Params) => string
  dateFilter?: { column: string; date: string }
  predicate: RowPredicate
  /** 'count': `SELECT count(*) AS total …`; otherwise the rows, only `columns`, at most `limit`. */
  select: 'count' | { columns: readonly string[]; limit: number }
}

export interface RenderOptions {
  /**
   * Render statistics so that NaN/±Infinity inputs yield NaN instead of an engine error
   * (DuckDB's var_samp raises "out of range"). Slower, so only used to re-run a scan that failed so.
   */
  nonFiniteSafe?: boolean
}

/** One batched scan: every metric of one dataset for one date. */
export interface ScanPlan extends RenderOptions {
  relation: (params: Params) => string
  dateFilter?: { column: string; date: string }
  metrics: readonly MetricSpec[]
}

/**
 * Renders a scan plan into a single SELECT with one aliased aggregate per
 * metric (m0, m1 …). `params` should be created for the dialect
 * (`new Params(dialect)`) so that placeholders are spelled the engine's way.
 */
export function compileScan(dialect: Dialect, plan: ScanPlan, params: Params): string {
  const from = plan.relation(params)
  const options = plan.nonFiniteSafe ? { nonFiniteSafe: true } : undefined
  const cols = plan.metrics.map((m, i) => `${dialect.renderMetric(m, params, options)} AS m${i}`)
  const where = plan.dateFilter
    ? ` WHERE ${dialect.renderDateFilter(plan.dateFilter.column, plan.dateFilter.date, params)}`
    : ''
  return `SELECT ${cols.join(', ')} FROM ${from} AS dqx_src${where}`
}

export { duckdbDialect } from './dialects/duckdb.js'
