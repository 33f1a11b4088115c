import { toError } from '../core/errors.js'
import {
  asNativePromise,
  type CallState,
  type CompiledTap,
  type ControllerHolder,
  callTap,
  type Flow,
  type HookRuntime,
  isThenable,
  now,
  prepareTap,
  recordRun,
  TapTimeoutError,
} from './tap-runner.js'
import type { PluginRun } from './types.js'

/**
 * One call of an async series hook: runs the taps one after another. A tap
 * that returns a promise is awaited until it settles or its deadline passes,
 * whichever comes first. Sync results are handled in the loop without a
 * microtask. Return values are combined as `flow` says (see `Flow`).
 *
 * Deadlines use one timer per call, not one per tap: a setTimeout/clearTimeout
 * pair costs about a third of a whole ten-tap tapable call (docs/performance.md),
 * and most taps settle long before their deadline. The timer is armed for the
 * deadline of the tap being awaited; when a tap settles it is left running,
 * and if it fires while a later tap (with a later deadline) is awaited, it is
 * armed again for that deadline. It is cleared when the call ends.
 */
export class SeriesCall<T extends unknown[]> implements CallState<T>, ControllerHolder {
  readonly runs: PluginRun[] = []
  waits: Promise<void>[] | undefined = undefined
  controller: AbortController | undefined = undefined
  /** Bail: the value that stopped the call. */
  result: unknown = undefined
  /** Index of the tap running or waited for; a settlement for another index is stale. */
  private index = 0
  /** Start time of the current tap (a shared reading: the previous tap's end). */
  private start = now()
  private timer: NodeJS.Timeout | undefined = undefined
  /** When the armed timer fires (performance.now() time). */
  private timerAt = 0
  /** Deadline of the tap being awaited; 0 when none is awaited or it has no timeout. */
  private deadline = 0

  constructor(
    readonly rt: HookRuntime<T>,
    readonly args: T,
    private readonly taps: readonly CompiledTap<T>[],
    private readonly flow: Flow,
    private readonly onDone: (call: SeriesCall<T>) => void,
  ) {}

  /** Runs taps until one returns a promise (then waits for it) or none is left. */
  next(): void {
    const { taps, rt } = this
    while (this.index < taps.length) {
      const tap = taps[this.index]!
      let value: unknown
      try {
        let tapArgs = this.args
        if (rt.prepared) {
          tapArgs = prepareTap(rt, tap, tapArgs, this)
          this.start = now()
        }
        value = callTap(rt, tap, tapArgs)
      } catch (e) {
        this.finish(tap, toError(e), undefined, false)
        continue
      }
      if (!isThenable(value)) {
        this.finish(tap, undefined, value, false)
        continue
      }
      this.wait(tap, asNativePromise(value))
      return
    }
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.onDone(this)
  }

  private wait(tap: CompiledTap<T>, promise: Promise<unknown>): void {
    const index = this.index
    if (tap.timeoutMs > 0) {
      this.deadline = this.start + tap.timeoutMs
      if (this.timer === undefined || this.timerAt > this.deadline) this.arm(this.deadline)
    }
    // The rejection handler also keeps a promise settling after its timeout handled.
    promise.then(
      (value) => this.settled(index, undefined, value),
      (e: unknown) => this.settled(index, toError(e), undefined),
    )
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAt = at
    // libuv timers have ms resolution: never less than 1 ms; an early wake-up re-arms.
    this.timer = setTimeout(() => this.alarm(), Math.max(1, Math.ceil(at - now())))
  }

  /** The timer fired: expire the awaited tap if its deadline has passed, else wait for that deadline. */
  private alarm(): void {
    this.timer = undefined
    if (this.deadline === 0) return
    if (now() < this.deadline) this.arm(this.deadline)
    else this.expire()
  }

  private settled(index: number, error: Error | undefined, value: unknown): void {
    if (index !== this.index) return // it timed out and the call moved on
    this.deadline = 0
    this.finish(this.taps[index]!, error, value, false)
    this.next()
  }

  /** The awaited tap is past its deadline: abandon it, abort its signal and go on. */
  private expire(): void {
    this.deadline = 0
    const tap = this.taps[this.index]!
    const error = new TapTimeoutError(tap.name, this.rt.name, tap.timeoutMs)
    this.controller?.abort(error)
    this.finish(tap, error, undefined, true)
    this.next()
  }

  private finish(tap: CompiledTap<T>, error: Error | undefined, value: unknown, timedOut: boolean): void {
    const index = this.index++
    const end = now()
    const reported = recordRun(this, index, tap, end - this.start, error, timedOut)
    // A fresh reading when logging or failure reporting ran, so the next tap is not charged for it.
    this.start = reported ? now() : end
    // A failed or timed-out tap neither bails nor passes a value on.
    if (value === undefined || this.flow === 'all' || this.runs[index]!.error !== undefined) return
    if (this.flow === 'waterfall') this.args[0] = value
    else {
      this.result = value
      this.index = this.taps.length
    }
  }
}
