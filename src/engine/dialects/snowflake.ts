import type { Dialect } from '../dialect.js'
import { quoteIdent } from '../sql.js'
import { type AggregateSyntax, quantileLiteral, renderValidityCount, standardRendering } from './common.js'

const q = quoteIdent
const TYPES = { string: 'VARCHAR', number: 'DOUBLE', boolean: 'BOOLEAN' }

/** Aggregates and failed-row samples (docs/failed-rows.md). */
const SAMPLE: AggregateSyntax = {
  lengthOf: (c) => `length(CAST(${c} AS VARCHAR))`,
  types: TYPES,
  countAll: 'count(*)',
  asText: (c) => `CAST(${c} AS VARCHAR)`,
  // REGEXP_LIKE matches the whole value in Snowflake; REGEXP_INSTR finds a match anywhere.
  regexMatch: (text, pattern) => `regexp_instr(${text}, ${pattern}) > 0`,
  countIf: (cond) => `count_if(${cond})`,
  double: 'DOUBLE',
  zero: 'CAST(0 AS BIGINT)',
  approxDistinct: (c) => `approx_count_distinct(${c})`,
  rowOf: (cols) => `array_construct(${cols.join(', ')})`,
  first: (c, by) => `CAST(min_by(${c}, ${by}) AS DOUBLE)`,
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
  ...standardRendering(() => snowflakeDialect, SAMPLE),
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
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS DATE) = CAST(${params.add(date)} AS DATE)`
  },
}
