import { basename } from 'node:path'
import { z } from 'zod'
import { DqxError } from '../core/errors.js'
import type { ValidCountRule } from '../core/metric-provider.js'
import { SEVERITIES, type Severity } from '../core/types.js'
import {
  COLUMN_METRICS,
  type ContractAssertion,
  type ContractRule,
  type MetricRequest,
} from './contract-rule.js'
import type { ParsedContract } from './data-contract.js'
import { ruleProblem } from './data-contract.js'
import { schemaError } from './schema-errors.js'
import type { YamlDocument, YamlPath } from './yaml-document.js'

const ONE_BOUND = ['isGt', 'isGeq', 'isLt', 'isLeq', 'isEq', 'isNeq'] as const
const TWO_BOUNDS = ['isBetween', 'isNotBetween'] as const
const NO_BOUND = ['isPositive', 'isNegative', 'isZero', 'noop'] as const
const ASSERTIONS = [...ONE_BOUND, ...TWO_BOUNDS, ...NO_BOUND] as const

const number = z.number({ error: 'must be a number, e.g. isLt: 0.05' })
const pair = z.tuple([number, number], {
  error: 'must be a list of two numbers [low, high], e.g. isBetween: [1, 100]',
})
const flag = z.literal(true, { error: 'must be true, e.g. isPositive: true' })
const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })
const tags = z.array(z.string({ error: 'must be a string' }), {
  error: 'must be a list of strings, e.g. [pii]',
})
const literal = z.union([z.string(), z.number(), z.boolean()], {
  error: 'must be a string, number or boolean (count NULLs with metric: nullCount)',
})

const common = {
  name: z
    .string({ error: 'must be a non-empty string' })
    .min(1, { error: 'must be a non-empty string' })
    .optional(),
  severity: severity.optional(),
  tags: tags.optional(),
  rate: z.boolean({ error: 'must be true or false' }).optional(),
  ...Object.fromEntries(ONE_BOUND.map((k) => [k, number.optional()])),
  ...Object.fromEntries(TWO_BOUNDS.map((k) => [k, pair.optional()])),
  ...Object.fromEntries(NO_BOUND.map((k) => [k, flag.optional()])),
} as Record<string, z.ZodType>

const DATASET_METRICS = ['numRows', 'duplicateCount', 'customSql'] as const
const COLUMN_RULE_METRICS = [
  ...COLUMN_METRICS,
  'countValues',
  'matchCount',
  'validCount',
  'duplicateCount',
] as const

const datasetRule = z.strictObject({
  metric: z.enum(DATASET_METRICS, {
    error: `must be one of ${DATASET_METRICS.join(', ')} (column metrics go under columns.<name>)`,
  }),
  columns: z
    .array(z.string(), { error: 'must be a list of column names, e.g. [order_id]' })
    .min(1)
    .optional(),
  sql: z.string({ error: 'must be a SQL aggregate expression' }).optional(),
  ...common,
})
const columnRule = z.strictObject({
  metric: z.enum(COLUMN_RULE_METRICS, { error: `must be one of ${COLUMN_RULE_METRICS.join(', ')}` }),
  values: z.array(literal, { error: 'must be a list of values, e.g. [pending, shipped]' }).min(1).optional(),
  pattern: z.string({ error: "must be a regular expression string, e.g. '^[A-Z]{2}$'" }).optional(),
  in: z.array(literal, { error: 'must be a list of values, e.g. [pending, shipped]' }).min(1).optional(),
  between: pair.optional(),
  format: z.string({ error: 'must be a format name: email, uuid, date, iso-timestamp or url' }).optional(),
  ...common,
})
const dataset = z.strictObject({
  severity: severity.optional(),
  tags: tags.optional(),
  rules: z.array(datasetRule, { error: 'must be a list of rules' }).optional(),
  columns: z
    .record(z.string(), z.array(columnRule, { error: 'must be a list of rules' }), {
      error: 'must map column names to lists of rules',
    })
    .optional(),
})
const contract = z.strictObject({
  name: z.string({ error: 'must be a non-empty string' }).min(1).optional(),
  datasets: z.record(z.string(), dataset, { error: 'must map dataset names to their rules' }),
})

/** A rule of either level after schema validation (the shared fields typed, assertion keys by name). */
interface RawRule {
  metric: (typeof DATASET_METRICS)[number] | (typeof COLUMN_RULE_METRICS)[number]
  name?: string
  severity?: Severity
  tags?: string[]
  rate?: boolean
  columns?: string[]
  sql?: string
  values?: (string | number | boolean)[]
  pattern?: string
  in?: (string | number | boolean)[]
  between?: [number, number]
  format?: string
  [assertion: string]: unknown
}

const KNOWN_KEYS = [
  'name',
  'datasets',
  'severity',
  'tags',
  'rules',
  'columns',
  'metric',
  'sql',
  'values',
  'pattern',
  'in',
  'between',
  'format',
  'rate',
  ...ASSERTIONS,
]

/** Parses dqx's compact contract format (docs/contracts.md) into rules. */
export function parseDqxContract(doc: YamlDocument): ParsedContract {
  const parsed = contract.safeParse(doc.data)
  if (!parsed.success) throw schemaError(doc, parsed.error, KNOWN_KEYS)
  const name = parsed.data.name ?? basename(doc.label).replace(/(\.dqx)?\.ya?ml$/i, '')
  const rules: ContractRule[] = []
  for (const [datasetName, ds] of Object.entries(parsed.data.datasets)) {
    const defaults = { severity: ds.severity ?? 'P1', tags: ds.tags ?? [] }
    for (const [i, raw] of (ds.rules ?? []).entries()) {
      const path = ['datasets', datasetName, 'rules', i]
      rules.push(toRule(doc, path, datasetName, undefined, raw as RawRule, defaults))
    }
    for (const [column, list] of Object.entries(ds.columns ?? {})) {
      for (const [i, raw] of list.entries()) {
        const path = ['datasets', datasetName, 'columns', column, i]
        rules.push(toRule(doc, path, datasetName, column, raw as RawRule, defaults))
      }
    }
  }
  const seen = new Map<string, string>()
  for (const r of rules) {
    const key = `${r.dataset}\u0000${r.name}`
    const first = seen.get(key)
    if (first !== undefined) {
      throw new DqxError(
        'CONTRACT',
        `${r.where}: duplicate assertion name '${r.name}' in dataset '${r.dataset}' (first at ${first}); give one of them its own \`name\``,
      )
    }
    seen.set(key, r.where)
  }
  return { name, rules, unsupported: [] }
}

function toRule(
  doc: YamlDocument,
  path: YamlPath,
  datasetName: string,
  column: string | undefined,
  raw: RawRule,
  defaults: { severity: Severity; tags: string[] },
): ContractRule {
  const assertion = readAssertion(doc, path, raw)
  const metric = readMetric(doc, path, column, raw)
  const scale = raw.rate === true ? 'rate' : 'count'
  const name = raw.name ?? defaultName(column, raw.metric, scale, assertion)
  const rule = {
    dataset: datasetName,
    name,
    severity: raw.severity ?? defaults.severity,
    tags: [...new Set([...defaults.tags, ...(raw.tags ?? [])])],
    metric,
    scale,
    assertion,
  } satisfies Omit<ContractRule, 'where'>
  const problem = ruleProblem(rule)
  if (problem !== undefined) throw doc.error([...path, 'metric'], `cannot be built: ${problem}`)
  return { ...rule, where: doc.where(path) }
}

function readMetric(
  doc: YamlDocument,
  path: YamlPath,
  column: string | undefined,
  raw: RawRule,
): MetricRequest {
  const unexpected = (key: string, why: string) =>
    doc.error([...path, key], `${why}; remove it`, { key: true })
  if (raw.sql !== undefined && raw.metric !== 'customSql')
    throw unexpected('sql', `is only read by metric: customSql`)
  if (raw.values !== undefined && raw.metric !== 'countValues')
    throw unexpected('values', 'is only read by metric: countValues')
  if (raw.columns !== undefined && raw.metric !== 'duplicateCount') {
    throw unexpected('columns', 'is only read by metric: duplicateCount')
  }
  if (raw.pattern !== undefined && raw.metric !== 'matchCount')
    throw unexpected('pattern', 'is only read by metric: matchCount')
  const validKeys = (['in', 'between', 'format'] as const).filter((k) => raw[k] !== undefined)
  if (validKeys.length > 0 && raw.metric !== 'validCount') {
    throw unexpected(validKeys[0] as string, 'is only read by metric: validCount')
  }
  switch (raw.metric) {
    case 'numRows':
      return { kind: 'numRows' }
    case 'customSql':
      if (raw.sql === undefined)
        throw doc.error(path, "needs sql: '<aggregate expression>' for metric: customSql")
      return { kind: 'customSql', sql: raw.sql }
    case 'duplicateCount': {
      const columns = raw.columns ?? (column !== undefined ? [column] : undefined)
      if (columns === undefined)
        throw doc.error(path, 'needs columns: [<column>, …] for metric: duplicateCount')
      return { kind: 'duplicateCount', columns }
    }
    case 'matchCount':
      if (raw.pattern === undefined)
        throw doc.error(path, "needs pattern: '<regular expression>' for metric: matchCount")
      return { kind: 'matchCount', column: column as string, pattern: raw.pattern }
    case 'validCount': {
      if (validKeys.length !== 1) {
        throw doc.error(
          path,
          `needs exactly one of in: [...], between: [low, high] or format: <name> for metric: validCount`,
        )
      }
      const rule = { [validKeys[0] as string]: raw[validKeys[0] as string] } as unknown as ValidCountRule
      return { kind: 'validCount', column: column as string, rule }
    }
    case 'countValues':
      if (raw.values === undefined)
        throw doc.error(path, 'needs values: [<value>, …] for metric: countValues')
      return { kind: 'countValues', column: column as string, values: raw.values }
    default:
      return { kind: 'column', metric: raw.metric, column: column as string }
  }
}

function readAssertion(doc: YamlDocument, path: YamlPath, raw: RawRule): ContractAssertion {
  const present = ASSERTIONS.filter((k) => raw[k] !== undefined)
  if (present.length !== 1) {
    const what =
      present.length === 0 ? 'has no assertion' : `has ${present.length} assertions (${present.join(', ')})`
    throw doc.error(path, `${what}; give exactly one of ${ASSERTIONS.join(', ')} (one rule per assertion)`)
  }
  const op = present[0] as (typeof ASSERTIONS)[number]
  if ((ONE_BOUND as readonly string[]).includes(op)) {
    return { op: op as (typeof ONE_BOUND)[number], args: [raw[op] as number] }
  }
  if ((TWO_BOUNDS as readonly string[]).includes(op)) {
    const [lo, hi] = raw[op] as [number, number]
    if (lo > hi) throw doc.error([...path, op], `has low ${lo} above high ${hi}; write [low, high]`)
    return { op: op as (typeof TWO_BOUNDS)[number], args: [lo, hi] }
  }
  return { op: op as (typeof NO_BOUND)[number], args: [] }
}

/** `email nullCount rate isLt 0.05`: readable and unique as long as two rules do not say the same thing. */
export function defaultName(
  column: string | undefined,
  metric: string,
  scale: 'count' | 'rate' | 'percent',
  assertion: ContractAssertion,
): string {
  const parts = [
    column,
    metric,
    scale === 'count' ? undefined : scale,
    assertion.op,
    ...assertion.args.map(String),
  ]
  return parts.filter((p) => p !== undefined).join(' ')
}
