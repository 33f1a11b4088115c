import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  check,
  DataSource,
  DqxError,
  definePlugin,
  definePreset,
  MetricDB,
  type PluginErrorContext,
  PluginFailureError,
  ResultKey,
  type ResultProcessor,
  type Suite,
  VerificationSuite,
} from '../../src/index.js'
import { captureLogger } from '../../src/testing/index.js'

const rows = Array.from({ length: 50 }, (_, i) => ({
  id: i,
  price: i % 10,
  email: i % 5 === 0 ? null : `u${i}@x.io`,
}))
const data = () => ({ orders: DataSource.fromRecords(rows) })
const key = new ResultKey('2026-11-25', { env: 'test' })
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.nullCount('email')).where({ name: 'few null emails' }).isLt(5) // 10 nulls: fails
})

function suiteWith(
  plugins: Suite extends never
    ? never
    : NonNullable<ConstructorParameters<typeof VerificationSuite>[0]['plugins']>,
  extra: Partial<ConstructorParameters<typeof VerificationSuite>[0]> = {},
) {
  return new VerificationSuite({ name: 'plugins', checks: [orders], audit: false, plugins, ...extra })
}

describe('suite lifecycle', () => {
  it('calls the hooks in order with their contexts', async () => {
    const seen: string[] = []
    const suite = suiteWith([
      (s) => {
        s.hooks.beforeRun.tap('p', (ctx) => {
          seen.push(
            `beforeRun ${ctx.suiteName} ${ctx.key.date} ${ctx.datasources.join()} ${ctx.checks.join()}`,
          )
        })
        s.hooks.afterEvaluate.tap('p', (ctx) => {
          seen.push(`afterEvaluate ${ctx.results.length} ${ctx.summary.failed}`)
        })
        s.hooks.processResults.tapPromise('p', async (ctx) => {
          seen.push(`processResults ${ctx.results.length} ${ctx.symbols.length}`)
        })
        s.hooks.afterRun.tap('p', (r) => {
          seen.push(`afterRun ${r.results.length} ${r.pluginRuns.length}`)
        })
      },
    ])
    const report = await suite.run(data(), key)
    expect(seen).toEqual([
      'beforeRun plugins 2026-11-25 orders orders',
      'afterEvaluate 2 1',
      'processResults 2 2',
      'afterRun 2 3',
    ])
    expect(report.pluginRuns.map((r) => `${r.plugin}@${r.hook}`)).toEqual([
      'p@beforeRun',
      'p@afterEvaluate',
      'p@processResults',
      'p@afterRun',
    ])
    expect(report.pluginErrors).toEqual([])
  })

  it('persists results before processResults runs', async () => {
    const db = MetricDB.memory()
    let stored = 0
    const suite = suiteWith(
      [
        (s) => {
          s.hooks.processResults.tapPromise('reader', async (ctx) => {
            stored = (await db.getResults({ suite: ctx.suiteName, date: ctx.key.date, tags: ctx.key.tags }))
              .length
          })
        },
      ],
      { db },
    )
    await suite.run(data(), key)
    expect(stored).toBe(2)
  })

  it('orders taps by stage then before/after, and unregisters', async () => {
    const order: string[] = []
    let offC: () => void = () => {}
    const suite = suiteWith([
      (s) => {
        s.hooks.afterEvaluate.tap({ name: 'a' }, () => {
          order.push('a')
        })
        s.hooks.afterEvaluate.tap({ name: 'b', before: 'a' }, () => {
          order.push('b')
        })
        s.hooks.afterEvaluate.tap({ name: 'early', stage: -10 }, () => {
          order.push('early')
        })
        offC = s.hooks.afterEvaluate.tap({ name: 'c', after: 'a' }, () => {
          order.push('c')
        })
      },
    ])
    await suite.run(data(), key)
    expect(order).toEqual(['early', 'b', 'a', 'c'])
    offC()
    order.length = 0
    await suite.run(data(), key)
    expect(order).toEqual(['early', 'b', 'a'])
  })

  it('isolates every kind of failure and reports each once to onPluginError', async () => {
    const errors: PluginErrorContext[] = []
    let aborted = false
    const ran: string[] = []
    const suite = suiteWith(
      [
        (s) => {
          s.hooks.onPluginError.tap('collector', (e) => {
            errors.push(e)
          })
          s.hooks.processResults.tap('throws', () => {
            throw new Error('sync boom')
          })
          s.hooks.processResults.tapPromise('rejects', async () => {
            throw new Error('async boom')
          })
          s.hooks.processResults.tap('throws-string', () => {
            throw 'just a string'
          })
          s.hooks.processResults.tapPromise({ name: 'hangs', timeoutMs: 50 }, (ctx) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = true
            })
            return new Promise(() => {})
          })
          s.hooks.processResults.tap('mutates', (ctx) => {
            ;(ctx.results as unknown as unknown[]).push({})
          })
          s.hooks.processResults.tap('mutates-deep', (ctx) => {
            ;(ctx.results[0] as { status: string }).status = 'PASSED'
          })
          s.hooks.processResults.tapPromise('fine', async (ctx) => {
            ran.push(`fine ${ctx.results[1]?.status}`)
          })
        },
      ],
      { concurrency: 8 },
    )
    const report = await suite.run(data(), key)
    expect(ran).toEqual(['fine FAILED'])
    expect(aborted).toBe(true)
    const byName = Object.fromEntries(report.pluginErrors.map((r) => [r.plugin, r]))
    expect(Object.keys(byName).sort()).toEqual([
      'hangs',
      'mutates',
      'mutates-deep',
      'rejects',
      'throws',
      'throws-string',
    ])
    expect(byName.throws?.error?.message).toBe('sync boom')
    expect(byName.rejects?.error?.message).toBe('async boom')
    expect(byName['throws-string']?.error?.message).toContain('just a string')
    expect(byName.hangs?.timedOut).toBe(true)
    expect(byName.mutates?.error).toBeInstanceOf(TypeError)
    expect(byName['mutates-deep']?.error).toBeInstanceOf(TypeError)
    expect(errors.map((e) => e.plugin).sort()).toEqual([
      'hangs',
      'mutates',
      'mutates-deep',
      'rejects',
      'throws',
      'throws-string',
    ])
    expect(new Set(errors.map((e) => e.hook))).toEqual(new Set(['processResults']))
    expect(errors.every((e) => e.suiteName === 'plugins' && e.runId === report.runId)).toBe(true)
    expect(report.results[1]?.status).toBe('FAILED') // nobody rewrote history
    // the collector's own runs are in pluginRuns
    expect(report.pluginRuns.filter((r) => r.hook === 'onPluginError')).toHaveLength(6)
  })

  it('logs but never recurses into a failing onPluginError tap', async () => {
    const { logger, lines } = captureLogger('info')
    const suite = suiteWith(
      [
        (s) => {
          s.hooks.onPluginError.tap('bad-handler', () => {
            throw new Error('handler broke')
          })
          s.hooks.afterEvaluate.tap('breaks', () => {
            throw new Error('first')
          })
        },
      ],
      { logger },
    )
    const report = await suite.run(data(), key)
    expect(report.pluginErrors.map((r) => `${r.plugin}@${r.hook}`)).toEqual([
      'breaks@afterEvaluate',
      'bad-handler@onPluginError',
    ])
    expect(lines.filter((l) => l.msg === 'plugin failed').map((l) => l.plugin)).toEqual([
      'breaks',
      'bad-handler',
    ])
  })

  it('runs processResults under the concurrency cap', async () => {
    let running = 0
    let maxRunning = 0
    let done = 0
    const taps = Array.from({ length: 8 }, (_, i) => (s: Suite) => {
      s.hooks.processResults.tapPromise(`slow-${i}`, async () => {
        running += 1
        maxRunning = Math.max(maxRunning, running)
        await new Promise((r) => setTimeout(r, 100))
        running -= 1
        done += 1
      })
    })
    const report = await suiteWith(taps, { concurrency: 2 }).run(data(), key)
    expect(done).toBe(8)
    expect(maxRunning).toBe(2)
    expect(report.pluginRuns.filter((r) => r.hook === 'processResults')).toHaveLength(8)
  })

  it('failOnPluginError rejects with the full report after all hooks ran', async () => {
    let afterRun = false
    const db = MetricDB.memory()
    const suite = suiteWith(
      [
        (s) => {
          s.hooks.processResults.tap('bad', () => {
            throw new Error('nope')
          })
          s.hooks.afterRun.tap('last', () => {
            afterRun = true
          })
        },
      ],
      { failOnPluginError: true, db },
    )
    const err = await suite.run(data(), key).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PluginFailureError)
    const pf = err as PluginFailureError
    expect(pf.code).toBe('PLUGIN_FAILURE')
    expect(pf.message).toContain('bad@processResults')
    expect(pf.report.results).toHaveLength(2)
    expect(pf.failures.map((f) => f.plugin)).toEqual(['bad'])
    expect(afterRun).toBe(true)
    expect(await db.getResults({ suite: 'plugins', date: key.date, tags: key.tags })).toHaveLength(2)
  })

  it('enablePlugins: false runs no hook at all', async () => {
    let calls = 0
    const suite = new VerificationSuite({
      name: 'off',
      checks: [orders],
      plugins: [
        (s) => {
          const count = (): void => {
            calls += 1
          }
          for (const h of ['beforeRun', 'afterEvaluate', 'afterRun'] as const) s.hooks[h].tap('count', count)
          s.hooks.processResults.tap('count', count)
        },
      ],
    })
    const report = await suite.run(data(), key, { enablePlugins: false })
    expect(calls).toBe(0)
    expect(report.pluginRuns).toEqual([])
    expect(report.results).toHaveLength(2)
  })

  it('after a data error: processResults with ctx.error, no afterEvaluate or ResultProcessor, afterRun, then the DqxError', async () => {
    const seen: string[] = []
    const bad = check({ name: 'bad', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('nope')).where({ name: 'missing column' }).isPositive()
    })
    const processor: ResultProcessor = {
      name: 'processor',
      initialize: () => void seen.push('initialize'),
      process: () => void seen.push('process'),
    }
    const suite = new VerificationSuite({
      name: 'err',
      checks: [bad],
      audit: false,
      plugins: [
        (s) => {
          s.hooks.afterEvaluate.tap('ae', () => void seen.push('afterEvaluate'))
          s.hooks.processResults.tap('pr', (ctx) => {
            seen.push(
              `processResults ${(ctx.error as DqxError).code} ${ctx.results.length} ${ctx.summary.total}`,
            )
          })
          s.hooks.afterRun.tap('ar', (r) => void seen.push(`afterRun ${r.error?.message.slice(0, 19)}`))
        },
        processor,
      ],
    })
    const err = await suite.run(data(), key).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('MISSING_COLUMN')
    expect(seen).toEqual(['processResults MISSING_COLUMN 0 0', "afterRun check 'bad': column"])
  })

  it('a run that evaluated has no ctx.error in processResults', async () => {
    const errors: unknown[] = []
    const suite = suiteWith([
      (s) => void s.hooks.processResults.tap('pr', (ctx) => void errors.push(ctx.error)),
    ])
    await suite.run(data(), key)
    expect(errors).toEqual([undefined])
  })

  it('reports each failed tap to onPluginError right after the hook call it failed in', async () => {
    const order: string[] = []
    const suite = suiteWith([
      (s) => {
        s.hooks.onPluginError.tap('collector', (e) => void order.push(`error ${e.plugin}@${e.hook}`))
        for (const hook of ['beforeRun', 'afterEvaluate', 'processResults', 'afterRun'] as const) {
          ;(s.hooks[hook] as unknown as { tap(n: string, f: () => void): void }).tap(`${hook}-fails`, () => {
            order.push(hook)
            throw new Error(`${hook} broke`)
          })
        }
      },
    ])
    const report = await suite.run(data(), key)
    expect(order).toEqual([
      'beforeRun',
      'error beforeRun-fails@beforeRun',
      'afterEvaluate',
      'error afterEvaluate-fails@afterEvaluate',
      'processResults',
      'error processResults-fails@processResults',
      'afterRun',
      'error afterRun-fails@afterRun',
    ])
    expect(report.pluginRuns.map((r) => `${r.plugin}@${r.hook}`)).toEqual([
      'beforeRun-fails@beforeRun',
      'collector@onPluginError',
      'afterEvaluate-fails@afterEvaluate',
      'collector@onPluginError',
      'processResults-fails@processResults',
      'collector@onPluginError',
      'afterRun-fails@afterRun',
      'collector@onPluginError',
    ])
    expect(report.pluginErrors.map((r) => r.plugin)).toEqual([
      'beforeRun-fails',
      'afterEvaluate-fails',
      'processResults-fails',
      'afterRun-fails',
    ])
  })

  it('an onPluginError call that fails as a whole (a throwing call interceptor) is logged; the run goes on', async () => {
    const { logger, lines } = captureLogger('info')
    let afterRun = false
    const suite = suiteWith(
      [
        (s) => {
          s.hooks.onPluginError.intercept({
            call: () => {
              throw new Error('interceptor broke')
            },
          })
          s.hooks.processResults.tap('fails', () => {
            throw new Error('first')
          })
          s.hooks.afterRun.tap('last', () => {
            afterRun = true
          })
        },
      ],
      { logger },
    )
    const report = await suite.run(data(), key)
    expect(afterRun).toBe(true)
    expect(report.pluginErrors.map((r) => r.plugin)).toEqual(['fails'])
    const line = lines.find((l) => l.msg === 'onPluginError failed')
    expect(line).toMatchObject({
      plugin: 'fails',
      hook: 'onPluginError',
      err: { message: 'interceptor broke' },
    })
  })
})

describe('the suite a plugin is applied to', () => {
  it("is its own: name, config, the MetricDB, a logger bound to the plugin, and the suite's hooks", async () => {
    const { logger, lines } = captureLogger('info')
    const db = MetricDB.memory()
    let given: Suite<{ n: number }> | undefined
    const mine = definePlugin({
      name: 'mine',
      configSchema: z.object({ n: z.number() }),
      apply(s, config) {
        given = s
        expect(s.config).toBe(config)
        s.logger.info('applied')
      },
    })
    const suite = suiteWith([mine], { db, logger, pluginConfig: { mine: { n: 1 } } })
    expect(given?.name).toBe('mine')
    expect(given?.config).toEqual({ n: 1 })
    expect(given?.db).toBe(db)
    expect(given?.hooks.processResults).toBeInstanceOf(suite.hooks.processResults.constructor)
    expect(Object.isFrozen(given)).toBe(true)
    expect(lines.find((l) => l.msg === 'applied')).toMatchObject({ plugin: 'mine' })
  })

  it('records the owning plugin on every tap registered through it, whatever the tap is named', async () => {
    const configs: Record<string, unknown> = {}
    const owner = definePlugin({
      name: 'owner',
      async apply(s) {
        s.hooks.processResults.tap('first', (ctx) => {
          configs.first = ctx.config
        })
        // an options object naming another plugin is still owned by the one registering it
        s.hooks.processResults.tap({ name: 'impostor', plugin: 'other' }, (ctx) => {
          configs.impostor = ctx.config
        })
        await new Promise((r) => setTimeout(r, 5))
        s.hooks.processResults.tapPromise('late', async (ctx) => {
          configs.late = ctx.config
        })
      },
    })
    const other = definePlugin({ name: 'other', apply() {} })
    const suite = suiteWith([owner, other], { pluginConfig: { owner: 'O', other: 'X' } })
    // registered on the suite itself: no plugin, no config, even named like one
    suite.hooks.processResults.tap('owner', (ctx) => {
      configs.direct = ctx.config
    })
    await suite.run(data(), key)
    expect(suite.hooks.processResults.taps.map((t) => [t.name, t.plugin])).toEqual([
      ['first', 'owner'],
      ['impostor', 'owner'],
      ['owner', undefined],
      ['late', 'owner'],
    ])
    expect(configs).toEqual({ first: 'O', impostor: 'O', late: 'O', direct: undefined })
  })

  it("forwards everything else to the suite's hooks: unregister, intercept, taps, bad arguments", async () => {
    const seen: string[] = []
    let off: () => void = () => {}
    const suite = suiteWith([
      (s) => {
        off = s.hooks.afterRun.tap('gone', () => void seen.push('gone'))
        s.hooks.afterRun.intercept({ call: () => void seen.push('call') })
        seen.push(`taps ${s.hooks.afterRun.taps.length} ${s.hooks.afterRun.name}`)
        expect(() => s.hooks.afterRun.tap(42 as never, () => {})).toThrow('Missing name for tap')
        expect(() => s.hooks.afterRun.tap(['x'] as never, () => {})).toThrow('Missing name for tap')
      },
    ])
    off()
    await suite.run(data(), key)
    expect(seen).toEqual(['taps 1 afterRun', 'call'])
  })

  it('validates the plugin tap option of a hook used on its own', async () => {
    const { AsyncSeriesHook } = await import('../../src/index.js')
    const hook = new AsyncSeriesHook<[number]>({ name: 'h' })
    expect(() => hook.tap({ name: 't', plugin: '' }, () => {})).toThrow(
      "tap('t') on hook 'h': option 'plugin' must be a non-empty string, got ''",
    )
    hook.tap({ name: 'owned', plugin: 'p' }, () => {})
    expect(hook.taps[0]?.plugin).toBe('p')
    hook.intercept({ register: (t) => t })
    expect(() => hook.intercept({ register: (t) => ({ ...t, plugin: 7 as never }) })).toThrow(
      "register interceptor of hook 'h' returned TapInfo 'owned' with an invalid 'plugin': 7",
    )
  })
})

describe('one name per function plugin', () => {
  it('names a function plugin by its name, an anonymous one anonymous-<n>, and applies each exactly once', async () => {
    const configs: unknown[] = []
    let calls = 0
    const suite = suiteWith(
      [
        (s) => {
          calls += 1
          s.hooks.processResults.tap('note', (ctx) => void configs.push(ctx.config))
          s.hooks.afterRun.tap('note-done', () => {})
        },
        async (s) => {
          s.hooks.afterRun.tapPromise({ name: 'async-note' }, async (ctx) => void configs.push(ctx.config))
        },
        function named(s: Suite) {
          s.hooks.afterRun.tap('named-tap', (ctx) => void configs.push(ctx.config))
        },
        (_s: Suite) => {},
      ],
      { pluginConfig: { 'anonymous-1': 'n', 'anonymous-2': 'a', named: 'x' } },
    )
    expect(suite.plugins.map((p) => p.name)).toEqual(['anonymous-1', 'anonymous-2', 'named', 'anonymous-4'])
    const report = await suite.run(data(), key)
    expect(calls).toBe(1)
    // A PluginRun carries the tap's name; its config is the plugin's.
    expect(report.pluginRuns.map((r) => r.plugin)).toEqual(['note', 'note-done', 'async-note', 'named-tap'])
    expect(configs).toEqual(['n', 'a', 'x'])
  })
})

describe('plugin forms, config and logging', () => {
  const schema = z.object({ channel: z.string(), token: z.string() })
  const slack = definePlugin({
    name: 'slack',
    configSchema: schema,
    apply(s, config) {
      s.hooks.processResults.tapPromise('slack', async (ctx) => {
        ctx.logger.info({ channel: config.channel, token: config.token }, 'posting')
        received.push(ctx.config)
      })
    },
  })
  const received: unknown[] = []

  it('validates config at construction and gives each plugin only its own', async () => {
    received.length = 0
    const other = definePlugin({
      name: 'other',
      apply(s) {
        s.hooks.processResults.tap('other-tap', (ctx) => void received.push(ctx.config))
      },
    })
    const { logger, text, lines } = captureLogger('debug')
    const suite = suiteWith([slack, other], {
      pluginConfig: { slack: { channel: '#dq', token: 'xoxb-secret-123' }, other: { n: 1 } },
      logger,
    })
    await suite.run(data(), key)
    expect(received).toContainEqual({ channel: '#dq', token: 'xoxb-secret-123' })
    expect(received).toContainEqual({ n: 1 })
    expect(received).toHaveLength(2)
    expect(text()).not.toContain('xoxb-secret-123')
    const posting = lines.find((l) => l.msg === 'posting')
    expect(posting).toMatchObject({ plugin: 'slack', channel: '#dq', token: '[redacted]' })
    const finished = lines.filter((l) => l.msg === 'plugin finished')
    expect(finished.map((l) => [l.plugin, l.hook])).toEqual(
      expect.arrayContaining([
        ['slack', 'processResults'],
        ['other-tap', 'processResults'],
      ]),
    )
    expect(finished.every((l) => typeof l.durationMs === 'number')).toBe(true)
  })

  it('rejects bad config, unknown keys and duplicate names at construction', () => {
    expect(() => suiteWith([slack], { pluginConfig: { slack: { channel: 1, token: 't' } } })).toThrow(
      /invalid pluginConfig for plugin 'slack': channel: .*expected string/,
    )
    expect(() => suiteWith([slack], { pluginConfig: { slak: {} } })).toThrow(
      "unknown plugin 'slak' in pluginConfig — did you mean 'slack'?",
    )
    expect(() => suiteWith([slack, [slack]])).toThrow(
      "duplicate plugin name 'slack': plugins[0] and plugins[1][0]",
    )
    expect(() => suiteWith([{} as never])).toThrow('plugins[0] is not a plugin')
  })

  it('runs a ResultProcessor: initialize once, then process', async () => {
    const calls: string[] = []
    const rp: ResultProcessor = {
      name: 'seed',
      initialize(config) {
        calls.push(`init ${JSON.stringify(config)}`)
      },
      process(results, symbols, suiteName, context) {
        calls.push(`process ${results.length} ${symbols.length} ${suiteName} ${context.key.date}`)
      },
    }
    const suite = suiteWith([rp], { pluginConfig: { seed: { a: 1 } } })
    await suite.run(data(), key)
    await suite.run(data(), key)
    expect(calls).toEqual([
      'init {"a":1}',
      'process 2 2 plugins 2026-11-25',
      'process 2 2 plugins 2026-11-25',
    ])
  })

  it('flattens presets and awaits async apply before the first run', async () => {
    const order: string[] = []
    const preset = definePreset('pair', (o: { tag: string }) => [
      definePlugin({
        name: `async-${o.tag}`,
        async apply(s) {
          await new Promise((r) => setTimeout(r, 10))
          s.hooks.beforeRun.tap(`late-${o.tag}`, () => void order.push(o.tag))
        },
      }),
      null,
    ])
    await suiteWith([preset({ tag: 'x' }), [preset({ tag: 'y' })]]).run(data(), key)
    expect(order).toEqual(['x', 'y'])
  })

  it('turns apply() failures into DqxErrors naming the plugin', async () => {
    expect(() =>
      suiteWith([
        definePlugin({
          name: 'explodes',
          apply() {
            throw new Error('kaput')
          },
        }),
      ]),
    ).toThrow("plugin 'explodes' (plugins[0]) failed in apply(): kaput")
    const s = suiteWith([
      definePlugin({
        name: 'explodes-later',
        async apply() {
          throw new Error('later')
        },
      }),
    ])
    await expect(s.run(data(), key)).rejects.toThrow(
      "plugin 'explodes-later' (plugins[0]) failed in apply(): later",
    )
  })

  it('adds the audit plugin by default and prints a summary', async () => {
    let out = ''
    const { audit } = await import('../../src/suite/audit.js')
    const suite = new VerificationSuite({
      name: 'audited',
      checks: [orders],
      plugins: [audit({ stream: { write: (t: string) => (out += t) } })],
    })
    expect(suite.plugins.map((p) => p.name)).toEqual(['audit'])
    await suite.run(data(), key)
    expect(out).toContain("dqx audit — suite 'audited'")
    expect(out).toContain('Tags:       env=test')
    expect(out).toContain('Assertions: 2 total, 1 passed (50.0%), 1 failed (50.0%), 0 skipped (0.0%)')
    expect(out).toContain('Failures:   P1: 1')
    const def = new VerificationSuite({ name: 'd', checks: [orders] })
    expect(def.plugins.map((p) => [p.name, p.source])).toEqual([['audit', 'built-in audit']])
    expect(new VerificationSuite({ name: 'd', checks: [orders], audit: false }).plugins).toEqual([])
  })

  it('publishes every tap call on diagnostics_channel with the run id', async () => {
    const { tracingChannel } = await import('node:diagnostics_channel')
    const seen: unknown[] = []
    const handlers = {
      start: (m: unknown) => void seen.push(m),
      end() {},
      asyncStart() {},
      asyncEnd() {},
      error() {},
    }
    const channel = tracingChannel('dqx:plugin')
    channel.subscribe(handlers)
    try {
      const suite = suiteWith([(s) => void s.hooks.processResults.tapPromise('traced', async () => {})])
      const report = await suite.run(data(), key)
      expect(seen).toEqual([{ plugin: 'traced', hook: 'processResults', runId: report.runId }])
    } finally {
      channel.unsubscribe(handlers)
    }
  })

  it('validates suite options', () => {
    expect(() => suiteWith([], { concurrency: 0 })).toThrow(
      'concurrency must be a positive whole number, got 0',
    )
    expect(() => suiteWith([], { pluginTimeoutMs: -1 })).toThrow(
      'pluginTimeoutMs must be a non-negative whole number',
    )
  })
})
