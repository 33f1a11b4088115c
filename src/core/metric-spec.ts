import { DqxError } from './errors.js'

/** A literal a metric compares against (countValues). Bound as a SQL parameter, never inlined. */
export type MetricLiteral = string | number | boolean

/**
 * What to compute, independent of SQL dialect: the engine renders each spec
 * into one aggregate of the dataset's single batched SELECT.
 */
export type MetricSpec =
  | { kind: 'numRows' }
  | { kind: 'sum' | 'average' | 'minimum' | 'maximum' | 'variance' | 'stddev'; column: string }
  | { kind: 'nullCount' | 'uniqueCount' | 'approxDistinct' | 'minLength' | 'maxLength'; column: string }
  | { kind: 'duplicateCount'; columns: string[] }
  | { kind: 'countValues'; column: string; values: MetricLiteral[] }
  | { kind: 'customSql'; sql: string }

export type MetricKind = MetricSpec['kind']

/** Columns a metric reads: used to validate them against the dataset before any scan. */
export function metricColumns(spec: MetricSpec): string[] {
  switch (spec.kind) {
    case 'numRows':
    case 'customSql':
      return []
    case 'duplicateCount':
      return spec.columns
    default:
      return [spec.column]
  }
}

function literalText(v: MetricLiteral): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v)
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
