import type { Dialect } from '../dialect.js'
import { quoteIdent } from '../sql.js'
import {
  quantileLiteral,
  renderOrphanQueryWith,
  renderPredicateWith,
  renderSampleQueryWith,
  renderValidityCount,
  type SampleSyntax,
  typedParams,
} from './common.js'
import { orphanInScan } from './duckdb.js'

const q = quoteIdent
const TYPES = { string: 'VARCHAR', number: 'DOUBLE', boolean: 'BOOLEAN' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `LENGTH(CAST(${c} AS VARCHAR))`,
  types: TYPES,
  countAll: 'COUNT(*)',
  asText: (c) => `CAST(${c} AS VARCHAR)`,
  // REGEXP_LIKE matches the whole value in Snowflake; REGEXP_INSTR finds a match anywhere.
  regexMatch: (text, pattern) => `REGEXP_INSTR(${text}, ${pattern}) > 0`,
  countIf: (cond) => `COUNT_IF(${cond})`,
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
      case 'first':
        return `CAST(MIN_BY(${q(spec.column)}, ${q(spec.orderBy)}) AS DOUBLE)`
      case 'customSql':
        return `(${spec.sql})`
      case 'orphanCount':
        throw orphanInScan()
      default:
        return snowflakeDialect.renderValidityMetric(spec, params)
    }
  },
  renderValidityMetric(spec, params) {
    switch (spec.kind) {
      case 'matchCount':
      case 'validCount':
        return renderValidityCount(snowflakeDialect, SAMPLE, spec, params)
      case 'quantile':
      case 'median': {
        const level = spec.kind === 'median' ? '0.5' : quantileLiteral(spec.q)
        return `PERCENTILE_CONT(${level}) WITHIN GROUP (ORDER BY CAST(${q(spec.column)} AS DOUBLE))`
      }
      case 'approxQuantile':
        return `APPROX_PERCENTILE(CAST(${q(spec.column)} AS DOUBLE), ${quantileLiteral(spec.q)})`
      case 'freshnessHours':
        // A DATE or TIMESTAMP_NTZ becomes a point in time in the session time zone: run it in UTC.
        return `DATE_PART(EPOCH_MICROSECOND, CAST(MAX(${q(spec.column)}) AS TIMESTAMP_TZ)) / 1e6`
    }
  },
  renderOrphanQuery(plan, params) {
    return renderOrphanQueryWith(snowflakeDialect, SAMPLE, plan, params)
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
