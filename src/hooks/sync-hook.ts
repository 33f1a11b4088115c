import { Hook } from './hook.js'
import { runSync } from './sync-call.js'
import type { HookOptions, PluginRun } from './types.js'

/**
 * Calls its taps one after another, synchronously: `.call(...args)` returns
 * their PluginRuns. `tapPromise` and `tapAsync` throw: use an async hook to wait.
 */
export class SyncHook<T extends unknown[]> extends Hook<T> {
  constructor(options?: HookOptions<T>) {
    super('SyncHook', options)
  }

  /** Runs every tap in order; returns one PluginRun per tap. */
  call(...args: T): PluginRun[] {
    return runSync(this.rt, this.begin(args), args, 'all').runs
  }
}
