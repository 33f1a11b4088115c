import { describe, expect, it } from 'vitest'
import { watchdogState } from '../../src/hooks/deadlines.js'
import { AsyncParallelLimitHook, AsyncSeriesHook } from '../../src/hooks/index.js'
import { sleep } from './helpers.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('timeout watchdog', () => {
  it('never links a tap that settles within its event-loop turn', async () => {
    const hook = new AsyncSeriesHook<[]>()
    for (let i = 0; i < 10; i++) hook.tapPromise(`t${i}`, async () => {})
    const pending = hook.promise()
    expect(watchdogState().queued).toBe(1) // the call, queued once for all its taps
    await pending
    expect(watchdogState().queued).toBe(0) // released when it finished: the queue keeps nothing alive
    await nextTurn()
    expect(watchdogState()).toMatchObject({ watched: 0, queued: 0 })
  })

  it('links a slow tap, keeps the process alive while it waits, and lets go when it settles', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 1000 })
    hook.tapPromise('slow', () => sleep(30))
    const pending = hook.promise()
    await nextTurn()
    expect(watchdogState()).toEqual({ watched: 1, queued: 0, armed: true, refed: true })
    await pending
    // the timer may still be armed for the lapsed deadline, but it no longer holds the process
    expect(watchdogState()).toMatchObject({ watched: 0, refed: false })
  })

  it('keeps a hanging tap from letting the process exit, then releases it after the timeout', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ timeoutMs: 20 })
    hook.tapPromise('hangs', () => new Promise(() => {}))
    const pending = hook.promise()
    await nextTurn()
    expect(watchdogState().refed).toBe(true)
    expect((await pending)[0]?.timedOut).toBe(true)
    expect(watchdogState()).toMatchObject({ watched: 0, refed: false })
  })

  it('does not link a call that waits on a tap without a timeout', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 1000 })
    hook.tapPromise('quick-with-timeout', async () => {})
    hook.tapPromise({ name: 'slow-without', timeoutMs: 0 }, () => sleep(20))
    const pending = hook.promise()
    await nextTurn()
    expect(watchdogState()).toMatchObject({ watched: 0, queued: 0 })
    await pending
  })

  it('checks early when a long microtask-only stretch queues many waiters', async () => {
    const hook = new AsyncSeriesHook<[]>()
    hook.tapPromise('t', async () => {})
    let most = 0
    for (let i = 0; i < 3000; i++) {
      await hook.promise()
      most = Math.max(most, watchdogState().queued)
    }
    expect(most).toBeLessThanOrEqual(1024)
    await nextTurn()
    expect(watchdogState()).toMatchObject({ watched: 0, queued: 0 })
  })

  it('re-arms for the next deadline and for an earlier one', async () => {
    // 'long' is linked first and arms the timer far out; 'short' then needs it earlier;
    // after 'short' expires the timer re-arms for 'mid'.
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 3, timeoutMs: 0 })
    hook.tapPromise({ name: 'long', timeoutMs: 1000 }, () => sleep(80))
    hook.tapPromise({ name: 'mid', timeoutMs: 50 }, () => new Promise(() => {}))
    const first = hook.promise()
    await sleep(5)
    const other = new AsyncSeriesHook<[]>()
    other.tapPromise({ name: 'short', timeoutMs: 10 }, () => new Promise(() => {}))
    const second = other.promise()
    expect((await second)[0]?.timedOut).toBe(true)
    const runs = await first
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['long', false],
      ['mid', true],
    ])
    expect(watchdogState()).toMatchObject({ watched: 0, refed: false })
  })

  it('unlinks waiters in any order', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 3, timeoutMs: 1000 })
    hook.tapPromise('first-linked-first-done', () => sleep(10))
    hook.tapPromise('last-done', () => sleep(40))
    hook.tapPromise('middle', () => sleep(25))
    const pending = hook.promise()
    await nextTurn()
    expect(watchdogState().watched).toBe(3)
    expect((await pending).every((r) => !r.timedOut)).toBe(true)
    expect(watchdogState()).toMatchObject({ watched: 0, refed: false })
  })

  it('times out each tap of a series in turn, on the call reused as its own deadline', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 15 })
    hook.tapPromise('hang1', () => new Promise(() => {}))
    hook.tapPromise('quick', () => sleep(1))
    hook.tapPromise('hang2', () => new Promise(() => {}))
    const runs = await hook.promise()
    expect(runs.map((r) => r.timedOut)).toEqual([true, false, true])
  })
})
