import { Hook } from './hook.js'
import { runSync } from './sync-call.js'
import type { HookOptions, HookResult } from './types.js'

/**
 * Calls its taps one after another, synchronously, each with the value the
 * previous one returned as its first argument (`undefined` keeps the value):
 * `.call(...args)` returns `{ result, runs }`, with the last value. A tap that
 * throws or overruns its timeout is recorded and the value it was given
 * passes on unchanged.
 */
export class SyncWaterfallHook<T extends [unknown, ...unknown[]]> extends Hook<T, T[0]> {
  constructor(options?: HookOptions<T>) {
    super('SyncWaterfallHook', options)
  }

  call(...args: T): HookResult<T[0]> {
    return runSync(this.rt, this.begin(args), args, 'waterfall') as HookResult<T[0]>
  }
}
