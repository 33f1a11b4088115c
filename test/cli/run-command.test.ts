// `dqx run` and the program around it, in process: flags, suites, plugins, errors.
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json' with { type: 'json' }
import { EXIT, runCli } from '../../src/cli/run.js'
import { parseTags, selectSuites, todayUtc } from '../../src/cli/run-command.js'
import { DqxError } from '../../src/core/errors.js'
import { cliInProcess, configTs, ORDERS_CSV, P0_FAILING, PASSING, project, sink } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})
function dir(files: Record<string, string>): string {
  const p = project(files, 'dqx-run-')
  cleanups.push(p.cleanup)
  return p.dir
}
const withData = (config: string, more: Record<string, string> = {}): string =>
  dir({ 'dqx.config.ts': config, 'data/orders.csv': ORDERS_CSV, ...more })

const marker = (name: string, body = '') => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({
    name,
    version: '2.0.0',
    type: 'module',
    dqx: { plugins: { [name.replace('dqx-plugin-', '')]: './p.js' } },
  }),
  [`node_modules/${name}/p.js`]: `export default { name: '${name.replace('dqx-plugin-', '')}', apply(suite) { suite.hooks.processResults.tap('${name.replace('dqx-plugin-', '')}', () => { ${body} }) } }\n`,
})

const TWO_SUITES = `import { check, DataSource, defineConfig } from 'dqx'
const rows = check({ name: 'rows' }, (mp, ctx) => { ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive() })
export default defineConfig([
  { name: 'orders', checks: [rows], datasources: { orders: DataSource.csv('data/orders.csv') } },
  { name: 'missing', checks: [rows], datasources: { gone: DataSource.csv('data/gone.csv') } },
])
`

const pluginRuns = (stdout: string): string[] =>
  (JSON.parse(stdout) as { pluginRuns: { plugin: string }[] }).pluginRuns.map((p) => p.plugin).sort()

describe('helpers', () => {
  it('parses tags, today and suite selection', () => {
    expect(parseTags(['a=1', 'b=x=y', 'a=2', 'e='])).toEqual({ a: '2', b: 'x=y', e: '' })
    expect(() => parseTags(['=v'])).toThrow("--tag must look like key=value, got '=v'")
    expect(todayUtc(new Date('2026-11-25T23:59:59-05:00'))).toBe('2026-11-26')
    expect(todayUtc()).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    const loaded = {
      file: '/x',
      label: 'x.ts',
      multiple: true,
      suites: ['alpha', 'beta'].map((name) => ({ config: { name } as never, path: '', where: '' })),
    }
    expect(selectSuites(loaded, []).length).toBe(2)
    expect(selectSuites(loaded, ['beta']).map((s) => s.config.name)).toEqual(['beta'])
    expect(() => selectSuites(loaded, ['alhpa'])).toThrow(
      "--suite 'alhpa' is not in x.ts — did you mean 'alpha'? (suites: alpha, beta)",
    )
    expect(() => selectSuites(loaded, ['zzzzzz'])).toThrow(
      new DqxError('INVALID_ARGUMENT', "--suite 'zzzzzz' is not in x.ts (suites: alpha, beta)"),
    )
  })
})

describe('the program', () => {
  it('prints help (0), the version (0), and treats a missing or unknown command as a usage error (2)', async () => {
    const cwd = dir({})
    const help = await cliInProcess(['--help'], cwd)
    expect(help.code).toBe(EXIT.OK)
    expect(help.stdout).toContain('Usage: dqx [options] [command]')
    expect(help.stdout).toMatch(/run \[options\] +run the suites/)
    const runHelp = await cliInProcess(['run', '--help'], cwd)
    expect(runHelp.stdout).toContain('--fail-on <severity>')
    expect(runHelp.stdout).toContain('default: "P1"')
    expect(runHelp.stdout).not.toContain('default: []')
    const version = await cliInProcess(['--version'], cwd)
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
    const none = await cliInProcess([], cwd)
    expect(none.code).toBe(EXIT.ERROR)
    expect(none.stderr).toContain('Usage: dqx')
    const typo = await cliInProcess(['rn'], cwd)
    expect(typo.code).toBe(EXIT.ERROR)
    expect(typo.stderr).toContain("error: unknown command 'rn'")
    expect(typo.stderr).toContain('(Did you mean run?)')
  })

  it('rejects bad flag values as usage errors (2)', async () => {
    const cwd = withData(configTs(PASSING))
    const sev = await cliInProcess(['run', '--fail-on', 'P9'], cwd)
    expect(sev.code).toBe(2)
    expect(sev.stderr).toContain(
      "option '--fail-on <severity>' argument 'P9' is invalid. Allowed choices are P0, P1, P2, P3.",
    )
    const conc = await cliInProcess(['run', '--concurrency', '0'], cwd)
    expect(conc.code).toBe(2)
    expect(conc.stderr).toContain('must be a positive whole number')
    const date = await cliInProcess(['run', '--date', '2026-02-30'], cwd)
    expect(date.code).toBe(2)
    expect(date.stderr).toContain("dqx error: --date '2026-02-30' does not exist in the calendar")
    const tag = await cliInProcess(['run', '--tag', 'novalue'], cwd)
    expect(tag.code).toBe(2)
    expect(tag.stderr).toContain("--tag must look like key=value, got 'novalue'")
    const tagKey = await cliInProcess(['run', '--tag', '1x=2'], cwd)
    expect(tagKey.code).toBe(2)
    expect(tagKey.stderr).toContain('ResultKey tag name "1x" is not allowed')
  })

  it('reports a missing config file (2) and honours --config relative to the working directory', async () => {
    const empty = await cliInProcess(['run'], dir({}))
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('dqx error: no config file in ')
    const cwd = dir({ 'conf/checks.config.ts': configTs(PASSING), 'conf/data/orders.csv': ORDERS_CSV })
    const r = await cliInProcess(['run', '--config', 'conf/checks.config.ts'], cwd)
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    const missing = await cliInProcess(['run', '-c', 'nope.ts'], cwd)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`config file not found: ${join(cwd, 'nope.ts')}`)
  })

  it('restores the working directory after a run', async () => {
    const before = process.cwd()
    await cliInProcess(['run'], withData(configTs(PASSING)))
    expect(process.cwd()).toBe(before)
  })
})

describe('dqx run', () => {
  it('runs every suite of an array config; one failing suite does not stop the others; --json is an array', async () => {
    const cwd = withData(TWO_SUITES)
    const r = await cliInProcess(['run', '--json', '--date', '2026-11-25'], cwd)
    expect(r.code).toBe(2)
    const out = JSON.parse(r.stdout) as Record<string, unknown>[]
    expect(out).toHaveLength(2)
    expect(out[0]?.suiteName).toBe('orders')
    expect(out[1]).toEqual({
      suiteName: 'missing',
      error: {
        name: 'DqxError',
        code: 'DATA_SOURCE',
        message: expect.stringContaining(`csv file not found at ${join(cwd, 'data', 'gone.csv')}`),
      },
    })
    expect(r.stderr).toContain("dqx error: suite 'missing': dataset 'gone'")

    const one = await cliInProcess(['run', '--suite', 'orders', '--json'], cwd)
    expect(one.code).toBe(0)
    expect((JSON.parse(one.stdout) as unknown[]).length).toBe(1) // still an array: the config is one
    const typo = await cliInProcess(['run', '--suite', 'order'], cwd)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("--suite 'order' is not in dqx.config.ts — did you mean 'orders'?")

    const tables = await cliInProcess(['run', '--suite', 'orders', '--suite', 'missing'], cwd)
    expect(tables.stdout).toContain('✔ orders: 1 passed')
    expect(tables.stdout).not.toContain('missing:')
  })

  it('--disable-plugin turns plugins off by name (their pluginConfig with them); unknown names are usage errors', async () => {
    const cwd = withData(
      configTs(
        PASSING,
        `  plugins: [{ name: 'configured', apply() {} }, (suite) => { suite.hooks.afterRun.tap('anon', () => {}) }],
  pluginConfig: { configured: { x: 1 } },`,
      ),
      {
        'package.json': JSON.stringify({ dependencies: { 'dqx-plugin-marker': '1' } }),
        ...marker('dqx-plugin-marker'),
      },
    )
    expect(pluginRuns((await cliInProcess(['run', '--json'], cwd)).stdout)).toEqual([
      'anon',
      'audit',
      'marker',
    ])
    const off = await cliInProcess(
      [
        'run',
        '--json',
        '--disable-plugin',
        'marker',
        '--disable-plugin',
        'audit',
        '--disable-plugin',
        'configured',
      ],
      cwd,
    )
    expect(off.code).toBe(0)
    expect(pluginRuns(off.stdout)).toEqual(['anon'])
    expect(off.stderr).not.toContain('dqx audit')
    const typo = await cliInProcess(['run', '--disable-plugin', 'markr'], cwd)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain(
      "--disable-plugin 'markr' matches no plugin — did you mean 'marker'? (plugins: audit, configured, anonymous-1, marker)",
    )
    // The inline function plugin is anonymous-1 (its tap's PluginRuns say 'anon').
    const anon = await cliInProcess(['run', '--json', '--disable-plugin', 'anonymous-1'], cwd)
    expect(anon.code).toBe(0)
    expect(pluginRuns(anon.stdout)).toEqual(['audit', 'marker'])
  })

  it('discover: false skips discovery; a configured plugin shadows a discovered one of the same name; failures are warned', async () => {
    const files = {
      'package.json': JSON.stringify({
        dependencies: { 'dqx-plugin-marker': '1', 'dqx-plugin-broken': '1', 'dqx-plugin-manifest': '1' },
      }),
      ...marker('dqx-plugin-marker'),
      'node_modules/dqx-plugin-manifest/package.json': JSON.stringify({
        name: 'dqx-plugin-manifest',
        dqx: { plugins: 1 },
      }),
      'node_modules/dqx-plugin-broken/package.json': JSON.stringify({
        name: 'dqx-plugin-broken',
        dqx: { plugins: { broken: './p.js' } },
      }),
      'node_modules/dqx-plugin-broken/p.js': 'export const nothing = 1\n',
    }
    const noDiscovery = withData(configTs(PASSING, '  discover: false,'), files)
    const a = await cliInProcess(['run', '--json'], noDiscovery)
    expect(pluginRuns(a.stdout)).toEqual(['audit'])
    expect(a.stderr).not.toContain('dqx warn')

    const shadowing = withData(
      configTs(
        PASSING,
        `  plugins: [{ name: 'marker', apply(suite) { suite.hooks.afterRun.tap('mine', () => {}) } }],`,
      ),
      files,
    )
    const b = await cliInProcess(['run', '--json'], shadowing)
    expect(b.code).toBe(0)
    // PluginRun.plugin is the tap's name: the configured plugin's tap ('mine') ran, the discovered one did not.
    expect(pluginRuns(b.stdout)).toEqual(['audit', 'mine'])
    expect(b.stderr).toContain(
      "dqx warn: plugin 'marker' from package dqx-plugin-marker@2.0.0 not used: the config's plugins[0] has the same name and is used instead",
    )
    expect(b.stderr).toContain(
      "dqx warn: plugin 'broken' from package 'dqx-plugin-broken' skipped: the module exports no plugin",
    )
    expect(b.stderr).toContain(
      'dqx warn: plugin from package \'dqx-plugin-manifest\' skipped: "dqx.plugins" must be an object',
    )
  })

  it('runs without a package.json (nothing to discover)', async () => {
    const r = await cliInProcess(['run', '--json'], withData(configTs(PASSING)))
    expect(r.code).toBe(0)
    expect(pluginRuns(r.stdout)).toEqual(['audit'])
  })

  it('failOnPluginError: prints the results, then the plugin failure, and exits 2', async () => {
    const cwd = withData(
      configTs(
        PASSING,
        `  failOnPluginError: true,
  plugins: [{ name: 'flaky', apply(suite) { suite.hooks.processResults.tap('flaky', () => { throw new Error('webhook down') }) } }],`,
      ),
    )
    const r = await cliInProcess(['run'], cwd)
    expect(r.code).toBe(2)
    expect(r.stdout).toContain('✔ shop: 2 passed, 0 failed, 0 skipped')
    expect(r.stderr).toContain("dqx error: 1 plugin run failed in suite 'shop': flaky@processResults")
    expect(r.stderr).toContain("dqx error: plugin 'flaky' failed in processResults: webhook down\n")
    const json = await cliInProcess(['run', '--json'], cwd)
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).pluginErrors).toEqual([
      expect.objectContaining({ plugin: 'flaky', error: { name: 'Error', message: 'webhook down' } }),
    ])
  })

  it('reports suite construction errors with the file (and the suite of an array config)', async () => {
    const dup = configTs(PASSING).replace('checks: [orders]', 'checks: [orders, orders]')
    const r = await cliInProcess(['run'], withData(dup))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("dqx error: dqx.config.ts: suite 'shop' has a duplicate check name 'orders'")
    const bad = await cliInProcess(['run'], withData(configTs(PASSING, '  plugins: [42],')))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('dqx error: dqx.config.ts: plugins[0] is not a plugin: got number 42')
    const arr = TWO_SUITES.replace(
      "{ name: 'missing', checks: [rows]",
      "{ name: 'missing', checks: [rows], pluginConfig: { nope: 1 }",
    )
    const cfg = await cliInProcess(['run'], withData(arr))
    expect(cfg.code).toBe(2)
    expect(cfg.stderr).toContain(
      "dqx error: dqx.config.ts: suites[1] ('missing'): unknown plugin 'nope' in pluginConfig",
    )
    expect(cfg.stdout).toBe('') // nothing ran
  })

  it('a check whose dataset the config does not provide fails the run at or above --fail-on, unless --allow-skipped', async () => {
    const typo = configTs(PASSING).replace("datasets: ['orders']", "datasets: ['ordrs']")
    const cwd = withData(typo)
    const r = await cliInProcess(['run'], cwd)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("○ P0 orders › has rows\n    dataset 'ordrs' not provided to this run")
    expect(r.stdout).toContain(
      '✖ shop: 0 passed, 0 failed, 2 skipped in', // then the duration
    )
    expect(r.stdout).toContain('— 2 skipped (dataset not provided) at or above P1')
    const json = await cliInProcess(['run', '--json'], cwd)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).results[0]).toMatchObject({
      status: 'SKIPPED',
      skipCause: 'dataset-not-provided',
    })
    // only P0 blocks: the P0 assertion is skipped
    expect((await cliInProcess(['run', '--fail-on', 'P0'], cwd)).code).toBe(1)
    const allowed = await cliInProcess(['run', '--allow-skipped'], cwd)
    expect(allowed.code).toBe(0)
    expect(allowed.stdout).toContain('✔ shop: 0 passed, 0 failed, 2 skipped in')
    // below --fail-on: a P2 assertion skipped for a missing dataset does not block at P1
    const p2 = configTs(
      `  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P2' }).isPositive()`,
    ).replace("datasets: ['orders']", "datasets: ['ordrs']")
    expect((await cliInProcess(['run'], withData(p2))).code).toBe(0)
  })

  it('--no-plugins ignores pluginConfig (no plugin to configure)', async () => {
    const cwd = withData(
      configTs(PASSING, `  plugins: [{ name: 'p', apply() {} }], pluginConfig: { p: { a: 1 } },`),
    )
    const r = await cliInProcess(['run', '--no-plugins', '--json'], cwd)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).pluginRuns).toEqual([])
  })

  it('--concurrency overrides the config; relative MetricDB files resolve from the config directory', async () => {
    const cwd = withData(
      configTs(PASSING, "  concurrency: 1,\n  db: MetricDB.duckdb('metrics.duckdb'),").replace(
        "import { check, DataSource, defineConfig } from 'dqx'",
        "import { check, DataSource, defineConfig, MetricDB } from 'dqx'",
      ),
    )
    const r = await cliInProcess(['run', '--concurrency', '3'], cwd)
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    const { existsSync } = await import('node:fs')
    expect(existsSync(join(cwd, 'metrics.duckdb'))).toBe(true)
  })

  it('--verbose shows debug logs (the scans) and stack traces; DQX_LOG_LEVEL picks the level', async () => {
    const cwd = withData(configTs(PASSING))
    const v = await cliInProcess(['run', '--verbose'], cwd)
    expect(v.code).toBe(0)
    expect(v.stderr).toContain('dqx debug: scan dataset=orders')
    const info = await cliInProcess(['run'], cwd, { DQX_LOG_LEVEL: 'info' })
    expect(info.stderr).toContain('dqx info: plugin finished plugin=audit hook=afterRun')
    expect(info.stderr).not.toContain('dqx debug')
    const broken = await cliInProcess(['run', '--verbose'], dir({ 'dqx.config.ts': configTs(PASSING) }))
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(
      /dqx error: suite 'shop': dataset 'orders': csv file not found[^\n]*\nDqxError: /,
    )
  })

  it('shows a spinner on a terminal, and colors when asked', async () => {
    const cwd = withData(configTs(P0_FAILING))
    const stdout = sink({ columns: 100 })
    const stderr = sink({ columns: 100 })
    const code = await runCli(['run', '--date', '2026-11-25'], {
      stdout,
      stderr,
      cwd,
      env: { TERM: 'xterm' },
    })
    expect(code).toBe(1)
    expect(stderr.text).toContain('\r\x1b[2K')
    expect(stderr.text).toContain('scanning orders (1/1)…')
    expect(stdout.text).toContain('\x1b[31m')
    for (const line of stdout.text.split('\n'))
      expect(stripVTControlCharacters(line).length).toBeLessThanOrEqual(100)
  })
})
