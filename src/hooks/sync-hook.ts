import { DqxError, toError } from '../core/errors.js'
import { Hook } from './hook.js'
import {
  callTap,
  done,
  isThenable,
  now,
  prepareTap,
  recordRun,
  swallow,
  syncCallState,
} from './tap-runner.js'
import type { AsyncTapFn, HookOptions, PluginRun, TapOptions } from './types.js'

/**
 * Calls its taps one after another, synchronously: `.call(...args)` returns
 * their PluginRuns. A sync tap cannot be preempted, so timeouts do not apply
 * (each call is still timed). A tap that returns a promise is a usage error,
 * recorded as that tap's failure (the promise is abandoned, its rejection
 * swallowed). onTapError is called but cannot be awaited here.
 */
export class SyncHook<T extends unknown[]> extends Hook<T> {
  constructor(options?: HookOptions<T>) {
    super('SyncHook', options)
  }

  /** Always throws: a SyncHook cannot wait for a promise. Use `tap()` or an AsyncSeriesHook. */
  override tapPromise(options: string | TapOptions, _fn: AsyncTapFn<T>): never {
    const name = typeof options === 'string' ? options : options?.name
    throw new DqxError(
      'HOOK_USAGE',
      `tapPromise('${name}') on SyncHook '${this.name}': a SyncHook cannot wait for promises — use tap() with a sync function, or an AsyncSeriesHook`,
    )
  }

  /** Runs every tap in order; returns one PluginRun per tap. Throws DqxError 'HOOK_ORDER' when the taps cannot be ordered. */
  call(...args: T): PluginRun[] {
    const taps = this.begin(args)
    const rt = this.rt
    const call = syncCallState(rt, args)
    // One clock read per tap boundary: the end of one tap is the start of the next.
    let t = now()
    for (let i = 0; i < taps.length; i++) {
      const tap = taps[i]!
      let start = t
      let error: Error | undefined
      try {
        let tapArgs = args
        if (rt.prepared) {
          tapArgs = prepareTap(rt, tap, args, call)
          start = now()
        }
        const result = callTap(rt, tap, tapArgs)
        if (isThenable(result)) {
          swallow(result)
          error = new DqxError(
            'HOOK_USAGE',
            `tap '${tap.name}' of SyncHook '${rt.name}' returned a promise, which a SyncHook cannot wait for — make it synchronous or use an AsyncSeriesHook`,
          )
          call.controller?.abort(error)
        }
      } catch (e) {
        error = toError(e)
      }
      const end = now()
      // A fresh reading when logging or failure reporting ran, so the next tap is not charged for it.
      t = recordRun(call, i, tap, end - start, error, false) ? now() : end
    }
    return done(call)
  }
}
