import { performance } from 'node:perf_hooks'
import { toError } from '../core/errors.js'
import type { ResolvedHookOptions } from './options.js'
import { pluginChannel } from './tracing.js'
import type { HookInterceptor, PluginRun, TapCallback, TapInfo, TapType } from './types.js'

// The per-call machinery every hook kind shares: preparing a tap's arguments,
// calling it (traced or not), recording its PluginRun, reporting failures,
// and finishing the call. Everything optional (interceptors, argsForTap,
// logger, tracing, onTapError) is behind one check, so a hook without them
// pays for a clock read and a PluginRun per tap and little else.

/**
 * The hooks' clock, in ms. A reading is the one cost per tap that cannot be
 * avoided (≈ 50 ns on Node 20), so readings are shared where possible: one
 * tap's end is the next one's start. performance.now() rather than
 * process.hrtime() (an array per read) or the global `performance` (a getter
 * per lookup): ≈ 49 against ≈ 57 ns a read on Node 20 (docs/performance.md,
 * "Hook dispatch"). So fake timers do not move this clock: under them a
 * deadline fires only once real time has passed it too.
 */
export const now = (): number => performance.now()

/** How a call combines its taps' return values: ignore them, stop at the first defined one, or pass each on as the next first argument. */
export type Flow = 'all' | 'bail' | 'waterfall'

/** A tap as the runners use it: fields read on every call are copied out of its TapInfo once per order change. */
export interface CompiledTap<T extends unknown[]> {
  readonly info: TapInfo<T>
  readonly name: string
  readonly type: TapType
  /** Typed loosely so the runner can call it with one argument directly; it is only ever given a T. A 'async' tap's fn is wrapped to return a promise. */
  readonly fn: (...args: unknown[]) => unknown
  /** Resolved: the tap's own timeoutMs, else the hook's; 0 = none. */
  readonly timeoutMs: number
}

/**
 * A tap's timeout: thrown at (and the abort reason of) a tap abandoned at its
 * deadline, and the error of a tap that could not be abandoned because it ran
 * synchronously past it (`overrunMs` set).
 */
export class TapTimeoutError extends Error {
  override readonly name = 'TimeoutError'
  readonly code = 'HOOK_TIMEOUT'
  readonly plugin: string
  readonly hook: string
  readonly timeoutMs: number
  /** Set when the tap blocked the event loop past its deadline: by how many ms it overran. */
  readonly overrunMs: number | undefined

  constructor(plugin: string, hook: string, timeoutMs: number, durationMs?: number) {
    const overrunMs = durationMs === undefined ? undefined : Math.round(durationMs - timeoutMs)
    super(
      overrunMs === undefined
        ? `plugin '${plugin}' timed out after ${timeoutMs} ms in hook '${hook}'`
        : `plugin '${plugin}' overran its ${timeoutMs} ms timeout by ${overrunMs} ms in hook '${hook}' and could not be interrupted (synchronous code blocks the event loop) — run the plugin with isolated() to enforce its timeout`,
    )
    this.plugin = plugin
    this.hook = hook
    this.timeoutMs = timeoutMs
    this.overrunMs = overrunMs
  }
}

type Interceptors<T extends unknown[], K extends keyof HookInterceptor<T>> = (HookInterceptor<T> &
  Required<Pick<HookInterceptor<T>, K>>)[]

/** A hook's validated options plus its interceptors, split by kind (undefined when none, for one cheap check per call). */
export class HookRuntime<T extends unknown[]> {
  readonly name: string
  readonly timeoutMs: number
  readonly options: ResolvedHookOptions<T>
  callInterceptors: Interceptors<T, 'call'> | undefined = undefined
  tapInterceptors: Interceptors<T, 'tap'> | undefined = undefined
  errorInterceptors: Interceptors<T, 'error'> | undefined = undefined
  doneInterceptors: Interceptors<T, 'done'> | undefined = undefined
  /** Some work runs before each tap (tap interceptors or argsForTap): take a fresh start time after it. */
  prepared: boolean

  constructor(options: ResolvedHookOptions<T>) {
    this.name = options.name
    this.timeoutMs = options.timeoutMs
    this.options = options
    this.prepared = options.argsForTap !== undefined
  }

  setInterceptors(all: readonly HookInterceptor<T>[]): void {
    const having = <K extends keyof HookInterceptor<T>>(key: K): Interceptors<T, K> | undefined => {
      const list = all.filter(
        (i): i is HookInterceptor<T> & Required<Pick<HookInterceptor<T>, K>> => !!i[key],
      )
      return list.length > 0 ? list : undefined
    }
    this.callInterceptors = having('call')
    this.tapInterceptors = having('tap')
    this.errorInterceptors = having('error')
    this.doneInterceptors = having('done')
    this.prepared = this.tapInterceptors !== undefined || this.options.argsForTap !== undefined
  }

  /** A problem worth a warning but not a failure (an ignored order hint, a callback called twice). */
  warn(message: string, fields: Record<string, unknown>): void {
    const logger = this.options.logger
    if (logger && typeof logger.warn === 'function') logger.warn({ hook: this.name, ...fields }, message)
    else process.emitWarning(message, { code: 'DQX_HOOK_WARNING' })
  }

  /** Reports an error of the hook's own callbacks (onTapError, error/done interceptors): logged, never rethrown. */
  internalError(what: string, thrown: unknown): void {
    const err = toError(thrown)
    const logger = this.options.logger
    if (logger) {
      try {
        logger.error({ hook: this.name, err }, `${what} failed`)
      } catch {
        logger.error({ hook: this.name }, `${what} failed (its error could not be serialized)`)
      }
    }
    // Without a logger it must still not vanish: a coded process warning, as pino does for deprecations.
    else
      process.emitWarning(`hook '${this.name}': ${what} failed: ${err.message}`, {
        code: 'DQX_HOOK_CALLBACK',
      })
  }
}

/** Compiles a TapInfo for the runners: resolves its timeout and gives a callback-style tap a promise interface. */
export function compileTap<T extends unknown[]>(rt: HookRuntime<T>, info: TapInfo<T>): CompiledTap<T> {
  const fn = info.fn as (...args: unknown[]) => unknown
  return {
    info,
    name: info.name,
    type: info.type,
    fn: info.type === 'async' ? promisifyCallbackTap(rt, info.name, fn) : fn,
    timeoutMs: info.timeoutMs ?? rt.timeoutMs,
  }
}

/**
 * A `tapAsync` function as a promise: the first callback call settles it (an
 * error → rejection), a second one is ignored with a warning, and a throw
 * before the callback is a rejection like any other.
 */
function promisifyCallbackTap<T extends unknown[]>(
  rt: HookRuntime<T>,
  name: string,
  fn: (...args: unknown[]) => unknown,
): (...args: unknown[]) => Promise<unknown> {
  return (...args) =>
    new Promise((resolve, reject) => {
      let called = false
      const callback: TapCallback = (error, result) => {
        if (called) {
          rt.warn(
            `tap '${name}' on hook '${rt.name}' called its callback more than once; only the first call counts`,
            { plugin: name },
          )
          return
        }
        called = true
        if (error !== undefined && error !== null) reject(error)
        else resolve(result)
      }
      fn(...args, callback)
    })
}

/** True for anything with a callable `then` (promises and foreign thenables). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value != null && typeof (value as { then?: unknown }).then === 'function'
}

/** Per running tap: its AbortController (with argsForTap) and its start time. A series call is one slot, reused tap after tap. */
export interface TapSlot {
  controller: AbortController | undefined
  /** When the tap started (a `now()` time); reset after tap interceptors and argsForTap ran, so the tap is not charged for them. */
  start: number
  /**
   * Whether someone subscribed to `dqx:plugin` when the call started
   * (`tracedNow()`): checked once per call, since the check reads five
   * channels and would cost ≈ 5 % of a ten-tap call if made per tap.
   */
  readonly traced: boolean
}

/** Whether a call starting now is traced on `dqx:plugin`. */
export function tracedNow(): boolean {
  return pluginChannel.hasSubscribers
}

/**
 * Calls the tap at `slot.start`: its tap interceptors and `argsForTap` first
 * when the hook has any, then the tap itself (traced when someone subscribes
 * to `dqx:plugin` when the call started). Returns what the tap returned;
 * throws what it threw.
 */
export function invokeTap<T extends unknown[]>(
  rt: HookRuntime<T>,
  tap: CompiledTap<T>,
  args: T,
  slot: TapSlot,
): unknown {
  if (rt.prepared) {
    args = prepareTap(rt, tap, args, slot)
    slot.start = now()
  }
  return callTap(rt, tap, args, slot.traced)
}

/**
 * Runs the tap interceptors and `argsForTap`; returns the arguments the tap gets.
 * Only called when `rt.prepared`, so no AbortController exists without
 * argsForTap: on Node 20 its signal costs ≈ 2 µs to create (EventTarget set-up),
 * several times a whole call of a ten-tap hook.
 */
function prepareTap<T extends unknown[]>(rt: HookRuntime<T>, tap: CompiledTap<T>, args: T, slot: TapSlot): T {
  const interceptors = rt.tapInterceptors
  if (interceptors) for (const i of interceptors) i.tap(tap.info)
  const argsForTap = rt.options.argsForTap
  if (argsForTap === undefined) return args
  const controller = new AbortController()
  slot.controller = controller
  return argsForTap(args, tap.info, controller.signal)
}

/** Calls the tap's function; published on `dqx:plugin` only when someone subscribes. */
function callTap<T extends unknown[]>(
  rt: HookRuntime<T>,
  tap: CompiledTap<T>,
  args: T,
  traced: boolean,
): unknown {
  // Taken out of the tap so it runs with `this` undefined, as tapable's taps do.
  const fn = tap.fn
  // The payload is only built for subscribers.
  if (!traced) {
    // Hooks almost always take one argument (a context): a direct call is cheaper than a spread.
    return args.length === 1 ? fn(args[0]) : fn(...args)
  }
  const payload = { plugin: tap.name, hook: rt.name, runId: rt.options.runId?.(...args) }
  return tap.type === 'sync'
    ? pluginChannel.traceSync(fn, payload, undefined, ...args)
    : // tracePromise adds asyncStart/asyncEnd (and accepts a non-promise return value).
      pluginChannel.tracePromise(fn as (...a: unknown[]) => Promise<unknown>, payload, undefined, ...args)
}

/**
 * The promise to wait on for a tap's result. A foreign thenable (or a
 * subclass with its own `then`) is adopted into a native promise first, which
 * also turns a `then` that throws into a rejection.
 */
export function asNativePromise(value: PromiseLike<unknown>): Promise<unknown> {
  return Object.getPrototypeOf(value) === Promise.prototype
    ? (value as Promise<unknown>)
    : Promise.resolve(value)
}

/** Swallows a promise nobody will await (a misused tap's), so it never becomes an unhandledRejection. */
export function swallow(p: PromiseLike<unknown>): void {
  asNativePromise(p).then(undefined, ignore)
}

function ignore(): void {}

/**
 * One call's arguments, PluginRuns and pending onTapError work; each hook
 * kind's call object implements it, and the functions below do the shared work.
 */
export interface CallState<T extends unknown[]> {
  readonly rt: HookRuntime<T>
  readonly args: T
  readonly runs: PluginRun[]
  /** onTapError promises (already guarded) to await before the call resolves. */
  waits: Promise<void>[] | undefined
}

/**
 * Ends the tap at `index`: times it from `slot.start` to now, stores its
 * PluginRun and reports it (log line, error interceptors, onTapError), and
 * sets `slot.start` for the next tap of a series: this reading, or a fresh
 * one when reporting ran, so the next tap is not charged for it. A tap that
 * finished without error but took longer than its timeout ran synchronously
 * past its deadline, where no timer could interrupt it: it is recorded as
 * timed out. Returns whether the tap succeeded; one that failed or timed out
 * neither bails nor passes a value on.
 */
export function endTap<T extends unknown[]>(
  call: CallState<T>,
  slot: TapSlot,
  index: number,
  tap: CompiledTap<T>,
  error: Error | undefined,
  timedOut: boolean,
): boolean {
  const end = now()
  const durationMs = end - slot.start
  slot.start = end
  const rt = call.rt
  if (error === undefined && tap.timeoutMs > 0 && durationMs > tap.timeoutMs) {
    error = new TapTimeoutError(tap.name, rt.name, tap.timeoutMs, durationMs)
    timedOut = true
  }
  const logger = rt.options.logger
  if (error === undefined) {
    // Two literal shapes, so a successful run has no `error` key at all (exactOptionalPropertyTypes).
    call.runs[index] = { plugin: tap.name, hook: rt.name, durationMs, timedOut: false }
    if (logger === undefined) return true
    logger.info({ plugin: tap.name, hook: rt.name, durationMs }, 'plugin finished')
  } else {
    const run: PluginRun = { plugin: tap.name, hook: rt.name, durationMs, error, timedOut }
    call.runs[index] = run
    reportFailure(call, run, error, tap.info)
  }
  slot.start = now()
  return error === undefined
}

function reportFailure<T extends unknown[]>(
  call: CallState<T>,
  run: PluginRun,
  error: Error,
  info: TapInfo<T>,
): void {
  const rt = call.rt
  const interceptors = rt.errorInterceptors
  if (interceptors) {
    for (const i of interceptors) {
      try {
        i.error(error, info)
      } catch (e) {
        rt.internalError('error interceptor', e)
      }
    }
  }
  const { logger, onTapError } = rt.options
  if (logger) {
    const fields = { plugin: run.plugin, hook: run.hook, durationMs: run.durationMs, timedOut: run.timedOut }
    const overran = error instanceof TapTimeoutError && error.overrunMs !== undefined
    const message = overran
      ? 'plugin overran its timeout; run it with isolated() to enforce it'
      : 'plugin failed'
    try {
      logger.error({ ...fields, err: error }, message)
    } catch {
      // A hostile error (a throwing `message`/`stack` getter) breaks pino's serializer: log what we can.
      logger.error(fields, `${message} (its error could not be serialized)`)
    }
  }
  if (onTapError === undefined) return
  try {
    const pending = onTapError(run, call.args)
    if (isThenable(pending)) {
      const guarded = Promise.resolve(pending).then(undefined, (e: unknown) =>
        rt.internalError('onTapError', e),
      )
      if (call.waits) call.waits.push(guarded)
      else call.waits = [guarded]
    }
  } catch (e) {
    rt.internalError('onTapError', e)
  }
}

/** The call's PluginRuns: after pending onTapError work, then the done interceptors. */
export function finishCall<T extends unknown[]>(call: CallState<T>): PluginRun[] | Promise<PluginRun[]> {
  return finishCallWith(call, (runs) => runs)
}

/** As `finishCall`, then `result(runs)`: for calls that return more than their PluginRuns. */
export function finishCallWith<T extends unknown[], V>(
  call: CallState<T>,
  result: (runs: PluginRun[]) => V,
): V | Promise<V> {
  const waits = call.waits
  if (waits === undefined) return result(done(call))
  return Promise.all(waits).then(() => result(done(call)))
}

/** A sync call's result: it cannot wait, and its onTapError promises are already guarded, so just the done interceptors. */
export function done<T extends unknown[]>(call: CallState<T>): PluginRun[] {
  const interceptors = call.rt.doneInterceptors
  if (interceptors) {
    for (const i of interceptors) {
      try {
        i.done(call.runs)
      } catch (e) {
        call.rt.internalError('done interceptor', e)
      }
    }
  }
  return call.runs
}
