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

  it('runs afterRun after a data error, then rejects with the DqxError', async () => {
    const seen: string[] = []
    const bad = check({ name: 'bad', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('nope')).where({ name: 'missing column' }).isPositive()
    })
    const suite = new VerificationSuite({
      name: 'err',
      checks: [bad],
      audit: false,
      plugins: [
        (s) => {
          s.hooks.processResults.tap('pr', () => void seen.push('processResults'))
          s.hooks.afterRun.tap('ar', (r) => void seen.push(`afterRun ${r.error?.message.slice(0, 19)}`))
        },
      ],
    })
    const err = await suite.run(data(), key).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('MISSING_COLUMN')
    expect(seen).toEqual(["afterRun check 'bad': column"])
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

  it('runs a seed-style ResultProcessor: initialize once, then process', async () => {
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
