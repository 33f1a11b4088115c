import type { Expr, Metric } from '../core/expression.js'
import type { MetricProvider } from '../core/metric-provider.js'
import type { MetricRequest, MetricScale } from './contract-rule.js'

/**
 * The one place where contract rules become `mp.*` expressions. ODCS metrics are built from the
 * metrics dqx has today (nullCount, countValues, numRows, customSql); when `mp.validCount` /
 * `mp.matchCount` / `.rate()` exist, only this function changes.
 */
export function metricFor(mp: MetricProvider, request: MetricRequest, scale: MetricScale): Expr | Metric {
  const count = baseMetric(mp, request)
  if (scale === 'count') return count
  const rate = count.div(mp.numRows())
  return scale === 'rate' ? rate : rate.mul(100)
}

function baseMetric(mp: MetricProvider, request: MetricRequest): Expr | Metric {
  switch (request.kind) {
    case 'numRows':
      return mp.numRows()
    case 'column':
      return mp[request.metric](request.column)
    case 'countValues':
      return mp.countValues(request.column, request.values)
    case 'duplicateCount':
      return mp.duplicateCount(request.columns)
    case 'customSql':
      return mp.customSql(request.sql)
    case 'missingValues': {
      const nulls = mp.nullCount(request.column)
      return request.values.length === 0 ? nulls : nulls.add(mp.countValues(request.column, request.values))
    }
    case 'notInValues':
      // SQL's `col NOT IN (…)` semantics: NULL is neither valid nor invalid.
      return mp
        .numRows()
        .sub(mp.nullCount(request.column))
        .sub(mp.countValues(request.column, request.validValues))
    case 'patternMismatch':
      // DuckDB's regexp_matches (RE2, unanchored like RegExp.test): file, sql and records sources.
      return mp.customSql(
        `count(*) filter (where ${quoteIdent(request.column)} is not null and not regexp_matches(${quoteIdent(request.column)}, ${quoteString(request.pattern)}))`,
      )
  }
}

/** A double-quoted SQL identifier (quotes inside doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** A single-quoted SQL string literal (quotes inside doubled). */
export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
