import type { Dialect } from '../dialect.js'
import {
  quantileLiteral,
  quoteBacktick,
  renderOrphanQueryWith,
  renderPredicateWith,
  renderSampleQueryWith,
  renderValidityCount,
  type SampleSyntax,
  typedParams,
} from './common.js'
import { orphanInScan } from './duckdb.js'
import { noExactQuantile } from './trino.js'

const q = quoteBacktick
const TYPES = { string: 'STRING', number: 'FLOAT64', boolean: 'BOOL' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `LENGTH(CAST(${c} AS STRING))`,
  types: TYPES,
  countAll: 'COUNT(*)',
  asText: (c) => `CAST(${c} AS STRING)`,
  regexMatch: (text, pattern) => `REGEXP_CONTAINS(${text}, ${pattern})`,
  countIf: (cond) => `COUNTIF(${cond})`,
}

/** APPROX_QUANTILES(x, 1000) splits into 1000 parts: approxQuantile's q is rounded to 0.001. */
const QUANTILE_PARTS = 1000

/**
 * BigQuery GoogleSQL. Rendered and snapshot-tested only: dqx cannot run it here (no BigQuery).
 * - named parameters: the n-th value is `@pn` (bind `values[n - 1]` as `pn`).
 * - backtick identifiers; a `project.dataset.table` relation is yours to spell.
 * - `approxDistinct` is `APPROX_COUNT_DISTINCT` (HyperLogLog++), like DuckDB approximate.
 * - `duplicateCount` counts distinct `TO_JSON_STRING(STRUCT(…))`: STRUCTs are not allowed in
 *   `COUNT(DISTINCT …)`, and the JSON text keeps NULL fields, so NULLs compare equal.
 * - `countValues` uses `COUNTIF`: BigQuery has no `FILTER (WHERE …)`.
 */
export const bigqueryDialect: Dialect = {
  name: 'bigquery',
  placeholder: (index) => `@p${index}`,
  quoteIdent: quoteBacktick,
  renderMetric(spec, params) {
    switch (spec.kind) {
      case 'numRows':
        return 'COUNT(*)'
      case 'sum':
        return `CAST(SUM(${q(spec.column)}) AS FLOAT64)`
      case 'average':
        return `CAST(AVG(${q(spec.column)}) AS FLOAT64)`
      case 'minimum':
        return `CAST(MIN(${q(spec.column)}) AS FLOAT64)`
      case 'maximum':
        return `CAST(MAX(${q(spec.column)}) AS FLOAT64)`
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
        return `COUNT(*) - COUNT(DISTINCT TO_JSON_STRING(STRUCT(${spec.columns.map(q).join(', ')})))`
      case 'countValues':
        if (spec.values.length === 0) return 'CAST(0 AS INT64)'
        return `COUNTIF(${q(spec.column)} IN (${typedParams(spec.values, params, TYPES)}))`
      case 'minLength':
        return `MIN(LENGTH(CAST(${q(spec.column)} AS STRING)))`
      case 'maxLength':
        return `MAX(LENGTH(CAST(${q(spec.column)} AS STRING)))`
      case 'first':
        // A STRUCT keeps the first row's NULL value (IGNORE NULLS drops only rows without an orderBy value).
        return `ARRAY_AGG(IF(${q(spec.orderBy)} IS NULL, NULL, STRUCT(CAST(${q(spec.column)} AS FLOAT64) AS v)) IGNORE NULLS ORDER BY ${q(spec.orderBy)} LIMIT 1)[SAFE_OFFSET(0)].v`
      case 'customSql':
        return `(${spec.sql})`
      case 'orphanCount':
        throw orphanInScan()
      default:
        return bigqueryDialect.renderValidityMetric(spec, params)
    }
  },
  renderValidityMetric(spec, params) {
    switch (spec.kind) {
      case 'matchCount':
      case 'validCount':
        return renderValidityCount(bigqueryDialect, SAMPLE, spec, params)
      case 'quantile':
      case 'median':
        // PERCENTILE_CONT is analytic only (OVER ()), not an aggregate of a grouped SELECT.
        throw noExactQuantile('BigQuery', 'APPROX_QUANTILES')
      case 'approxQuantile': {
        const offset = Math.round(Number(quantileLiteral(spec.q)) * QUANTILE_PARTS)
        return `APPROX_QUANTILES(CAST(${q(spec.column)} AS FLOAT64), ${QUANTILE_PARTS})[SAFE_OFFSET(${offset})]`
      }
      case 'freshnessHours':
        // A DATE becomes its midnight UTC; a DATETIME is read as UTC.
        return `UNIX_MICROS(CAST(MAX(${q(spec.column)}) AS TIMESTAMP)) / 1e6`
    }
  },
  renderOrphanQuery(plan, params) {
    return renderOrphanQueryWith(bigqueryDialect, SAMPLE, plan, params)
  },
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS DATE) = CAST(${params.add(date)} AS DATE)`
  },
  renderPredicate(predicate, params) {
    return renderPredicateWith(bigqueryDialect, SAMPLE, predicate, params)
  },
  renderSampleQuery(plan, params) {
    return renderSampleQueryWith(bigqueryDialect, SAMPLE, plan, params)
  },
}
