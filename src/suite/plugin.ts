import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Logger } from 'pino'
import type { AssertionResult, SymbolInfo } from '../core/types.js'
import type { MetricDB } from '../engine/metric-db.js'
import type { SuiteHooks } from './lifecycle.js'
import type { ResultsContext } from './run-context.js'

/**
 * What a plugin's `apply(suite)` receives: its own view of the suite. Every tap
 * registered through `hooks` belongs to this plugin, so its contexts carry this
 * plugin's config and logger, whatever the tap is named.
 */
export interface PluginContext<Config = unknown> {
  /** This plugin's name, as `dqx plugins`, `pluginConfig`, `--disable-plugin` and the logs know it. */
  readonly name: string
  /** The suite's lifecycle hooks: beforeRun, afterEvaluate, processResults, onPluginError, afterRun. */
  readonly hooks: SuiteHooks
  /** The suite's MetricDB: where its metrics and results are stored. */
  readonly db: MetricDB
  /** A pino child logger bound to this plugin's name; config secrets are scrubbed from its lines. */
  readonly logger: Logger
  /** This plugin's validated entry of `pluginConfig` (undefined when it has none). */
  readonly config: Config
}

/** The suite as a plugin sees it in `apply(suite)`: its {@link PluginContext}. */
export type Suite<Config = unknown> = PluginContext<Config>

/**
 * The smallest plugin: one function that taps hooks. Its name is the function's
 * name; an anonymous function is `anonymous-<n>` (n counts the suite's function plugins).
 */
export type FunctionPlugin = (suite: Suite) => unknown

/** A named plugin object, optionally with a Standard Schema (zod, valibot, arktype …) for its config. */
export interface ObjectPlugin<Config = unknown> {
  name: string
  /** Called once when the suite is built; tap hooks here. `config` is this plugin's validated entry of pluginConfig (also `suite.config`). */
  apply(suite: Suite<Config>, config: Config): unknown
  configSchema?: StandardSchemaV1<unknown, Config>
  /** Free-form metadata shown by `dqx plugins`. */
  version?: string
  description?: string
}

/**
 * The ResultProcessor protocol: `process` runs in the processResults fan-out of
 * every run that evaluated, after `initialize(config)` has run once.
 */
export interface ResultProcessor {
  name: string
  initialize?(config: unknown): void | Promise<void>
  process(
    results: readonly AssertionResult[],
    symbols: readonly SymbolInfo[],
    suiteName: string,
    context: ResultsContext,
  ): void | Promise<void>
  configSchema?: StandardSchemaV1
}

export type Plugin = FunctionPlugin | ObjectPlugin<never> | ObjectPlugin | ResultProcessor

/**
 * What `plugins: [...]` accepts: plugins, nested arrays (presets), name→plugin maps (discovery)
 * and falsy entries, skipped at any depth, so `process.env.CI && junit({ file })` is a valid entry.
 */
export type PluginOption =
  | Plugin
  | false
  | null
  | undefined
  | ''
  | 0
  | readonly PluginOption[]
  | ReadonlyMap<string, Plugin>

/** Infers a plugin's config type from its schema. */
export function definePlugin<Config = unknown>(plugin: ObjectPlugin<Config>): ObjectPlugin<Config> {
  return plugin
}

/** Marks an array as a named preset so errors can say where a bad entry came from. */
export const PRESET_NAME: unique symbol = Symbol.for('dqx.presetName')

export type Preset = readonly PluginOption[] & { readonly [PRESET_NAME]?: string }

/**
 * Composes plugins under one name: `definePreset('alerts', (o) => [email(o.email), webhook(o.hook)])`.
 * The result is a function returning a plugin array, which `plugins` flattens.
 */
export function definePreset<Options = void>(
  name: string,
  build: (options: Options) => readonly PluginOption[],
): (options: Options) => Preset {
  return (options) => {
    const list = [...build(options)]
    Object.defineProperty(list, PRESET_NAME, { value: name, enumerable: false })
    return list as Preset
  }
}
