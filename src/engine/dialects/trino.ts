import { DqxError } from '../../core/errors.js'
import type { Dialect } from '../dialect.js'
import { quoteIdent } from '../sql.js'
import { type AggregateSyntax, quantileLiteral, renderValidityCount, standardRendering } from './common.js'

const q = quoteIdent
const TYPES = { string: 'varchar', number: 'double', boolean: 'boolean' }

/** Aggregates and failed-row samples (docs/failed-rows.md). */
const SAMPLE: AggregateSyntax = {
  lengthOf: (c) => `length(CAST(${c} AS varchar))`,
  types: TYPES,
  countAll: 'count(*)',
  asText: (c) => `CAST(${c} AS varchar)`,
  regexMatch: (text, pattern) => `regexp_like(${text}, ${pattern})`,
  countIf: (cond) => `count(*) FILTER (WHERE ${cond})`,
  double: 'double',
  zero: 'CAST(0 AS bigint)',
  approxDistinct: (c) => `approx_distinct(${c})`,
  rowOf: (cols) => `ROW(${cols.join(', ')})`,
  first: (c, by) => `CAST(min_by(${c}, ${by}) AS double)`,
}

/** An engine without an exact quantile aggregate: a clear error instead of SQL that would not run. */
export function noExactQuantile(engine: string, approx: string): DqxError {
  return new DqxError(
    'CHECK_DEFINITION',
    `${engine} has no exact quantile aggregate: use mp.approxQuantile() (${approx}) for datasets on ${engine}`,
  )
}

/**
 * Trino (and Presto). Rendered and snapshot-tested only: dqx cannot run it here (no Trino).
 * - positional `?` parameters (prepared statements / `EXECUTE … USING`), double-quoted identifiers.
 * - `approxDistinct` is `approx_distinct` (HyperLogLog, standard error 2.3%).
 * - `duplicateCount` uses `count(DISTINCT ROW(…))`: DISTINCT compares NULL fields as equal.
 */
export const trinoDialect: Dialect = {
  name: 'trino',
  placeholder: () => '?',
  quoteIdent,
  ...standardRendering(() => trinoDialect, SAMPLE),
  renderValidityMetric(spec, params) {
    switch (spec.kind) {
      case 'matchCount':
      case 'validCount':
        return renderValidityCount(trinoDialect, SAMPLE, spec, params)
      case 'quantile':
      case 'median':
        throw noExactQuantile('Trino', 'approx_percentile')
      case 'approxQuantile':
        return `approx_percentile(CAST(${q(spec.column)} AS double), ${quantileLiteral(spec.q)})`
      case 'freshnessHours':
        // A DATE or TIMESTAMP becomes a point in time in the session time zone: run the session in UTC.
        return `to_unixtime(CAST(max(${q(spec.column)}) AS timestamp(6) with time zone))`
    }
  },
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS date) = CAST(${params.add(date)} AS date)`
  },
}
