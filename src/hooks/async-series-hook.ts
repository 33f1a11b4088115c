import { Hook } from './hook.js'
import type { HookOptions, PluginRun } from './types.js'

/**
 * Calls its taps one after another, each awaited (up to its timeout) before
 * the next starts. `.promise(...args)` resolves to their PluginRuns; it never
 * rejects for a tap's failure.
 */
export class AsyncSeriesHook<T extends unknown[]> extends Hook<T> {
  constructor(options?: HookOptions<T>) {
    super('AsyncSeriesHook', options)
  }

  /** Runs every tap in order; rejects only when a `call` interceptor throws. */
  promise(...args: T): Promise<PluginRun[]> {
    return this.series(args, 'all') as Promise<PluginRun[]>
  }
}
