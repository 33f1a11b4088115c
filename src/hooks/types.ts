import type { Logger } from 'pino'
import type { PluginRun } from '../core/types.js'

export type { PluginRun } from '../core/types.js'

/** Options of `hook.tap()` / `hook.tapPromise()`; a plain string is the name. */
export interface TapOptions {
  /** Required, non-empty: it names the tap in PluginRuns, logs, traces and ordering constraints. */
  name: string
  /** Lower stages run first (default 0). */
  stage?: number
  /** Run before the taps with these names. */
  before?: string | string[]
  /** Run after the taps with these names. */
  after?: string | string[]
  /** This tap's timeout in ms; overrides the hook's `timeoutMs`; `0` turns the timeout off for this tap. */
  timeoutMs?: number
  /** The plugin that owns the tap; a suite sets it for every tap a plugin registers through its `apply(suite)`. */
  plugin?: string
}

/** How a tap was registered: `tap()` (sync fn) or `tapPromise()` (async fn). */
export type TapType = 'sync' | 'promise'

/**
 * A registered tap as interceptors and `argsForTap` see it (frozen). A `register`
 * interceptor may return a replacement, e.g. `{ ...tap, fn: wrapped }`; the
 * object it returns is the one later handed to `argsForTap` and the other
 * interceptors, so it can serve as a map key.
 */
export interface TapInfo<T extends unknown[] = unknown[]> {
  readonly name: string
  readonly type: TapType
  readonly stage: number
  readonly before: readonly string[]
  readonly after: readonly string[]
  /** The tap's own timeout; absent → the hook's `timeoutMs`. */
  readonly timeoutMs?: number
  /** The plugin that registered the tap (absent for a tap registered outside any plugin). */
  readonly plugin?: string
  // Method syntax on purpose: it makes TapInfo<[Ctx]> usable where a plain
  // TapInfo is expected (and back), so a host can write one interceptor or
  // one `argsForTap` for hooks of different argument types.
  fn(...args: T): unknown
}

/** tapable-style interceptors; see `hook.intercept()`. */
export interface HookInterceptor<T extends unknown[]> {
  /** For every tap, existing and future, at registration; may return a replacement TapInfo. */
  // biome-ignore lint/suspicious/noConfusingVoidType: an interceptor that only observes returns nothing; `undefined` alone would reject `(tap) => { log(tap) }`
  register?(tap: TapInfo<T>): TapInfo<T> | void
  /** At the start of every call, with the call's arguments. */
  call?(...args: T): void
  /** Before each tap runs. A throw here fails that tap (isolated like a tap error). */
  tap?(tap: TapInfo<T>): void
  /** After each failed tap (error or timeout). A throw here is logged, never propagated. */
  error?(err: Error, tap: TapInfo<T>): void
  /** At the end of every call, with its PluginRuns. A throw here is logged, never propagated. */
  done?(runs: readonly PluginRun[]): void
}

/** Builds the arguments one tap sees; `signal` is aborted when that tap times out. */
export type ArgsForTap<T extends unknown[]> = (args: T, tap: TapInfo<T>, signal: AbortSignal) => T

/** Called once for every failed tap; awaited before the call resolves. */
export type OnTapError<T extends unknown[]> = (run: PluginRun, args: T) => void | Promise<void>

/** Constructor options of every hook class; all validated at construction. */
export interface HookOptions<T extends unknown[]> {
  /** Reported in `PluginRun.hook`, logs and traces (default `'hook'`). */
  name?: string
  /** Default per-tap timeout in ms (default 60 000; `0` = none). A tap's own `timeoutMs` overrides it. */
  timeoutMs?: number
  /** When given, every tap call is logged: info "plugin finished", error "plugin failed". */
  logger?: Logger
  /**
   * Builds each tap's own arguments (e.g. a frozen context carrying `signal`).
   * Only when this is set does the hook create an AbortController per tap call.
   */
  argsForTap?: ArgsForTap<T>
  /** Called once per failed tap with the call's arguments; its own errors are logged, never recursed into. */
  onTapError?: OnTapError<T>
  /** Supplies `runId` for the `dqx:plugin` tracing payload, from the call's arguments. */
  runId?: (...args: T) => string | undefined
}

/** `AsyncParallelLimitHook` options: `HookOptions` plus `concurrency`. */
export interface AsyncParallelLimitHookOptions<T extends unknown[]> extends HookOptions<T> {
  /** At most this many taps run at once (positive integer, default 4). */
  concurrency?: number
}

/** The payload published on `tracingChannel('dqx:plugin')` for each tap call. */
export interface PluginTraceContext {
  plugin: string
  hook: string
  runId: string | undefined
}

/** A sync tap function: its return value is ignored. */
export type SyncTapFn<T extends unknown[]> = (...args: T) => void
/**
 * An async tap function: awaited (bounded by the timeout); its resolved value is
 * ignored, so `async (ctx) => fetch(url)` needs no wrapping (hence `unknown`, not `void`).
 */
export type AsyncTapFn<T extends unknown[]> = (...args: T) => Promise<unknown>
