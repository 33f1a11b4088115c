import { Hook } from './hook.js'
import type { HookOptions, HookResult } from './types.js'

/**
 * Calls its taps one after another, each awaited (up to its timeout), until
 * one returns or resolves to a value other than `undefined`. `.promise(...args)`
 * resolves to `{ result, runs }`: that value (or `undefined`) and the
 * PluginRuns of the taps that ran. A tap that fails or times out does not bail.
 */
export class AsyncSeriesBailHook<T extends unknown[], R> extends Hook<T, R> {
  constructor(options?: HookOptions<T>) {
    super('AsyncSeriesBailHook', options)
  }

  promise(...args: T): Promise<HookResult<R | undefined>> {
    return this.series(args, 'bail') as Promise<HookResult<R | undefined>>
  }
}
