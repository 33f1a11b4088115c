import { tracingChannel } from 'node:diagnostics_channel'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AsyncParallelLimitHook,
  AsyncSeriesHook,
  type PluginTraceContext,
  SyncHook,
} from '../../src/hooks/index.js'
import { arrayLogger, sleep } from './helpers.js'

describe('pino logging', () => {
  it('logs every tap call at info with plugin, hook and durationMs', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new AsyncSeriesHook<[]>({ name: 'afterRun', logger })
    hook.tap('a', () => {})
    hook.tapPromise('b', () => sleep(2))
    await hook.promise()
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'plugin finished', plugin: 'a', hook: 'afterRun' }),
      expect.objectContaining({ level: 30, msg: 'plugin finished', plugin: 'b', hook: 'afterRun' }),
    ])
    for (const line of lines) expect(typeof line.durationMs).toBe('number')
    expect(lines[1]?.durationMs).toBeGreaterThanOrEqual(1)
  })

  it('logs failures at error with err and timedOut', async () => {
    const { logger, lines } = arrayLogger()
    const hook = new AsyncParallelLimitHook<[]>({ name: 'processResults', logger, timeoutMs: 10 })
    hook.tap('throws', () => {
      throw new Error('boom')
    })
    hook.tapPromise('hangs', () => new Promise(() => {}))
    await hook.promise()
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'plugin failed',
        plugin: 'throws',
        hook: 'processResults',
        timedOut: false,
        err: expect.objectContaining({ type: 'Error', message: 'boom' }),
      }),
      expect.objectContaining({
        level: 50,
        msg: 'plugin failed',
        plugin: 'hangs',
        timedOut: true,
        err: expect.objectContaining({
          message: "plugin 'hangs' timed out after 10 ms in hook 'processResults'",
        }),
      }),
    ])
    expect(typeof lines[1]?.durationMs).toBe('number')
  })

  it('logs sync hooks the same way, and nothing without a logger', () => {
    const { logger, lines } = arrayLogger()
    const hook = new SyncHook<[]>({ name: 's', logger })
    hook.tap('x', () => {})
    hook.call()
    expect(lines).toEqual([expect.objectContaining({ msg: 'plugin finished', plugin: 'x', hook: 's' })])
  })

  it('does not charge the log line to the next tap (a fresh clock reading after logging)', async () => {
    const { logger } = arrayLogger()
    const slowLogger = Object.create(logger) as typeof logger
    slowLogger.info = ((...args: Parameters<typeof logger.info>) => {
      const end = performance.now() + 20
      while (performance.now() < end) {
        // a logger that takes 20 ms
      }
      return logger.info(...args)
    }) as typeof logger.info
    const hook = new AsyncSeriesHook<[]>({ logger: slowLogger })
    hook.tap('first', () => {})
    hook.tap('second', () => {})
    const runs = await hook.promise()
    expect(runs[1]?.durationMs).toBeLessThan(20)
  })
})

describe('diagnostics_channel tracing', () => {
  const channel = tracingChannel<unknown, PluginTraceContext>('dqx:plugin')
  const events: [string, PluginTraceContext & { error?: unknown; result?: unknown }][] = []
  const handlers = {
    start: (m: PluginTraceContext) => void events.push(['start', { ...m }]),
    end: (m: PluginTraceContext) => void events.push(['end', { ...m }]),
    asyncStart: (m: PluginTraceContext) => void events.push(['asyncStart', { ...m }]),
    asyncEnd: (m: PluginTraceContext) => void events.push(['asyncEnd', { ...m }]),
    error: (m: PluginTraceContext) => void events.push(['error', { ...m }]),
  }
  afterEach(() => {
    channel.unsubscribe(handlers)
    events.length = 0
  })

  it('publishes each tap call with { plugin, hook, runId }', async () => {
    channel.subscribe(handlers)
    const hook = new AsyncSeriesHook<[number]>({ name: 'beforeRun', runId: () => 'run-1' })
    let received: number | undefined
    hook.tap('sync-tap', (n) => {
      received = n
    })
    hook.tapPromise('async-tap', async () => {})
    await hook.promise(42)
    expect(received).toBe(42)
    expect(events.map(([kind, m]) => `${kind}:${m.plugin}`)).toEqual([
      'start:sync-tap',
      'end:sync-tap',
      'start:async-tap',
      'end:async-tap',
      'asyncStart:async-tap',
      'asyncEnd:async-tap',
    ])
    expect(events[0]?.[1]).toEqual({ plugin: 'sync-tap', hook: 'beforeRun', runId: 'run-1' })
  })

  it('publishes errors, and a runId of undefined without the option', async () => {
    channel.subscribe(handlers)
    const hook = new AsyncParallelLimitHook<[]>({ name: 'processResults' })
    hook.tapPromise('rejects', async () => {
      throw new Error('nope')
    })
    hook.tap('throws', () => {
      throw new Error('sync nope')
    })
    const runs = await hook.promise()
    expect(runs.map((r) => r.error?.message)).toEqual(['nope', 'sync nope'])
    const errors = events
      .filter(([kind]) => kind === 'error')
      .map(([, m]) => [m.plugin, (m.error as Error).message])
    expect(errors).toEqual([
      ['throws', 'sync nope'],
      ['rejects', 'nope'],
    ])
    expect(events[0]?.[1]).toMatchObject({ plugin: 'rejects', hook: 'processResults', runId: undefined })
  })

  it('traces sync hooks and multi-argument hooks', () => {
    channel.subscribe(handlers)
    const hook = new SyncHook<[number, string]>({ name: 's' })
    let got: [number, string] | undefined
    hook.tap('two-args', (n, s) => {
      got = [n, s]
    })
    hook.call(1, 'x')
    expect(got).toEqual([1, 'x'])
    expect(events.map(([kind]) => kind)).toEqual(['start', 'end'])
  })

  it('traces the calls that start after someone subscribed, whole', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    // Subscribing from inside a call: that call stays untraced, the next one is traced from its first tap.
    hook.tapPromise('subscribes', async () => {
      if (!channel.hasSubscribers) channel.subscribe(handlers)
    })
    hook.tapPromise('second', async () => {})
    await hook.promise()
    expect(events).toEqual([])
    await hook.promise()
    expect(events.filter(([kind]) => kind === 'start').map(([, m]) => m.plugin)).toEqual([
      'subscribes',
      'second',
    ])
  })

  it('publishes nothing and builds no payload without subscribers', async () => {
    let runIdCalls = 0
    const hook = new AsyncSeriesHook<[]>({
      runId: () => {
        runIdCalls++
        return 'r'
      },
    })
    hook.tap('x', () => {})
    await hook.promise()
    expect(channel.hasSubscribers).toBe(false)
    expect(runIdCalls).toBe(0)
    expect(events).toEqual([])
  })
})

describe('multi-argument hooks without tracing', () => {
  it('passes every argument to every kind of hook', async () => {
    const seen: unknown[] = []
    const series = new AsyncSeriesHook<[number, string]>()
    series.tap('s', (...args) => void seen.push(args))
    const parallel = new AsyncParallelLimitHook<[number, string]>()
    parallel.tapPromise('p', async (...args) => void seen.push(args))
    const sync = new SyncHook<[number, string]>()
    sync.tap('y', (...args) => void seen.push(args))
    await series.promise(1, 'a')
    await parallel.promise(2, 'b')
    sync.call(3, 'c')
    expect(seen).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ])
  })

  it('calls taps with this undefined', () => {
    const hook = new SyncHook<[]>()
    let self: unknown = 'unset'
    hook.tap('t', function (this: unknown) {
      self = this
    })
    hook.call()
    expect(self).toBeUndefined()
  })
})
