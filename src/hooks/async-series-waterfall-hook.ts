import { Hook } from './hook.js'
import type { HookOptions, HookResult } from './types.js'

/**
 * Calls its taps one after another, each awaited (up to its timeout) and
 * given the value the previous one returned as its first argument
 * (`undefined` keeps the value). `.promise(...args)` resolves to
 * `{ result, runs }` with the last value. A tap that fails or times out is
 * recorded and the value it was given passes on unchanged.
 */
export class AsyncSeriesWaterfallHook<T extends [unknown, ...unknown[]]> extends Hook<T, T[0]> {
  constructor(options?: HookOptions<T>) {
    super('AsyncSeriesWaterfallHook', options)
  }

  promise(...args: T): Promise<HookResult<T[0]>> {
    // `args` is the call's own array (a rest parameter), so the call may replace its first element.
    return this.series(args, 'waterfall') as Promise<HookResult<T[0]>>
  }
}
