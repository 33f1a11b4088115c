import { type Expr, Metric } from '../core/expression.js'
import type { MetricProvider } from '../core/metric-provider.js'
import type { MetricRequest, MetricScale } from './contract-rule.js'

/**
 * The one place where contract rules become `mp.*` expressions. ODCS metrics are expressed with
 * dqx's validity metrics (`validCount`, `matchCount`), so every dialect renders them its own way.
 * A single count metric becomes a share with `.rate()` (which refuses non-counts, and fails an
 * empty dataset with an error); a derived count is divided by `numRows()` explicitly.
 */
export function metricFor(mp: MetricProvider, request: MetricRequest, scale: MetricScale): Expr | Metric {
  const count = baseMetric(mp, request)
  if (scale === 'count') return count
  const rate = count instanceof Metric ? count.rate() : count.div(mp.numRows())
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
    case 'matchCount':
      return mp.matchCount(request.column, request.pattern)
    case 'validCount':
      return mp.validCount(request.column, request.rule)
    case 'missingValues': {
      const nulls = mp.nullCount(request.column)
      return request.values.length === 0 ? nulls : nulls.add(mp.countValues(request.column, request.values))
    }
    // Invalid = present but not valid: SQL's `col NOT IN (…)` semantics, NULL is neither.
    case 'notInValues':
      return mp
        .numRows()
        .sub(mp.nullCount(request.column))
        .sub(mp.validCount(request.column, { in: request.validValues }))
    case 'patternMismatch':
      return mp
        .numRows()
        .sub(mp.nullCount(request.column))
        .sub(mp.matchCount(request.column, request.pattern))
  }
}

/** A double-quoted SQL identifier (quotes inside doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
