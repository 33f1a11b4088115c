// `dqx/plugin`: what a plugin module needs, without the engine. An isolated plugin's process
// sandbox refuses native addons (DuckDB's), so a plugin importing from here loads in both modes.

export type { PluginContext } from './suite/plugin.js'
export {
  definePlugin,
  definePreset,
  type FunctionPlugin,
  type ObjectPlugin,
  type Plugin,
  type PluginOption,
  type Preset,
  type ResultProcessor,
  type Suite,
} from './suite/plugin.js'
