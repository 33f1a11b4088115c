import { DqxError } from './errors.js'

/** A literal a metric compares against (countValues). Bound as a SQL parameter, never inlined. */
export type MetricLiteral = string | number | boolean

/** Syntactic formats `validCount(col, { format })` knows; each is a regular expression (VALID_FORMATS). */
export type ValidFormat = 'email' | 'uuid' | 'date' | 'iso-timestamp' | 'url'

/**
 * The regular expression behind each format, written in the subset that RE2 (DuckDB, BigQuery,
 * ClickHouse), PostgreSQL's AREs, Java (Trino) and JavaScript read alike: `[0-9]` rather than
 * `\d` outside brackets, no look-around, no lazy quantifiers. Syntactic only: `date` accepts
 * 2026-02-31 (the engines' date parsers differ on what they reject).
 */
export const VALID_FORMATS: Readonly<Record<ValidFormat, string>> = Object.freeze({
  email: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
  uuid: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  date: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  'iso-timestamp':
    '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$',
  url: '^[hH][tT][tT][pP][sS]?://[^\\s/?#]+([/?#][^\\s]*)?$',
})

/** What `validCount` accepts as valid (a non-null value that is in the set, in the range, or of the format). */
export type ValidRule =
  | { kind: 'in'; values: MetricLiteral[] }
  | { kind: 'between'; lo: number; hi: number }
  | { kind: 'format'; format: ValidFormat }

/** Where `freshnessHours` measures from: the end of the ResultKey's day (UTC), or the moment of the scan. */
export type FreshnessReference = 'keyEnd' | 'now'

/** The dataset and column an `orphanCount` key must be found in. */
export interface ReferenceTarget {
  dataset: string
  column: string
}

/**
 * What to compute, independent of SQL dialect: the engine renders each spec
 * into one aggregate of the dataset's single batched SELECT (orphanCount, which
 * reads a second dataset, into one extra anti-join query per pair of datasets).
 */
export type MetricSpec =
  | { kind: 'numRows' }
  | { kind: 'sum' | 'average' | 'minimum' | 'maximum' | 'variance' | 'stddev'; column: string }
  | { kind: 'nullCount' | 'uniqueCount' | 'approxDistinct' | 'minLength' | 'maxLength'; column: string }
  | { kind: 'duplicateCount'; columns: string[] }
  | { kind: 'countValues'; column: string; values: MetricLiteral[] }
  | { kind: 'customSql'; sql: string }
  | { kind: 'matchCount'; column: string; pattern: string }
  | { kind: 'validCount'; column: string; rule: ValidRule }
  | { kind: 'quantile' | 'approxQuantile'; column: string; q: number }
  | { kind: 'median'; column: string }
  | { kind: 'freshnessHours'; column: string; relativeTo: FreshnessReference }
  | { kind: 'orphanCount'; column: string; reference: ReferenceTarget }
  | { kind: 'first'; column: string; orderBy: string }

export type MetricKind = MetricSpec['kind']

/** Metrics that count rows: `.rate()` divides them by numRows(). */
export const COUNT_KINDS: ReadonlySet<MetricKind> = new Set<MetricKind>([
  'nullCount',
  'uniqueCount',
  'approxDistinct',
  'duplicateCount',
  'countValues',
  'matchCount',
  'validCount',
  'orphanCount',
])

/** Columns a metric reads: used to validate them against the dataset before any scan. */
export function metricColumns(spec: MetricSpec): string[] {
  switch (spec.kind) {
    case 'numRows':
    case 'customSql':
      return []
    case 'duplicateCount':
      return spec.columns
    case 'first':
      return [spec.column, spec.orderBy]
    default:
      return [spec.column]
  }
}

function literalText(v: MetricLiteral): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
}

function ruleText(rule: ValidRule): string {
  switch (rule.kind) {
    case 'in':
      return `in [${rule.values.map(literalText).join(', ')}]`
    case 'between':
      return `between [${rule.lo}, ${rule.hi}]`
    case 'format':
      return `format ${rule.format}`
  }
}

/** Stable identity and display text of a metric, e.g. `countValues(status, ["a","b"])`. */
export function metricName(spec: MetricSpec): string {
  switch (spec.kind) {
    case 'numRows':
      return 'numRows()'
    case 'duplicateCount':
      return `duplicateCount(${spec.columns.map(columnText).join(', ')})`
    case 'countValues':
      return `countValues(${columnText(spec.column)}, [${spec.values.map(literalText).join(', ')}])`
    case 'customSql':
      return `customSql(${spec.sql})`
    case 'matchCount':
      return `matchCount(${columnText(spec.column)}, ${JSON.stringify(spec.pattern)})`
    case 'validCount':
      return `validCount(${columnText(spec.column)}, ${ruleText(spec.rule)})`
    case 'quantile':
    case 'approxQuantile':
      return `${spec.kind}(${columnText(spec.column)}, ${spec.q})`
    case 'freshnessHours':
      return spec.relativeTo === 'now'
        ? `freshnessHours(${columnText(spec.column)}, now)`
        : `freshnessHours(${columnText(spec.column)})`
    case 'first':
      return `first(${columnText(spec.column)}, orderBy ${columnText(spec.orderBy)})`
    case 'orphanCount':
      return `orphanCount(${columnText(spec.column)}, ${columnText(spec.reference.dataset)}.${columnText(spec.reference.column)})`
    default:
      return `${spec.kind}(${columnText(spec.column)})`
  }
}

/**
 * A column as it appears in a metric's name. The name is the metric's identity in the MetricDB,
 * so a column such as 'a, b' is quoted: duplicateCount(["a, b"]) and duplicateCount(["a", "b"])
 * must not share a name (and a value).
 */
function columnText(column: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) ? column : JSON.stringify(column)
}

export function assertColumnName(column: unknown, metric: string): string {
  if (typeof column !== 'string' || column.length === 0) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${metric}() needs a column name (a non-empty string), got ${column === '' ? "''" : typeof column}`,
    )
  }
  return column
}
