import type { Logger } from 'pino'
import type {
  AfterRunContext,
  EvaluatedContext,
  PluginErrorContext,
  ResultsContext,
  RunContext,
  TapScope,
} from '../core/run-context.js'
import type { HookName } from '../core/types.js'
import { AsyncParallelLimitHook, AsyncSeriesHook, type PluginRun, type TapInfo } from '../hooks/index.js'
import { REDACT_PATHS } from './redact.js'

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
  /** Which plugin registered a tap (falls back to the tap's name). */
  pluginOf(tap: TapInfo): string
}

/**
 * Owns a suite's hooks. Every tap gets its own frozen context object: the
 * shared (deeply frozen) run data plus that tap's signal, logger and config.
 * Failures of any tap are reported once to onPluginError, whose own failures
 * are only logged and collected (never reported again).
 */
export class SuiteLifecycle {
  readonly hooks: SuiteHooks
  private readonly loggers = new Map<string, Logger>()
  /** onPluginError PluginRuns per run, so concurrent runs of one suite do not mix. */
  private readonly errorRuns = new Map<string, PluginRun[]>()

  constructor(private readonly o: LifecycleOptions) {
    const scoped = <C extends TapScope>(args: [C], tap: TapInfo, signal: AbortSignal): [C] => {
      const plugin = o.pluginOf(tap)
      return [Object.freeze({ ...args[0], signal, logger: this.loggerFor(plugin), config: o.configFor(plugin) })]
    }
    const onPluginError = new AsyncSeriesHook<[PluginErrorContext]>({
      name: 'onPluginError',
      timeoutMs: o.timeoutMs,
      logger: o.logger,
      argsForTap: scoped,
    })
    const report =
      (hook: HookName) =>
      async (run: PluginRun, args: [{ runId: string; suiteName: string } & TapScope]): Promise<void> => {
        const [ctx] = args
        const runs = await onPluginError.promise({
          plugin: run.plugin,
          hook,
          error: run.error ?? new Error(`plugin '${run.plugin}' timed out`),
          timedOut: run.timedOut,
          durationMs: run.durationMs,
          runId: ctx.runId,
          suiteName: ctx.suiteName,
          signal: ctx.signal,
          logger: o.logger,
          config: undefined,
        })
        this.errorRunsOf(ctx.runId).push(...runs)
      }
    const options = <C extends TapScope>(name: HookName) => ({
      name,
      timeoutMs: o.timeoutMs,
      logger: o.logger,
      argsForTap: scoped<C>,
      onTapError: report(name),
    })
    this.hooks = {
      beforeRun: new AsyncSeriesHook<[RunContext]>(options<RunContext>('beforeRun')),
      afterEvaluate: new AsyncSeriesHook<[EvaluatedContext]>(options<EvaluatedContext>('afterEvaluate')),
      processResults: new AsyncParallelLimitHook<[ResultsContext]>({
        ...options<ResultsContext>('processResults'),
        concurrency: o.concurrency,
      }),
      onPluginError,
      afterRun: new AsyncSeriesHook<[AfterRunContext]>(options<AfterRunContext>('afterRun')),
    }
  }

  private loggerFor(plugin: string): Logger {
    let l = this.loggers.get(plugin)
    if (!l) {
      l = this.o.logger.child({ plugin }, { redact: { paths: REDACT_PATHS, censor: '[redacted]' } })
      this.loggers.set(plugin, l)
    }
    return l
  }

  private errorRunsOf(runId: string): PluginRun[] {
    let list = this.errorRuns.get(runId)
    if (!list) {
      list = []
      this.errorRuns.set(runId, list)
    }
    return list
  }

  /** Takes (and forgets) the onPluginError PluginRuns of one run. */
  takeErrorRuns(runId: string): PluginRun[] {
    const list = this.errorRuns.get(runId) ?? []
    this.errorRuns.delete(runId)
    return list
  }
}
