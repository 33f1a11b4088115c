import type { MetricSpec } from '../core/metric-spec.js'
import { type Params, quoteIdent } from './sql.js'

/**
 * How one SQL engine spells each metric. The core describes metrics as
 * `MetricSpec`s; a dialect renders them into aggregate expressions so that
 * all metrics of a dataset run as one SELECT on whatever engine holds the data.
 */
export interface Dialect {
  readonly name: string
  quoteIdent(name: string): string
  /** One aggregate expression computing `spec` over the scanned rows. */
  renderMetric(spec: MetricSpec, params: Params): string
  /** A predicate keeping only rows of one day, for sources with a date column. */
  renderDateFilter(column: string, date: string, params: Params): string
}

/** One batched scan: every metric of one dataset for one date. */
export interface ScanPlan {
  relation: (params: Params) => string
  dateFilter?: { column: string; date: string }
  metrics: readonly MetricSpec[]
}

/** Renders a scan plan into a single SELECT with one aliased aggregate per metric (m0, m1 …). */
export function compileScan(dialect: Dialect, plan: ScanPlan, params: Params): string {
  const from = plan.relation(params)
  const cols = plan.metrics.map((m, i) => `${dialect.renderMetric(m, params)} AS m${i}`)
  const where = plan.dateFilter
    ? ` WHERE ${dialect.renderDateFilter(plan.dateFilter.column, plan.dateFilter.date, params)}`
    : ''
  return `SELECT ${cols.join(', ')} FROM ${from} AS dqx_src${where}`
}

/** DuckDB's spelling of every metric (the default engine). */
export const duckdbDialect: Dialect = {
  name: 'duckdb',
  quoteIdent,
  renderMetric(spec, params) {
    switch (spec.kind) {
      case 'numRows':
        return 'count(*)'
      case 'sum':
        return `CAST(sum(${quoteIdent(spec.column)}) AS DOUBLE)`
      case 'average':
        return `CAST(avg(${quoteIdent(spec.column)}) AS DOUBLE)`
      case 'minimum':
        return `CAST(min(${quoteIdent(spec.column)}) AS DOUBLE)`
      case 'maximum':
        return `CAST(max(${quoteIdent(spec.column)}) AS DOUBLE)`
      case 'variance':
        return `var_samp(${quoteIdent(spec.column)})`
      case 'stddev':
        return `stddev_samp(${quoteIdent(spec.column)})`
      case 'nullCount':
        return `count(*) - count(${quoteIdent(spec.column)})`
      case 'uniqueCount':
        return `count(DISTINCT ${quoteIdent(spec.column)})`
      case 'approxDistinct':
        return `approx_count_distinct(${quoteIdent(spec.column)})`
      case 'duplicateCount':
        // row(...) is never NULL itself, so NULL-holding combinations are counted like any other.
        return `count(*) - count(DISTINCT row(${spec.columns.map(quoteIdent).join(', ')}))`
      case 'countValues': {
        if (spec.values.length === 0) return 'CAST(0 AS BIGINT)'
        const list = spec.values.map((v) => `CAST(${params.add(v)} AS ${sqlTypeOf(v)})`)
        return `count(*) FILTER (WHERE ${quoteIdent(spec.column)} IN (${list.join(', ')}))`
      }
      case 'minLength':
        return `min(length(CAST(${quoteIdent(spec.column)} AS VARCHAR)))`
      case 'maxLength':
        return `max(length(CAST(${quoteIdent(spec.column)} AS VARCHAR)))`
      case 'customSql':
        return `(${spec.sql})`
    }
  },
  renderDateFilter(column, date, params) {
    return `CAST(${quoteIdent(column)} AS DATE) = CAST(${params.add(date)} AS DATE)`
  },
}

function sqlTypeOf(v: string | number | boolean): string {
  return typeof v === 'string' ? 'VARCHAR' : typeof v === 'number' ? 'DOUBLE' : 'BOOLEAN'
}
