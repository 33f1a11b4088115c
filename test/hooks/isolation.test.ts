import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import {
  type ArgsForTap,
  AsyncParallelLimitHook,
  AsyncSeriesHook,
  type HookOptions,
  type PluginRun,
  SyncHook,
  TapTimeoutError,
} from '../../src/hooks/index.js'
import { arrayLogger, outcomes, sleep, spin, thenable } from './helpers.js'

interface Ctx {
  readonly id: number
  readonly signal?: AbortSignal
}

/** Collects every unhandled rejection while a test runs (none may reach the process). */
let unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}
beforeEach(() => {
  unhandled = []
  process.on('unhandledRejection', onUnhandled)
})
afterEach(() => {
  process.off('unhandledRejection', onUnhandled)
})

/** Every way a tap can fail, once as a sync tap and once as an async one. */
function failingTaps(hook: AsyncSeriesHook<[Ctx]> | AsyncParallelLimitHook<[Ctx]>, ran: string[]): void {
  hook.tap('ok-sync', () => void ran.push('ok-sync'))
  hook.tap('throws', () => {
    ran.push('throws')
    throw new Error('sync boom')
  })
  hook.tapPromise('rejects', async () => {
    ran.push('rejects')
    throw new Error('async boom')
  })
  hook.tap('throws-string', () => {
    ran.push('throws-string')
    throw 'a string'
  })
  hook.tapPromise('rejects-undefined', () => {
    ran.push('rejects-undefined')
    return Promise.reject(undefined)
  })
  hook.tap('throws-object', () => {
    ran.push('throws-object')
    throw { code: 42 }
  })
  hook.tapPromise('ok-async', async () => {
    await sleep(1)
    ran.push('ok-async')
  })
}

const expectedFailures = [
  { plugin: 'ok-sync', hook: 'h', timedOut: false },
  { plugin: 'throws', hook: 'h', error: 'sync boom', timedOut: false },
  { plugin: 'rejects', hook: 'h', error: 'async boom', timedOut: false },
  { plugin: 'throws-string', hook: 'h', error: 'non-Error thrown: a string', timedOut: false },
  { plugin: 'rejects-undefined', hook: 'h', error: 'non-Error thrown: undefined', timedOut: false },
  { plugin: 'throws-object', hook: 'h', error: 'non-Error thrown: {"code":42}', timedOut: false },
  { plugin: 'ok-async', hook: 'h', timedOut: false },
]

type Make = (options?: HookOptions<[Ctx]>) => AsyncSeriesHook<[Ctx]> | AsyncParallelLimitHook<[Ctx]>

describe.each<[string, Make]>([
  ['AsyncSeriesHook', (o) => new AsyncSeriesHook<[Ctx]>({ name: 'h', ...o })],
  [
    'AsyncParallelLimitHook (limited)',
    (o) => new AsyncParallelLimitHook<[Ctx]>({ name: 'h', ...o, concurrency: 2 }),
  ],
  [
    'AsyncParallelLimitHook (all at once)',
    (o) => new AsyncParallelLimitHook<[Ctx]>({ name: 'h', ...o, concurrency: 16 }),
  ],
])('%s isolates failures', (_kind, make) => {
  it('runs every tap and records each failure, resolving rather than rejecting', async () => {
    const hook = make()
    const ran: string[] = []
    failingTaps(hook, ran)
    const runs = await hook.promise({ id: 1 })
    expect(outcomes(runs)).toEqual(expectedFailures)
    expect(ran.sort()).toEqual(expectedFailures.map((f) => f.plugin).sort())
    for (const run of runs) {
      expect(run.durationMs).toBeGreaterThanOrEqual(0)
      expect(run.error === undefined || run.error instanceof Error).toBe(true)
    }
    // non-Errors are kept as the cause
    expect(runs[3]?.error?.cause).toBe('a string')
    expect(runs[5]?.error?.cause).toEqual({ code: 42 })
    expect(runs[0]).not.toHaveProperty('error')
  })

  it('times out a tap that hangs, aborts its signal, and goes on at once', async () => {
    let signal: AbortSignal | undefined
    const argsForTap: ArgsForTap<[Ctx]> = ([ctx], _tap, s) => [{ ...ctx, signal: s }]
    const h = make({ timeoutMs: 30, argsForTap })
    const ran: string[] = []
    h.tapPromise('hangs', (ctx) => {
      signal = ctx.signal
      return new Promise(() => {})
    })
    h.tap('after', (ctx) => {
      ran.push('after')
      expect(ctx.signal?.aborted).toBe(false)
    })
    const runs = await h.promise({ id: 1 })
    expect(outcomes(runs)).toEqual([
      {
        plugin: 'hangs',
        hook: 'h',
        error: "plugin 'hangs' timed out after 30 ms in hook 'h'",
        timedOut: true,
      },
      { plugin: 'after', hook: 'h', timedOut: false },
    ])
    expect(ran).toEqual(['after'])
    expect(runs[0]?.error).toBeInstanceOf(TapTimeoutError)
    expect(runs[0]?.error).toMatchObject({
      name: 'TimeoutError',
      code: 'HOOK_TIMEOUT',
      plugin: 'hangs',
      timeoutMs: 30,
    })
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBe(runs[0]?.error)
  })

  it('swallows the late resolution and rejection of timed-out taps', async () => {
    const h = make({ timeoutMs: 20 })
    let lateSettled = 0
    h.tapPromise('late-resolve', async () => {
      await sleep(60)
      lateSettled++
    })
    h.tapPromise('late-reject', async () => {
      await sleep(60)
      lateSettled++
      throw new Error('too late')
    })
    h.tap('late-reject-sync-registered', () => {
      // a sync-registered tap may still return a promise on an async hook: it is awaited too
      return sleep(60).then(() => {
        lateSettled++
        throw new Error('too late as well')
      }) as unknown as undefined
    })
    const runs = await h.promise({ id: 1 })
    expect(runs.map((r) => r.timedOut)).toEqual([true, true, true])
    await sleep(150)
    expect(lateSettled).toBe(3)
    expect(unhandled).toEqual([])
  })
})

describe('timeouts', () => {
  it('lets a tap override the hook timeout, and 0 turn it off', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h', timeoutMs: 15 })
    hook.tapPromise({ name: 'own-longer', timeoutMs: 200 }, () => sleep(40))
    hook.tapPromise({ name: 'off', timeoutMs: 0 }, () => sleep(40))
    hook.tapPromise('default', () => sleep(100))
    hook.tapPromise({ name: 'own-shorter', timeoutMs: 5 }, () => sleep(100))
    expect((await hook.promise()).map((r) => [r.plugin, r.timedOut])).toEqual([
      ['own-longer', false],
      ['off', false],
      ['default', true],
      ['own-shorter', true],
    ])
  })

  it('has no timeout at all with timeoutMs 0 on the hook', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ timeoutMs: 0 })
    hook.tapPromise('slow', () => sleep(30))
    hook.tapPromise({ name: 'own', timeoutMs: 5 }, () => sleep(60))
    expect((await hook.promise()).map((r) => r.timedOut)).toEqual([false, true])
  })

  it('reports a timed-out tap with a duration near its timeout', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 25 })
    hook.tapPromise('hangs', () => new Promise(() => {}))
    const [run] = await hook.promise()
    expect(run?.durationMs).toBeGreaterThanOrEqual(20)
  })

  it('times out several waiting taps of one parallel call together', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ timeoutMs: 20, concurrency: 8 })
    for (let i = 0; i < 5; i++) hook.tapPromise(`hang${i}`, () => new Promise(() => {}))
    hook.tapPromise({ name: 'quick', timeoutMs: 0 }, () => sleep(1))
    const runs = await hook.promise()
    expect(runs.map((r) => r.timedOut)).toEqual([true, true, true, true, true, false])
  })

  it('records a sync tap that ran past its timeout as timed out, saying to isolate it', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new AsyncSeriesHook<[]>({ name: 'h', timeoutMs: 1, logger })
    const seen: string[] = []
    hook.tap('busy', () => spin(5))
    // Its own timeout off: a 1 ms budget would judge the machine's scheduling, not the tap.
    hook.tap({ name: 'next', timeoutMs: 0 }, () => void seen.push('next'))
    const [run, next] = await hook.promise()
    expect(run?.timedOut).toBe(true)
    expect(run?.durationMs).toBeGreaterThanOrEqual(5)
    expect(run?.error).toBeInstanceOf(TapTimeoutError)
    expect(run?.error?.message).toMatch(
      /^plugin 'busy' overran its 1 ms timeout by \d+ ms in hook 'h' and could not be interrupted \(synchronous code blocks the event loop\) — run the plugin with isolated\(\) to enforce its timeout$/,
    )
    expect(run?.error).toMatchObject({ timeoutMs: 1, overrunMs: expect.any(Number) })
    expect(next).toMatchObject({ plugin: 'next', timedOut: false })
    expect(seen).toEqual(['next'])
    const line = lines.find((l) => l.plugin === 'busy')
    expect(line).toMatchObject({
      level: 50,
      timedOut: true,
      msg: 'plugin overran its timeout; run it with isolated() to enforce it',
    })
  })

  it('records a promise tap that blocks synchronously past its timeout, on every hook kind', async () => {
    const blocking = async (): Promise<void> => spin(5)
    const series = new AsyncSeriesHook<[]>({ timeoutMs: 1 })
    series.tapPromise('blocks', blocking)
    const parallel = new AsyncParallelLimitHook<[]>({ timeoutMs: 1 })
    parallel.tapPromise('blocks', blocking)
    const sync = new SyncHook<[]>({ timeoutMs: 1 })
    sync.tap('blocks', () => spin(5))
    for (const runs of [await series.promise(), await parallel.promise(), sync.call()]) {
      expect(runs[0]).toMatchObject({ plugin: 'blocks', timedOut: true })
      expect(runs[0]?.error?.message).toContain('isolated()')
    }
  })

  it('leaves a sync tap within its timeout, or with the timeout off, alone', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 0 })
    hook.tap('busy', () => spin(3))
    const [run] = await hook.promise()
    expect(run).toMatchObject({ timedOut: false })
    expect(run?.error).toBeUndefined()
  })

  it('does not take the late settlement of a timed-out tap for the next one', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 20 })
    let secondDone = false
    let thirdSawSecondDone: boolean | undefined
    hook.tapPromise('late', () => sleep(40)) // times out at 20, settles at 40 while 'second' still waits
    hook.tapPromise({ name: 'second', timeoutMs: 0 }, async () => {
      await sleep(60)
      secondDone = true
    })
    hook.tap('third', () => {
      thirdSawSecondDone = secondDone
    })
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['late', true],
      ['second', false],
      ['third', false],
    ])
    expect(thirdSawSecondDone).toBe(true)
  })

  it('runs interleaved calls of one hook independently', async () => {
    const hook = new AsyncSeriesHook<[number]>({ timeoutMs: 30 })
    hook.tapPromise('maybe-hangs', (n) => (n === 1 ? new Promise(() => {}) : sleep(1)))
    hook.tapPromise('next', () => sleep(1))
    const [a, b, c] = await Promise.all([hook.promise(1), hook.promise(2), hook.promise(3)])
    expect(a?.map((r) => r.timedOut)).toEqual([true, false])
    expect(b?.map((r) => r.timedOut)).toEqual([false, false])
    expect(c?.map((r) => r.timedOut)).toEqual([false, false])
  })
})

describe('foreign thenables', () => {
  const syncResolving = (): Promise<void> => thenable((ok) => ok())
  const syncRejecting = (): Promise<void> => thenable((_ok, fail) => fail(new Error('nope')))
  const throwingThen = (): Promise<void> =>
    thenable(() => {
      throw new Error('then exploded')
    })
  const callsBackThenThrows = (): Promise<void> =>
    thenable((ok) => {
      ok()
      throw new Error('ignored: already settled')
    })
  const doubleSettle = (): Promise<void> =>
    thenable((ok, fail) => {
      ok()
      fail(new Error('ignored'))
    })

  it('accepts a thenable that resolves synchronously, and one whose then() throws', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    hook.tapPromise('sync-thenable', syncResolving)
    hook.tapPromise('sync-rejecting-thenable', syncRejecting)
    hook.tapPromise('bad-thenable', throwingThen)
    hook.tapPromise('calls-back-then-throws', callsBackThenThrows)
    hook.tapPromise('double-settle', doubleSettle)
    hook.tap('last', () => {})
    expect(outcomes(await hook.promise())).toEqual([
      { plugin: 'sync-thenable', hook: 'h', timedOut: false },
      { plugin: 'sync-rejecting-thenable', hook: 'h', error: 'nope', timedOut: false },
      { plugin: 'bad-thenable', hook: 'h', error: 'then exploded', timedOut: false },
      { plugin: 'calls-back-then-throws', hook: 'h', timedOut: false },
      { plugin: 'double-settle', hook: 'h', timedOut: false },
      { plugin: 'last', hook: 'h', timedOut: false },
    ])
  })

  it('accepts the same in a parallel hook', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ name: 'p' })
    hook.tapPromise('bad-thenable', throwingThen)
    hook.tapPromise('double-settle', doubleSettle)
    expect(outcomes(await hook.promise())).toEqual([
      { plugin: 'bad-thenable', hook: 'p', error: 'then exploded', timedOut: false },
      { plugin: 'double-settle', hook: 'p', timedOut: false },
    ])
  })

  it('swallows even a thenable whose then() throws when a SyncHook tap returns it', () => {
    const hook = new SyncHook<[]>()
    hook.tap('weird', throwingThen as unknown as () => void)
    expect(hook.call()[0]?.error?.message).toMatch(/returned a promise/)
  })
})

describe('SyncHook isolation', () => {
  it('records throws of any kind and runs the other taps', () => {
    const hook = new SyncHook<[Ctx]>({ name: 's' })
    const ran: string[] = []
    hook.tap('a', () => void ran.push('a'))
    hook.tap('throws', () => {
      throw new TypeError('bad')
    })
    hook.tap('throws-undefined', () => {
      throw undefined
    })
    hook.tap('b', (ctx) => void ran.push(`b${ctx.id}`))
    const runs = hook.call({ id: 7 })
    expect(ran).toEqual(['a', 'b7'])
    expect(outcomes(runs)).toEqual([
      { plugin: 'a', hook: 's', timedOut: false },
      { plugin: 'throws', hook: 's', error: 'bad', timedOut: false },
      { plugin: 'throws-undefined', hook: 's', error: 'non-Error thrown: undefined', timedOut: false },
      { plugin: 'b', hook: 's', timedOut: false },
    ])
  })

  it('treats a tap returning a promise as a usage error and swallows its rejection', async () => {
    let signal: AbortSignal | undefined
    const hook = new SyncHook<[Ctx]>({ name: 's', argsForTap: ([ctx], _t, s) => [{ ...ctx, signal: s }] })
    hook.tap('async-by-mistake', (ctx) => {
      signal = ctx.signal
      return Promise.reject(new Error('rejected later')) as unknown as undefined
    })
    hook.tap('after', () => {})
    const runs = hook.call({ id: 1 })
    expect(runs[0]?.error).toBeInstanceOf(DqxError)
    expect(runs[0]?.error).toMatchObject({ code: 'HOOK_USAGE' })
    expect(runs[0]?.error?.message).toContain("tap 'async-by-mistake' of sync hook 's' returned a promise")
    expect(signal?.aborted).toBe(true)
    expect(runs[1]).toMatchObject({ plugin: 'after', timedOut: false })
    await sleep(10)
    expect(unhandled).toEqual([])
  })
})

describe('onTapError', () => {
  it('is called once per failed tap, with the run and the call arguments, and awaited', async () => {
    const calls: [PluginRun, Ctx][] = []
    let finished = 0
    const hook = new AsyncSeriesHook<[Ctx]>({
      name: 'h',
      timeoutMs: 20,
      onTapError: async (run, [ctx]) => {
        await sleep(20)
        calls.push([run, ctx])
        finished++
      },
    })
    const ran: string[] = []
    failingTaps(hook, ran)
    hook.tapPromise('hangs', () => new Promise(() => {}))
    const runs = await hook.promise({ id: 9 })
    expect(finished).toBe(6) // all awaited before the call resolved
    expect(calls.map(([run]) => run.plugin)).toEqual([
      'throws',
      'rejects',
      'throws-string',
      'rejects-undefined',
      'throws-object',
      'hangs',
    ])
    expect(calls[5]?.[0]).toMatchObject({ timedOut: true })
    for (const [run, ctx] of calls) {
      expect(runs).toContain(run)
      expect(ctx).toEqual({ id: 9 })
    }
  })

  it('is not called when nothing fails', async () => {
    const onTapError = vi.fn()
    const hook = new AsyncParallelLimitHook<[]>({ onTapError })
    hook.tap('fine', () => {})
    await hook.promise()
    expect(onTapError).not.toHaveBeenCalled()
  })

  it('logs its own errors (thrown or rejected) and never recurses', async () => {
    const { logger, lines } = arrayLogger()
    let calls = 0
    const hook = new AsyncSeriesHook<[]>({
      name: 'h',
      logger,
      onTapError: (run) => {
        calls++
        if (run.plugin === 'a') throw new Error('handler threw')
        return Promise.reject('handler rejected')
      },
    })
    hook.tap('a', () => {
      throw new Error('a failed')
    })
    hook.tapPromise('b', async () => {
      throw new Error('b failed')
    })
    const runs = await hook.promise()
    expect(calls).toBe(2)
    expect(runs.map((r) => r.error?.message)).toEqual(['a failed', 'b failed'])
    const internal = lines.filter((l) => l.msg === 'onTapError failed')
    expect(internal).toHaveLength(2)
    expect(internal[0]).toMatchObject({ level: 50, hook: 'h', err: { message: 'handler threw' } })
    expect(internal[1]).toMatchObject({ err: { message: 'non-Error thrown: handler rejected' } })
    expect(unhandled).toEqual([])
  })

  it('emits a process warning for its errors when there is no logger', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error): void => void warnings.push(w)
    process.on('warning', onWarning)
    try {
      const hook = new SyncHook<[]>({
        name: 's',
        onTapError: () => {
          throw new Error('no logger here')
        },
      })
      hook.tap('x', () => {
        throw new Error('x')
      })
      hook.call()
      await sleep(5) // warnings are emitted on the next tick
      expect(warnings.map((w) => [w.message, (w as Error & { code?: string }).code])).toEqual([
        ["hook 's': onTapError failed: no logger here", 'DQX_HOOK_CALLBACK'],
      ])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('runs on a SyncHook without being awaited, its rejection logged', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new SyncHook<[]>({ name: 's', logger, onTapError: () => Promise.reject(new Error('later')) })
    hook.tap('x', () => {
      throw new Error('x')
    })
    hook.call()
    await sleep(5)
    expect(lines.filter((l) => l.msg === 'onTapError failed')).toHaveLength(1)
    expect(unhandled).toEqual([])
  })

  it('is called for failures in the limited parallel path too, and awaited', async () => {
    const seen: string[] = []
    const hook = new AsyncParallelLimitHook<[]>({
      concurrency: 1,
      onTapError: async (run) => {
        await sleep(5)
        seen.push(run.plugin)
      },
    })
    hook.tap('a', () => {
      throw new Error('a')
    })
    hook.tapPromise('b', async () => {
      throw new Error('b')
    })
    await hook.promise()
    expect(seen).toEqual(['a', 'b'])
  })
})

describe('hostile errors', () => {
  /** An Error whose `message` getter throws, which breaks pino's error serializer. */
  function hostileError(): Error {
    const err = new Error('hidden')
    Object.defineProperty(err, 'message', {
      get() {
        throw new Error('no message for you')
      },
    })
    return err
  }

  it('logs what it can when a failed tap or an onTapError callback throws an unserializable error', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new AsyncSeriesHook<[]>({
      name: 'h',
      logger,
      onTapError: () => {
        throw hostileError()
      },
    })
    hook.tap('hostile', () => {
      throw hostileError()
    })
    const [run] = await hook.promise()
    expect(run?.error).toBeInstanceOf(Error)
    expect(lines.map((l) => l.msg)).toEqual([
      'plugin failed (its error could not be serialized)',
      'onTapError failed (its error could not be serialized)',
    ])
  })
})
