import type { MetricSpec } from '../core/metric-spec.js'
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
