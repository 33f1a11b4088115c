import type { Dialect } from '../dialect.js'
import { quoteIdent } from '../sql.js'
import { renderPredicateWith, renderSampleQueryWith, type SampleSyntax, typedParams } from './common.js'

const q = quoteIdent
const TYPES = { string: 'VARCHAR', number: 'DOUBLE', boolean: 'BOOLEAN' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `LENGTH(CAST(${c} AS VARCHAR))`,
  types: TYPES,
  countAll: 'COUNT(*)',
}

/**
 * Snowflake. Rendered and snapshot-tested; executed through your own `snowflake-sdk` connection
 * with `DataSource.warehouse({ dialect: 'snowflake', execute })` (no Snowflake account here).
 * - positional `?` binds (`connection.execute({ sqlText, binds })`), double-quoted identifiers:
 *   quoted names are case-sensitive, and Snowflake stores unquoted names in UPPER case.
 * - `approxDistinct` is `APPROX_COUNT_DISTINCT` (HyperLogLog).
 * - `countValues` uses `COUNT_IF`: Snowflake has no `FILTER (WHERE …)`.
 * - `duplicateCount` counts distinct `ARRAY_CONSTRUCT(…)`s: `COUNT(DISTINCT a, b)` would skip
 *   rows with a NULL field, while an array keeps it, so NULL-holding combinations count once.
 */
export const snowflakeDialect: Dialect = {
  name: 'snowflake',
  placeholder: () => '?',
  quoteIdent,
  renderMetric(spec, params) {
    switch (spec.kind) {
      case 'numRows':
        return 'COUNT(*)'
      case 'sum':
        return `CAST(SUM(${q(spec.column)}) AS DOUBLE)`
      case 'average':
        return `CAST(AVG(${q(spec.column)}) AS DOUBLE)`
      case 'minimum':
        return `CAST(MIN(${q(spec.column)}) AS DOUBLE)`
      case 'maximum':
        return `CAST(MAX(${q(spec.column)}) AS DOUBLE)`
      case 'variance':
        return `VAR_SAMP(${q(spec.column)})`
      case 'stddev':
        return `STDDEV_SAMP(${q(spec.column)})`
      case 'nullCount':
        return `COUNT(*) - COUNT(${q(spec.column)})`
      case 'uniqueCount':
        return `COUNT(DISTINCT ${q(spec.column)})`
      case 'approxDistinct':
        return `APPROX_COUNT_DISTINCT(${q(spec.column)})`
      case 'duplicateCount':
        return `COUNT(*) - COUNT(DISTINCT ARRAY_CONSTRUCT(${spec.columns.map(q).join(', ')}))`
      case 'countValues':
        if (spec.values.length === 0) return 'CAST(0 AS BIGINT)'
        return `COUNT_IF(${q(spec.column)} IN (${typedParams(spec.values, params, TYPES)}))`
      case 'minLength':
        return `MIN(LENGTH(CAST(${q(spec.column)} AS VARCHAR)))`
      case 'maxLength':
        return `MAX(LENGTH(CAST(${q(spec.column)} AS VARCHAR)))`
      case 'customSql':
        return `(${spec.sql})`
    }
  },
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS DATE) = CAST(${params.add(date)} AS DATE)`
  },
  renderPredicate(predicate, params) {
    return renderPredicateWith(snowflakeDialect, SAMPLE, predicate, params)
  },
  renderSampleQuery(plan, params) {
    return renderSampleQueryWith(snowflakeDialect, SAMPLE, plan, params)
  },
}
