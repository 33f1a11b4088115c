import { describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import {
  AsyncParallelLimitHook,
  AsyncSeriesHook,
  type HookInterceptor,
  type PluginRun,
  SyncHook,
  type TapInfo,
} from '../../src/hooks/index.js'
import { arrayLogger, sleep } from './helpers.js'

describe('interceptors', () => {
  it('call, tap, error and done run at the right moments, in order', async () => {
    const events: string[] = []
    const hook = new AsyncSeriesHook<[number]>({ name: 'h' })
    hook.tap('a', (n) => void events.push(`a(${n})`))
    hook.tapPromise('b', async () => {
      events.push('b')
      throw new Error('b failed')
    })
    hook.intercept({
      call: (n) => void events.push(`call(${n})`),
      tap: (tap) => void events.push(`tap:${tap.name}`),
      error: (err, tap) => void events.push(`error:${tap.name}:${err.message}`),
      done: (runs) => void events.push(`done:${runs.map((r) => r.plugin).join(',')}`),
    })
    const runs = await hook.promise(1)
    expect(events).toEqual(['call(1)', 'tap:a', 'a(1)', 'tap:b', 'b', 'error:b:b failed', 'done:a,b'])
    expect(runs).toHaveLength(2)
  })

  it('done receives the very runs the call resolves to', async () => {
    let seen: readonly PluginRun[] | undefined
    const hook = new AsyncParallelLimitHook<[]>()
    hook.intercept({
      done: (runs) => {
        seen = runs
      },
    })
    hook.tap('x', () => {})
    expect(await hook.promise()).toBe(seen)
    const sync = new SyncHook<[]>()
    sync.intercept({
      done: (runs) => {
        seen = runs
      },
    })
    expect(sync.call()).toBe(seen)
  })

  it('error sees timeouts too', async () => {
    const errors: string[] = []
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 10 })
    hook.intercept({ error: (err, tap) => void errors.push(`${tap.name}:${err.name}`) })
    hook.tapPromise('hangs', () => new Promise(() => {}))
    await hook.promise()
    expect(errors).toEqual(['hangs:TimeoutError'])
  })

  it('register sees existing and future taps and may replace them', async () => {
    const hook = new AsyncSeriesHook<[string[]]>({ name: 'h' })
    hook.tap('early', (log) => void log.push('early'))
    const registered: string[] = []
    hook.intercept({
      register: (tap) => {
        registered.push(tap.name)
        if (tap.name === 'observe-only') return undefined
        return {
          ...tap,
          fn: (log: string[]) => {
            log.push(`before ${tap.name}`)
            return tap.fn(log)
          },
        }
      },
    })
    hook.tapPromise('late', async (log) => void log.push('late'))
    hook.tap('observe-only', (log) => void log.push('observe-only'))
    expect(registered).toEqual(['early', 'late', 'observe-only'])
    const log: string[] = []
    await hook.promise(log)
    expect(log).toEqual(['before early', 'early', 'before late', 'late', 'observe-only'])
    expect(hook.taps.map((t) => t.name)).toEqual(['early', 'late', 'observe-only'])
  })

  it('a replaced TapInfo is what argsForTap and the other interceptors see (identity kept)', async () => {
    const owners = new Map<TapInfo, string>()
    const seenByArgs: TapInfo[] = []
    const seenByTap: TapInfo<[number]>[] = []
    const hook = new AsyncSeriesHook<[number]>({
      argsForTap: (args, tap) => {
        seenByArgs.push(tap)
        return args
      },
    })
    // the suite's pattern: a register interceptor typed with a plain TapInfo, used as a map key
    const register = (tap: TapInfo): TapInfo => {
      owners.set(tap, 'plugin-x')
      return tap
    }
    hook.intercept({ register, tap: (tap) => void seenByTap.push(tap) })
    hook.tap('t', () => {})
    await hook.promise(1)
    expect(owners.get(seenByArgs[0]!)).toBe('plugin-x')
    expect(seenByTap[0]).toBe(seenByArgs[0])
  })

  it('register may rename a tap or change its order and timeout', async () => {
    const hook = new AsyncSeriesHook<[]>({ timeoutMs: 0 })
    hook.intercept({
      register: (tap) =>
        tap.name === 'b' ? { ...tap, name: 'b-renamed', stage: -1, timeoutMs: 10 } : undefined,
    })
    hook.tap('a', () => {})
    hook.tapPromise('b', () => new Promise(() => {}))
    const runs = await hook.promise()
    expect(runs.map((r) => [r.plugin, r.timedOut])).toEqual([
      ['b-renamed', true],
      ['a', false],
    ])
  })

  it.each([
    ['null', null, /returned null, not a TapInfo/],
    ['a string', 'x', /returned 'x', not a TapInfo/],
    ['no name', { type: 'sync' }, /without a name/],
    ['a non-function fn', { name: 'n', fn: 1 }, /invalid 'fn'/],
    ['a bad type', { name: 'n', fn() {}, type: 'x' }, /invalid 'type': 'x'/],
    ['a bad stage', { name: 'n', fn() {}, type: 'sync', stage: 'x' }, /invalid 'stage'/],
    [
      'a bad before',
      { name: 'n', fn() {}, type: 'sync', stage: 0, before: 'x', after: [] },
      /invalid 'before'/,
    ],
    [
      'a bad after',
      { name: 'n', fn() {}, type: 'sync', stage: 0, before: [], after: [1] },
      /invalid 'after'/,
    ],
    [
      'an empty after name',
      { name: 'n', fn() {}, type: 'sync', stage: 0, before: [], after: [''] },
      /invalid 'after'/,
    ],
    [
      'a bad timeout',
      { name: 'n', fn() {}, type: 'sync', stage: 0, before: [], after: [], timeoutMs: -1 },
      /invalid 'timeoutMs': -1/,
    ],
  ])('rejects a register result with %s, at registration', (_label, result, message) => {
    const hook = new SyncHook<[]>({ name: 'h' })
    hook.intercept({ register: () => result as unknown as TapInfo<[]> })
    try {
      hook.tap('t', () => {})
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DqxError)
      expect((e as DqxError).code).toBe('HOOK_USAGE')
      expect((e as DqxError).message).toMatch(/^register interceptor of hook 'h'/)
      expect((e as DqxError).message).toMatch(message)
    }
    expect(hook.taps).toEqual([])
  })

  it('an intercept whose register throws on an existing tap changes nothing', () => {
    const hook = new SyncHook<[]>()
    hook.tap('a', () => {})
    hook.tap('b', () => {})
    const before = hook.taps
    expect(() =>
      hook.intercept({
        register: (tap) => {
          if (tap.name === 'b') throw new Error('no b')
          return { ...tap, name: 'changed' }
        },
        call: () => {
          throw new Error('never installed')
        },
      }),
    ).toThrow('no b')
    expect(hook.taps).toEqual(before)
    expect(() => hook.call()).not.toThrow()
  })

  it('a throwing tap interceptor fails that tap only', async () => {
    const hook = new AsyncSeriesHook<[]>()
    const ran: string[] = []
    hook.intercept({
      tap: (tap) => {
        if (tap.name === 'a') throw new Error('interceptor refused a')
      },
    })
    hook.tap('a', () => void ran.push('a'))
    hook.tap('b', () => void ran.push('b'))
    const runs = await hook.promise()
    expect(ran).toEqual(['b'])
    expect(runs.map((r) => r.error?.message)).toEqual(['interceptor refused a', undefined])
  })

  it('a throwing call interceptor makes the call throw (sync) or reject (async) before any tap runs', async () => {
    const ran: string[] = []
    const refuse: HookInterceptor<[]> = {
      call: () => {
        throw new Error('refused')
      },
    }
    const sync = new SyncHook<[]>()
    sync.tap('a', () => void ran.push('a'))
    sync.intercept(refuse)
    expect(() => sync.call()).toThrow('refused')
    for (const hook of [new AsyncSeriesHook<[]>(), new AsyncParallelLimitHook<[]>()]) {
      hook.tap('a', () => void ran.push('a'))
      hook.intercept(refuse)
      await expect(hook.promise()).rejects.toThrow('refused')
    }
    expect(ran).toEqual([])
  })

  it('throwing error and done interceptors are logged, never propagated', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new AsyncSeriesHook<[]>({ name: 'h', logger })
    hook.intercept({
      error: () => {
        throw new Error('error interceptor broke')
      },
      done: () => {
        throw new Error('done interceptor broke')
      },
    })
    hook.tap('x', () => {
      throw new Error('x')
    })
    const runs = await hook.promise()
    expect(runs[0]?.error?.message).toBe('x')
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
      'error interceptor failed',
      'plugin failed',
      'done interceptor failed',
    ])
  })

  it('several interceptors run in the order they were added; one without callbacks is fine', async () => {
    const events: string[] = []
    const hook = new AsyncSeriesHook<[]>()
    hook.intercept({})
    hook.intercept({ call: () => void events.push('call1'), done: () => void events.push('done1') })
    hook.intercept({ call: () => void events.push('call2'), done: () => void events.push('done2') })
    await hook.promise()
    expect(events).toEqual(['call1', 'call2', 'done1', 'done2'])
  })

  it.each([
    ['null', null, /needs an object of callbacks/],
    ['a function', () => {}, /needs an object of callbacks/],
    ['an unknown key', { before: () => {} }, /unknown interceptor 'before'/],
    ['a non-function callback', { call: 5 }, /'call' must be a function/],
  ])('rejects %s as an interceptor', (_label, interceptor, message) => {
    expect(() => new SyncHook<[]>().intercept(interceptor as HookInterceptor<[]>)).toThrow(message)
  })

  it('interceptors see each call of a parallel hook', async () => {
    const events: string[] = []
    const hook = new AsyncParallelLimitHook<[]>({ concurrency: 1 })
    hook.intercept({ tap: (t) => void events.push(`tap:${t.name}`) })
    hook.tapPromise('a', () => sleep(1))
    hook.tapPromise('b', () => sleep(1))
    await hook.promise()
    expect(events).toEqual(['tap:a', 'tap:b'])
  })
})
