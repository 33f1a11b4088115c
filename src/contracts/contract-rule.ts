import type { ValidCountRule } from '../core/metric-provider.js'
import type { MetricLiteral } from '../core/metric-spec.js'
import type { Severity } from '../core/types.js'

/** The plain metrics of `mp.*` that read one column. */
export const COLUMN_METRICS = [
  'sum',
  'average',
  'minimum',
  'maximum',
  'nullCount',
  'variance',
  'stddev',
  'uniqueCount',
  'approxDistinct',
  'minLength',
  'maxLength',
] as const
export type ColumnMetric = (typeof COLUMN_METRICS)[number]

/**
 * What a contract rule measures, before it becomes an `mp.*` expression. The first five are dqx's
 * own metrics one to one; the last three are ODCS library metrics, which `metricFor` expresses
 * with the metrics dqx has.
 */
export type MetricRequest =
  | { kind: 'numRows' }
  | { kind: 'column'; metric: ColumnMetric; column: string }
  | { kind: 'countValues'; column: string; values: MetricLiteral[] }
  | { kind: 'duplicateCount'; columns: string[] }
  | { kind: 'customSql'; sql: string }
  | { kind: 'matchCount'; column: string; pattern: string }
  | { kind: 'validCount'; column: string; rule: ValidCountRule }
  /** Rows that are NULL or hold one of `values` (ODCS missingValues). */
  | { kind: 'missingValues'; column: string; values: MetricLiteral[] }
  /** Non-NULL rows whose value is not in `validValues` (ODCS invalidValues with validValues). */
  | { kind: 'notInValues'; column: string; validValues: MetricLiteral[] }
  /** Non-NULL rows whose value does not match `pattern` (ODCS invalidValues with pattern). */
  | { kind: 'patternMismatch'; column: string; pattern: string }

/** How the count is reported: as is, as a share of the rows (0..1), or in percent (0..100). */
export type MetricScale = 'count' | 'rate' | 'percent'

/** The assertion methods a contract can call, with their arguments. */
export type ContractAssertion =
  | { op: 'isGt' | 'isGeq' | 'isLt' | 'isLeq' | 'isEq' | 'isNeq'; args: [number] }
  | { op: 'isBetween' | 'isNotBetween'; args: [number, number] }
  | { op: 'isPositive' | 'isNegative' | 'isZero' | 'noop'; args: [] }

/** One assertion of a contract, ready to become part of a check. */
export interface ContractRule {
  /** The dataset (datasource name) the rule reads. */
  dataset: string
  name: string
  severity: Severity
  tags: string[]
  metric: MetricRequest
  scale: MetricScale
  assertion: ContractAssertion
  /** `file:line:col` of the rule, for errors raised after loading. */
  where: string
}

/** A rule of the contract dqx cannot express; it is listed, never silently dropped. */
export interface UnsupportedRule {
  /** Which rule: `dataset[.column] quality[i]` plus its name when it has one. */
  rule: string
  reason: string
}
