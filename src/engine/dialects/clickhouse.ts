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

const q = quoteBacktick
const TYPES = { string: 'String', number: 'Float64', boolean: 'Bool' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `lengthUTF8(toString(${c}))`,
  types: TYPES,
  countAll: 'count()',
  asText: (c) => `toString(${c})`,
  regexMatch: (text, pattern) => `match(${text}, ${pattern})`,
  countIf: (cond) => `countIf(${cond})`,
  // Correlated subqueries are recent in ClickHouse: NOT IN over the referenced keys (NULLs
  // removed, so that one NULL key does not make every comparison unknown).
  notInReference: (key, reference, column) =>
    `${key} NOT IN (SELECT ${column} FROM ${reference} AS dqx_ref WHERE ${column} IS NOT NULL)`,
}

/**
 * ClickHouse. Rendered and snapshot-tested only: dqx cannot run it here (no ClickHouse).
 * - positional `?` parameters (as the JDBC/ODBC drivers take them), backtick identifiers.
 * - aggregates over no rows return 0/nan in ClickHouse, not NULL: `-OrNull` combinators and an
 *   explicit `count < 2` guard give SQL's NULLs; `var`/`stddev` use the numerically stable variants.
 * - `length()` counts bytes: string lengths use `lengthUTF8` (characters).
 * - `approxDistinct` is `uniq` (adaptive sampling, approximate); `uniqueCount` is `uniqExact`.
 * - `duplicateCount` counts distinct `tuple(…)`s: a tuple is never NULL, and NULL fields compare equal.
 */
export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  placeholder: () => '?',
  quoteIdent: quoteBacktick,
  renderMetric(spec, params) {
    switch (spec.kind) {
      case 'numRows':
        return 'count()'
      case 'sum':
        return `toFloat64(sumOrNull(${q(spec.column)}))`
      case 'average':
        return `avgOrNull(${q(spec.column)})`
      case 'minimum':
        return `toFloat64(minOrNull(${q(spec.column)}))`
      case 'maximum':
        return `toFloat64(maxOrNull(${q(spec.column)}))`
      case 'variance':
        return `if(count(${q(spec.column)}) < 2, NULL, varSampStable(${q(spec.column)}))`
      case 'stddev':
        return `if(count(${q(spec.column)}) < 2, NULL, stddevSampStable(${q(spec.column)}))`
      case 'nullCount':
        return `count() - count(${q(spec.column)})`
      case 'uniqueCount':
        return `uniqExact(${q(spec.column)})`
      case 'approxDistinct':
        return `uniq(${q(spec.column)})`
      case 'duplicateCount':
        return `count() - uniqExact(tuple(${spec.columns.map(q).join(', ')}))`
      case 'countValues':
        if (spec.values.length === 0) return 'toUInt64(0)'
        return `countIf(${q(spec.column)} IN (${typedParams(spec.values, params, TYPES)}))`
      case 'minLength':
        return `minOrNull(lengthUTF8(toString(${q(spec.column)})))`
      case 'maxLength':
        return `maxOrNull(lengthUTF8(toString(${q(spec.column)})))`
      case 'customSql':
        return `(${spec.sql})`
      case 'orphanCount':
        throw orphanInScan()
      default:
        return clickhouseDialect.renderValidityMetric(spec, params)
    }
  },
  renderValidityMetric(spec, params) {
    switch (spec.kind) {
      case 'matchCount':
      case 'validCount':
        return renderValidityCount(clickhouseDialect, SAMPLE, spec, params)
      case 'quantile':
      case 'median': {
        // quantileExactInclusive interpolates linearly (PERCENTILE.INC, as quantile_cont); over
        // no values it returns nan, hence the guard for SQL's NULL.
        const level = spec.kind === 'median' ? '0.5' : quantileLiteral(spec.q)
        return `if(count(${q(spec.column)}) = 0, NULL, quantileExactInclusive(${level})(toFloat64(${q(spec.column)})))`
      }
      case 'approxQuantile':
        return `if(count(${q(spec.column)}) = 0, NULL, quantile(${quantileLiteral(spec.q)})(toFloat64(${q(spec.column)})))`
      case 'freshnessHours':
        return `toFloat64(toUnixTimestamp64Micro(toDateTime64(maxOrNull(${q(spec.column)}), 6, 'UTC'))) / 1e6`
    }
  },
  renderOrphanQuery(plan, params) {
    return renderOrphanQueryWith(clickhouseDialect, SAMPLE, plan, params)
  },
  renderDateFilter(column, date, params) {
    return `toDate(${q(column)}) = toDate(${params.add(date)})`
  },
  renderPredicate(predicate, params) {
    return renderPredicateWith(clickhouseDialect, SAMPLE, predicate, params)
  },
  renderSampleQuery(plan, params) {
    return renderSampleQueryWith(clickhouseDialect, SAMPLE, plan, params)
  },
}
