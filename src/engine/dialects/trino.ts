import { DqxError } from '../../core/errors.js'
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
const TYPES = { string: 'varchar', number: 'double', boolean: 'boolean' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `length(CAST(${c} AS varchar))`,
  types: TYPES,
  countAll: 'count(*)',
  asText: (c) => `CAST(${c} AS varchar)`,
  regexMatch: (text, pattern) => `regexp_like(${text}, ${pattern})`,
  countIf: (cond) => `count(*) FILTER (WHERE ${cond})`,
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
  renderMetric(spec, params) {
    switch (spec.kind) {
      case 'numRows':
        return 'count(*)'
      case 'sum':
        return `CAST(sum(${q(spec.column)}) AS double)`
      case 'average':
        return `CAST(avg(${q(spec.column)}) AS double)`
      case 'minimum':
        return `CAST(min(${q(spec.column)}) AS double)`
      case 'maximum':
        return `CAST(max(${q(spec.column)}) AS double)`
      case 'variance':
        return `var_samp(${q(spec.column)})`
      case 'stddev':
        return `stddev_samp(${q(spec.column)})`
      case 'nullCount':
        return `count(*) - count(${q(spec.column)})`
      case 'uniqueCount':
        return `count(DISTINCT ${q(spec.column)})`
      case 'approxDistinct':
        return `approx_distinct(${q(spec.column)})`
      case 'duplicateCount':
        return `count(*) - count(DISTINCT ROW(${spec.columns.map(q).join(', ')}))`
      case 'countValues':
        if (spec.values.length === 0) return 'CAST(0 AS bigint)'
        return `count(*) FILTER (WHERE ${q(spec.column)} IN (${typedParams(spec.values, params, TYPES)}))`
      case 'minLength':
        return `min(length(CAST(${q(spec.column)} AS varchar)))`
      case 'maxLength':
        return `max(length(CAST(${q(spec.column)} AS varchar)))`
      case 'first':
        return `CAST(min_by(${q(spec.column)}, ${q(spec.orderBy)}) AS double)`
      case 'customSql':
        return `(${spec.sql})`
      case 'orphanCount':
        throw orphanInScan()
      default:
        return trinoDialect.renderValidityMetric(spec, params)
    }
  },
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
  renderOrphanQuery(plan, params) {
    return renderOrphanQueryWith(trinoDialect, SAMPLE, plan, params)
  },
  renderDateFilter(column, date, params) {
    return `CAST(${q(column)} AS date) = CAST(${params.add(date)} AS date)`
  },
  renderPredicate(predicate, params) {
    return renderPredicateWith(trinoDialect, SAMPLE, predicate, params)
  },
  renderSampleQuery(plan, params) {
    return renderSampleQueryWith(trinoDialect, SAMPLE, plan, params)
  },
}
