import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { AsyncSeriesHook } from '../../src/hooks/index.js'
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
})
