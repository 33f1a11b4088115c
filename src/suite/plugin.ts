import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { AssertionResult, SymbolInfo } from '../core/types.js'
import type { ResultsContext } from './run-context.js'
import type { VerificationSuite } from './verification-suite.js'

/** The suite a plugin is applied to: tap `suite.hooks.*` in `apply`. */
export type Suite = VerificationSuite

/** The smallest plugin: one function that taps hooks. Its `name` is the function's name. */
export type FunctionPlugin = (suite: Suite) => unknown

/** A named plugin object, optionally with a Standard Schema (zod, valibot, arktype …) for its config. */
export interface ObjectPlugin<Config = unknown> {
  name: string
  /** Called once when the suite is built; tap hooks here. `config` is this plugin's validated entry of pluginConfig. */
  apply(suite: Suite, config: Config): unknown
  configSchema?: StandardSchemaV1<unknown, Config>
  /** Free-form metadata shown by `dqx plugins`. */
  version?: string
  description?: string
}

/**
 * The seed's result-processor protocol: `process` runs in the processResults
 * fan-out, after `initialize(config)` has run once.
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

/** What `plugins: [...]` accepts: plugins, nested arrays (presets), name→plugin maps (discovery) and falsy entries (skipped). */
export type PluginOption =
  | Plugin
  | false
  | null
  | undefined
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
