import type { Dialect } from '../dialect.js'
import {
  quoteBacktick,
  renderPredicateWith,
  renderSampleQueryWith,
  type SampleSyntax,
  typedParams,
} from './common.js'

const q = quoteBacktick
const TYPES = { string: 'String', number: 'Float64', boolean: 'Bool' }

/** Failed-row samples (docs/failed-rows.md). */
const SAMPLE: SampleSyntax = {
  lengthOf: (c) => `lengthUTF8(toString(${c}))`,
  types: TYPES,
  countAll: 'count()',
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
    }
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
