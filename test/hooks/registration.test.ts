import { describe, expect, expectTypeOf, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import {
  AsyncParallelLimitHook,
  AsyncSeriesHook,
  type HookOptions,
  type PluginRun,
  SyncHook,
  type TapInfo,
} from '../../src/hooks/index.js'
import { arrayLogger } from './helpers.js'

interface Ctx {
  id: number
}

function usageError(fn: () => unknown): DqxError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(DqxError)
    expect((e as DqxError).code).toBe('HOOK_USAGE')
    return e as DqxError
  }
  throw new Error('expected a HOOK_USAGE error')
}

describe('hook options', () => {
  it('defaults: name "hook", 60 s timeout, concurrency 4', async () => {
    const hook = new AsyncParallelLimitHook<[]>()
    expect(hook.name).toBe('hook')
    expect(hook.concurrency).toBe(4)
    hook.tap('t', () => {})
    expect(await hook.promise()).toEqual([
      { plugin: 't', hook: 'hook', durationMs: expect.any(Number), timedOut: false },
    ])
    const series = new AsyncSeriesHook<[]>({ name: 'custom' })
    series.tapPromise('slow', () => new Promise((r) => setTimeout(r, 5)))
    // the default 60 s timeout does not cut a 5 ms tap
    expect((await series.promise())[0]).toMatchObject({ plugin: 'slow', hook: 'custom', timedOut: false })
  })

  it('accepts every documented option', () => {
    const { logger } = arrayLogger()
    const options: Required<HookOptions<[Ctx]>> = {
      name: 'n',
      timeoutMs: 0,
      logger,
      argsForTap: (args) => args,
      onTapError: () => {},
      runId: () => 'r',
    }
    expect(new SyncHook<[Ctx]>(options).name).toBe('n')
    expect(new AsyncSeriesHook<[Ctx]>(options).name).toBe('n')
    expect(new AsyncParallelLimitHook<[Ctx]>({ ...options, concurrency: 1 }).concurrency).toBe(1)
  })

  it.each([
    ['not an object', 42, /options must be an object, got 42/],
    ['null', null, /options must be an object, got null/],
    ['an array', [], /options must be an object, got an array/],
    ['empty name', { name: '' }, /'name' must be a non-empty string, got ''/],
    ['numeric name', { name: 7 }, /'name' must be a non-empty string, got 7/],
    ['negative timeout', { timeoutMs: -1 }, /'timeoutMs' must be a number of ms from 0/],
    ['NaN timeout', { timeoutMs: Number.NaN }, /'timeoutMs'.*got NaN/],
    ['string timeout', { timeoutMs: '5' }, /'timeoutMs'.*got '5'/],
    ['timeout past setTimeout range', { timeoutMs: 2 ** 31 }, /'timeoutMs'.*2147483647/],
    ['logger without methods', { logger: {} }, /'logger' must be a pino logger, got an object/],
    ['null logger', { logger: null }, /'logger' must be a pino logger, got null/],
    ['non-function argsForTap', { argsForTap: 'x' }, /'argsForTap' must be a function/],
    ['non-function onTapError', { onTapError: {} }, /'onTapError' must be a function/],
    ['non-function runId', { runId: 'abc' }, /'runId' must be a function/],
    ['unknown key', { timeout: 5 }, /unknown option 'timeout'/],
    ['concurrency on a series hook', { concurrency: 2 }, /unknown option 'concurrency'/],
  ])('rejects %s', (_label, options, message) => {
    const e = usageError(() => new AsyncSeriesHook(options as HookOptions<[]>))
    expect(e.message).toMatch(message)
    expect(e.message).toMatch(/^AsyncSeriesHook/)
  })

  it.each([
    [0, /positive integer, got 0/],
    [-2, /positive integer, got -2/],
    [1.5, /positive integer, got 1.5/],
    [Number.POSITIVE_INFINITY, /positive integer, got Infinity/],
    ['4', /positive integer, got '4'/],
  ])('rejects concurrency %s', (concurrency, message) => {
    const e = usageError(
      () => new AsyncParallelLimitHook({ name: 'fan', concurrency: concurrency as number }),
    )
    expect(e.message).toMatch(message)
    expect(e.message).toContain("AsyncParallelLimitHook 'fan'")
  })

  it('names the hook kind in errors', () => {
    expect(usageError(() => new SyncHook({ timeoutMs: -1 })).message).toMatch(/^SyncHook 'hook'/)
    expect(usageError(() => new AsyncParallelLimitHook({ timeoutMs: -1 })).message).toMatch(
      /^AsyncParallelLimitHook/,
    )
  })
})

describe('tap registration', () => {
  it('infers the tap arguments from the hook type', () => {
    const hook = new AsyncSeriesHook<[Ctx, string]>()
    hook.tap('sync', (ctx, label) => {
      expectTypeOf(ctx).toEqualTypeOf<Ctx>()
      expectTypeOf(label).toEqualTypeOf<string>()
    })
    hook.tapPromise('async', async (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<Ctx>()
      return ctx.id // a value is allowed and ignored
    })
    expectTypeOf(hook.promise).parameters.toEqualTypeOf<[Ctx, string]>()
    expectTypeOf(hook.promise).returns.toEqualTypeOf<Promise<PluginRun[]>>()
    expectTypeOf(new SyncHook<[Ctx]>().call).returns.toEqualTypeOf<PluginRun[]>()
  })

  it.each([
    ['undefined', undefined],
    ['an empty string', ''],
    ['an object without name', {}],
    ['an empty name', { name: '' }],
    ['a number', 5],
    ['null', null],
    ['an array', ['x']],
  ])('rejects %s as tap options with "Missing name for tap"', (_label, options) => {
    const hook = new SyncHook<[]>({ name: 'h' })
    const e = usageError(() => hook.tap(options as string, () => {}))
    expect(e.message).toMatch(/^Missing name for tap: tap\(\) on hook 'h'/)
    expect(
      usageError(() => new AsyncSeriesHook<[]>().tapPromise(options as string, async () => {})).message,
    ).toMatch(/tapPromise\(\)/)
  })

  it.each([
    ['a non-function', { name: 'x' }, 'nope', /the tap function must be a function, got 'nope'/],
    ['a NaN stage', { name: 'x', stage: Number.NaN }, () => {}, /'stage' must be a number, got NaN/],
    ['a string stage', { name: 'x', stage: '1' }, () => {}, /'stage' must be a number/],
    [
      'a bad before',
      { name: 'x', before: 3 },
      () => {},
      /'before' must be a tap name or an array of tap names, got 3/,
    ],
    ['an empty after name', { name: 'x', after: [''] }, () => {}, /'after' must be a tap name/],
    ['a negative timeout', { name: 'x', timeoutMs: -5 }, () => {}, /'timeoutMs' must be a number of ms/],
    ['an unknown option', { name: 'x', timeout: 5 }, () => {}, /unknown option 'timeout'/],
  ])('rejects %s', (_label, options, fn, message) => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    const e = usageError(() => hook.tap(options as { name: string }, fn as () => void))
    expect(e.message).toMatch(message)
    expect(e.message).toContain("tap('x') on hook 'h'")
  })

  it('records what was registered in TapInfo, frozen', () => {
    const hook = new AsyncSeriesHook<[]>()
    const fn = async (): Promise<void> => {}
    hook.tapPromise({ name: 'a', stage: 2, before: 'b', after: ['c', 'd'], timeoutMs: 10 }, fn)
    hook.tap('b', () => {})
    const [a, b] = hook.taps
    expect(a).toEqual({
      name: 'a',
      type: 'promise',
      stage: 2,
      before: ['b'],
      after: ['c', 'd'],
      timeoutMs: 10,
      fn,
    })
    expect(b).toEqual({ name: 'b', type: 'sync', stage: 0, before: [], after: [], fn: expect.any(Function) })
    expect(b).not.toHaveProperty('timeoutMs')
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a?.before)).toBe(true)
  })

  it('refuses tapPromise on a SyncHook', () => {
    const hook = new SyncHook<[]>({ name: 'sync' })
    const e = usageError(() => hook.tapPromise('x', async () => {}))
    expect(e.message).toContain("tapPromise('x') on SyncHook 'sync'")
    expect(usageError(() => hook.tapPromise({ name: 'y' }, async () => {})).message).toContain(
      "tapPromise('y')",
    )
    expect(hook.taps).toEqual([])
  })

  it('returns an idempotent unregister function', () => {
    const hook = new SyncHook<[]>()
    const seen: string[] = []
    const offA = hook.tap('a', () => void seen.push('a'))
    hook.tap('b', () => void seen.push('b'))
    const offC = hook.tap('c', () => void seen.push('c'))
    hook.call()
    offA()
    offA()
    offC()
    hook.call()
    hook.tap('a', () => void seen.push('a2'))
    offA() // still a no-op: it does not remove the new 'a'
    hook.call()
    expect(seen).toEqual(['a', 'b', 'c', 'b', 'b', 'a2'])
  })

  it('applies taps added or removed during a call to the next call only', async () => {
    const hook = new AsyncSeriesHook<[]>()
    const seen: string[] = []
    let offB: () => void = () => {}
    let offC: () => void = () => {}
    hook.tapPromise('a', async () => {
      seen.push('a')
      offB() // remove a tap that has not run yet
      offC() // and one that has
      hook.tap('late', () => void seen.push('late'))
    })
    offB = hook.tap('b', () => void seen.push('b'))
    offC = hook.tap({ name: 'c', stage: -1 }, () => void seen.push('c'))
    const first = await hook.promise()
    expect(seen).toEqual(['c', 'a', 'b'])
    expect(first.map((r) => r.plugin)).toEqual(['c', 'a', 'b'])
    seen.length = 0
    await hook.promise()
    expect(seen).toEqual(['a', 'late'])
  })

  it('lets a parallel call finish on its own tap list while taps change', async () => {
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 1 })
    const seen: string[] = []
    const offs: (() => void)[] = []
    for (const name of ['a', 'b', 'c']) {
      offs.push(
        hook.tapPromise(name, async () => {
          seen.push(name)
          for (const off of offs) off()
        }),
      )
    }
    expect((await hook.promise()).map((r) => r.plugin)).toEqual(['a', 'b', 'c'])
    expect(seen).toEqual(['a', 'b', 'c'])
    expect(await hook.promise()).toEqual([])
  })

  it('allows a sync hook to be called again from inside a tap', () => {
    const hook = new SyncHook<[number]>()
    const seen: number[] = []
    hook.tap('r', (depth) => {
      seen.push(depth)
      if (depth < 2) hook.call(depth + 1)
    })
    hook.call(0)
    expect(seen).toEqual([0, 1, 2])
  })

  it('lists taps in registration order and as replaced by register interceptors', () => {
    const hook = new SyncHook<[]>()
    hook.tap({ name: 'z', stage: -1 }, () => {})
    hook.tap('a', () => {})
    expect(hook.taps.map((t: TapInfo<[]>) => t.name)).toEqual(['z', 'a'])
  })
})
