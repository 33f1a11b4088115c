import { basename } from 'node:path'
import { z } from 'zod'
import type { MetricLiteral } from '../core/metric-spec.js'
import type { Severity } from '../core/types.js'
import type {
  ContractAssertion,
  ContractRule,
  MetricRequest,
  MetricScale,
  UnsupportedRule,
} from './contract-rule.js'
import { type ParsedContract, ruleProblem } from './data-contract.js'
import { schemaError } from './schema-errors.js'
import { sqlQueryToAggregate } from './sql-query.js'
import type { YamlDocument, YamlPath } from './yaml-document.js'

/** ODCS severities → dqx's (documented in docs/contracts.md). */
export const ODCS_SEVERITY: Readonly<Record<string, Severity>> = {
  critical: 'P0',
  error: 'P1',
  warning: 'P2',
  info: 'P3',
}

/** ODCS comparison operators → dqx assertions. */
const OPERATORS = {
  mustBe: 'isEq',
  mustNotBe: 'isNeq',
  mustBeGreaterThan: 'isGt',
  mustBeGreaterOrEqualTo: 'isGeq',
  mustBeLessThan: 'isLt',
  mustBeLessOrEqualTo: 'isLeq',
  mustBeBetween: 'isBetween',
  mustNotBeBetween: 'isNotBetween',
} as const
type OdcsOperator = keyof typeof OPERATORS
const OPERATOR_NAMES = Object.keys(OPERATORS) as OdcsOperator[]

const LIBRARY_METRICS = [
  'nullValues',
  'missingValues',
  'invalidValues',
  'duplicateValues',
  'rowCount',
] as const

const name = z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' })
const qualityList = z.array(z.looseObject({}), { error: 'must be a list of quality rules' }).optional()
const property = z.looseObject({ name, physicalName: name.optional(), quality: qualityList })
const schemaObject = z.looseObject({
  name,
  physicalName: name.optional(),
  properties: z.array(property, { error: 'must be a list of properties' }).optional(),
  quality: qualityList,
})
const document = z.looseObject({
  kind: z.literal('DataContract', { error: "must be 'DataContract' (an ODCS v3 document)" }),
  apiVersion: z.string({ error: "must be a string such as 'v3.1.0'" }).regex(/^v3\./, {
    error: "must be an ODCS v3 version such as 'v3.1.0' (dqx reads ODCS v3)",
  }),
  name: name.optional(),
  id: z.string().optional(),
  schema: z.array(schemaObject, { error: 'must be a list of schema objects' }).optional(),
})

const number = z.number({ error: 'must be a number' })
const quality = z.looseObject({
  type: z.string({ error: 'must be a string: library, sql, text or custom' }).optional(),
  metric: z.string({ error: 'must be a string such as nullValues' }).optional(),
  rule: z.string({ error: 'must be a string' }).optional(),
  name: name.optional(),
  severity: z.string({ error: 'must be a string: critical, error, warning or info' }).optional(),
  unit: z.enum(['rows', 'percent'], { error: 'must be rows or percent' }).optional(),
  tags: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }).optional(),
  dimension: z.string({ error: 'must be a string' }).optional(),
  query: z.string({ error: 'must be a SQL string' }).optional(),
  arguments: z.looseObject({}, { error: 'must be a mapping of arguments' }).optional(),
  ...Object.fromEntries(
    OPERATOR_NAMES.map((op) => [
      op,
      (op.endsWith('Between')
        ? z.tuple([number, number], {
            error: `must be a list of two numbers [low, high], e.g. ${op}: [0, 10]`,
          })
        : z.number({ error: `must be a number, e.g. ${op}: 0` })
      ).optional(),
    ]),
  ),
})
type Quality = z.infer<typeof quality> & Record<string, unknown>

/** Where a quality rule sits: its dataset and, for property-level rules, its column. */
interface Scope {
  dataset: string
  tables: string[]
  column?: string
  path: YamlPath
}

/** Parses the `quality` sections of an ODCS v3 contract into rules plus the rules dqx cannot express. */
export function parseOdcsContract(doc: YamlDocument): ParsedContract {
  const parsed = document.safeParse(doc.data)
  if (!parsed.success) throw schemaError(doc, parsed.error, [])
  const contractName =
    parsed.data.name ?? parsed.data.id ?? basename(doc.label).replace(/(\.odcs)?\.ya?ml$/i, '')
  const rules: ContractRule[] = []
  const unsupported: UnsupportedRule[] = []
  for (const [s, obj] of (parsed.data.schema ?? []).entries()) {
    const tables = [obj.name, ...(obj.physicalName ? [obj.physicalName] : [])]
    const visit = (list: Record<string, unknown>[] | undefined, scope: Scope) => {
      for (const [q, raw] of (list ?? []).entries()) {
        const path = [...scope.path, 'quality', q]
        const label = `${scope.dataset}${scope.column ? `.${scope.column}` : ''} quality[${q}]`
        const result = mapQuality(doc, path, scope, raw)
        const named = `${label}${typeof raw.name === 'string' ? ` '${raw.name}'` : ''}`
        if ('reason' in result) unsupported.push({ rule: named, reason: result.reason })
        else rules.push(result)
      }
    }
    visit(obj.quality, { dataset: obj.name, tables, path: ['schema', s] })
    for (const [p, prop] of (obj.properties ?? []).entries()) {
      visit(prop.quality, {
        dataset: obj.name,
        tables,
        column: prop.physicalName ?? prop.name,
        path: ['schema', s, 'properties', p],
      })
    }
  }
  return { name: contractName, rules: uniqueNames(rules), unsupported }
}

function mapQuality(
  doc: YamlDocument,
  path: YamlPath,
  scope: Scope,
  raw: Record<string, unknown>,
): ContractRule | { reason: string } {
  const parsed = quality.safeParse(raw)
  if (!parsed.success) throw schemaError(doc, parsed.error, [], path)
  const rule = parsed.data as Quality
  const type = rule.type ?? 'library'
  const severity = mapSeverity(doc, path, rule.severity)
  if (type === 'text')
    return { reason: 'type: text is a description for people; there is nothing to compute' }
  if (type === 'custom') {
    return {
      reason: `type: custom is written for a specific engine${typeof rule.engine === 'string' ? ` (${rule.engine})` : ''}; dqx cannot run it`,
    }
  }
  if (type !== 'library' && type !== 'sql')
    return { reason: `type: ${type} is not an ODCS quality type dqx knows (library, sql)` }

  const operators = OPERATOR_NAMES.filter((op) => rule[op] !== undefined)
  if (operators.length === 0) return { reason: `it has no operator (${OPERATOR_NAMES.join(', ')})` }
  if (operators.length > 1)
    return { reason: `it has ${operators.length} operators (${operators.join(', ')}); dqx maps one per rule` }
  const operator = operators[0] as OdcsOperator
  const assertion = toAssertion(doc, path, operator, rule[operator] as number | [number, number])
  const scale: MetricScale = rule.unit === 'percent' ? 'percent' : 'count'

  let metric: MetricRequest
  let metricLabel: string
  if (type === 'sql') {
    if (rule.query === undefined)
      throw doc.error(
        path,
        `is type: sql without a query; add query: 'SELECT count(*) FROM \${object} WHERE …'`,
      )
    if (rule.unit === 'percent')
      return { reason: 'unit: percent has no meaning for a SQL query, which returns its own value' }
    const mapped = sqlQueryToAggregate(rule.query, scope.tables, scope.column)
    if (!mapped.ok) return { reason: mapped.reason }
    metric = { kind: 'customSql', sql: mapped.sql }
    metricLabel = 'sql'
  } else {
    const name = rule.metric ?? rule.rule
    if (name === undefined)
      return { reason: `type: library without a metric (${LIBRARY_METRICS.join(', ')})` }
    const chosen = libraryMetric(name, scope, rule)
    if ('reason' in chosen) return chosen
    metric = chosen
    metricLabel = name
  }
  if (scale === 'percent' && metric.kind === 'numRows')
    return { reason: 'rowCount in percent has no meaning (percent of the rows themselves)' }
  const base = {
    dataset: scope.dataset,
    name:
      rule.name ??
      defaultName(
        scope.column,
        metricLabel,
        rule.unit,
        operator,
        rule[operator] as number | [number, number],
      ),
    severity,
    tags: [...new Set([...(rule.tags ?? []), ...(rule.dimension ? [rule.dimension] : [])])],
    metric,
    scale,
    assertion,
  } satisfies Omit<ContractRule, 'where'>
  const problem = ruleProblem(base)
  if (problem !== undefined) return { reason: `dqx cannot build it: ${problem}` }
  return { ...base, where: doc.where(path) }
}

function libraryMetric(name: string, scope: Scope, rule: Quality): MetricRequest | { reason: string } {
  const args = rule.arguments ?? {}
  const column = scope.column
  const needsColumn = (m: string) => ({
    reason: `${m} is a property-level metric; put it under a property's quality`,
  })
  switch (name) {
    case 'rowCount':
      if (column !== undefined)
        return { reason: 'rowCount is a schema-level metric; put it under the schema object' }
      return { kind: 'numRows' }
    case 'nullValues':
      if (column === undefined) return needsColumn(name)
      return { kind: 'missingValues', column, values: [] }
    case 'missingValues': {
      if (column === undefined) return needsColumn(name)
      const values = literals(args.missingValues)
      if (values === undefined)
        return { reason: 'arguments.missingValues must be a list of strings, numbers, booleans or null' }
      return { kind: 'missingValues', column, values }
    }
    case 'invalidValues': {
      if (column === undefined) return needsColumn(name)
      if (args.validValues !== undefined) {
        const values = literals(args.validValues)
        if (values === undefined || values.length === 0) {
          return { reason: 'arguments.validValues must be a non-empty list of strings, numbers or booleans' }
        }
        return { kind: 'notInValues', column, validValues: values }
      }
      if (typeof args.pattern === 'string') return { kind: 'patternMismatch', column, pattern: args.pattern }
      return { reason: 'invalidValues needs arguments.validValues or arguments.pattern' }
    }
    case 'duplicateValues': {
      if (column !== undefined) return { kind: 'duplicateCount', columns: [column] }
      const columns = args.properties
      if (Array.isArray(columns) && columns.length > 0 && columns.every((c) => typeof c === 'string')) {
        return { kind: 'duplicateCount', columns: columns as string[] }
      }
      return { reason: 'schema-level duplicateValues needs arguments.properties: [<column>, …]' }
    }
    default:
      return { reason: `metric '${name}' is not one dqx maps (${LIBRARY_METRICS.join(', ')})` }
  }
}

/** Non-null literals of an ODCS value list (null entries are dropped: NULLs always count as missing). */
function literals(value: unknown): MetricLiteral[] | undefined {
  if (!Array.isArray(value)) return undefined
  const out: MetricLiteral[] = []
  for (const v of value) {
    if (v === null) continue
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      out.push(v)
    else return undefined
  }
  return out
}

function mapSeverity(doc: YamlDocument, path: YamlPath, severity: string | undefined): Severity {
  if (severity === undefined) return 'P1'
  const mapped = ODCS_SEVERITY[severity.toLowerCase()]
  if (mapped === undefined) {
    throw doc.error(
      [...path, 'severity'],
      `'${severity}' is not a severity dqx maps; use ${Object.keys(ODCS_SEVERITY).join(', ')} (→ P0…P3)`,
    )
  }
  return mapped
}

function toAssertion(
  doc: YamlDocument,
  path: YamlPath,
  operator: OdcsOperator,
  value: number | [number, number],
): ContractAssertion {
  const op = OPERATORS[operator]
  if (op === 'isBetween' || op === 'isNotBetween') {
    const [lo, hi] = value as [number, number]
    if (lo > hi) throw doc.error([...path, operator], `has low ${lo} above high ${hi}; write [low, high]`)
    return { op, args: [lo, hi] }
  }
  return { op, args: [value as number] }
}

function defaultName(
  column: string | undefined,
  metric: string,
  unit: string | undefined,
  operator: string,
  value: number | [number, number],
): string {
  const bound = Array.isArray(value) ? `[${value.join(', ')}]` : String(value)
  return [column, metric, operator, bound, unit === 'percent' ? '%' : undefined]
    .filter((p) => p !== undefined)
    .join(' ')
}

/** Two unnamed rules that say the same thing on one dataset get `#2`, `#3` so both still run. */
function uniqueNames(rules: ContractRule[]): ContractRule[] {
  const seen = new Map<string, number>()
  return rules.map((r) => {
    const key = `${r.dataset}\u0000${r.name}`
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    return n === 1 ? r : { ...r, name: `${r.name} #${n}` }
  })
}
