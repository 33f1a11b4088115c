import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  builtCli,
  childEnv,
  cliInProcess,
  configTs,
  ORDERS_CSV,
  PASSING,
  project,
  spawnCli,
} from '../cli/helpers.js'

// `isolation` in dqx.config.ts, `dqx run --isolate-plugins` and `dqx plugins`, with real worker
// threads and child processes: a project whose dependencies declare plugins (node_modules written
// by the test), run through the CLI in this process and through the built binary.

const pkg = (name: string, plugin: string, code: string): Record<string, string> => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({
    name,
    version: '1.0.0',
    type: 'module',
    dqx: { plugins: { [plugin]: './index.js' } },
  }),
  [`node_modules/${name}/index.js`]: code,
})

// Logs where it runs: a process under Node's permission model, a worker thread, or the CLI itself.
const PROBE = `import { isMainThread } from 'node:worker_threads'
export default function probe(suite) {
  suite.hooks.processResults.tap('probe', (ctx) => {
    const where = process.permission ? 'process' : isMainThread ? 'in-process' : 'worker'
    ctx.logger.warn('probe ran ' + where)
  })
}
`
// A synchronous loop: in-process it would hold the CLI forever.
const SPIN = `export default function spin(suite) {
  suite.hooks.processResults.tap('spin', () => { for (;;) {} })
}
`

const projects: { cleanup(): void }[] = []
afterAll(() => {
  for (const p of projects) p.cleanup()
})

function dir(extra: string, deps: Record<string, string> = PROBE_ONLY): string {
  const p = project({
    'package.json': JSON.stringify({
      name: 'shop',
      dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, '1'])),
    }),
    ...Object.assign(
      {},
      ...Object.entries(deps).map(([d, code]) => pkg(d, d.replace('dqx-plugin-', ''), code)),
    ),
    'data/orders.csv': ORDERS_CSV,
    'dqx.config.ts': configTs(PASSING, extra),
  })
  projects.push(p)
  return p.dir
}
const PROBE_ONLY = { 'dqx-plugin-probe': PROBE }

const where = (stderr: string): string[] =>
  [...stderr.matchAll(/probe ran (\w[\w-]*)/g)].map((m) => m[1] as string)

describe('isolation in dqx.config.ts', () => {
  it('runs discovered plugins as the config says, globally and per plugin name', async () => {
    const cwd = dir(`  audit: false,\n  isolation: { default: 'worker', plugins: { other: 'process' } },`, {
      'dqx-plugin-probe': PROBE,
      'dqx-plugin-other': PROBE.replace("'probe'", "'other'"),
    })
    const r = await cliInProcess(['run', '--date', '2026-11-25'], cwd)
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    expect(where(r.stderr).sort()).toEqual(['process', 'worker'])

    const plugins = await cliInProcess(['plugins', '--json'], cwd)
    const rows = JSON.parse(plugins.stdout).suites[0].plugins
    expect(rows.map((p: { name: string; runs: string }) => [p.name, p.runs])).toEqual([
      ['probe', 'worker'],
      ['other', 'process'],
    ])
  })

  it('keeps a plugin in-process when the config says false for it', async () => {
    const cwd = dir(
      `  audit: false,\n  plugins: [{ name: 'local', process() {} }],\n  isolation: { default: 'process', plugins: { probe: false, local: 'none' } },`,
    )
    const r = await cliInProcess(['run', '--date', '2026-11-25'], cwd)
    expect(r.code).toBe(0)
    expect(where(r.stderr)).toEqual(['in-process'])
    expect(r.stderr).not.toContain('runs in-process: isolation applies')
  })

  it('runs a plugin the config lists as isolated() in its sandbox, and shows it', async () => {
    const cwd = dir(
      `  audit: false,\n  discover: false,\n  plugins: [isolated('./plugins/local.mjs', { name: 'local', mode: 'process' })],`,
    )
    const { readFileSync, writeFileSync, mkdirSync } = await import('node:fs')
    mkdirSync(`${cwd}/plugins`)
    writeFileSync(`${cwd}/plugins/local.mjs`, PROBE)
    const file = `${cwd}/dqx.config.ts`
    writeFileSync(file, readFileSync(file, 'utf8').replace('import { check,', 'import { isolated, check,'))
    const r = await cliInProcess(['run', '--date', '2026-11-25'], cwd)
    expect(r.code).toBe(0)
    expect(where(r.stderr)).toEqual(['process'])
    const listed = await cliInProcess(['plugins'], cwd)
    expect(listed.stdout).toMatch(/local +│ object +│ process +│ dqx.config.ts plugins\[… +│ ok/)
  })

  it('refuses a malformed isolation setting, naming the file and the key', async () => {
    const cases: [string, string][] = [
      [
        `isolation: 'thread',`,
        "dqx.config.ts: isolation must be false (or 'none'), 'worker', 'process' or isolated() options",
      ],
      [
        `isolation: { plugins: { probe: { mode: 'proc' } } },`,
        "dqx.config.ts: isolation.plugins.probe.mode must be 'worker' or 'process', got \"proc\"",
      ],
      [
        `isolation: { default: { timeout: 5 } },`,
        "dqx.config.ts: isolation.default has an unknown option 'timeout' (allowed: mode, timeoutMs, memoryMb, permissions, loadTimeoutMs)",
      ],
      [
        `isolation: { plugins: { probe: { mode: 'process', permissions: { net: true } } } },`,
        "isolation.plugins.probe.permissions has an unknown key 'net' (allowed: fsRead, fsWrite, childProcess, worker)",
      ],
      [
        `isolation: { plugins: { prob: 'worker' } },`,
        "isolation.plugins names 'prob', which is no plugin of this suite — did you mean 'probe'?",
      ],
      [
        `isolation: { plugins: { zzzzzzzz: 'worker' } },`,
        "names 'zzzzzzzz', which is no plugin of this suite (plugins: audit, probe)",
      ],
      [
        `audit: false,\n  discover: false,\n  isolation: { plugins: { probe: 'worker' } },`,
        "names 'probe', which is no plugin of this suite (plugins: none)",
      ],
    ]
    for (const [extra, message] of cases) {
      const r = await cliInProcess(['run', '--date', '2026-11-25'], dir(`  ${extra}`))
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(message)
    }
  })

  it('refuses to isolate by name a plugin the config imported itself, and warns when the default would', async () => {
    const local = `  plugins: [{ name: 'local', process() {} }],\n`
    const named = await cliInProcess(
      ['run', '--date', '2026-11-25'],
      dir(`${local}  isolation: { plugins: { local: 'worker' } },`),
    )
    expect(named.code).toBe(2)
    expect(named.stderr).toContain(
      "isolation.plugins.local cannot isolate plugin 'local' (plugins[0]): the config imported it into this process already; list it in the config's plugins as isolated('<path of its module>') instead",
    )
    const cwd = dir(`${local}  isolation: 'worker',`)
    const run = await cliInProcess(['run', '--date', '2026-11-25'], cwd)
    expect(run.code).toBe(0)
    expect(run.stderr).toContain(
      "dqx warn: plugin 'local' from dqx.config.ts plugins[0] runs in-process: isolation applies to discovered plugins",
    )
    expect(where(run.stderr)).toEqual(['worker'])
    const listed = await cliInProcess(['plugins'], cwd)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/local +│ processor +│ in-process +│ dqx.config.ts plugins\[… +│ ok/)
    expect(listed.stdout).toMatch(/probe +│ object +│ worker +│ package dqx-plugin-pro… +│ ok/)
    expect(listed.stdout).toContain(
      '○ local (dqx.config.ts plugins[0])\n    runs in-process: isolation applies',
    )
  })

  it('honours isolation in dqx replay too', async () => {
    const cwd = dir(`  audit: false,\n  db: MetricDB.duckdb('metrics.duckdb'),\n  isolation: 'process',`)
    const file = `${cwd}/dqx.config.ts`
    const { readFileSync, writeFileSync } = await import('node:fs')
    writeFileSync(file, readFileSync(file, 'utf8').replace('import { check,', 'import { MetricDB, check,'))
    expect((await cliInProcess(['run', '--date', '2026-11-25'], cwd)).code).toBe(0)
    const r = await cliInProcess(['replay', '--date', '2026-11-25'], cwd)
    expect(r.code).toBe(0)
    expect(where(r.stderr)).toEqual(['process'])
  })
})

describe('isolation per suite of an array config', () => {
  it('discovers once per policy, gives each suite its own, and reports a bad package once', async () => {
    const cwd = dir('', {
      'dqx-plugin-probe': PROBE,
      'dqx-plugin-bad': 'export default 42',
    })
    const { writeFileSync } = await import('node:fs')
    // A manifest discovery refuses before any module loads, whatever the isolation.
    writeFileSync(
      `${cwd}/node_modules/dqx-plugin-bad/package.json`,
      JSON.stringify({ name: 'dqx-plugin-bad', dqx: { plugins: ['./index.js'] } }),
    )
    const suite = (name: string, isolation: string) => `  {
    name: '${name}',
    checks: [orders],
    datasources: { orders: DataSource.csv('data/orders.csv') },
    audit: false,
    isolation: ${isolation},
  },`
    writeFileSync(
      `${cwd}/dqx.config.ts`,
      `import { check, DataSource, defineConfig } from 'dqx'
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})
export default defineConfig([
${suite('a', "'worker'")}
${suite('b', "'process'")}
${suite('c', "'worker'")}
  { name: 'd', checks: [orders], datasources: { orders: DataSource.csv('data/orders.csv') }, discover: false },
])
`,
    )
    const r = await cliInProcess(['run', '--date', '2026-11-25'], cwd)
    expect(r.code).toBe(0)
    expect(where(r.stderr)).toEqual(['worker', 'process', 'worker'])
    expect(r.stderr.match(/from package 'dqx-plugin-bad' skipped/g)).toHaveLength(1)
    const listed = await cliInProcess(['plugins', '--config', 'dqx.config.ts'], cwd)
    expect(listed.stdout).toMatch(/— +│ — +│ — +│ package dqx-plugin-bad +│ failed/)
    expect(listed.stdout).toMatch(/probe +│ object +│ process +│/)
  })
})

describe('dqx run --isolate-plugins', () => {
  it('isolates every discovered plugin in a worker: a synchronous loop is stopped at its deadline', async () => {
    const cwd = dir(`  audit: false,\n  pluginTimeoutMs: 1_000,`, {
      'dqx-plugin-probe': PROBE,
      'dqx-plugin-spin': SPIN,
    })
    const r = await cliInProcess(['run', '--date', '2026-11-25', '--isolate-plugins', '--json'], cwd)
    expect(r.code).toBe(0)
    expect(where(r.stderr)).toEqual(['worker'])
    const report = JSON.parse(r.stdout)
    expect(
      report.pluginErrors.map((p: { plugin: string; timedOut: boolean }) => [p.plugin, p.timedOut]),
    ).toEqual([['spin', true]])
  })

  it('overrides the config default with the mode given; plugins set by name keep theirs', async () => {
    const cwd = dir(`  audit: false,\n  isolation: { default: 'worker', plugins: { other: false } },`, {
      'dqx-plugin-probe': PROBE,
      'dqx-plugin-other': PROBE.replace("'probe'", "'other'"),
    })
    const r = await cliInProcess(['run', '--date', '2026-11-25', '--isolate-plugins=process'], cwd)
    expect(r.code).toBe(0)
    expect(where(r.stderr).sort()).toEqual(['in-process', 'process'])
    const listed = await cliInProcess(['plugins', '--isolate-plugins', 'process', '--json'], cwd)
    expect(
      JSON.parse(listed.stdout).suites[0].plugins.map((p: { name: string; runs: string }) => [
        p.name,
        p.runs,
      ]),
    ).toEqual([
      ['probe', 'process'],
      ['other', 'in-process'],
    ])
  })

  it('refuses a mode that does not exist', async () => {
    const r = await cliInProcess(['run', '--isolate-plugins=thread'], dir(''))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      "option '--isolate-plugins [mode]' argument 'thread' is invalid. must be worker or process",
    )
  })
})

describe('the built CLI with --isolate-plugins', () => {
  let cli: string
  beforeAll(() => {
    cli = builtCli()
  }, 120_000)

  it('finds its sandbox runner in the bundle and runs each discovered plugin in its sandbox', async () => {
    const cwd = dir(`  audit: false,\n  pluginTimeoutMs: 2_000,`, {
      'dqx-plugin-probe': PROBE,
      'dqx-plugin-spin': SPIN,
    })
    for (const mode of ['worker', 'process']) {
      const r = await spawnCli(
        'node',
        [cli, 'run', '--date', '2026-11-25', `--isolate-plugins=${mode}`],
        cwd,
        childEnv(),
      )
      expect(r.code).toBe(0)
      expect(where(r.stderr)).toEqual([mode])
      expect(r.stderr).toMatch(/dqx error: plugin 'spin' failed in processResults: timed out after \d+ ms\n/)
    }
    const listed = await spawnCli('node', [cli, 'plugins', '--isolate-plugins'], cwd, childEnv())
    expect(listed.stdout).toMatch(/probe +│ object +│ worker +│/)
  })
})
