import type { Dialect } from '../dialect.js'
import { DOLLAR_PLACEHOLDERS, quoteIdent } from '../sql.js'
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
const q_ = quoteIdent
const TYPES = { string: 'text', number: 'double precision', boolean: 'boolean' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `length(CAST(${c} AS text))`,
  types: TYPES,
  countAll: 'count(*)',
  asText: (c) => `CAST(${c} AS text)`,
  regexMatch: (text, pattern) => `${text} ~ ${pattern}`,
  countIf: (cond) => `count(*) FILTER (WHERE ${cond})`,
}

/**
 * PostgreSQL (tested against 15). Differences from DuckDB:
 * - `approxDistinct` is an exact `count(DISTINCT …)`: PostgreSQL has no approximate distinct count.
 * - `average` is `sum / count`: PostgreSQL's float8 `avg()` shares the variance accumulator and
 *   raises "value out of range: overflow" for mixed-sign values beyond ~1e154, where DuckDB's does not.
 * - sums of integers are bigint/numeric and counts bigint: every float result is cast to
 *   double precision, and the datasource parses bigint and numeric results into numbers.
 * - `duplicateCount` uses `count(DISTINCT ROW(…))`: a ROW is never NULL itself and DISTINCT
 *   compares NULL fields as equal, so NULL-holding combinations count once, as in DuckDB.
 */
export const postgresDialect: Dialect = {
  name: 'postgres',
  placeholder: DOLLAR_PLACEHOLDERS.placeholder,
  quoteIdent,
  renderMetric(spec, params) {
    switch (spec.kind) {
      case 'numRows':
        return 'count(*)'
      case 'sum':
        return `CAST(sum(${q(spec.column)}) AS double precision)`
      case 'average':
        return `CAST(sum(${q(spec.column)}) AS double precision) / NULLIF(count(${q(spec.column)}), 0)`
      case 'minimum':
        return `CAST(min(${q(spec.column)}) AS double precision)`
      case 'maximum':
        return `CAST(max(${q(spec.column)}) AS double precision)`
      case 'variance':
        return `CAST(var_samp(${q(spec.column)}) AS double precision)`
      case 'stddev':
        return `CAST(stddev_samp(${q(spec.column)}) AS double precision)`
      case 'nullCount':
        return `count(*) - count(${q(spec.column)})`
      case 'uniqueCount':
      case 'approxDistinct':
        return `count(DISTINCT ${q(spec.column)})`
      case 'duplicateCount':
        return `count(*) - count(DISTINCT ROW(${spec.columns.map(q).join(', ')}))`
      case 'countValues':
        if (spec.values.length === 0) return 'CAST(0 AS bigint)'
        return `count(*) FILTER (WHERE ${q(spec.column)} IN (${typedParams(spec.values, params, TYPES)}))`
      case 'minLength':
        return `min(length(CAST(${q(spec.column)} AS text)))`
      case 'maxLength':
        return `max(length(CAST(${q(spec.column)} AS text)))`
      case 'first':
        // No min_by in PostgreSQL: the first element of the values sorted by orderBy (rows without one left out).
        return `CAST((array_agg(${q(spec.column)} ORDER BY ${q(spec.orderBy)}) FILTER (WHERE ${q(spec.orderBy)} IS NOT NULL))[1] AS double precision)`
      case 'customSql':
        return `(${spec.sql})`
      case 'orphanCount':
        throw orphanInScan()
      default:
        return postgresDialect.renderValidityMetric(spec, params)
    }
  },
  renderValidityMetric(spec, params) {
    switch (spec.kind) {
      case 'matchCount':
      case 'validCount':
        return renderValidityCount(postgresDialect, SAMPLE, spec, params)
      case 'quantile':
      case 'approxQuantile':
      case 'median': {
        // PostgreSQL has no approximate quantile: approxQuantile is the exact percentile_cont.
        const q = spec.kind === 'median' ? '0.5' : quantileLiteral(spec.q)
        return `percentile_cont(${q}) WITHIN GROUP (ORDER BY CAST(${q_(spec.column)} AS double precision))`
      }
      case 'freshnessHours':
        // extract(epoch …) of a date is its midnight UTC, of a timestamp read as UTC.
        return `CAST(extract(epoch FROM max(${q_(spec.column)})) AS double precision)`
    }
  },
  renderOrphanQuery(plan, params) {
    return renderOrphanQueryWith(postgresDialect, SAMPLE, plan, params)
  },
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS date) = ${params.add(date)}::date`
  },
  renderPredicate(predicate, params) {
    return renderPredicateWith(postgresDialect, SAMPLE, predicate, params)
  },
  renderSampleQuery(plan, params) {
    return renderSampleQueryWith(postgresDialect, SAMPLE, plan, params)
  },
}
