import pLimit from 'p-limit'
import { toError } from '../core/errors.js'
import { stopWaiting, type Waiter, waitUntil } from './deadline-timer.js'
import { Hook } from './hook.js'
import { resolveConcurrency } from './options.js'
import {
  asNativePromise,
  type CallState,
  type CompiledTap,
  endTap,
  finishCall,
  type HookRuntime,
  invokeTap,
  isThenable,
  now,
  type TapSlot,
  TapTimeoutError,
  tracedNow,
} from './tap-runner.js'
import type { AsyncParallelLimitHookOptions, PluginRun } from './types.js'

/**
 * Calls its taps in parallel, at most `concurrency` at once (default 4), in
 * tap order; `.promise(...args)` resolves to their PluginRuns in tap order
 * once every tap has settled or timed out. It never rejects for a tap's
 * failure. N taps of latency L take about ceil(N / concurrency) · L.
 */
export class AsyncParallelLimitHook<T extends unknown[]> extends Hook<T> {
  /** The most taps that run at once. */
  readonly concurrency: number

  constructor(options?: AsyncParallelLimitHookOptions<T>) {
    super('AsyncParallelLimitHook', options, ['concurrency'])
    this.concurrency = resolveConcurrency(`AsyncParallelLimitHook '${this.name}'`, options?.concurrency)
  }

  /** Runs the taps; rejects only when a `call` interceptor throws. */
  promise(...args: T): Promise<PluginRun[]> {
    return new Promise((resolve) => {
      const taps = this.begin(args)
      const call = new ParallelCall(this.rt, args, taps.length, resolve)
      if (taps.length <= this.concurrency) {
        // Everything fits: start all taps now, without p-limit's queue and promise per tap.
        for (let i = 0; i < taps.length; i++) new ParallelTap(call, i, taps[i]!, undefined).run()
      } else {
        const limit = pLimit(this.concurrency)
        taps.forEach((tap, i) => {
          // The task's promise settles when the tap settles or times out, which frees its slot.
          void limit(() => new Promise<void>((freed) => new ParallelTap(call, i, tap, freed).run()))
        })
      }
      call.started()
    })
  }
}

/** One parallel call: counts the taps still out and resolves when none is. */
class ParallelCall<T extends unknown[]> implements CallState<T> {
  readonly runs: PluginRun[]
  waits: Promise<void>[] | undefined = undefined
  readonly traced = tracedNow()
  /** Taps not yet finished, plus one until every tap has been handed out (see `started`). */
  private remaining: number

  constructor(
    readonly rt: HookRuntime<T>,
    readonly args: T,
    count: number,
    private readonly resolve: (runs: PluginRun[] | Promise<PluginRun[]>) => void,
  ) {
    // A slot per tap: taps finish in any order, PluginRuns stay in tap order.
    this.runs = new Array<PluginRun>(count)
    this.remaining = count + 1
  }

  /** All taps handed out (started or queued): the call may now end. */
  started(): void {
    this.tapDone()
  }

  tapDone(): void {
    if (--this.remaining === 0) this.resolve(finishCall(this))
  }
}

/** One tap of a parallel call, waiting for its own deadline, since several taps wait at once. */
class ParallelTap<T extends unknown[]> implements TapSlot, Waiter {
  controller: AbortController | undefined = undefined
  start = 0
  deadline = 0
  slot = 0
  readonly traced: boolean
  private finished = false

  constructor(
    private readonly call: ParallelCall<T>,
    private readonly index: number,
    private readonly tap: CompiledTap<T>,
    private readonly freed: (() => void) | undefined,
  ) {
    this.traced = call.traced
  }

  run(): void {
    const { call, tap } = this
    let result: unknown
    this.start = now()
    try {
      result = invokeTap(call.rt, tap, call.args, this)
    } catch (e) {
      this.finish(toError(e), false)
      return
    }
    if (!isThenable(result)) {
      this.finish(undefined, false)
      return
    }
    if (tap.timeoutMs > 0) waitUntil(this, this.start + tap.timeoutMs)
    // `finished` makes a settlement after the timeout a no-op; the rejection handler keeps it handled.
    asNativePromise(result).then(
      () => this.finish(undefined, false),
      (e: unknown) => this.finish(toError(e), false),
    )
  }

  /** The tap is past its deadline: abandon it, abort its signal. */
  expire(): void {
    const error = new TapTimeoutError(this.tap.name, this.call.rt.name, this.tap.timeoutMs)
    this.controller?.abort(error)
    this.finish(error, true)
  }

  private finish(error: Error | undefined, timedOut: boolean): void {
    if (this.finished) return
    this.finished = true
    stopWaiting(this)
    endTap(this.call, this, this.index, this.tap, error, timedOut)
    this.freed?.()
    this.call.tapDone()
  }
}
