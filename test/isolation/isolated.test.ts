import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import {
  check,
  DataSource,
  DqxError,
  type IsolationMode,
  isolated,
  type PluginOption,
  ResultKey,
  VerificationSuite,
} from '../../src/index.js'
import { captureLogger } from '../../src/testing/index.js'
import recorder from './fixtures/recorder.mjs'

// Real worker threads and real child processes running the fixture modules in ./fixtures.

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url))
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
  ctx.assertThat(mp.sum('amount')).where({ name: 'big revenue' }).isGt(1_000)
})
const data = () => ({
  orders: DataSource.fromRecords([
    { id: 1, amount: 5 },
    { id: 2, amount: 7 },
  ]),
})
const key = new ResultKey('2026-11-25', { env: 'prod', region: 'eu' })

const suites: VerificationSuite[] = []
afterEach(async () => {
  await Promise.all(suites.splice(0).map((s) => s.close()))
})

function suiteWith(
  plugins: PluginOption[],
  extra: { pluginConfig?: Record<string, unknown>; pluginTimeoutMs?: number } = {},
) {
  const captured = captureLogger('info')
  const suite = new VerificationSuite({
    name: 'iso',
    checks: [orders],
    audit: false,
    logger: captured.logger,
    plugins,
    ...extra,
  })
  suites.push(suite)
  return { suite, lines: captured.lines }
}

const seenBy = (lines: Record<string, unknown>[], plugin: string) =>
  lines
    .filter((l) => l.msg === 'seen' && l.plugin === plugin)
    .map((l) => ({ hook: l.hook, seen: l.seen, applied: l.applied }))

const modes: IsolationMode[] = ['worker', 'process']
// Long enough for a restarted sandbox to load on a busy machine (a restart happens inside the next call's deadline).
const deadline = 2_000

describe.each(modes)('isolated() in %s mode', (mode) => {
  it('gives the plugin deep-equal contexts, validated config and hook order to the in-process plugin', async () => {
    const config = { recorder: { label: 'nightly' } }
    const inProcess = suiteWith([recorder], { pluginConfig: config })
    await inProcess.suite.run(data(), key)
    const sandboxed = suiteWith([isolated(fixture('recorder'), { name: 'recorder', mode })], {
      pluginConfig: config,
    })
    await sandboxed.suite.run(data(), key)
    const strip = (xs: ReturnType<typeof seenBy>) =>
      xs.map((x) => {
        const seen = { ...(x.seen as Record<string, unknown>) }
        delete seen.runId
        delete seen.timestamp
        delete seen.durationMs
        return { ...x, seen }
      })
    const expected = strip(seenBy(inProcess.lines, 'recorder'))
    expect(expected.map((x) => x.hook)).toEqual(['beforeRun', 'afterEvaluate', 'processResults', 'afterRun'])
    expect(expected[0]?.applied).toEqual({ label: 'NIGHTLY' })
    expect(strip(seenBy(sandboxed.lines, 'recorder'))).toEqual(expected)
  })

  it("loads a plugin that imports definePlugin from 'dqx/plugin' (no native addon in the sandbox)", async () => {
    const { suite, lines } = suiteWith([isolated(fixture('uses-dqx-plugin'), { name: 'uses-dqx', mode })])
    const report = await suite.run(data(), key)
    expect(report.pluginErrors).toEqual([])
    expect(lines.filter((l) => l.msg === 'uses-dqx delivered').map((l) => l.n)).toEqual([2])
  })

  it('refuses a config its schema rejects with the same DqxError as in-process, before any scan', async () => {
    const pluginConfig = { recorder: { label: 7 } }
    let inProcess: unknown
    try {
      suiteWith([recorder], { pluginConfig })
    } catch (err) {
      inProcess = err
    }
    const { suite } = suiteWith([isolated(fixture('recorder'), { name: 'recorder', mode })], { pluginConfig })
    const err = await suite.run(data(), key).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    expect(inProcess).toBeInstanceOf(DqxError)
    expect({ code: (err as DqxError).code, message: (err as DqxError).message }).toEqual({
      code: (inProcess as DqxError).code,
      message: (inProcess as DqxError).message,
    })
    expect((err as Error).message).toBe(
      "invalid pluginConfig for plugin 'recorder': label: label must be a string",
    )
    expect(await suite.db.getResults({ suite: 'iso', date: key.date, tags: key.tags })).toEqual([])
  })

  const faults: [string, Record<string, unknown>, RegExp][] = [
    ['an infinite synchronous loop', { fault: 'loop' }, /timed out after \d+ ms/],
    ['a memory bomb', { fault: 'memory' }, /exceeded its memory limit of 32 MB/],
    ['process.exit(3)', { fault: 'exit' }, /called process\.exit\(3\)/],
    ['an unhandled rejection', { fault: 'reject' }, /unhandled promise rejection: nobody awaited me/],
    [
      'an uncaught exception from a timer',
      { fault: 'throw' },
      /an uncaught exception: timer blew up mid-call/,
    ],
  ]
  it.each(faults)(
    'survives %s: a PluginRun error, the others deliver, results persist, its afterRun runs in a fresh sandbox',
    async (_what, cfg, message) => {
      const { suite, lines } = suiteWith(
        [
          isolated(fixture('faulty'), { mode, timeoutMs: deadline, memoryMb: 32 }),
          isolated(fixture('healthy'), { mode }),
        ],
        { pluginConfig: { faulty: cfg } },
      )
      const report = await suite.run(data(), key)
      expect(report.pluginErrors.map((r) => [r.plugin, r.hook, r.error?.message])).toEqual([
        ['faulty-results', 'processResults', report.pluginErrors[0]?.error?.message],
      ])
      expect(report.pluginErrors[0]?.error?.message).toMatch(message)
      expect(lines.filter((l) => l.msg === 'healthy delivered')).toHaveLength(1)
      expect(lines.filter((l) => l.msg === 'faulty afterRun ran')).toHaveLength(1)
      const stored = await suite.db.getResults({ suite: 'iso', date: key.date, tags: key.tags })
      expect(stored).toHaveLength(2)
    },
  )

  it('logs a stray error thrown between calls with the plugin name, and restarts the sandbox', async () => {
    const { suite, lines } = suiteWith(
      [isolated(fixture('faulty'), { mode }), isolated(fixture('healthy'), { mode })],
      {
        pluginConfig: { faulty: { fault: 'stray' } },
      },
    )
    const report = await suite.run(data(), key)
    await expect
      .poll(
        () => lines.find((l) => String(l.msg).includes("isolated plugin 'faulty' failed between calls")),
        { timeout: 10_000 },
      )
      .toMatchObject({ plugin: 'faulty', err: { message: expect.stringContaining('stray timer blew up') } })
    expect(report.pluginErrors).toEqual([])
    const again = await suite.run(data(), key)
    expect(again.pluginErrors).toEqual([])
    expect(lines.filter((l) => l.msg === 'faulty afterRun ran').length).toBe(2)
    expect(lines.filter((l) => l.msg === 'healthy delivered').length).toBe(2)
    const stored = await suite.db.getResults({ suite: 'iso', date: key.date, tags: key.tags })
    expect(stored).toHaveLength(report.results.length + again.results.length)
  })

  it.each([
    ['no-plugin', /exports no plugin/],
    ['import-throws', /broken at import/],
    ['import-loop', /did not finish loading within \d+ ms/],
    ['does-not-exist', /Cannot find module|ERR_MODULE_NOT_FOUND|not found/i],
  ])(
    'refuses a module that cannot be loaded (%s) with a DqxError naming it and why',
    async (name, reason) => {
      const { suite } = suiteWith([
        isolated(fixture(name), { mode, loadTimeoutMs: mode === 'process' ? 4_000 : 1_000 }),
      ])
      const err = await suite.run(data(), key).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DqxError)
      expect((err as Error).message).toContain(`${name}.mjs`)
      expect((err as Error).message).toMatch(reason)
    },
  )
})

describe('isolated() across suites and plugin forms', () => {
  it('gives each suite sharing one isolated() plugin a sandbox and a config of its own', async () => {
    const shared = isolated(fixture('recorder'), { name: 'recorder' })
    const a = suiteWith([shared], { pluginConfig: { recorder: { label: 'a' } } })
    const b = suiteWith([shared], { pluginConfig: { recorder: { label: 'b' } } })
    await a.suite.run(data(), key)
    await b.suite.run(data(), key)
    await a.suite.run(data(), key)
    const applied = (lines: Record<string, unknown>[]) =>
      seenBy(lines, 'recorder')
        .filter((x) => x.hook === 'beforeRun')
        .map((x) => x.applied)
    expect(applied(a.lines)).toEqual([{ label: 'A' }, { label: 'A' }])
    expect(applied(b.lines)).toEqual([{ label: 'B' }])
    // Closing one suite ends its sandboxes only.
    await a.suite.close()
    const again = await b.suite.run(data(), key)
    expect(again.pluginErrors).toEqual([])
    expect(applied(b.lines)).toEqual([{ label: 'B' }, { label: 'B' }])
  })

  it('runs a ResultProcessor module (initialize once, process per run) in its sandbox', async () => {
    const { suite, lines } = suiteWith([isolated(fixture('processor'), { name: 'proc' })], {
      pluginConfig: { proc: { label: 'x' } },
    })
    await suite.run(data(), key)
    await suite.run(data(), key)
    expect(lines.filter((l) => l.msg === 'proc processed').map((l) => [l.n, l.suiteName, l.label])).toEqual([
      [2, 'iso', 'x'],
      [2, 'iso', 'x'],
    ])
  })

  it('caps the heap at 256 MB when memoryMb is not given', async () => {
    const { suite } = suiteWith([isolated(fixture('faulty'), { timeoutMs: 60_000 })], {
      pluginConfig: { faulty: { fault: 'memory' } },
    })
    const report = await suite.run(data(), key)
    expect(report.pluginErrors[0]?.error?.message).toMatch(/exceeded its memory limit of 256 MB \(memoryMb\)/)
  })

  it('refuses a config that cannot cross into the sandbox, naming the plugin and the key', async () => {
    const cases: [unknown, string][] = [
      [{ format: () => 'x', n: 1 }, "pluginConfig['healthy'].format is a function"],
      [{ list: [1, { id: Symbol('s') }] }, "pluginConfig['healthy'].list[1].id is a symbol"],
      [{ cache: new WeakMap() }, "pluginConfig['healthy'].cache is a WeakMap"],
    ]
    for (const [config, message] of cases) {
      const { suite } = suiteWith([isolated(fixture('healthy'))], { pluginConfig: { healthy: config } })
      const err = await suite.run(data(), key).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DqxError)
      expect((err as DqxError).code).toBe('INVALID_PLUGIN_CONFIG')
      expect((err as Error).message).toContain(
        `${message}, which cannot be sent to isolated plugin 'healthy'`,
      )
    }
    // Plain data of every cloneable kind crosses.
    const { suite, lines } = suiteWith([isolated(fixture('healthy'))], {
      pluginConfig: { healthy: { at: new Date(0), re: /x/, list: [1, 'a', null], nested: { ok: true } } },
    })
    expect((await suite.run(data(), key)).pluginErrors).toEqual([])
    expect(lines.filter((l) => l.msg === 'healthy delivered')).toHaveLength(1)
  })
})

describe('isolated() arguments', () => {
  it('refuses a bad specifier, mode or limit', () => {
    expect(() => isolated('')).toThrow('isolated() needs a module specifier')
    expect(() => isolated('./x.js', { mode: 'thread' as IsolationMode })).toThrow(
      "mode must be 'worker' or 'process'",
    )
    expect(() => isolated('./x.js', { memoryMb: 0 })).toThrow(
      'memoryMb must be a positive whole number, got 0',
    )
  })
})
