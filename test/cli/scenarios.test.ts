// The CLI's main scenarios, each run twice: in this process (runCli, for coverage) and as a child
// process (`tsx src/cli/main.ts`, real argv, streams and exit code). test/cli/built.test.ts runs
// the built dist/cli.js.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type CliResult,
  cliInProcess,
  cliTsx,
  configTs,
  ORDERS_CSV,
  P0_FAILING,
  P2_FAILING,
  PASSING,
  project,
} from './helpers.js'

type Runner = (argv: string[], cwd: string) => Promise<CliResult>

const PLUGIN_PKG = {
  'package.json': JSON.stringify({
    name: 'proj',
    private: true,
    dependencies: { 'dqx-plugin-marker': '1.0.0' },
  }),
  'node_modules/dqx-plugin-marker/package.json': JSON.stringify({
    name: 'dqx-plugin-marker',
    version: '1.0.0',
    type: 'module',
    dqx: { plugins: { marker: './plugin.js' } },
  }),
  'node_modules/dqx-plugin-marker/plugin.js': `export default {
  name: 'marker',
  apply(suite) { suite.hooks.processResults.tap('marker', () => {}) },
}
`,
}

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})

function dir(files: Record<string, string>): string {
  const p = project(files)
  cleanups.push(p.cleanup)
  return p.dir
}

const withData = (config: string, more: Record<string, string> = {}): string =>
  dir({ 'dqx.config.ts': config, 'data/orders.csv': ORDERS_CSV, ...more })

describe.each<[string, Runner]>([
  ['in process', cliInProcess],
  ['child process (tsx src/cli/main.ts)', cliTsx],
])('dqx run — %s', (_name, cli) => {
  it('exits 0 when every assertion passes, with progress and the audit on stderr and a table on stdout', async () => {
    const r = await cli(['run', '--date', '2026-11-25'], withData(configTs(PASSING)))
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('shop 2026-11-25')
    expect(r.stdout).toMatch(/PASS +│ P0 +│ has rows/)
    expect(r.stdout).toContain('✔ shop: 2 passed, 0 failed, 0 skipped')
    expect(r.stderr).toContain('scanning orders (1/1)')
    expect(r.stderr).toContain('evaluated 2 assertions')
    expect(r.stderr).toContain("dqx audit — suite 'shop'")
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
  })

  it('exits 1 on a P0 failure and explains it', async () => {
    const r = await cli(['run', '--date', '2026-11-25'], withData(configTs(P0_FAILING)))
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/FAIL +│ P0 +│ no null emails +│ +1 │/)
    expect(r.stdout).toContain('✖ P0 orders › no null emails')
    expect(r.stdout).toContain('nullCount(email) = 1, expected == 0')
    expect(r.stdout).toContain('1 at or above P1')
  })

  it('exits 0 with --fail-on P0 when only P2/P3 assertions fail, and 1 with --fail-on P2', async () => {
    const cwd = withData(configTs(P2_FAILING))
    const lenient = await cli(['run', '--date', '2026-11-25', '--fail-on', 'P0'], cwd)
    expect(lenient.code).toBe(0)
    expect(lenient.stdout).toContain('2 failed (P2: 1, P3: 1)')
    expect(lenient.stdout).toContain('none at or above P0')
    const byDefault = await cli(['run', '--date', '2026-11-25'], cwd)
    expect(byDefault.code).toBe(0)
    const strict = await cli(['run', '--date', '2026-11-25', '--fail-on', 'P2'], cwd)
    expect(strict.code).toBe(1)
    expect(strict.stdout).toContain('1 at or above P2')
  })

  it('exits 2 on a bad config, naming the file and the field', async () => {
    const empty = await cli(['run'], withData(configTs(PASSING).replace('checks: [orders]', 'checks: []')))
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('dqx error: dqx.config.ts: checks must be a non-empty array')
    expect(empty.stderr).not.toMatch(/\n\s+at /) // no stack trace without --verbose
    expect(empty.stdout).toBe('')
    const typo = await cli(['run'], withData(configTs(PASSING).replace('datasources:', 'datasource:')))
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("dqx.config.ts: unknown key 'datasource' — did you mean 'datasources'?")
  })

  it('exits 2 when a data file is missing, naming its path', async () => {
    const cwd = dir({ 'dqx.config.ts': configTs(PASSING) })
    const r = await cli(['run', '--date', '2026-11-25'], cwd)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`csv file not found at ${join(cwd, 'data', 'orders.csv')}`)
    expect(r.stderr).toContain("suite 'shop'")
    // The progress line ends before the audit (afterRun) prints the run error.
    expect(r.stderr).toContain('✖ shop: run failed\ndqx audit')
  })

  it('exits 2 on an unknown flag', async () => {
    const r = await cli(['run', '--bogus'], withData(configTs(PASSING)))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("error: unknown option '--bogus'")
    expect(r.stdout).toBe('')
  })

  it('--json prints the RunReport as the only thing on stdout; --tag and --date reach the ResultKey', async () => {
    const cwd = withData(configTs(P0_FAILING))
    const r = await cli(
      ['run', '--json', '--date', '2026-11-20', '--tag', 'env=prod', '--tag', 'region=eu'],
      cwd,
    )
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.suiteName).toBe('shop')
    expect(report.key).toEqual({ date: '2026-11-20', tags: { env: 'prod', region: 'eu' } })
    expect(report.results).toHaveLength(2)
    for (const res of report.results) {
      expect(res.date).toBe('2026-11-20')
      expect(res.tags).toEqual({ env: 'prod', region: 'eu' })
    }
    expect(report.summary.failuresBySeverity.P0).toBe(1)
    expect(report.pluginRuns.map((p: { plugin: string }) => p.plugin)).toContain('audit')
    expect(r.stderr).toContain("dqx audit — suite 'shop'")
    expect(r.stderr).toContain('Tags:       env=prod, region=eu')
  })

  it('--no-plugins runs no plugin at all: no audit, no discovered or configured plugin', async () => {
    const cwd = withData(
      configTs(
        PASSING,
        `  plugins: [{ name: 'configured', apply(suite) { suite.hooks.afterRun.tap('configured', () => {}) } }],`,
      ),
      PLUGIN_PKG,
    )
    const on = JSON.parse((await cli(['run', '--json'], cwd)).stdout)
    expect(on.pluginRuns.map((p: { plugin: string }) => p.plugin).sort()).toEqual([
      'audit',
      'configured',
      'marker',
    ])
    const off = await cli(['run', '--json', '--no-plugins'], cwd)
    expect(off.code).toBe(0)
    expect(JSON.parse(off.stdout).pluginRuns).toEqual([])
    expect(off.stderr).not.toContain('dqx audit')
  })

  it('dqx plugins lists discovered and configured plugins with source, kind and status', async () => {
    const cwd = withData(configTs(PASSING, `  plugins: [function tagger(suite) {}],`), {
      ...PLUGIN_PKG,
      'package.json': JSON.stringify({
        name: 'proj',
        dependencies: { 'dqx-plugin-marker': '1', 'dqx-plugin-broken': '1' },
      }),
      'node_modules/dqx-plugin-broken/package.json': JSON.stringify({
        name: 'dqx-plugin-broken',
        type: 'module',
        dqx: { plugins: { broken: './p.js' } },
      }),
      'node_modules/dqx-plugin-broken/p.js': "throw new Error('boom at import')",
    })
    const r = await cli(['plugins'], cwd)
    expect(r.code).toBe(1) // a plugin failed to load
    expect(r.stdout).toMatch(/audit +│ object +│ built-in +│ ok/)
    expect(r.stdout).toMatch(/tagger +│ function +│ dqx.config.ts plugins\[0\] +│ ok/)
    expect(r.stdout).toMatch(/marker +│ object +│ package dqx-plugin-marker@1.0.0 +│ ok/)
    expect(r.stdout).toMatch(/broken +│ — +│ package dqx-plugin-broken +│ failed/)
    expect(r.stdout).toContain('✖ broken (package dqx-plugin-broken)\n    import failed: boom at import')
  })

  it('dqx init writes a starter project that runs green, and refuses to overwrite without --force', async () => {
    const cwd = dir({})
    const first = await cli(['init'], cwd)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('created dqx.config.ts')
    expect(first.stdout).toContain('created data/orders.csv')
    expect(existsSync(join(cwd, 'data', 'orders.csv'))).toBe(true)

    writeFileSync(join(cwd, 'data', 'orders.csv'), 'mine\n')
    const again = await cli(['init'], cwd)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('dqx init would overwrite dqx.config.ts, data/orders.csv')
    expect(readFileSync(join(cwd, 'data', 'orders.csv'), 'utf8')).toBe('mine\n')

    const forced = await cli(['init', '--force'], cwd)
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain('overwrote data/orders.csv')
    const run = await cli(['run'], cwd)
    expect(run.stderr).not.toContain('dqx error')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('✔ starter: 5 passed, 0 failed, 0 skipped')
  })
})
