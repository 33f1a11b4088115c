import { Hook } from './hook.js'
import { SeriesCall } from './series-call.js'
import { finishCallWith } from './tap-runner.js'
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
    return new Promise((resolve) => {
      // The call replaces the first argument as it goes: on its own copy.
      const own = [...args] as unknown as T
      const call = new SeriesCall(this.rt, own, this.begin(args), 'waterfall', (c) =>
        resolve(finishCallWith(c, (runs) => ({ result: c.args[0], runs }))),
      )
      call.next()
    })
  }
}
