import type { Logger } from 'pino'
import { SecretScrubber, secretStrings } from '../core/redact.js'
import type { HookName, RunReport } from '../core/types.js'
import { AsyncParallelLimitHook, AsyncSeriesHook, type PluginRun, type TapInfo } from '../hooks/index.js'
import {
  type AfterRunContext,
  deepFreeze,
  type EvaluatedContext,
  type PluginErrorContext,
  type ResultsContext,
  type RunContext,
  type TapScope,
} from './run-context.js'

/** The typed hooks of a suite; each kind's call strategy is fixed by its class. */
export interface SuiteHooks {
  /** After datasources are resolved, before any SQL. Async series. */
  readonly beforeRun: AsyncSeriesHook<[RunContext]>
  /** Every assertion evaluated and persisted. Async series. */
  readonly afterEvaluate: AsyncSeriesHook<[EvaluatedContext]>
  /** The result-processor fan-out: parallel, at most `concurrency` taps at once. */
  readonly processResults: AsyncParallelLimitHook<[ResultsContext]>
  /** A tap of any hook threw, rejected or timed out. Async series; its own failures are only logged. */
  readonly onPluginError: AsyncSeriesHook<[PluginErrorContext]>
  /** Last, always, with the final report. Async series. */
  readonly afterRun: AsyncSeriesHook<[AfterRunContext]>
}

export interface LifecycleOptions {
  logger: Logger
  timeoutMs: number
  concurrency: number
  /** This plugin's validated config (each plugin sees only its own). */
  configFor(plugin: string): unknown
}

/** pino's public (Symbol.for) hooks slot; its `streamWrite` sees each serialized line before it is written. */
const PINO_HOOKS = Symbol.for('pino.hooks')

/**
 * Gives a pino logger instance (a child, never the caller's own logger) a `streamWrite` hook that
 * scrubs secrets from every serialized line — message, fields, errors and bindings alike — and
 * from every line of its own children, keeping each line valid JSON (SecretScrubber.line). A
 * logger that is not pino has no such hook and is left as it is.
 */
function scrubbing(logger: Logger, scrubber: SecretScrubber): Logger {
  const slot = logger as unknown as Record<symbol, { streamWrite?: (line: string) => string } | undefined>
  const inherited = slot[PINO_HOOKS]
  if (inherited === undefined || inherited === null || typeof inherited !== 'object') return logger
  const previous = inherited.streamWrite
  const scrub = (line: string): string => scrubber.line(line)
  slot[PINO_HOOKS] = { ...inherited, streamWrite: previous ? (line: string) => scrub(previous(line)) : scrub }
  return logger
}

/**
 * A context's Date fields (timestamp, startedAt) are shared objects that freezing cannot protect
 * (a Date's time lives in an internal slot): each tap gets its own copy, so one plugin calling
 * `ctx.timestamp.setTime(0)` cannot change what another plugin or the report sees.
 */
function ownDates<C extends object>(ctx: C): C {
  for (const [k, v] of Object.entries(ctx)) {
    if (v instanceof Date) (ctx as Record<string, unknown>)[k] = new Date(v.getTime())
  }
  return ctx
}

/** What onPluginError needs to know about the run a failure happened in. */
export interface FailureScope extends TapScope {
  readonly runId: string
  readonly suiteName: string
}

/** A run that threw, rejected or timed out. */
export const failed = (run: PluginRun): boolean => run.error !== undefined || run.timedOut

/**
 * What afterRun taps receive: the report with the plugin runs so far (a copy: later failures are
 * added to the report, not to this) and the tap scope, frozen.
 */
export function afterRunContext(
  report: RunReport,
  pluginRuns: readonly PluginRun[],
  scope: TapScope,
): AfterRunContext {
  return deepFreeze({
    ...report,
    pluginRuns: [...pluginRuns],
    pluginErrors: pluginRuns.filter(failed),
    ...scope,
  })
}

/**
 * Owns a suite's hooks. Every tap gets its own frozen context object: the
 * shared (deeply frozen) run data plus that tap's signal, logger and config,
 * the config being that of the plugin that registered the tap (none for a
 * tap registered on `suite.hooks` outside any plugin).
 */
export class SuiteLifecycle {
  readonly hooks: SuiteHooks
  /**
   * The logger the hooks write "plugin finished"/"plugin failed" with, and the suite its plugin
   * lines: a child of the suite's logger that scrubs every plugin's config secrets (see addSecrets).
   */
  readonly logger: Logger
  /** #private: the secrets it holds must not be reachable from the objects plugins get. */
  readonly #scrubber = new SecretScrubber()
  private readonly loggers = new Map<string, Logger>()

  constructor(private readonly o: LifecycleOptions) {
    this.logger = scrubbing(o.logger.child({}), this.#scrubber)
    const scoped = <C extends TapScope>(args: [C], tap: TapInfo, signal: AbortSignal): [C] => {
      const config = tap.plugin === undefined ? undefined : o.configFor(tap.plugin)
      const logger = this.loggerFor(tap.plugin ?? tap.name)
      return [Object.freeze(ownDates({ ...args[0], signal, logger, config }))]
    }
    const options = <C extends TapScope & { runId: string }>(name: HookName) => ({
      name,
      runId: (ctx: C) => ctx.runId,
      timeoutMs: o.timeoutMs,
      logger: this.logger,
      argsForTap: scoped<C>,
    })
    this.hooks = {
      beforeRun: new AsyncSeriesHook<[RunContext]>(options<RunContext>('beforeRun')),
      afterEvaluate: new AsyncSeriesHook<[EvaluatedContext]>(options<EvaluatedContext>('afterEvaluate')),
      processResults: new AsyncParallelLimitHook<[ResultsContext]>({
        ...options<ResultsContext>('processResults'),
        concurrency: o.concurrency,
      }),
      onPluginError: new AsyncSeriesHook<[PluginErrorContext]>(options<PluginErrorContext>('onPluginError')),
      afterRun: new AsyncSeriesHook<[AfterRunContext]>(options<AfterRunContext>('afterRun')),
    }
  }

  /**
   * Calls onPluginError once for each failed run among `runs` and returns the
   * PluginRuns of those calls. Failures of onPluginError's own taps are logged
   * and returned like any other, never reported to onPluginError again.
   */
  async reportFailures(runs: readonly PluginRun[], scope: FailureScope): Promise<PluginRun[]> {
    const out: PluginRun[] = []
    for (const run of runs) {
      // Every failed run carries its error (a timeout's is the hook's TimeoutError).
      if (run.error === undefined) continue
      try {
        out.push(
          ...(await this.hooks.onPluginError.promise({
            plugin: run.plugin,
            // The runs come from this lifecycle's hooks, each named after its HookName.
            hook: run.hook as HookName,
            error: run.error,
            timedOut: run.timedOut,
            durationMs: run.durationMs,
            runId: scope.runId,
            suiteName: scope.suiteName,
            signal: scope.signal,
            logger: scope.logger,
            config: undefined,
          })),
        )
      } catch (err) {
        // The call itself failed (a throwing `call` interceptor): logged, and the run goes on.
        this.logger.error({ hook: 'onPluginError', plugin: run.plugin, err }, 'onPluginError failed')
      }
    }
    this.scrubRuns(out)
    return out
  }

  /** Registers the secret values of a plugin's config: from now on no line of the plugins' or hooks' loggers carries them. */
  addSecrets(config: unknown): void {
    this.#scrubber.add(secretStrings(config))
  }

  /**
   * Replaces config secrets quoted in the messages of failed runs (a fetch error quoting the
   * webhook URL), in place, so the report, the audit summary and the CLI never print them.
   */
  scrubRuns(runs: readonly PluginRun[]): void {
    for (const run of runs) {
      const err = run.error
      if (!err) continue
      try {
        const message = this.#scrubber.text(err.message)
        if (message !== err.message) err.message = message
        if (typeof err.stack === 'string') {
          const stack = this.#scrubber.text(err.stack)
          if (stack !== err.stack) err.stack = stack
        }
      } catch {
        // A frozen or hostile error object: leave it; loggers scrub their own lines.
      }
    }
  }

  /** The pino child logger bound to `plugin` (one per name), which scrubs every plugin's config secrets. */
  loggerFor(plugin: string): Logger {
    let l = this.loggers.get(plugin)
    if (!l) {
      l = scrubbing(this.o.logger.child({ plugin }), this.#scrubber)
      this.loggers.set(plugin, l)
    }
    return l
  }
}
