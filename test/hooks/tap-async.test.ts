import { describe, expect, it } from 'vitest'
import {
  AsyncParallelLimitHook,
  AsyncSeriesHook,
  SyncHook,
  type TapCallback,
  TapTimeoutError,
} from '../../src/hooks/index.js'
import { arrayLogger, outcomes } from './helpers.js'

describe('tapAsync', () => {
  it('waits for the callback on every async hook kind and records success', async () => {
    const series = new AsyncSeriesHook<[string[]]>({ name: 's' })
    const parallel = new AsyncParallelLimitHook<[string[]]>({ name: 'p' })
    for (const hook of [series, parallel]) {
      hook.tapAsync('later', (seen, callback) => {
        setImmediate(() => {
          seen.push('later')
          callback()
        })
      })
      hook.tap('after', (seen) => void seen.push('after'))
    }
    const seenSeries: string[] = []
    expect(outcomes(await series.promise(seenSeries)).map((r) => r.error)).toEqual([undefined, undefined])
    expect(seenSeries).toEqual(['later', 'after'])
    const seenParallel: string[] = []
    await parallel.promise(seenParallel)
    expect(seenParallel.sort()).toEqual(['after', 'later'])
    expect(series.taps[0]?.type).toBe('async')
  })

  it('records an error passed to the callback, including a non-Error one', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    hook.tapAsync('error', (callback) => callback(new Error('bad')))
    hook.tapAsync('string', (callback) => callback('worse'))
    hook.tapAsync('null-is-success', (callback) => callback(null, 'ignored'))
    expect(outcomes(await hook.promise())).toEqual([
      { plugin: 'error', hook: 'h', error: 'bad', timedOut: false },
      { plugin: 'string', hook: 'h', error: 'non-Error thrown: worse', timedOut: false },
      { plugin: 'null-is-success', hook: 'h', timedOut: false },
    ])
  })

  it('records a throw before the callback as that tap failing', async () => {
    const hook = new AsyncSeriesHook<[]>()
    hook.tapAsync('throws', () => {
      throw new Error('early')
    })
    hook.tapAsync('fine', (callback) => callback())
    expect(outcomes(await hook.promise()).map((r) => r.error)).toEqual(['early', undefined])
  })

  it('keeps the first callback call, ignoring later ones with a warning', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new AsyncSeriesHook<[]>({ name: 'h', logger })
    let second: TapCallback | undefined
    hook.tapAsync('twice', (callback) => {
      callback()
      second = callback
    })
    const [run] = await hook.promise()
    expect(run?.error).toBeUndefined()
    second?.(new Error('after success'))
    const warning = lines.find((l) => l.level === 40)
    expect(warning).toMatchObject({
      hook: 'h',
      plugin: 'twice',
      msg: "tap 'twice' on hook 'h' called its callback more than once; only the first call counts",
    })
  })

  it('times out a tap that never calls back, like tapPromise', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ timeoutMs: 20 })
    hook.tapAsync('silent', () => {})
    const [run] = await hook.promise()
    expect(run?.timedOut).toBe(true)
    expect(run?.error).toBeInstanceOf(TapTimeoutError)
  })

  it('is refused by a SyncHook', () => {
    const hook = new SyncHook<[]>({ name: 'sync' })
    expect(() => hook.tapAsync('cb', (callback) => callback())).toThrow(
      "tapAsync('cb') on SyncHook 'sync': a SyncHook cannot wait for a tap",
    )
  })
})
