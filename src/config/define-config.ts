import type { DataSource } from '../engine/data-source.js'
import type { IsolationPolicy } from '../suite/isolation/policy.js'
import type { SuiteOptions } from '../suite/verification-suite.js'

/**
 * One suite as `dqx.config.ts` declares it: the suite's options (the logger
 * excepted — the CLI owns it) plus the datasources to scan.
 *
 * Relative paths (`DataSource.csv('data/orders.csv')`, `MetricDB.duckdb('metrics.duckdb')`,
 * plugin output files) resolve from the directory of the config file: the CLI
 * changes into that directory before it loads the config and runs the suite.
 */
export interface DqxConfig extends Omit<SuiteOptions, 'logger'> {
  /** Dataset name → DataSource; the names are the ones checks list in `datasets`. */
  datasources: Readonly<Record<string, DataSource>>
  /**
   * Load plugins that dependencies declare in their package.json
   * (`PluginManager.discover`) and add them to this suite (default true).
   */
  discover?: boolean
  /**
   * Run discovered plugins in sandboxes (docs/isolation.md): `'worker'`, `'process'`, isolated()
   * options for all, or `{ default, plugins: { name: false | 'worker' | 'process' | options } }`.
   * A plugin listed in `plugins` is already imported by this file: wrap it as `isolated(path)`.
   * `dqx run --isolate-plugins[=mode]` overrides the default.
   */
  isolation?: IsolationPolicy
}

/** What a config file's default export may be: one suite, several, or a (possibly async) function returning either. */
export type DqxConfigExport =
  | DqxConfig
  | readonly DqxConfig[]
  | (() => DqxConfig | readonly DqxConfig[] | Promise<DqxConfig | readonly DqxConfig[]>)

/** Every top-level key a suite config may have (checked at run time; unknown keys are errors). */
export const CONFIG_KEYS = [
  'name',
  'checks',
  'datasources',
  'db',
  'plugins',
  'pluginConfig',
  'concurrency',
  'pluginTimeoutMs',
  'failOnPluginError',
  'audit',
  'sampleLimit',
  'sampleColumns',
  'discover',
  'isolation',
] as const

// Fails to compile when DqxConfig gains a key (e.g. a new SuiteOptions field) that CONFIG_KEYS lacks.
type MissingKeys = Exclude<keyof DqxConfig, (typeof CONFIG_KEYS)[number]>
const _exhaustive: [MissingKeys] extends [never] ? true : MissingKeys = true
void _exhaustive

/**
 * Types a `dqx.config.ts` default export; returns its argument unchanged.
 *
 * ```ts
 * export default defineConfig({ name: 'nightly', checks: [orders], datasources: { orders: DataSource.csv('data/orders.csv') } })
 * ```
 */
export function defineConfig(config: DqxConfig): DqxConfig
export function defineConfig(configs: readonly DqxConfig[]): readonly DqxConfig[]
export function defineConfig(
  fn: () => DqxConfig | readonly DqxConfig[] | Promise<DqxConfig | readonly DqxConfig[]>,
): () => DqxConfig | readonly DqxConfig[] | Promise<DqxConfig | readonly DqxConfig[]>
export function defineConfig(config: DqxConfigExport): DqxConfigExport {
  return config
}
