import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { AsyncSeriesHook, type PluginRun } from '../../src/hooks/index.js'
import { sleep } from './helpers.js'

const hooksModule = fileURLToPath(new URL('../../src/hooks/index.ts', import.meta.url))

describe('tap deadlines', () => {
  it('leaves no timer behind after a series or parallel call, so the process can exit', () => {
    // In a child process: with a timer left behind (60 s default timeouts) it would not exit by itself.
    const script = `
      import { AsyncParallelLimitHook, AsyncSeriesHook } from ${JSON.stringify(hooksModule)}
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
      const series = new AsyncSeriesHook()
      series.tapPromise('quick', async () => {})
      series.tapPromise('slow', () => sleep(5))
      series.tapPromise({ name: 'hangs', timeoutMs: 10 }, () => new Promise(() => {}))
      const parallel = new AsyncParallelLimitHook()
      parallel.tapPromise('slow', () => sleep(5))
      parallel.tapPromise({ name: 'hangs', timeoutMs: 10 }, () => new Promise(() => {}))
      const runs = [...(await series.promise()), ...(await parallel.promise())]
      console.log(JSON.stringify(runs.map((r) => r.timedOut)))
    `
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(JSON.parse(out)).toEqual([false, false, true, false, true])
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
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 200 })
    hook.tapPromise('settles', () => sleep(5))
    hook.tapPromise('hangs', () => new Promise(() => {}))
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['settles', false],
      ['hangs', true],
    ])
  })

  it('ignores the timer of a settled tap while a tap without a timeout is awaited', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 100 })
    hook.tapPromise('settles', () => sleep(5))
    hook.tapPromise({ name: 'no-timeout', timeoutMs: 0 }, () => sleep(150))
    hook.tapPromise('hangs', () => new Promise(() => {}))
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['settles', false],
      ['no-timeout', false],
      ['hangs', true],
    ])
  })

  it('keeps the process alive while a tap waits for its deadline, even when the timer was armed before', () => {
    // The first call leaves the shared timer armed (for its tap's 100 ms deadline) and unref'd; the
    // second call waits with a later deadline on that timer, which must hold the process open until then.
    const script = `
      import { AsyncSeriesHook } from ${JSON.stringify(hooksModule)}
      const quick = new AsyncSeriesHook({ timeoutMs: 100 })
      quick.tapPromise('quick', async () => {})
      await quick.promise()
      const hanging = new AsyncSeriesHook({ timeoutMs: 300 })
      hanging.tapPromise('hangs', () => new Promise(() => {}))
      const runs = await hanging.promise()
      console.log(JSON.stringify(runs.map((r) => r.timedOut)))
    `
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(JSON.parse(out)).toEqual([true])
  })

  it("times a call out at its deadline when another call's timeout armed the timer for a later one", async () => {
    // x's first tap times out first; its second tap then waits with a far deadline, armed as the timer's
    // next firing. y's earlier deadline must still fire: y's timeout is what lets x's second tap settle.
    let yDone: Promise<PluginRun[]> | undefined
    const x = new AsyncSeriesHook<[]>({ name: 'x' })
    x.tapPromise({ name: 'first', timeoutMs: 10 }, () => new Promise(() => {}))
    x.tapPromise({ name: 'second', timeoutMs: 5_000 }, async () => {
      await yDone
    })
    const y = new AsyncSeriesHook<[]>({ name: 'y' })
    y.tapPromise({ name: 'only', timeoutMs: 60 }, () => new Promise(() => {}))
    const xDone = x.promise()
    yDone = y.promise()
    const [xRuns, yRuns] = await Promise.all([xDone, yDone])
    expect(xRuns.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['first', true],
      ['second', false],
    ])
    expect(yRuns.map((r) => [r.plugin, r.timedOut])).toEqual([['only', true]])
  })

  it('fires deadlines on real timers again once fake timers that armed the timer are uninstalled', async () => {
    vi.useFakeTimers()
    try {
      // Arms the shared timer on the fake clock for this tap's deadline, and leaves it there.
      const quick = new AsyncSeriesHook<[]>({ timeoutMs: 1_000 })
      quick.tapPromise('quick', async () => {})
      await quick.promise()
    } finally {
      vi.useRealTimers()
    }
    // Its deadline is later than the one the timer is armed for, but that timer will never fire.
    const hanging = new AsyncSeriesHook<[]>({ timeoutMs: 2_000 })
    hanging.tapPromise('hangs', () => new Promise(() => {}))
    expect((await hanging.promise()).map((r) => r.timedOut)).toEqual([true])
  })
})
