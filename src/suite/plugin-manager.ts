import { randomUUID } from 'node:crypto'
import { type Logger, pino } from 'pino'
import { DqxError } from '../core/errors.js'
import { ResultKey } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { AssertionResult, SymbolInfo } from '../core/types.js'
import { MetricDB } from '../engine/metric-db.js'
import type { PluginRun } from '../hooks/index.js'
import { applyPlugin } from './apply-plugin.js'
import {
  type DiscoveredPlugin,
  type DiscoverOptions,
  type DiscoveryFailure,
  discoverPlugins,
} from './discovery.js'
import { isIsolatedPlugin, SANDBOX_GROUP, type SandboxGroup } from './isolation/isolated.js'
import { failed, SuiteLifecycle } from './lifecycle.js'
import { type NormalizedPlugin, normalizePlugins } from './normalize-plugins.js'
import type { Plugin } from './plugin.js'
import { checkConfigKeys, validateConfig } from './plugin-config.js'
import { deepFreeze, type ResultsContext } from './run-context.js'

export interface PluginManagerOptions {
  /** A pino logger; default: warnings and errors to stderr (`DQX_LOG_LEVEL` overrides the level). */
  logger?: Logger
  /** Time limit of each plugin's processResults call in ms (default 60 000; 0 = none). */
  timeoutMs?: number
  /** Max plugins processing at once (default 4). */
  concurrency?: number
}

/** What `processAll` sends to every plugin. */
export interface ProcessAllInput {
  results: readonly AssertionResult[]
  symbols: readonly SymbolInfo[]
  suiteName: string
  /**
   * Free-form fields merged into the ResultsContext each plugin receives (`runId`, `key`,
   * `timestamp`, `replay` … override the defaults: a fresh runId, the results' date and tags, now).
   */
  context?: Readonly<Record<string, unknown>>
  /** Per-plugin config keyed by plugin name; a plugin without an entry is initialized with `{}`. */
  config?: Readonly<Record<string, unknown>>
}

function wholeNumber(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `PluginManager: ${what} must be a whole number ≥ ${min}, got ${String(v)}`,
    )
  }
  return v
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * A set of plugins outside any suite: discovered from installed packages (`PluginManager.discover`)
 * or registered by hand, and fed results directly with `processAll` — to send stored or external
 * results to a new sink, or to test a plugin. Each processAll call runs the plugins exactly as a
 * suite's processResults fan-out does: same isolation, timeout, concurrency cap and onPluginError.
 */
export class PluginManager {
  /** Loaded plugins by name; pass it in a suite's plugins: `plugins: [manager.plugins]`. */
  readonly plugins = new Map<string, Plugin>()
  /** Where each discovered plugin came from (empty for a hand-built manager). */
  readonly discovered: DiscoveredPlugin[] = []
  /** Declared plugins that could not be loaded, with the reason. */
  readonly failures: DiscoveryFailure[] = []
  readonly logger: Logger
  private readonly timeoutMs: number
  private readonly concurrency: number

  /** The project discovery read (undefined for a hand-built manager). */
  cwd: string | undefined

  constructor(options: PluginManagerOptions = {}) {
    this.cwd = undefined
    if (!isRecord(options as unknown)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        'new PluginManager(options): options must be an object, e.g. { logger }',
      )
    }
    this.logger =
      options.logger ?? pino({ name: 'dqx', level: process.env.DQX_LOG_LEVEL ?? 'warn' }, pino.destination(2))
    this.timeoutMs = wholeNumber(options.timeoutMs ?? 60_000, 'timeoutMs', 0)
    this.concurrency = wholeNumber(options.concurrency ?? 4, 'concurrency', 1)
  }

  /** A manager holding the plugins that the project's dependencies declare (see docs/plugins.md). */
  static async discover(options: DiscoverOptions = {}): Promise<PluginManager> {
    const found = await discoverPlugins(options)
    const manager = new PluginManager(options.logger ? { logger: options.logger } : {})
    for (const [name, plugin] of found.plugins) manager.plugins.set(name, plugin)
    manager.discovered.push(...found.discovered)
    manager.failures.push(...found.failures)
    manager.cwd = found.cwd
    return manager
  }

  /** The loaded plugins by name (the same map as `plugins`). */
  getPlugins(): ReadonlyMap<string, Plugin> {
    return this.plugins
  }

  /** Adds a plugin under `name`; an invalid plugin or a name already taken is a DqxError. */
  register(name: string, plugin: Plugin): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "register(name, plugin): name must be a non-empty string, e.g. 'slack'",
      )
    }
    if (this.plugins.has(name)) {
      throw new DqxError('DUPLICATE_PLUGIN', `register(): a plugin named '${name}' is already registered`)
    }
    try {
      normalizePlugins([plugin])
    } catch (err) {
      throw new DqxError(
        'INVALID_PLUGIN',
        `register('${name}'): ${(err as Error).message.replace(/^plugins\[0\]/, 'the plugin')}`,
        { cause: err },
      )
    }
    this.plugins.set(name, plugin)
    return this
  }

  /**
   * Runs every plugin's processResults path once with these results: ResultProcessors get
   * `initialize(config[name] ?? {})` then `process(...)`; function and `{ name, apply }` plugins
   * are applied to a fresh set of hooks whose processResults taps are called. A failing or slow
   * plugin never throws here: its PluginRun carries the error (and onPluginError taps see it).
   * Bad arguments (not arrays, no suiteName, unknown or invalid config) are a DqxError.
   */
  async processAll(input: ProcessAllInput): Promise<PluginRun[]> {
    if (!isRecord(input)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        'processAll() takes { results, symbols, suiteName, context?, config? }',
      )
    }
    if (!Array.isArray(input.results)) {
      throw new DqxError('INVALID_ARGUMENT', 'processAll(): results must be an array of AssertionResult')
    }
    if (!Array.isArray(input.symbols)) {
      throw new DqxError('INVALID_ARGUMENT', 'processAll(): symbols must be an array of SymbolInfo')
    }
    if (typeof input.suiteName !== 'string' || input.suiteName.trim() === '') {
      throw new DqxError('INVALID_ARGUMENT', 'processAll(): suiteName must be a non-empty string')
    }
    if (input.context !== undefined && !isRecord(input.context)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        'processAll(): context must be an object of extra context fields',
      )
    }
    const config = input.config ?? {}
    if (!isRecord(config)) {
      throw new DqxError('INVALID_ARGUMENT', 'processAll(): config must be an object keyed by plugin name')
    }
    // Errors name where a plugin came from: its package, or the register() call.
    const plugins = normalizePlugins([this.plugins]).map((p) => {
      const found = this.discovered.find((d) => d.name === p.name)
      return { ...p, source: found ? `package '${found.package}'` : 'registered' }
    })
    checkConfigKeys(config, plugins)
    const configs = new Map<string, unknown>()
    for (const p of plugins) configs.set(p.name, (await validateConfig(p, config[p.name] ?? {})).value)
    // An isolated plugin's sandboxes live for this call only: ended before it returns.
    const groups: SandboxGroup[] = []
    for (const [i, p] of plugins.entries()) {
      if (!isIsolatedPlugin(p.original)) continue
      const group = p.original[SANDBOX_GROUP]()
      groups.push(group)
      plugins[i] = { ...p, apply: (suite, cfg) => group.apply(suite, cfg) }
    }
    try {
      return await this.runPlugins(plugins, configs, input)
    } finally {
      await Promise.all(groups.map((group) => group.close()))
    }
  }

  private async runPlugins(
    plugins: NormalizedPlugin[],
    configs: ReadonlyMap<string, unknown>,
    input: ProcessAllInput,
  ): Promise<PluginRun[]> {
    const lifecycle = new SuiteLifecycle({
      logger: this.logger,
      timeoutMs: this.timeoutMs,
      concurrency: this.concurrency,
      configFor: (plugin) => configs.get(plugin),
    })
    const runs: PluginRun[] = []
    const db = MetricDB.memory()
    for (const p of plugins) {
      const t0 = performance.now()
      try {
        await applyPlugin({ plugin: p, config: configs.get(p.name), lifecycle, db })
      } catch (err) {
        // A plugin that cannot even be applied is that plugin's failure, not the caller's.
        const run: PluginRun = {
          plugin: p.name,
          hook: 'apply',
          durationMs: performance.now() - t0,
          error: err as Error,
          timedOut: false,
        }
        lifecycle.logger.error({ plugin: p.name, hook: 'apply', err }, 'plugin failed')
        runs.push(run)
      }
    }
    const first = input.results[0]
    const scope = { signal: new AbortController().signal, logger: this.logger, config: undefined }
    const ctx: ResultsContext = deepFreeze({
      suiteName: input.suiteName,
      runId: randomUUID(),
      key: new ResultKey(first?.date ?? new Date().toISOString().slice(0, 10), { ...(first?.tags ?? {}) }),
      timestamp: new Date(),
      datasources: [],
      checks: [...new Set(input.results.map((r) => r.check))],
      durationMs: 0,
      results: input.results,
      symbols: input.symbols,
      summary: summarize(input.results),
      ...input.context,
      ...scope,
    })
    let processed: PluginRun[]
    try {
      processed = await lifecycle.hooks.processResults.promise(ctx)
    } catch (err) {
      // Only a throwing `call` interceptor gets here, and a hand-built manager has none: logged.
      lifecycle.logger.error({ hook: 'processResults', err }, 'processResults failed')
      return runs
    }
    lifecycle.scrubRuns(processed)
    for (const run of processed) {
      if (failed(run)) continue
      lifecycle.logger.info(
        { plugin: run.plugin, hook: run.hook, durationMs: run.durationMs },
        `plugin '${run.plugin}' processed results in ${run.durationMs.toFixed(1)} ms`,
      )
    }
    runs.push(...processed)
    if (processed.some(failed)) {
      runs.push(
        ...(await lifecycle.reportFailures(processed, {
          ...scope,
          runId: ctx.runId,
          suiteName: ctx.suiteName,
        })),
      )
    }
    return runs
  }
}
