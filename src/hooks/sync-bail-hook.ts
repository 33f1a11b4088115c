import { Hook } from './hook.js'
import { runSync } from './sync-call.js'
import type { HookOptions, HookResult } from './types.js'

/**
 * Calls its taps one after another, synchronously, until one returns a value
 * other than `undefined`: `.call(...args)` returns `{ result, runs }`, with
 * that value (or `undefined`) and the PluginRuns of the taps that ran. A tap
 * that throws does not bail: the next one runs.
 */
export class SyncBailHook<T extends unknown[], R> extends Hook<T, R> {
  constructor(options?: HookOptions<T>) {
    super('SyncBailHook', options)
  }

  call(...args: T): HookResult<R | undefined> {
    return runSync(this.rt, this.begin(args), args, 'bail') as HookResult<R | undefined>
  }
}
