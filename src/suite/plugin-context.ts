import type { Logger } from 'pino'
import type { MetricDB } from '../engine/metric-db.js'
import type { SuiteHooks } from './lifecycle.js'
import type { PluginContext } from './plugin.js'

/** The registration methods of a hook: each gets the owning plugin stamped into its tap options. */
const TAP_METHODS: ReadonlySet<PropertyKey> = new Set(['tap', 'tapPromise', 'tapAsync'])

/**
 * Tap options with `plugin` set to the owner. Anything that is not a name or
 * an options object is passed on untouched, so the hook's own validation
 * reports it as it would without a plugin.
 */
function owned(options: unknown, plugin: string): unknown {
  if (typeof options === 'string') return { name: options, plugin }
  if (options !== null && typeof options === 'object' && !Array.isArray(options)) {
    return { ...options, plugin }
  }
  return options
}

/**
 * One hook as a plugin sees it: the suite's hook itself (same taps, same
 * interceptors, `instanceof` holds), except that every tap registered through
 * it is owned by `plugin`.
 */
function ownedHook<H extends object>(hook: H, plugin: string): H {
  return new Proxy(hook, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function') return value
      if (TAP_METHODS.has(key)) {
        return (options: unknown, fn: unknown) => value.call(target, owned(options, plugin), fn)
      }
      // The hook classes keep their state in #private fields: methods must run on the hook itself.
      return value.bind(target)
    },
  })
}

/** The suite's hooks with every registration owned by `plugin`. */
export function ownedHooks(hooks: SuiteHooks, plugin: string): SuiteHooks {
  return Object.freeze({
    beforeRun: ownedHook(hooks.beforeRun, plugin),
    afterEvaluate: ownedHook(hooks.afterEvaluate, plugin),
    processResults: ownedHook(hooks.processResults, plugin),
    onPluginError: ownedHook(hooks.onPluginError, plugin),
    afterRun: ownedHook(hooks.afterRun, plugin),
  })
}

/** What one plugin's `apply(suite)` receives (frozen): see {@link PluginContext}. */
export function createPluginContext<Config>(o: {
  name: string
  hooks: SuiteHooks
  db: MetricDB
  logger: Logger
  config: Config
}): PluginContext<Config> {
  return Object.freeze({
    name: o.name,
    hooks: ownedHooks(o.hooks, o.name),
    db: o.db,
    logger: o.logger,
    config: o.config,
  })
}
