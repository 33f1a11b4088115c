import { toError } from '../core/errors.js'
import { type Deadline, startWaiting, stopWaiting } from './deadlines.js'
import { Hook } from './hook.js'
import {
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
 * resumed by that tap's settlement or by its deadline (whichever comes first)
 * — like tapable's generated code, but without codegen. Sync results are
 * handled in the loop without a microtask. The call is its own Deadline, so a
 * timeout needs no allocation: at most one of its taps is pending at a time.
 */
class SeriesCall<T extends unknown[]> implements CallState<T>, Deadline {
  // Every field is assigned in the constructor, in one order, so all calls share one shape.
  readonly rt: HookRuntime<T>
  readonly args: T
  readonly runs: PluginRun[]
  waits: Promise<void>[] | undefined
  controller: AbortController | undefined
  deadline: number
  waiting: boolean
  queued: boolean
  watched: boolean
  prevDeadline: Deadline | undefined
  nextDeadline: Deadline | undefined
  private readonly taps: readonly CompiledTap<T>[]
  private readonly resolve: (runs: PluginRun[] | Promise<PluginRun[]>) => void
  /** Index of the tap running or waited for; a settlement for any other index is stale and ignored. */
  private i: number
  /** Start time of tap `i` (a shared reading: the previous tap's end). */
  private start: number

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
    this.queued = false
    this.watched = false
    this.prevDeadline = undefined
    this.nextDeadline = undefined
    this.taps = taps
    this.resolve = resolve
    this.i = 0
    this.start = now()
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
      // Suspend. Deadline first: a foreign thenable may call back synchronously.
      if (tap.timeoutMs > 0) startWaiting(this, this.start + tap.timeoutMs)
      try {
        // Per-tap closures carry `i`, so a tap that settles after its timeout
        // (the loop has moved on) is recognised and ignored; the rejection
        // handler also keeps its late rejection from being unhandled.
        result.then(
          () => this.settled(i, undefined),
          (e: unknown) => this.settled(i, toError(e)),
        )
      } catch (e) {
        // a foreign thenable whose then() throws
        if (this.i === i) {
          this.complete(i, tap, toError(e), false)
          continue
        }
      }
      return
    }
    this.resolve(finishCall(this))
  }

  /** The watchdog's call: tap `i` is past its deadline; abandon it and go on. */
  expire(): void {
    const i = this.i
    const tap = this.taps[i]!
    const error = new TapTimeoutError(tap.name, this.rt.name, tap.timeoutMs)
    this.controller?.abort(error)
    this.complete(i, tap, error, true)
    this.next()
  }

  private settled(i: number, error: Error | undefined): void {
    if (this.i !== i) return
    if (this.waiting) stopWaiting(this)
    this.complete(i, this.taps[i]!, error, false)
    this.next()
  }

  private complete(i: number, tap: CompiledTap<T>, error: Error | undefined, timedOut: boolean): void {
    const end = now()
    this.i = i + 1
    // A fresh reading when logging or failure reporting ran, so the next tap is not charged for it.
    this.start = recordRun(this, i, tap, end - this.start, error, timedOut) ? now() : end
  }
}
