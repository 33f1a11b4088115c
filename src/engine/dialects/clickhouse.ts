import type { Dialect } from '../dialect.js'
import type { SqlParam } from '../sql.js'
import { clickhouseLiteral, clickhouseParamType } from './clickhouse-literal.js'
import {
  orphanInScan,
  quantileLiteral,
  quoteBacktick,
  renderValidityCount,
  type SampleSyntax,
  sampleRendering,
  typedParams,
} from './common.js'

const q = quoteBacktick
const TYPES = { string: 'String', number: 'Float64', boolean: 'UInt8' }

/**
 * A case-insensitive pattern `(?i)…` as `(?i)(?:…)`: the same regex in RE2, but ClickHouse 18.16
 * prefilters rows by the pattern's top-level literal text compared case-sensitively, so there
 * `match('abc', '(?i)ABC')` is 0 (and `(?i)^ABC`, `(?i)z?ABC` …); inside a group it does not.
 */
function clickhousePattern(pattern: string): string {
  return pattern.startsWith('(?i)') ? `(?i)(?:${pattern.slice(4)})` : pattern
}

/**
 * Failed-row samples (docs/failed-rows.md) and the validity counts. Window functions (duplicate
 * samples) need ClickHouse ≥ 21. `textKeys`: compare orphanCount keys as text (servers < 20.5).
 */
function sampleSyntax(textKeys: boolean): SampleSyntax {
  return {
    lengthOf: (c) => `lengthUTF8(toString(${c}))`,
    types: TYPES,
    countAll: 'count()',
    asText: (c) => `toString(${c})`,
    regexMatch: (text, pattern) => `match(${text}, ${pattern})`,
    pattern: clickhousePattern,
    // ifNull: on a Nullable column the condition is Nullable, and 18.16's countIf over one then
    // returns NULL instead of 0 when no row has a value (an empty table).
    countIf: (cond) => `countIf(ifNull(${cond}, 0))`,
    // Correlated subqueries are recent in ClickHouse: NOT IN over the referenced keys (NULLs
    // removed, so that one NULL key does not make every comparison unknown). GLOBAL: on a
    // Distributed table the initiator reads the whole referenced relation once and sends the set
    // to every shard (a plain IN over two Distributed tables is refused, and with
    // distributed_product_mode = local would compare each shard with its own part only).
    // ClickHouse < 20.5 refuses an IN whose sides differ in type (Int64 against UInt64 …):
    // there both sides are compared as text, exact for integer, string, UUID and date keys.
    notInReference: textKeys
      ? (key, reference, column) =>
          `toString(${key}) GLOBAL NOT IN (SELECT toString(${column}) FROM ${reference} AS dqx_ref WHERE ${column} IS NOT NULL)`
      : (key, reference, column) =>
          `${key} GLOBAL NOT IN (SELECT ${column} FROM ${reference} AS dqx_ref WHERE ${column} IS NOT NULL)`,
  }
}

/** NULL when the column has no non-NULL value: ClickHouse aggregates return 0/nan over no rows. */
const orNull = (column: string, expr: string): string => `if(count(${column}) = 0, NULL, ${expr})`

/** How the 18.x exact quantile gathers a column's values: `arraySort(groupArray(toFloat64(col)))`. */
const SORTED_ARRAY = 'arraySort(groupArray(toFloat64('

/**
 * Most values ClickHouse before 20.5 accepts in one groupArray state from another shard (its
 * AGGREGATE_FUNCTION_GROUP_ARRAY_MAX_ARRAY_SIZE): an exact quantile of more fails there with
 * "Too large array size" (code 128). Measured on 18.16: 17 000 000 values on one shard fail.
 */
export const GROUP_ARRAY_LIMIT = 0xffffff

/** The (quoted) columns whose 18.x exact quantile an SQL text computes, for that error's message. */
export function sortedArrayQuantileColumns(sql: string): string[] {
  const found = new Set<string>()
  let at = sql.indexOf(SORTED_ARRAY)
  while (at >= 0) {
    // Always a quoted name: renderMetric quotes every column.
    found.add((/^`(?:[^`\\]|\\.)*`/.exec(sql.slice(at + SORTED_ARRAY.length)) as RegExpExecArray)[0])
    at = sql.indexOf(SORTED_ARRAY, at + 1)
  }
  return [...found]
}

/** What differs between the ClickHouse versions dqx speaks (see clickhouseDialectFor). */
interface Spelling {
  placeholder: (index: number, value: SqlParam) => string
  /** ≥ 20.5: quantileExactInclusive, DateTime64 functions, the -OrNull combinators, typed IN. */
  current: boolean
}

/**
 * ClickHouse, executed by `DataSource.clickhouse()` on ClickHouse 18.16 (tests) and current
 * ClickHouse (tests run its SQL in chDB). `clickhouseDialect` is for servers ≥ 20.5,
 * `clickhouseInlineDialect` for older ones (and runs on current servers too):
 * - typed query parameters `{p1:String}` (bind `values[n - 1]` as `pn`); the inline dialect
 *   writes the values as literals instead (servers before 19.x have no query parameters).
 * - over no rows ClickHouse aggregates return 0 or nan, not SQL's NULL: `if(count(c) = 0, NULL, …)`
 *   gives NULL (the `-OrNull` combinators are newer than 18.16), and variance needs 2 values.
 * - `varSampStable`/`stddevSampStable` (Welford): the plain `varSamp` works from sums of squares
 *   and loses every digit when the mean dwarfs the spread — measured, 1e9 + {0, 1, 2} gives
 *   variance 0 instead of 1. The inline dialect uses the plain ones: 18.16 cannot send a
 *   `…Stable` state between shards ("Unknown compression method"), so on a Distributed table
 *   only `varSamp` runs there.
 * - exact quantiles: `quantileExactInclusive` (linear interpolation, as quantile_cont; ≥ 20.1);
 *   before it, the same interpolation over `arraySort(groupArray(…))` (every value in memory, as
 *   quantileExact*), on a Distributed table merged from the shards' arrays — at most
 *   GROUP_ARRAY_LIMIT values from one shard (the source turns that error into a clear one).
 * - freshness: the column's maximum in epoch microseconds (`toUnixTimestamp64Micro`, ≥ 20.5, keeps
 *   DateTime64's fraction); before it, `toUnixTimestamp` (whole seconds: DateTime64 is newer).
 *   A DATE counts from 00:00 UTC, as in DuckDB and PostgreSQL.
 * - `length()` counts bytes: string lengths use `lengthUTF8` (characters).
 * - `approxDistinct` is `uniq` (adaptive sampling, approximate); `uniqueCount` is `uniqExact`;
 *   `approxQuantile` is `quantile` (a reservoir of 8 192 values, exact below that).
 * - `duplicateCount` counts distinct `tuple(…)`s: a tuple is never NULL, and NULL fields compare equal.
 * - booleans are UInt8 (ClickHouse had no Bool type before 21.12).
 */
function makeClickhouseDialect(spelling: Spelling): Dialect {
  const { placeholder, current } = spelling
  const moments = current
    ? { variance: 'varSampStable', stddev: 'stddevSampStable' }
    : { variance: 'varSamp', stddev: 'stddevSamp' }
  const SAMPLE = sampleSyntax(!current)
  const exactQuantile = (column: string, level: string): string => {
    if (current) return `quantileExactInclusive(${level})(toFloat64(${column}))`
    // R-7: position q·(n − 1) in the sorted values, interpolated between its two neighbours.
    const sorted = `${SORTED_ARRAY}${column})))`
    const pos = `${level} * (length(${sorted}) - 1)`
    const at = (i: string): string => `arrayElement(${sorted}, toUInt64(${i}) + 1)`
    return `${at(`floor(${pos})`)} + (${pos} - floor(${pos})) * (${at(`ceil(${pos})`)} - ${at(`floor(${pos})`)})`
  }
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
          return orNull(q(spec.column), exactQuantile(q(spec.column), level))
        }
        case 'approxQuantile':
          return orNull(q(spec.column), `quantile(${quantileLiteral(spec.q)})(toFloat64(${q(spec.column)}))`)
        case 'freshnessHours':
          if (current) {
            return `toFloat64(toUnixTimestamp64Micro(toDateTime64(maxOrNull(${q(spec.column)}), 6, 'UTC'))) / 1e6`
          }
          return orNull(
            q(spec.column),
            `toFloat64(toUnixTimestamp(toDateTime(max(${q(spec.column)}), 'UTC')))`,
          )
      }
    },
    renderDateFilter(column, date, params) {
      return `toDate(${q(column)}) = toDate(${params.add(date)})`
    },
    ...sampleRendering(() => dialect, SAMPLE),
  }
  return dialect
}

/** ClickHouse ≥ 20.5, with typed query parameters: `{p1:String}` is bound as `p1`. */
export const clickhouseDialect: Dialect = makeClickhouseDialect({
  placeholder: (index, value) => `{p${index}:${clickhouseParamType(value)}}`,
  current: true,
})

/**
 * ClickHouse before 20.5 (18.x, 19.x): every value is written into the SQL by
 * `clickhouseLiteral`, the one audited escaping helper (`params.values` is then unused), and
 * functions are spelled as 18.16 knows them (see above). Current servers run it too.
 */
export const clickhouseInlineDialect: Dialect = makeClickhouseDialect({
  placeholder: (_index, value) => clickhouseLiteral(value),
  current: false,
})

/** The first version with every function `clickhouseDialect` uses (toUnixTimestamp64Micro). */
const CURRENT_SINCE: readonly [number, number] = [20, 5]

/**
 * The dialect for a server by its `version()` (e.g. '18.16.1', '24.8.4.13'): `clickhouseDialect`
 * from 20.5 on, `clickhouseInlineDialect` before. An unparsable version gets the inline dialect,
 * whose spellings every version runs.
 */
export function clickhouseDialectFor(version: string): Dialect {
  const m = /^(\d+)\.(\d+)/.exec(version.trim())
  if (!m) return clickhouseInlineDialect
  const major = Number(m[1])
  const minor = Number(m[2])
  const [wantMajor, wantMinor] = CURRENT_SINCE
  return major > wantMajor || (major === wantMajor && minor >= wantMinor)
    ? clickhouseDialect
    : clickhouseInlineDialect
}
