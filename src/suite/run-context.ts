import type { Logger } from 'pino'
import type { ResultKey } from '../core/result-key.js'
import type { AssertionResult, HookName, RunReport, RunSummary, SymbolInfo } from '../core/types.js'
import type { PluginRun } from '../hooks/types.js'

/** What every tap's context carries for that tap alone. */
export interface TapScope {
  /** Aborted when this tap times out: pass it to fetch() and friends. */
  readonly signal: AbortSignal
  /** A pino child logger bound to the tap's plugin name. */
  readonly logger: Logger
  /** This plugin's entry of `pluginConfig` (validated), or undefined. */
  readonly config: unknown
}

/** `beforeRun`: datasources resolved, no SQL issued yet. */
export interface RunContext extends TapScope {
  readonly suiteName: string
  readonly runId: string
  readonly key: ResultKey
  readonly timestamp: Date
  readonly datasources: readonly string[]
  readonly checks: readonly string[]
  /** Names of the profiles active on the key's date, when the suite has profiles (docs/operations.md). */
  readonly profiles?: readonly string[]
  /** True when a stored run is replayed (`suite.replay()`, `dqx replay`): runId and timestamp are the original run's. */
  readonly replay?: boolean
}

/** `afterEvaluate`: every assertion judged and persisted. */
export interface EvaluatedContext extends RunContext {
  readonly durationMs: number
  readonly results: readonly AssertionResult[]
  readonly symbols: readonly SymbolInfo[]
  readonly summary: Readonly<RunSummary>
}

/**
 * `processResults`: the result-processor fan-out, called for every run. When the run itself
 * failed (a data source that cannot be read, a missing column …) `error` is set and `results`
 * holds what was evaluated before the failure, often nothing.
 */
export interface ResultsContext extends EvaluatedContext {
  readonly error?: Error
}

/** `onPluginError`: a tap of some hook threw, rejected or timed out. */
export interface PluginErrorContext extends TapScope {
  readonly plugin: string
  readonly hook: HookName
  readonly error: Error
  readonly timedOut: boolean
  readonly durationMs: number
  readonly runId: string
  readonly suiteName: string
}

/** `afterRun`: the final report, always delivered, even after failures. */
export type AfterRunContext = RunReport & TapScope

export type { PluginRun }

/**
 * Freezes an object graph in place (results, symbols, summary, key): plugins must not rewrite history.
 * Only plain objects and arrays are descended into: a context also carries the suite's pino logger
 * and an AbortSignal, and freezing those would break the caller's logger (`child()`, `level = …`
 * throw on a frozen pino instance) for every later run.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return value
  Object.freeze(value)
  for (const v of Object.values(value as object)) deepFreeze(v)
  return value
}
