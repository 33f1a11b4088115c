// Schema assertions: ctx.expectSchema(dataset, { columns, allowExtra }) and
// ctx.expectSchemaUnchanged(dataset). Judged from the column list the engine describes (no scan),
// against declared logical types or against the schema the MetricDB stored for the previous run.
import { DqxError } from './errors.js'
import { type EvalResult, Expr, type MetricRef } from './expression.js'

/** One column as the engine describes it: its name and the engine's type name. */
export interface SchemaColumn {
  readonly name: string
  readonly type: string
}

/** Engine-independent type names for expectSchema; any other text is compared with the engine's type name. */
export const LOGICAL_TYPES = ['integer', 'number', 'string', 'boolean', 'date', 'timestamp'] as const
export type LogicalType = (typeof LOGICAL_TYPES)[number]

/** `ctx.expectSchema(dataset, …)`: column → logical type (or an engine type name such as 'DECIMAL(10,2)'). */
export interface SchemaExpectation {
  columns: Readonly<Record<string, LogicalType | (string & {})>>
  /** Columns the expectation does not name are allowed (default false: they fail the assertion). */
  allowExtra?: boolean
}

export type SchemaRule =
  | { kind: 'expect'; dataset: string; columns: Readonly<Record<string, string>>; allowExtra: boolean }
  | { kind: 'unchanged'; dataset: string }

// Type names of DuckDB, PostgreSQL and ClickHouse (format_type and DESCRIBE spellings; ClickHouse's
// Nullable(…)/LowCardinality(…) wrappers are removed by its source), with an optional precision.
const INTEGER =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT[1248]|SMALLSERIAL|SERIAL|BIGSERIAL|INT64|UINT(8|16|32|64|128|256)|INT(8|16|32|64|128|256))$/i
const FRACTIONAL =
  /^(FLOAT|FLOAT[48]|REAL|DOUBLE|DOUBLE PRECISION|FLOAT(32|64)|DECIMAL|DECIMAL(32|64|128|256)|NUMERIC|BIGNUMERIC)(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i
const STRING =
  /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|CHARACTER|CHARACTER VARYING|NAME|CITEXT|FIXEDSTRING)(\(\s*\d+\s*\))?$|^ENUM(8|16)\(.*\)$/i
const BOOLEAN = /^(BOOLEAN|BOOL)$/i
const DATE = /^(DATE|DATE32)$/i
const TIMESTAMP =
  /^(TIMESTAMP|TIMESTAMPTZ|DATETIME|DATETIME64|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|TIMESTAMP WITHOUT TIME ZONE)(\(\s*\d+\s*\))?( WITH(OUT)? TIME ZONE)?$/i
/** ClickHouse: DateTime('UTC'), DateTime64(3), DateTime64(6, 'Europe/Paris'). */
const CLICKHOUSE_TIMESTAMP = /^DATETIME(64)?\(\s*(\d+\s*)?(,?\s*'[^']*'\s*)?\)$/i

/** The logical type of an engine type name, or undefined for types outside the six (lists, structs, blobs …). */
export function logicalType(engineType: string): LogicalType | undefined {
  const t = engineType.trim()
  if (INTEGER.test(t)) return 'integer'
  if (FRACTIONAL.test(t)) return 'number'
  if (STRING.test(t)) return 'string'
  if (BOOLEAN.test(t)) return 'boolean'
  if (DATE.test(t)) return 'date'
  if (TIMESTAMP.test(t) || CLICKHOUSE_TIMESTAMP.test(t)) return 'timestamp'
  return undefined
}

/** Whether an engine type satisfies an expected type: `number` accepts integers too; other names compare case-insensitively. */
export function typeSatisfies(expected: string, engineType: string): boolean {
  const logical = logicalType(engineType)
  if (expected === 'number') return logical === 'number' || logical === 'integer'
  if ((LOGICAL_TYPES as readonly string[]).includes(expected)) return logical === expected
  return expected.trim().toLowerCase() === engineType.trim().toLowerCase()
}

/** Validates `expectSchema`'s argument at check definition. */
export function schemaRule(checkName: string, dataset: unknown, expectation: unknown): SchemaRule {
  if (typeof dataset !== 'string' || dataset === '') {
    throw new DqxError(
      'CHECK_DEFINITION',
      `check '${checkName}': expectSchema() needs a dataset name first, e.g. ctx.expectSchema('orders', { columns: { id: 'integer' } })`,
    )
  }
  const e = expectation as Partial<SchemaExpectation> | null
  if (e === null || typeof e !== 'object' || e.columns === null || typeof e.columns !== 'object') {
    throw new DqxError(
      'CHECK_DEFINITION',
      `check '${checkName}': expectSchema('${dataset}') needs { columns: { name: type, … } }`,
    )
  }
  const columns: Record<string, string> = {}
  for (const [name, type] of Object.entries(e.columns)) {
    if (typeof type !== 'string' || type.trim() === '') {
      throw new DqxError(
        'CHECK_DEFINITION',
        `check '${checkName}': expectSchema('${dataset}'): column '${name}' needs a type (${LOGICAL_TYPES.join(', ')}, or an engine type name), got ${JSON.stringify(type)}`,
      )
    }
    columns[name] = type
  }
  if (Object.keys(columns).length === 0) {
    throw new DqxError('CHECK_DEFINITION', `check '${checkName}': expectSchema('${dataset}') names no column`)
  }
  if (e.allowExtra !== undefined && typeof e.allowExtra !== 'boolean') {
    throw new DqxError(
      'CHECK_DEFINITION',
      `check '${checkName}': expectSchema('${dataset}'): allowExtra must be a boolean`,
    )
  }
  return { kind: 'expect', dataset, columns, allowExtra: e.allowExtra ?? false }
}

/** The expression text of a schema assertion; it reads no metric and is judged by `judgeSchema`. */
export class SchemaExpr extends Expr {
  constructor(readonly rule: SchemaRule) {
    super()
  }
  evaluate(): EvalResult {
    return { ok: false, error: `${this.toString()} is judged from the dataset's columns, not computed` }
  }
  refs(): MetricRef[] {
    return []
  }
  withDataset(): Expr {
    return this
  }
  toString(): string {
    return this.rule.kind === 'expect'
      ? `schema(${this.rule.dataset})`
      : `schemaUnchanged(${this.rule.dataset})`
  }
}

/** The verdict of a schema assertion: `value` = number of differences; `error` lists them. */
export interface SchemaVerdict {
  status: 'PASSED' | 'FAILED' | 'SKIPPED'
  value: number | null
  error?: string
}

/** Compares a dataset's columns with the rule (and, for 'unchanged', with the previous run's columns). */
export function judgeSchema(
  rule: SchemaRule,
  actual: readonly SchemaColumn[],
  previous: readonly SchemaColumn[] | undefined,
): SchemaVerdict {
  const problems: string[] = []
  const have = new Map(actual.map((c) => [c.name, c.type]))
  if (rule.kind === 'expect') {
    for (const [name, type] of Object.entries(rule.columns)) {
      const got = have.get(name)
      if (got === undefined) problems.push(`missing column '${name}' (expected ${type})`)
      else if (!typeSatisfies(type, got)) problems.push(`column '${name}' is ${got}, expected ${type}`)
    }
    if (!rule.allowExtra) {
      for (const c of actual) {
        if (!Object.hasOwn(rule.columns, c.name)) problems.push(`unexpected column '${c.name}' (${c.type})`)
      }
    }
  } else {
    if (previous === undefined) {
      return {
        status: 'SKIPPED',
        value: null,
        error: `no schema of '${rule.dataset}' stored by an earlier run of this suite; this run's schema is stored for the next one`,
      }
    }
    const before = new Map(previous.map((c) => [c.name, c.type]))
    for (const c of previous) {
      const now = have.get(c.name)
      if (now === undefined) problems.push(`column '${c.name}' (${c.type}) was removed`)
      else if (now !== c.type) problems.push(`column '${c.name}' changed type from ${c.type} to ${now}`)
    }
    for (const c of actual) if (!before.has(c.name)) problems.push(`column '${c.name}' (${c.type}) was added`)
    if (problems.length === 0) {
      const order = (cols: readonly SchemaColumn[]) => cols.map((c) => c.name).join('\u0000')
      if (order(previous) !== order(actual)) problems.push('the columns were reordered')
    }
  }
  if (problems.length === 0) return { status: 'PASSED', value: 0 }
  return {
    status: 'FAILED',
    value: problems.length,
    error: `schema of '${rule.dataset}': ${problems.join('; ')}`,
  }
}
