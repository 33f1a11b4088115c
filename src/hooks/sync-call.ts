import { DqxError, toError } from '../core/errors.js'
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
  swallow,
  type TapSlot,
  tracedNow,
} from './tap-runner.js'
import type { PluginRun } from './types.js'

/** What a sync call produced: the PluginRuns and, for bail and waterfall, the value. */
export interface SyncOutcome {
  runs: PluginRun[]
  result: unknown
}

/**
 * Runs taps one after another, synchronously, combining their return values
 * as `flow` says. A sync tap cannot be preempted: it is timed, and one that
 * ran past its timeout is recorded as timed out when it returns. A tap that
 * returns a promise is a usage error, recorded as that tap's failure (the
 * promise is abandoned, its rejection swallowed).
 */
export function runSync<T extends unknown[]>(
  rt: HookRuntime<T>,
  taps: readonly CompiledTap<T>[],
  callArgs: T,
  flow: Flow,
): SyncOutcome {
  // A waterfall replaces the first argument as it goes: on its own copy.
  const args = flow === 'waterfall' ? ([...callArgs] as unknown as T) : callArgs
  // One clock read per tap boundary: the end of one tap is the start of the next.
  const call: CallState<T> & TapSlot = {
    rt,
    args,
    runs: [],
    waits: undefined,
    controller: undefined,
    start: now(),
    traced: tracedNow(),
  }
  let result: unknown
  for (let i = 0; i < taps.length; i++) {
    const tap = taps[i]!
    let error: Error | undefined
    let value: unknown
    try {
      value = invokeTap(rt, tap, args, call)
      if (isThenable(value)) {
        swallow(value)
        value = undefined
        error = new DqxError(
          'HOOK_USAGE',
          `tap '${tap.name}' of sync hook '${rt.name}' returned a promise, which a sync hook cannot wait for — make it synchronous or use an async hook`,
        )
        call.controller?.abort(error)
      }
    } catch (e) {
      error = toError(e)
    }
    if (!endTap(call, call, i, tap, error, false) || value === undefined) continue
    if (flow === 'waterfall') args[0] = value
    else if (flow === 'bail') {
      result = value
      break
    }
  }
  return { runs: done(call), result: flow === 'waterfall' ? args[0] : result }
}
