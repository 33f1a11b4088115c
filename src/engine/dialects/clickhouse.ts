import type { Dialect } from '../dialect.js'
import type { SqlParam } from '../sql.js'
import { clickhouseLiteral, clickhouseParamType } from './clickhouse-literal.js'
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
const TYPES = { string: 'String', number: 'Float64', boolean: 'UInt8' }

/** Failed-row samples (docs/failed-rows.md). Window functions (duplicate samples) need ClickHouse ≥ 21. */
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

/** NULL when the column has no non-NULL value: ClickHouse aggregates return 0/nan over no rows. */
const orNull = (column: string, expr: string): string => `if(count(${column}) = 0, NULL, ${expr})`

/**
 * ClickHouse, executed by `DataSource.clickhouse()` on ClickHouse 18.16 (tests) and current
 * ClickHouse (tests run its SQL in chDB). Every spelling runs on both:
 * - typed query parameters `{p1:String}` (bind `values[n - 1]` as `pn`); `clickhouseInlineDialect`
 *   writes the values as literals instead, for servers without query parameters (before 19.x).
 * - over no rows ClickHouse aggregates return 0 or nan, not SQL's NULL: `if(count(c) = 0, NULL, …)`
 *   gives NULL (the `-OrNull` combinators are newer than 18.16), and variance needs 2 values.
 * - `varSampStable`/`stddevSampStable` (Welford): the plain `varSamp` works from sums of squares
 *   and loses every digit when the mean dwarfs the spread — measured, 1e9 + {0, 1, 2} gives
 *   variance 0 instead of 1. `clickhouseInlineDialect` (18.x) uses the plain ones: 18.16 cannot
 *   send a `…Stable` state between shards ("Unknown compression method"), so on a Distributed
 *   table only `varSamp` runs there.
 * - `length()` counts bytes: string lengths use `lengthUTF8` (characters).
 * - `approxDistinct` is `uniq` (adaptive sampling, approximate); `uniqueCount` is `uniqExact`.
 * - `duplicateCount` counts distinct `tuple(…)`s: a tuple is never NULL, and NULL fields compare equal.
 * - booleans are UInt8 (ClickHouse had no Bool type before 21.12).
 */
function makeClickhouseDialect(
  placeholder: (index: number, value: SqlParam) => string,
  moments: { variance: string; stddev: string },
): Dialect {
  const dialect: Dialect = {
    name: 'clickhouse',
    placeholder,
    quoteIdent: quoteBacktick,
    renderMetric(spec, params) {
      switch (spec.kind) {
        case 'numRows':
          return 'count()'
        case 'sum':
          return orNull(q(spec.column), `toFloat64(sum(${q(spec.column)}))`)
        case 'average':
          return orNull(q(spec.column), `toFloat64(avg(${q(spec.column)}))`)
        case 'minimum':
          return orNull(q(spec.column), `toFloat64(min(${q(spec.column)}))`)
        case 'maximum':
          return orNull(q(spec.column), `toFloat64(max(${q(spec.column)}))`)
        case 'variance':
          return `if(count(${q(spec.column)}) < 2, NULL, ${moments.variance}(${q(spec.column)}))`
        case 'stddev':
          return `if(count(${q(spec.column)}) < 2, NULL, ${moments.stddev}(${q(spec.column)}))`
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
          return orNull(q(spec.column), `min(lengthUTF8(toString(${q(spec.column)})))`)
        case 'maxLength':
          return orNull(q(spec.column), `max(lengthUTF8(toString(${q(spec.column)})))`)
        case 'first': {
          // argMinIf (in 18.16) over rows with an orderBy value (assumeNotNull keeps the Null
          // combinator from skipping rows whose value is NULL). The value travels as (isNull, value):
          // a NULL inside a tuple comes back from another shard as 0, a flag does not.
          const [col, by] = [q(spec.column), q(spec.orderBy)]
          const pick = `argMinIf(tuple(isNull(${col}), toFloat64(ifNull(${col}, 0))), assumeNotNull(${by}), isNotNull(${by}))`
          return `if(countIf(isNotNull(${by})) = 0 OR tupleElement(${pick}, 1) = 1, NULL, tupleElement(${pick}, 2))`
        }
        case 'customSql':
          return `(${spec.sql})`
        case 'orphanCount':
          throw orphanInScan()
        default:
          return dialect.renderValidityMetric(spec, params)
      }
    },
    renderValidityMetric(spec, params) {
      switch (spec.kind) {
        case 'matchCount':
        case 'validCount':
          return renderValidityCount(dialect, SAMPLE, spec, params)
        case 'quantile':
        case 'median': {
          // quantileExactInclusive interpolates linearly (PERCENTILE.INC, as quantile_cont).
          const level = spec.kind === 'median' ? '0.5' : quantileLiteral(spec.q)
          return orNull(q(spec.column), `quantileExactInclusive(${level})(toFloat64(${q(spec.column)}))`)
        }
        case 'approxQuantile':
          return orNull(q(spec.column), `quantile(${quantileLiteral(spec.q)})(toFloat64(${q(spec.column)}))`)
        case 'freshnessHours':
          return `toFloat64(toUnixTimestamp64Micro(toDateTime64(maxOrNull(${q(spec.column)}), 6, 'UTC'))) / 1e6`
      }
    },
    renderOrphanQuery(plan, params) {
      return renderOrphanQueryWith(dialect, SAMPLE, plan, params)
    },
    renderDateFilter(column, date, params) {
      return `toDate(${q(column)}) = toDate(${params.add(date)})`
    },
    renderPredicate(predicate, params) {
      return renderPredicateWith(dialect, SAMPLE, predicate, params)
    },
    renderSampleQuery(plan, params) {
      return renderSampleQueryWith(dialect, SAMPLE, plan, params)
    },
  }
  return dialect
}

/** ClickHouse with typed query parameters: `{p1:String}` is bound as `p1`. */
export const clickhouseDialect: Dialect = makeClickhouseDialect(
  (index, value) => `{p${index}:${clickhouseParamType(value)}}`,
  { variance: 'varSampStable', stddev: 'stddevSampStable' },
)

/**
 * ClickHouse for servers without query parameters (18.x): every value is written into the SQL
 * by `clickhouseLiteral`, the one audited escaping helper; `params.values` is then unused.
 * Variance is the plain `varSamp` (see above: the stable one cannot cross shards on 18.16).
 */
export const clickhouseInlineDialect: Dialect = makeClickhouseDialect(
  (_index, value) => clickhouseLiteral(value),
  { variance: 'varSamp', stddev: 'stddevSamp' },
)
