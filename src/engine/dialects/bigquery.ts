import type { Dialect } from '../dialect.js'
import {
  type AggregateSyntax,
  quantileLiteral,
  quoteBacktick,
  renderValidityCount,
  standardRendering,
} from './common.js'
import { noExactQuantile } from './trino.js'

const q = quoteBacktick
const TYPES = { string: 'STRING', number: 'FLOAT64', boolean: 'BOOL' }

/** Aggregates and failed-row samples (docs/failed-rows.md). */
const SAMPLE: AggregateSyntax = {
  lengthOf: (c) => `length(CAST(${c} AS STRING))`,
  types: TYPES,
  countAll: 'count(*)',
  asText: (c) => `CAST(${c} AS STRING)`,
  regexMatch: (text, pattern) => `regexp_contains(${text}, ${pattern})`,
  countIf: (cond) => `countif(${cond})`,
  double: 'FLOAT64',
  zero: 'CAST(0 AS INT64)',
  approxDistinct: (c) => `approx_count_distinct(${c})`,
  // STRUCTs are not allowed in COUNT(DISTINCT …); their JSON text is, and keeps NULL fields.
  rowOf: (cols) => `to_json_string(STRUCT(${cols.join(', ')}))`,
  // A STRUCT keeps the first row's NULL value (IGNORE NULLS drops only rows without an orderBy value).
  first: (c, by) =>
    `array_agg(if(${by} IS NULL, NULL, STRUCT(CAST(${c} AS FLOAT64) AS v)) IGNORE NULLS ORDER BY ${by} LIMIT 1)[safe_offset(0)].v`,
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
  ...standardRendering(() => bigqueryDialect, SAMPLE),
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
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS DATE) = CAST(${params.add(date)} AS DATE)`
  },
}
