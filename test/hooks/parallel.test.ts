import { describe, expect, it } from 'vitest'
import { AsyncParallelLimitHook } from '../../src/hooks/index.js'
import { overlapMeter, sleep } from './helpers.js'

describe('AsyncParallelLimitHook', () => {
  it('runs 8 taps of 100 ms at concurrency 2: never more than 2 at once, all 8 run', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ name: 'fan', concurrency: 2 })
    const meter = overlapMeter()
    const ran: number[] = []
    for (let i = 0; i < 8; i++) {
      hook.tapPromise(`t${i}`, async () => {
        meter.enter()
        await sleep(100)
        ran.push(i)
        meter.exit()
      })
    }
    const runs = await hook.promise()
    expect(meter.max).toBe(2)
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(runs.map((r) => r.plugin)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'])
    expect(runs.every((r) => !r.timedOut && r.error === undefined)).toBe(true)
  })

  it('starts taps in tap order and reports runs in tap order, whatever order they finish in', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 3 })
    const started: string[] = []
    const finished: string[] = []
    const delays = [30, 5, 15, 1, 20]
    delays.forEach((ms, i) => {
      hook.tapPromise({ name: `t${i}`, stage: i === 4 ? -1 : 0 }, async () => {
        started.push(`t${i}`)
        await sleep(ms)
        finished.push(`t${i}`)
      })
    })
    const runs = await hook.promise()
    expect(started).toEqual(['t4', 't0', 't1', 't2', 't3'])
    expect(finished).not.toEqual(started)
    expect(runs.map((r) => r.plugin)).toEqual(['t4', 't0', 't1', 't2', 't3'])
  })

  it('bypasses the limiter when the taps fit: all start synchronously in the call', () => {
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 4 })
    const meter = overlapMeter()
    for (let i = 0; i < 4; i++) {
      hook.tapPromise(`t${i}`, async () => {
        meter.enter()
        await sleep(5)
        meter.exit()
      })
    }
    const pending = hook.promise()
    // every tap has started before promise() returned: no limiter queue in between
    expect(meter.active).toBe(4)
    return pending
  })

  it('queues through the limiter when there are more taps than slots', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 2 })
    const meter = overlapMeter()
    for (let i = 0; i < 5; i++) {
      hook.tapPromise(`t${i}`, async () => {
        meter.enter()
        await sleep(5)
        meter.exit()
      })
    }
    const pending = hook.promise()
    expect(meter.active).toBe(0) // p-limit starts its first tasks a microtask later
    await pending
    expect(meter.max).toBe(2)
  })

  it('frees a slot when a tap times out, so the queue moves on', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 1, timeoutMs: 20 })
    const ran: string[] = []
    hook.tapPromise('hangs', () => new Promise(() => {}))
    hook.tapPromise('next', async () => void ran.push('next'))
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['hangs', true],
      ['next', false],
    ])
    expect(ran).toEqual(['next'])
  })

  it('mixes sync and async taps in both paths', async () => {
    for (const concurrency of [1, 10]) {
      const hook = new AsyncParallelLimitHook<[number]>({ concurrency })
      const seen: string[] = []
      hook.tap('sync', (n) => void seen.push(`sync${n}`))
      hook.tapPromise('async', async (n) => void seen.push(`async${n}`))
      hook.tap('throws', () => {
        throw new Error('t')
      })
      const runs = await hook.promise(concurrency)
      expect(seen).toEqual([`sync${concurrency}`, `async${concurrency}`])
      expect(runs.map((r) => r.error?.message)).toEqual([undefined, undefined, 't'])
    }
  })

  it('resolves at once with no taps', async () => {
    expect(await new AsyncParallelLimitHook<[]>().promise()).toEqual([])
  })

  it('keeps concurrent calls of one hook separate (the limit is per call)', async () => {
    const hook = new AsyncParallelLimitHook<[number]>({ concurrency: 1 })
    const meter = overlapMeter()
    hook.tapPromise('a', async () => {
      meter.enter()
      await sleep(10)
      meter.exit()
    })
    hook.tapPromise('b', async () => {
      meter.enter()
      await sleep(10)
      meter.exit()
    })
    const [x, y] = await Promise.all([hook.promise(1), hook.promise(2)])
    expect(meter.max).toBe(2)
    expect(x).toHaveLength(2)
    expect(y).toHaveLength(2)
  })

  it('runs a tap whose order constraint names no tap, and rejects a throwing call interceptor', async () => {
    const hook = new AsyncParallelLimitHook<[]>()
    hook.tap({ name: 'a', after: 'missing' }, () => {})
    expect((await hook.promise()).map((r) => r.error)).toEqual([undefined])
    hook.intercept({
      call() {
        throw new Error('refused')
      },
    })
    await expect(hook.promise()).rejects.toThrow('refused')
  })
})
