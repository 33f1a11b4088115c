import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import type { AssertionResult, SymbolInfo } from '../../src/core/types.js'
import type { FunctionPlugin, Plugin, ResultProcessor, Suite } from '../../src/suite/plugin.js'
import { PluginManager } from '../../src/suite/plugin-manager.js'
import type { ResultsContext } from '../../src/suite/run-context.js'
import { captureLogger, makeResult } from '../../src/testing/index.js'

const results: AssertionResult[] = [
  makeResult({ suite: 'test_suite', check: 'test_check', assertion: 'test_assertion', value: 42 }),
]
const symbols: SymbolInfo[] = [
  {
    name: 'x_1',
    metric: 'average(price)',
    dataset: 'test_dataset',
    value: 42,
    date: results[0]!.date,
    tags: {},
  },
]

function processor(name: string, fail = false) {
  const calls: { config: unknown[]; processed: { suite: string; ctx: ResultsContext; n: number }[] } = {
    config: [],
    processed: [],
  }
  const plugin: ResultProcessor = {
    name,
    initialize(config) {
      calls.config.push(config)
    },
    process(r, _s, suite, ctx) {
      if (fail) throw new Error(`${name} exploded`)
      calls.processed.push({ suite, ctx, n: r.length })
    },
  }
  return { plugin, calls }
}

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dqx-manager-'))
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name: 'project',
      dependencies: { 'dqx-plugin-ok': '1', 'dqx-plugin-bad': '1', 'dqx-plugin-throws': '1' },
    }),
  )
  const pkg = (name: string, plugins: Record<string, string>, files: Record<string, string>) => {
    const dir = join(root, 'node_modules', name)
    mkdirSync(join(dir, 'dist'), { recursive: true })
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', type: 'module', dqx: { plugins } }),
    )
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text)
  }
  pkg(
    'dqx-plugin-ok',
    { test_plugin: './dist/plugin.js' },
    {
      'dist/plugin.js':
        "export default { name: 'test_plugin', initialize(c) { this.config = c }, process(r) { globalThis.__dqxProcessed = r.length } }",
    },
  )
  pkg('dqx-plugin-bad', { invalid: './dist/plugin.js' }, { 'dist/plugin.js': 'export default 42' })
  pkg(
    'dqx-plugin-throws',
    { broken: './dist/plugin.js' },
    { 'dist/plugin.js': "throw new Error('cannot load')" },
  )
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('PluginManager (the plan’s test list)', () => {
  it('initialization: a hand-built manager has no plugins and discovers nothing', () => {
    const manager = new PluginManager()
    expect(manager.getPlugins().size).toBe(0)
    expect(manager.failures).toEqual([])
    expect(manager.cwd).toBeUndefined()
  })

  it('discovery from a real package; an invalid and an unloadable plugin are skipped and reported', async () => {
    const { logger, lines } = captureLogger('warn')
    const manager = await PluginManager.discover({ cwd: root, logger })
    expect([...manager.getPlugins().keys()]).toEqual(['test_plugin'])
    expect(manager.failures.map((f) => [f.plugin, f.reason.split(':')[0]])).toEqual([
      ['invalid', expect.stringContaining('the export')],
      ['broken', 'import failed'],
    ])
    expect(lines.filter((l) => l.msg === 'plugin discovery failed')).toHaveLength(2)
    const runs = await manager.processAll({ results, symbols, suiteName: 'test_suite', context: {} })
    expect(runs.map((r) => [r.plugin, r.hook, r.error])).toEqual([
      ['test_plugin', 'processResults', undefined],
    ])
    expect((globalThis as Record<string, unknown>).__dqxProcessed).toBe(1)
  })

  it('process_all with no plugins does nothing and returns no runs', async () => {
    expect(
      await new PluginManager().processAll({ results: [], symbols: [], suiteName: 'test_suite' }),
    ).toEqual([])
  })

  it('process_all with config: initialize(config[name]) then process with results, symbols, suite and context', async () => {
    const { plugin, calls } = processor('test_plugin')
    const manager = new PluginManager().register('test_plugin', plugin)
    const runs = await manager.processAll({
      results,
      symbols,
      suiteName: 'test_suite',
      context: { runId: 'r-1', extra: 'value' },
      config: { test_plugin: { setting: 'value' } },
    })
    expect(runs.map((r) => r.error)).toEqual([undefined])
    expect(calls.config).toEqual([{ setting: 'value' }])
    expect(calls.processed.map((p) => [p.suite, p.n])).toEqual([['test_suite', 1]])
    const ctx = calls.processed[0]!.ctx as ResultsContext & { extra?: string }
    expect(ctx.runId).toBe('r-1')
    expect(ctx.extra).toBe('value')
    expect(ctx.key.date).toBe(results[0]!.date)
    expect(ctx.symbols).toEqual(symbols)
    expect(ctx.summary.total).toBe(1)
  })

  it('process_all without config initializes each plugin with {}', async () => {
    const { plugin, calls } = processor('p')
    await new PluginManager().register('p', plugin).processAll({ results, symbols, suiteName: 's' })
    expect(calls.config).toEqual([{}])
  })

  it('a failing plugin never raises: its run carries the error, the others still process', async () => {
    const bad = processor('bad', true)
    const good = processor('good')
    const seen: string[] = []
    const onError: Plugin = {
      name: 'watcher',
      apply(suite: Suite) {
        suite.hooks.onPluginError.tap('watcher', (ctx) => {
          seen.push(`${ctx.plugin}:${ctx.error.message}`)
        })
      },
    }
    const throwsInApply: Plugin = {
      name: 'fragile',
      apply() {
        throw new Error('no token')
      },
    }
    const { logger, lines } = captureLogger('info')
    const manager = new PluginManager({ logger })
      .register('bad', bad.plugin)
      .register('good', good.plugin)
      .register('watcher', onError)
      .register('fragile', throwsInApply)
    const runs = await manager.processAll({ results, symbols, suiteName: 's' })
    expect(runs.map((r) => [r.plugin, r.hook, r.error?.message])).toEqual([
      ['fragile', 'apply', "plugin 'fragile' (registered) failed in apply(): no token"],
      ['bad', 'processResults', 'bad exploded'],
      ['good', 'processResults', undefined],
      ['watcher', 'onPluginError', undefined],
    ])
    expect(good.calls.processed).toHaveLength(1)
    expect(seen).toEqual(['bad:bad exploded'])
    expect(lines.filter((l) => l.msg === 'plugin failed').map((l) => l.plugin)).toEqual(['fragile', 'bad'])
  })

  it('multiple plugins each process the same results, and each logs its timing', async () => {
    const one = processor('one')
    const two = processor('two')
    const fn: FunctionPlugin = function tapper(suite) {
      suite.hooks.processResults.tap('tapper', (ctx) => {
        one.calls.processed.push({ suite: `fn:${ctx.suiteName}`, ctx, n: ctx.results.length })
      })
    }
    const { logger, lines } = captureLogger('info')
    const manager = new PluginManager({ logger }).register('one', one.plugin).register('two', two.plugin)
    manager.register('tapper', fn)
    const runs = await manager.processAll({ results, symbols, suiteName: 's' })
    expect(runs.map((r) => r.plugin).sort()).toEqual(['one', 'tapper', 'two'])
    expect(two.calls.processed).toHaveLength(1)
    expect(one.calls.processed.map((p) => p.suite).sort()).toEqual(['fn:s', 's'])
    const timing = lines.filter((l) => typeof l.msg === 'string' && /processed results in/.test(l.msg))
    expect(timing.map((l) => [l.plugin, l.hook, typeof l.durationMs])).toEqual(
      runs.map((r) => [r.plugin, 'processResults', 'number']),
    )
    expect(String(timing[0]?.msg)).toMatch(/^plugin '\w+' processed results in \d+\.\d ms$/)
  })

  it('bad arguments are a DqxError naming the field', async () => {
    const m = new PluginManager()
    const bad = (input: unknown) => m.processAll(input as Parameters<PluginManager['processAll']>[0])
    await expect(bad(null)).rejects.toThrow(
      'processAll() takes { results, symbols, suiteName, context?, config? }',
    )
    await expect(bad({ results: 'x', symbols: [], suiteName: 's' })).rejects.toThrow(
      /results must be an array/,
    )
    await expect(bad({ results: [], symbols: {}, suiteName: 's' })).rejects.toThrow(
      /symbols must be an array/,
    )
    await expect(bad({ results: [], symbols: [], suiteName: ' ' })).rejects.toThrow(
      /suiteName must be a non-empty/,
    )
    await expect(bad({ results: [], symbols: [], suiteName: 's', context: [] })).rejects.toThrow(
      /context must be an object/,
    )
    await expect(bad({ results: [], symbols: [], suiteName: 's', config: 3 })).rejects.toThrow(
      /config must be an object/,
    )
    await expect(bad({ results: [], symbols: [], suiteName: 's', config: { nope: {} } })).rejects.toThrow(
      /unknown plugin 'nope' in pluginConfig/,
    )
    expect(() => new PluginManager(null as unknown as object)).toThrow(DqxError)
    expect(() => new PluginManager({ concurrency: 0 })).toThrow(
      /concurrency must be a whole number ≥ 1, got 0/,
    )
    expect(() => m.register('', processor('x').plugin)).toThrow(/name must be a non-empty string/)
    expect(() => m.register('x', 42 as unknown as Plugin)).toThrow(/register\('x'\): the plugin/)
    m.register('x', processor('x').plugin)
    expect(() => m.register('x', processor('x').plugin)).toThrow(
      "register(): a plugin named 'x' is already registered",
    )
  })
})
