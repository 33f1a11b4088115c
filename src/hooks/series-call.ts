import { toError } from '../core/errors.js'
import { stopWaiting, type Waiter, waitUntil } from './deadline-timer.js'
import {
  type CallState,
  type CompiledTap,
  done,
  endTap,
  type Flow,
  type HookRuntime,
  invokeTap,
  isThenable,
  now,
  type TapSlot,
  TapTimeoutError,
  tracedNow,
} from './tap-runner.js'
import type { PluginRun } from './types.js'

/** What a series call resolves to, per flow: the PluginRuns, or `{ result, runs }`. */
export type SeriesOutcome = PluginRun[] | { result: unknown; runs: PluginRun[] }

/**
 * Runs `taps` one after another, each awaited up to its deadline, combining
 * their return values as `flow` says; resolves as `SeriesOutcome` says.
 */
export function runSeries<T extends unknown[]>(
  rt: HookRuntime<T>,
  args: T,
  taps: readonly CompiledTap<T>[],
  flow: Flow,
): Promise<SeriesOutcome> {
  let timed = false
  for (const tap of taps) if (tap.timeoutMs > 0) timed = true
  // No deadline, no abandoned drive: the first drive's own promise is the call's.
  if (!timed) return drive(new SeriesCall(rt, args, taps, flow, undefined), 0) as Promise<SeriesOutcome>
  return new Promise((resolve) => {
    void drive(new SeriesCall(rt, args, taps, flow, resolve), 0)
  })
}

/**
 * One call of an async series hook. `drive` runs its taps in an async
 * function: a tap's promise is awaited directly, so a tap costs no more than
 * in a hand-written loop. A deadline cannot interrupt an `await`, so when one
 * passes the call abandons that `drive` (its generation is now stale: it
 * returns as soon as the abandoned tap settles, if ever) and starts a new one
 * at the next tap.
 */
class SeriesCall<T extends unknown[]> implements CallState<T>, TapSlot, Waiter {
  readonly runs: PluginRun[] = []
  waits: Promise<void>[] | undefined = undefined
  controller: AbortController | undefined = undefined
  /** Start time of the current tap (a shared reading: the previous tap's end). */
  start = now()
  deadline = 0
  slot = 0
  /** The tap running or awaited. */
  index = 0
  /** Bumped when a tap is abandoned at its deadline; a `drive` of an older generation stops. */
  generation = 0
  /** Bail: the value that stopped the call. */
  result: unknown = undefined
  readonly traced = tracedNow()

  constructor(
    readonly rt: HookRuntime<T>,
    readonly args: T,
    readonly taps: readonly CompiledTap<T>[],
    readonly flow: Flow,
    /** Settles the call when its taps have deadlines, since then the drive that ends it may not be the first. */
    readonly resolve: ((outcome: SeriesOutcome | Promise<SeriesOutcome>) => void) | undefined,
  ) {}

  /** The awaited tap is past its deadline: abandon it, abort its signal and go on with the next. */
  expire(): void {
    this.generation++
    const tap = this.taps[this.index]!
    const error = new TapTimeoutError(tap.name, this.rt.name, tap.timeoutMs)
    this.controller?.abort(error)
    finish(this, tap, error, undefined, true)
    void drive(this, this.generation)
  }

  /** The call's outcome, after pending onTapError work and the done interceptors. */
  end(): SeriesOutcome | Promise<SeriesOutcome> {
    stopWaiting(this)
    const outcome =
      this.waits === undefined ? this.outcome() : Promise.all(this.waits).then(() => this.outcome())
    if (this.resolve !== undefined) this.resolve(outcome)
    return outcome
  }

  private outcome(): SeriesOutcome {
    const runs = done(this)
    return this.flow === 'all'
      ? runs
      : { result: this.flow === 'waterfall' ? this.args[0] : this.result, runs }
  }
}

/** Runs the taps from `call.index` on; resolves to the call's outcome (unless a deadline abandoned it: then to nothing). */
async function drive<T extends unknown[]>(
  call: SeriesCall<T>,
  generation: number,
): Promise<SeriesOutcome | undefined> {
  const taps = call.taps
  while (call.index < taps.length) {
    const tap = taps[call.index]!
    let value: unknown
    let error: Error | undefined
    try {
      value = invokeTap(call.rt, tap, call.args, call)
      if (isThenable(value)) {
        if (tap.timeoutMs > 0) waitUntil(call, call.start + tap.timeoutMs)
        else stopWaiting(call)
        value = await value
        if (call.generation !== generation) return undefined
      }
    } catch (e) {
      if (call.generation !== generation) return undefined
      error = toError(e)
    }
    finish(call, tap, error, value, false)
  }
  return call.end()
}

/** Records the tap at `call.index` and moves on; a bail value ends the call. */
function finish<T extends unknown[]>(
  call: SeriesCall<T>,
  tap: CompiledTap<T>,
  error: Error | undefined,
  value: unknown,
  timedOut: boolean,
): void {
  const succeeded = endTap(call, call, call.index++, tap, error, timedOut)
  if (!succeeded || value === undefined || call.flow === 'all') return
  if (call.flow === 'waterfall') call.args[0] = value
  else {
    call.result = value
    call.index = call.taps.length
  }
}
