import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { createJiti } from 'jiti'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import { DataSource } from '../engine/data-source.js'
import { MetricDB } from '../engine/metric-db.js'
import * as dqx from '../index.js'
import * as dqxPlugins from '../plugins/index.js'
import { validateIsolationPolicy } from '../suite/isolation/policy.js'
import * as dqxTesting from '../testing/index.js'
import { CONFIG_KEYS, type DqxConfig } from './define-config.js'

/** Looked up in this order in the working directory when no `--config` is given. */
export const CONFIG_FILES = ['dqx.config.ts', 'dqx.config.mts', 'dqx.config.js', 'dqx.config.mjs'] as const

/** One suite of a loaded config, with how messages should name it. */
export interface SuiteEntry {
  config: DqxConfig
  /** `suites[1].` for an array config, '' for a single suite: prefixes field names in messages. */
  path: string
  /** `suites[1] ('nightly'): ` for an array config, '' for a single suite: prefixes other messages. */
  where: string
}

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string
  /** How messages name the file: relative to the working directory when inside it. */
  label: string
  suites: SuiteEntry[]
  /** True when the default export is an array (the CLI then prints a JSON array). */
  multiple: boolean
}

/** `file` relative to `cwd` when it lies inside it, else absolute: for messages. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel
}

/**
 * The config file to load: `explicit` (resolved from `cwd`), else the first of
 * CONFIG_FILES in `cwd`. Throws a DqxError (code CONFIG) naming what is missing.
 */
export function findConfigFile(cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit)
    if (!existsSync(file)) throw new DqxError('CONFIG', `config file not found: ${file}`)
    if (!statSync(file).isFile()) throw new DqxError('CONFIG', `config path is not a file: ${file}`)
    return file
  }
  for (const name of CONFIG_FILES) {
    const file = resolve(cwd, name)
    if (existsSync(file)) return file
  }
  throw new DqxError(
    'CONFIG',
    `no config file in ${cwd} (looked for ${CONFIG_FILES.join(', ')}); create one with \`dqx init\` or pass --config <file>`,
  )
}

/**
 * The modules a config imports as `dqx`, `dqx/plugins` and `dqx/testing` are
 * this process's own: a DataSource built by the config is then an instance of
 * the very class the CLI's VerificationSuite checks against.
 */
const VIRTUAL_MODULES: Record<string, unknown> = {
  dqx,
  'dqx/plugins': dqxPlugins,
  'dqx/testing': dqxTesting,
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** Imports a config file with jiti (TypeScript or JavaScript, ESM or CommonJS) and returns its default export. */
async function importConfig(file: string, label: string): Promise<unknown> {
  const jiti = createJiti(file, {
    moduleCache: false,
    interopDefault: false,
    virtualModules: VIRTUAL_MODULES,
  })
  let mod: unknown
  try {
    // Always transpiled (never a native import), so that `import … from 'dqx'` reaches VIRTUAL_MODULES.
    mod = await jiti.evalModule(readFileSync(file, 'utf8'), {
      filename: file,
      async: true,
      forceTranspile: true,
    })
  } catch (err) {
    if (err instanceof DqxError) throw new DqxError('CONFIG', `${label}: ${err.message}`, { cause: err })
    throw new DqxError('CONFIG', `${label}: failed to load: ${errorMessage(err)}`, { cause: err })
  }
  const exports = mod as Record<string, unknown> | null | undefined
  let value =
    exports !== null && typeof exports === 'object' && 'default' in exports ? exports.default : undefined
  if (value === undefined) {
    throw new DqxError(
      'CONFIG',
      `${label} has no default export; write \`export default defineConfig({ name, checks, datasources })\``,
    )
  }
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)()
    } catch (err) {
      throw new DqxError('CONFIG', `${label}: the exported config function failed: ${errorMessage(err)}`, {
        cause: err,
      })
    }
  }
  return value
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v)
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`
  return `${typeof v} ${String(v)}`
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** Checks one suite's fields, naming the file and field in every error. */
function validateSuite(raw: unknown, label: string, path: string): DqxConfig {
  const fail = (field: string, problem: string): never => {
    throw new DqxError('CONFIG', `${label}: ${path}${field} ${problem}`)
  }
  if (!isPlainObject(raw)) {
    throw new DqxError(
      'CONFIG',
      `${label}: ${path === '' ? 'the default export' : path.slice(0, -1)} must be a suite config object { name, checks, datasources }, got ${describe(raw)}`,
    )
  }
  for (const key of Object.keys(raw)) {
    if ((CONFIG_KEYS as readonly string[]).includes(key)) continue
    const hint = didYouMean(key, CONFIG_KEYS)
    throw new DqxError(
      'CONFIG',
      `${label}: unknown key '${path}${key}'${hint ? ` — did you mean '${hint}'?` : ''} (allowed: ${CONFIG_KEYS.join(', ')})`,
    )
  }
  if (typeof raw.name !== 'string' || raw.name.trim() === '')
    fail('name', `must be a non-empty string, got ${describe(raw.name)}`)
  if (!Array.isArray(raw.checks) || raw.checks.length === 0) {
    fail('checks', `must be a non-empty array of check(), got ${describe(raw.checks)}`)
  }
  ;(raw.checks as unknown[]).forEach((c, i) => {
    const ok = isPlainObject(c) && typeof c.name === 'string' && typeof c.fn === 'function'
    if (!ok)
      fail(
        `checks[${i}]`,
        `is not a check (got ${describe(c)}); create it with check({ name }, (mp, ctx) => { … })`,
      )
  })
  if (!isPlainObject(raw.datasources)) {
    fail('datasources', `must be an object of { name: DataSource }, got ${describe(raw.datasources)}`)
  }
  const sources = raw.datasources as Record<string, unknown>
  if (Object.keys(sources).length === 0)
    fail('datasources', 'is empty; add at least one, e.g. { orders: DataSource.csv(...) }')
  for (const [name, ds] of Object.entries(sources)) {
    if (!(ds instanceof DataSource)) {
      fail(
        `datasources.${name}`,
        `is not a DataSource (got ${describe(ds)}); create it with DataSource.csv/parquet/json/sql/fromRecords imported from 'dqx'`,
      )
    }
  }
  if (raw.db !== undefined && !MetricDB.isMetricDB(raw.db)) {
    fail('db', `must be a MetricDB such as MetricDB.duckdb('metrics.duckdb'), got ${describe(raw.db)}`)
  }
  if (raw.plugins !== undefined && !Array.isArray(raw.plugins))
    fail('plugins', `must be an array, got ${describe(raw.plugins)}`)
  if (raw.pluginConfig !== undefined && !isPlainObject(raw.pluginConfig)) {
    fail('pluginConfig', `must be an object keyed by plugin name, got ${describe(raw.pluginConfig)}`)
  }
  const int = (field: 'concurrency' | 'pluginTimeoutMs', min: number): void => {
    const v = raw[field]
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
      fail(field, `must be a whole number >= ${min}, got ${describe(v)}`)
    }
  }
  int('concurrency', 1)
  int('pluginTimeoutMs', 0)
  for (const field of ['failOnPluginError', 'audit', 'discover'] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== 'boolean')
      fail(field, `must be true or false, got ${describe(raw[field])}`)
  }
  if (raw.isolation !== undefined) {
    try {
      validateIsolationPolicy(raw.isolation, `${path}isolation`)
    } catch (err) {
      throw new DqxError('CONFIG', `${label}: ${(err as Error).message}`, { cause: err })
    }
  }
  return raw as unknown as DqxConfig
}

/** Validates a config file's default export: one suite object or a non-empty array of them with unique names. */
export function validateConfig(value: unknown, file: string, label: string): LoadedConfig {
  if (!Array.isArray(value)) {
    return {
      file,
      label,
      multiple: false,
      suites: [{ config: validateSuite(value, label, ''), path: '', where: '' }],
    }
  }
  if (value.length === 0) {
    throw new DqxError(
      'CONFIG',
      `${label}: the default export is an empty array; list at least one suite config`,
    )
  }
  const seen = new Map<string, number>()
  const suites = value.map((raw, i): SuiteEntry => {
    const config = validateSuite(raw, label, `suites[${i}].`)
    const prev = seen.get(config.name)
    if (prev !== undefined) {
      throw new DqxError(
        'CONFIG',
        `${label}: suites[${i}].name '${config.name}' is a duplicate of suites[${prev}].name; suite names must be unique`,
      )
    }
    seen.set(config.name, i)
    return { config, path: `suites[${i}].`, where: `suites[${i}] ('${config.name}'): ` }
  })
  return { file, label, multiple: true, suites }
}

/** Loads and validates a config file. `cwd` only shapes how messages name the file. */
export async function loadConfig(file: string, cwd: string): Promise<LoadedConfig> {
  const label = displayPath(file, cwd)
  return validateConfig(await importConfig(file, label), file, label)
}
