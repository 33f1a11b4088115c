import type { Logger } from 'pino'
import type { PluginRun } from '../core/types.js'

export type { PluginRun } from '../core/types.js'

/** Vite-style ordering group: every 'pre' tap runs before the unmarked ones, every 'post' tap after them. */
export type TapEnforce = 'pre' | 'post'

/** Options of `hook.tap()` / `tapPromise()` / `tapAsync()`; a plain string is the name. */
export interface TapOptions {
  /** Required, non-empty: it names the tap in PluginRuns, logs, traces and ordering constraints. */
  name: string
  /** The plugin that owns the tap; a suite sets it for every tap a plugin registers through its `apply(suite)`. */
  plugin?: string
  /** 'pre' taps run first, 'post' taps last; within a group, `stage` and `before`/`after` apply. */
  enforce?: TapEnforce
  /** Lower stages run first (default 0). */
  stage?: number
  /** Run before the taps with these names; a name no tap on the hook has is ignored with a warning. */
  before?: string | string[]
  /** Run after the taps with these names; a name no tap on the hook has is ignored with a warning. */
  after?: string | string[]
  /** This tap's timeout in ms; overrides the hook's `timeoutMs`; `0` turns the timeout off for this tap. */
  timeoutMs?: number
}

/** How a tap was registered: `tap()` (sync fn), `tapPromise()` (returns a promise) or `tapAsync()` (takes a callback). */
export type TapType = 'sync' | 'promise' | 'async'

/**
 * A registered tap as interceptors and `argsForTap` see it (frozen). A `register`
 * interceptor may return a replacement, e.g. `{ ...tap, fn: wrapped }`; the
 * object it returns is the one later handed to `argsForTap` and the other
 * interceptors, so it can serve as a map key.
 */
export interface TapInfo<T extends unknown[] = unknown[]> {
  readonly name: string
  readonly type: TapType
  /** The owning plugin's name, when the tap was registered on a plugin's behalf. */
  readonly plugin?: string
  readonly enforce?: TapEnforce
  readonly stage: number
  readonly before: readonly string[]
  readonly after: readonly string[]
  /** The tap's own timeout; absent → the hook's `timeoutMs`. */
  readonly timeoutMs?: number
  // Method syntax on purpose: it makes TapInfo<[Ctx]> usable where a plain
  // TapInfo is expected (and back), so a host can write one interceptor or
  // one `argsForTap` for hooks of different argument types. For a 'async'
  // tap the function takes one more argument: the node-style callback.
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
  /** When given, every tap call is logged: info "plugin finished", error "plugin failed"; ignored order hints warn. */
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

/**
 * What a bail or waterfall hook's call returns: the value the taps produced
 * and one PluginRun per tap that ran, in tap order.
 */
export interface HookResult<R> {
  /** Bail: the first value a tap returned other than `undefined`, else `undefined`. Waterfall: the final value. */
  result: R
  runs: PluginRun[]
}

/** A sync tap function: its return value is ignored. */
export type SyncTapFn<T extends unknown[]> = (...args: T) => void
/**
 * An async tap function: awaited (bounded by the timeout); its resolved value is
 * ignored, so `async (ctx) => fetch(url)` needs no wrapping (hence `unknown`, not `void`).
 */
export type AsyncTapFn<T extends unknown[]> = (...args: T) => Promise<unknown>

/** Node-style completion callback of a `tapAsync` tap: call it once, with an error or with a result. */
export type TapCallback<R = unknown> = (error?: unknown, result?: R) => void

/** A `tapAsync` tap function: the call's arguments, then the callback. */
export type CallbackTapFn<T extends unknown[], R = unknown> = (...args: [...T, TapCallback<R>]) => void

/** A tap of a bail hook: returning anything but `undefined` stops the call with that value. */
export type BailTapFn<T extends unknown[], R> = (...args: T) => R | undefined
/** A `tapPromise` tap of an async bail hook. */
export type AsyncBailTapFn<T extends unknown[], R> = (...args: T) => Promise<R | undefined>

/** A tap of a waterfall hook: returns the next value for the first argument (`undefined` keeps the current one). */
export type WaterfallTapFn<T extends unknown[]> = (...args: T) => T[0] | undefined
/** A `tapPromise` tap of an async waterfall hook. */
export type AsyncWaterfallTapFn<T extends unknown[]> = (...args: T) => Promise<T[0] | undefined>
