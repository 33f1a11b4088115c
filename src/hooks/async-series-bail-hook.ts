import { Hook } from './hook.js'
import { SeriesCall } from './series-call.js'
import { finishCallWith } from './tap-runner.js'
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
    return new Promise((resolve) => {
      const taps = this.begin(args)
      const call = new SeriesCall(this.rt, args, taps, 'bail', (c) =>
        resolve(finishCallWith(c, (runs) => ({ result: c.result as R | undefined, runs }))),
      )
      call.next()
    })
  }
}
