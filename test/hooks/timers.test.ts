import { describe, expect, it } from 'vitest'
import { AsyncParallelLimitHook, AsyncSeriesHook } from '../../src/hooks/index.js'
import { sleep } from './helpers.js'

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

describe('tap deadlines', () => {
  it('leaves no timer behind after a series or parallel call, whether taps settled or timed out', async () => {
    const before = timers()
    const series = new AsyncSeriesHook<[]>({ timeoutMs: 1000 })
    series.tapPromise('quick', async () => {})
    series.tapPromise('slow', () => sleep(5))
    series.tapPromise({ name: 'hangs', timeoutMs: 10 }, () => new Promise(() => {}))
    const parallel = new AsyncParallelLimitHook<[]>({ timeoutMs: 1000 })
    parallel.tapPromise('slow', () => sleep(5))
    parallel.tapPromise({ name: 'hangs', timeoutMs: 10 }, () => new Promise(() => {}))
    expect((await series.promise()).map((r) => r.timedOut)).toEqual([false, false, true])
    expect((await parallel.promise()).map((r) => r.timedOut)).toEqual([false, true])
    expect(timers()).toBe(before)
  })

  it('times a tap out at its own deadline when an earlier tap of the series had a later one', async () => {
    const hook = new AsyncSeriesHook<[]>()
    hook.tapPromise({ name: 'long-deadline', timeoutMs: 60_000 }, () => sleep(2))
    hook.tapPromise({ name: 'short-deadline', timeoutMs: 15 }, () => new Promise(() => {}))
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['long-deadline', false],
      ['short-deadline', true],
    ])
  })

  it('times a tap out at its deadline when the timer was armed for an earlier tap that settled', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 30 })
    hook.tapPromise('settles', () => sleep(10))
    hook.tapPromise({ name: 'no-timeout', timeoutMs: 0 }, () => sleep(25))
    hook.tapPromise('hangs', () => new Promise(() => {}))
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['settles', false],
      ['no-timeout', false],
      ['hangs', true],
    ])
  })
})
