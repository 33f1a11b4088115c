import { toError } from '../core/errors.js'
import { type Deadline, release, startWaiting, stopWaiting } from './deadlines.js'
import { Hook } from './hook.js'
import {
  asNativePromise,
  type CallState,
  type CompiledTap,
  callTap,
  finishCall,
  type HookRuntime,
  isThenable,
  now,
  prepareTap,
  recordRun,
  TapTimeoutError,
} from './tap-runner.js'
import type { HookOptions, PluginRun } from './types.js'

/**
 * Calls its taps one after another, each awaited (up to its timeout) before
 * the next starts. `.promise(...args)` resolves to their PluginRuns; it never
 * rejects for a tap's failure. Both `tap` and `tapPromise` taps may return a
 * promise; either is awaited.
 */
export class AsyncSeriesHook<T extends unknown[]> extends Hook<T> {
  constructor(options?: HookOptions<T>) {
    super('AsyncSeriesHook', options)
  }

  /** Runs every tap in order; rejects only with DqxError 'HOOK_ORDER' (or a throwing `call` interceptor). */
  promise(...args: T): Promise<PluginRun[]> {
    let taps: readonly CompiledTap<T>[]
    try {
      taps = this.begin(args)
    } catch (e) {
      return Promise.reject(e)
    }
    const rt = this.rt
    return new Promise((resolve) => new SeriesCall(rt, args, taps, resolve).next())
  }
}

/**
 * One series call, written as a loop that suspends at an async tap and is
 * resumed by that tap's settlement or by its deadline, whichever comes first
 * — like tapable's generated code, but without codegen. Sync results are
 * handled in the loop without a microtask. The call is its own Deadline (at
 * most one of its taps is pending at a time), and one pair of settlement
 * handlers serves all its taps, so an async tap costs no allocation of ours.
 */
class SeriesCall<T extends unknown[]> implements CallState<T>, Deadline {
  // `declare`: no field initialisers. The constructor assigns every field in
  // one order, so all calls share one shape without a define-then-assign pass.
  declare readonly rt: HookRuntime<T>
  declare readonly args: T
  declare readonly runs: PluginRun[]
  declare waits: Promise<void>[] | undefined
  declare controller: AbortController | undefined
  declare deadline: number
  declare waiting: boolean
  declare queueSlot: number
  declare watched: boolean
  declare prevDeadline: Deadline | undefined
  declare nextDeadline: Deadline | undefined
  declare private readonly taps: readonly CompiledTap<T>[]
  declare private readonly resolve: (runs: PluginRun[] | Promise<PluginRun[]>) => void
  /** Index of the tap running or waited for. */
  declare private i: number
  /** Start time of tap `i` (a shared reading: the previous tap's end). */
  declare private start: number
  /** Settlement handlers of the current generation, made at the first async tap. */
  declare private onResolved: (() => void) | undefined
  declare private onRejected: ((e: unknown) => void) | undefined
  /** Bumped by renewHandlers: handlers of an older generation are stale. */
  declare private generation: number

  constructor(
    rt: HookRuntime<T>,
    args: T,
    taps: readonly CompiledTap<T>[],
    resolve: (runs: PluginRun[] | Promise<PluginRun[]>) => void,
  ) {
    this.rt = rt
    this.args = args
    this.runs = []
    this.waits = undefined
    this.controller = undefined
    this.deadline = 0
    this.waiting = false
    this.queueSlot = -1
    this.watched = false
    this.prevDeadline = undefined
    this.nextDeadline = undefined
    this.taps = taps
    this.resolve = resolve
    this.i = 0
    this.start = now()
    this.onResolved = undefined
    this.onRejected = undefined
    this.generation = 0
  }

  next(): void {
    const { taps, rt } = this
    while (this.i < taps.length) {
      const i = this.i
      const tap = taps[i]!
      let result: unknown
      try {
        let tapArgs = this.args
        if (rt.prepared) {
          tapArgs = prepareTap(rt, tap, tapArgs, this)
          this.start = now()
        }
        result = callTap(rt, tap, tapArgs)
      } catch (e) {
        this.complete(i, tap, toError(e), false)
        continue
      }
      if (!isThenable(result)) {
        this.complete(i, tap, undefined, false)
        continue
      }
      // Suspend until the promise settles (native: at most once, never synchronously) or times out.
      if (tap.timeoutMs > 0) {
        this.deadline = this.start + tap.timeoutMs
        startWaiting(this)
      }
      if (this.onResolved === undefined) this.renewHandlers()
      asNativePromise(result).then(this.onResolved, this.onRejected)
      return
    }
    release(this)
    this.resolve(finishCall(this))
  }

  /** The watchdog's call: the current tap is past its deadline; abandon it and go on. */
  expire(): void {
    const i = this.i
    const tap = this.taps[i]!
    const error = new TapTimeoutError(tap.name, this.rt.name, tap.timeoutMs)
    this.controller?.abort(error)
    // The abandoned promise still holds the current handlers: retire them, so
    // its late settlement (handled, so never an unhandledRejection) is ignored.
    this.renewHandlers()
    this.complete(i, tap, error, true)
    this.next()
  }

  /** Makes a new pair of settlement handlers; the previous pair, if any, goes stale. */
  private renewHandlers(): void {
    // Anonymous arrows assigned to fields: a named function expression made per
    // call would cost a defineProperty('name') under keepNames transpilers (tsx).
    const generation = ++this.generation
    this.onResolved = () => {
      if (this.generation === generation) this.settled(undefined)
    }
    this.onRejected = (e: unknown) => {
      if (this.generation === generation) this.settled(toError(e))
    }
  }

  private settled(error: Error | undefined): void {
    if (this.waiting) stopWaiting(this)
    this.complete(this.i, this.taps[this.i]!, error, false)
    this.next()
  }

  private complete(i: number, tap: CompiledTap<T>, error: Error | undefined, timedOut: boolean): void {
    const end = now()
    this.i = i + 1
    // A fresh reading when logging or failure reporting ran, so the next tap is not charged for it.
    this.start = recordRun(this, i, tap, end - this.start, error, timedOut) ? now() : end
  }
}
