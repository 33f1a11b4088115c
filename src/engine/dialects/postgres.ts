import type { Dialect } from '../dialect.js'
import { DOLLAR_PLACEHOLDERS, quoteIdent } from '../sql.js'
import { type AggregateSyntax, quantileLiteral, renderValidityCount, standardRendering } from './common.js'

const q = quoteIdent
const TYPES = { string: 'text', number: 'double precision', boolean: 'boolean' }

/** Aggregates and failed-row samples (docs/failed-rows.md). */
const SAMPLE: AggregateSyntax = {
  lengthOf: (c) => `length(CAST(${c} AS text))`,
  types: TYPES,
  countAll: 'count(*)',
  asText: (c) => `CAST(${c} AS text)`,
  regexMatch: (text, pattern) => `${text} ~ ${pattern}`,
  countIf: (cond) => `count(*) FILTER (WHERE ${cond})`,
  double: 'double precision',
  zero: 'CAST(0 AS bigint)',
  // No approximate distinct count in PostgreSQL: the exact one.
  approxDistinct: (c) => `count(DISTINCT ${c})`,
  rowOf: (cols) => `ROW(${cols.join(', ')})`,
  // No min_by in PostgreSQL: the first element of the values sorted by orderBy (rows without one left out).
  first: (c, by) =>
    `CAST((array_agg(${c} ORDER BY ${by}) FILTER (WHERE ${by} IS NOT NULL))[1] AS double precision)`,
  override(spec) {
    switch (spec.kind) {
      case 'average':
        return `CAST(sum(${q(spec.column)}) AS double precision) / NULLIF(count(${q(spec.column)}), 0)`
      case 'variance':
        return `CAST(var_samp(${q(spec.column)}) AS double precision)`
      case 'stddev':
        return `CAST(stddev_samp(${q(spec.column)}) AS double precision)`
      default:
        return undefined
    }
  },
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
  ...standardRendering(() => postgresDialect, SAMPLE),
  renderValidityMetric(spec, params) {
    switch (spec.kind) {
      case 'matchCount':
      case 'validCount':
        return renderValidityCount(postgresDialect, SAMPLE, spec, params)
      case 'quantile':
      case 'approxQuantile':
      case 'median': {
        // PostgreSQL has no approximate quantile: approxQuantile is the exact percentile_cont.
        const level = spec.kind === 'median' ? '0.5' : quantileLiteral(spec.q)
        return `percentile_cont(${level}) WITHIN GROUP (ORDER BY CAST(${q(spec.column)} AS double precision))`
      }
      case 'freshnessHours':
        // extract(epoch …) of a date is its midnight UTC, of a timestamp read as UTC.
        return `CAST(extract(epoch FROM max(${q(spec.column)})) AS double precision)`
    }
  },
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS date) = ${params.add(date)}::date`
  },
}
