import { describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import {
  AsyncSeriesBailHook,
  AsyncSeriesWaterfallHook,
  type PluginRun,
  SyncBailHook,
  SyncHook,
  SyncWaterfallHook,
  TapTimeoutError,
} from '../../src/hooks/index.js'
import { arrayLogger, outcomes, sleep, spin } from './helpers.js'

const failed = (runs: readonly PluginRun[]): string[] => runs.filter((r) => r.error).map((r) => r.plugin)

describe('SyncBailHook', () => {
  it('stops at the first tap returning a value other than undefined and returns it with the runs so far', () => {
    const hook = new SyncBailHook<[number], string>({ name: 'resolve' })
    const seen: string[] = []
    hook.tap('undecided', () => void seen.push('undecided'))
    hook.tap('decides', (n) => {
      seen.push('decides')
      return `got ${n}`
    })
    hook.tap('never', () => {
      seen.push('never')
      return 'too late'
    })
    const { result, runs } = hook.call(7)
    expect(result).toBe('got 7')
    expect(seen).toEqual(['undecided', 'decides'])
    expect(outcomes(runs)).toEqual([
      { plugin: 'undecided', hook: 'resolve', timedOut: false },
      { plugin: 'decides', hook: 'resolve', timedOut: false },
    ])
  })

  it('does not bail on a tap that throws: it is recorded and the next tap may bail', () => {
    const hook = new SyncBailHook<[], number>()
    hook.tap('throws', () => {
      throw new Error('broken')
    })
    hook.tap('answers', () => 42)
    const { result, runs } = hook.call()
    expect(result).toBe(42)
    expect(outcomes(runs)).toEqual([
      { plugin: 'throws', hook: 'hook', error: 'broken', timedOut: false },
      { plugin: 'answers', hook: 'hook', timedOut: false },
    ])
  })

  it('returns undefined when no tap bails; falsy values other than undefined do bail', () => {
    const none = new SyncBailHook<[], number>()
    none.tap('a', () => undefined)
    expect(none.call().result).toBeUndefined()
    const zero = new SyncBailHook<[], number | null>()
    zero.tap('null', () => null)
    zero.tap('never', () => 1)
    expect(zero.call()).toMatchObject({ result: null, runs: [{ plugin: 'null' }] })
  })

  it('does not bail with the value of a tap that overran its timeout', () => {
    const hook = new SyncBailHook<[], string>({ timeoutMs: 1 })
    hook.tap('slow', () => {
      spin(5)
      return 'late'
    })
    hook.tap({ name: 'quick', timeoutMs: 0 }, () => 'in time')
    const { result, runs } = hook.call()
    expect(result).toBe('in time')
    expect(runs[0]?.timedOut).toBe(true)
  })

  it('refuses tapPromise and tapAsync, and records a tap returning a promise as a usage error', () => {
    const hook = new SyncBailHook<[], number>({ name: 'b' })
    expect(() => hook.tapPromise('p', async () => 1)).toThrow(
      "tapPromise('p') on SyncBailHook 'b': a SyncBailHook cannot wait for a tap",
    )
    expect(() => hook.tapAsync('a', (cb) => cb())).toThrow("tapAsync('a') on SyncBailHook 'b'")
    hook.tap('sneaky', (() => Promise.resolve(1)) as unknown as () => number)
    const { result, runs } = hook.call()
    expect(result).toBeUndefined()
    expect(runs[0]?.error).toBeInstanceOf(DqxError)
  })
})

describe('SyncWaterfallHook', () => {
  it("passes each tap's return value on as the first argument; undefined keeps the value", () => {
    const hook = new SyncWaterfallHook<[string, number]>({ name: 'w' })
    const seen: [string, number][] = []
    hook.tap('upper', (s, n) => {
      seen.push([s, n])
      return s.toUpperCase()
    })
    hook.tap('keeps', (s, n) => void seen.push([s, n]))
    hook.tap('suffix', (s) => `${s}!`)
    const args: [string, number] = ['abc', 1]
    const { result, runs } = hook.call(...args)
    expect(result).toBe('ABC!')
    expect(seen).toEqual([
      ['abc', 1],
      ['ABC', 1],
    ])
    expect(runs.map((r) => r.plugin)).toEqual(['upper', 'keeps', 'suffix'])
    expect(args).toEqual(['abc', 1])
  })

  it('passes the previous value on past a failing tap and records the failure', () => {
    const { logger, lines } = arrayLogger()
    const hook = new SyncWaterfallHook<[number]>({ name: 'w', logger })
    hook.tap('double', (n) => n * 2)
    hook.tap('fails', () => {
      throw new Error('cannot')
    })
    hook.tap('inc', (n) => n + 1)
    const { result, runs } = hook.call(5)
    expect(result).toBe(11)
    expect(failed(runs)).toEqual(['fails'])
    expect(lines.find((l) => l.plugin === 'fails')).toMatchObject({ level: 50, msg: 'plugin failed' })
  })

  it('returns the first argument when there are no taps', () => {
    expect(new SyncWaterfallHook<[string]>().call('same')).toEqual({ result: 'same', runs: [] })
  })

  it('gives argsForTap the current value', () => {
    const hook = new SyncWaterfallHook<[number]>({
      argsForTap: ([n], tap) => [tap.name === 'scaled' ? n * 100 : n],
    })
    hook.tap('inc', (n) => n + 1)
    hook.tap('scaled', (n) => n)
    expect(hook.call(1).result).toBe(200)
  })
})

describe('AsyncSeriesBailHook', () => {
  it('bails on the first defined result of tap, tapPromise or tapAsync', async () => {
    for (const kind of ['tap', 'tapPromise', 'tapAsync'] as const) {
      const hook = new AsyncSeriesBailHook<[string], string>({ name: 'find' })
      const seen: string[] = []
      hook.tapPromise('nothing', async () => void seen.push('nothing'))
      if (kind === 'tap') hook.tap('found', (q) => `${q}:sync`)
      else if (kind === 'tapPromise') hook.tapPromise('found', async (q) => `${q}:promise`)
      else hook.tapAsync('found', (q, callback) => setImmediate(() => callback(null, `${q}:callback`)))
      hook.tap('never', () => void seen.push('never'))
      const { result, runs } = await hook.promise('q')
      expect(result).toBe(`q:${kind === 'tap' ? 'sync' : kind === 'tapPromise' ? 'promise' : 'callback'}`)
      expect(seen).toEqual(['nothing'])
      expect(runs.map((r) => r.plugin)).toEqual(['nothing', 'found'])
    }
  })

  it('does not bail on a rejection or a timeout; the next tap runs', async () => {
    const hook = new AsyncSeriesBailHook<[], string>({ timeoutMs: 20 })
    hook.tapPromise('rejects', () => Promise.reject(new Error('no')))
    hook.tapPromise('hangs', () => new Promise(() => {}))
    hook.tapPromise('late', async () => {
      await sleep(40)
      return 'too late'
    })
    hook.tapPromise('answers', async () => 'yes')
    const { result, runs } = await hook.promise()
    expect(result).toBe('yes')
    expect(outcomes(runs).map((r) => [r.plugin, r.timedOut, r.error !== undefined])).toEqual([
      ['rejects', false, true],
      ['hangs', true, true],
      ['late', true, true],
      ['answers', false, false],
    ])
  })

  it('resolves to an undefined result when no tap bails', async () => {
    const hook = new AsyncSeriesBailHook<[], number>()
    hook.tapPromise('a', async () => undefined)
    expect(await hook.promise()).toMatchObject({ result: undefined, runs: [{ plugin: 'a' }] })
  })

  it('awaits onTapError work before resolving', async () => {
    const reported: string[] = []
    const hook = new AsyncSeriesBailHook<[], number>({
      onTapError: async (run) => {
        await sleep(5)
        reported.push(run.plugin)
      },
    })
    hook.tap('throws', () => {
      throw new Error('x')
    })
    await hook.promise()
    expect(reported).toEqual(['throws'])
  })
})

describe('AsyncSeriesWaterfallHook', () => {
  it('passes each value on through sync, promise and callback taps', async () => {
    const hook = new AsyncSeriesWaterfallHook<[string[], string]>({ name: 'w' })
    hook.tap('sync', (list, tag) => [...list, `sync-${tag}`])
    hook.tapPromise('promise', async (list) => [...list, 'promise'])
    hook.tapAsync('callback', (list, _tag, callback) => callback(undefined, [...list, 'callback']))
    hook.tapPromise('keeps', async () => undefined)
    const { result, runs } = await hook.promise([], 't')
    expect(result).toEqual(['sync-t', 'promise', 'callback'])
    expect(runs.every((r) => r.error === undefined)).toBe(true)
  })

  it('passes the previous value on past a rejecting and a timed-out tap, recording both', async () => {
    const hook = new AsyncSeriesWaterfallHook<[number]>({ name: 'w', timeoutMs: 20 })
    const seen: number[] = []
    hook.tapPromise('inc', async (n) => n + 1)
    hook.tapPromise('rejects', () => Promise.reject('plain string'))
    hook.tapPromise('hangs', () => new Promise(() => {}))
    hook.tapPromise('records', async (n) => void seen.push(n))
    const { result, runs } = await hook.promise(1)
    expect(result).toBe(2)
    expect(seen).toEqual([2])
    expect(runs[1]?.error?.message).toBe('non-Error thrown: plain string')
    expect(runs[2]?.error).toBeInstanceOf(TapTimeoutError)
    expect(runs[2]?.timedOut).toBe(true)
  })

  it('rejects when a call interceptor throws, before any tap ran', async () => {
    const hook = new AsyncSeriesWaterfallHook<[number]>()
    let ran = false
    hook.tap('t', () => {
      ran = true
      return 1
    })
    hook.intercept({
      call() {
        throw new Error('refused')
      },
    })
    await expect(hook.promise(0)).rejects.toThrow('refused')
    expect(ran).toBe(false)
  })
})

describe('plain hooks ignore return values', () => {
  it('runs every SyncHook tap whatever they return', () => {
    const hook = new SyncHook<[]>()
    hook.tap('returns', (() => 1) as () => void)
    hook.tap('next', () => {})
    expect(hook.call().map((r) => r.plugin)).toEqual(['returns', 'next'])
  })
})
