// `dqx plugins`, in process.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkDisabled, planPlugins, projectRoot } from '../../src/cli/plugin-plan.js'
import { cliInProcess, configTs, PASSING, project } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})
function dir(files: Record<string, string>): string {
  const p = project(files, 'dqx-plugins-')
  cleanups.push(p.cleanup)
  return p.dir
}

const pkg = (
  name: string,
  manifest: Record<string, unknown>,
  files: Record<string, string> = {},
): Record<string, string> => {
  const out: Record<string, string> = {
    [`node_modules/${name}/package.json`]: JSON.stringify({ name, type: 'module', ...manifest }),
  }
  for (const [f, text] of Object.entries(files)) out[`node_modules/${name}/${f}`] = text
  return out
}

const PROJECT = {
  'package.json': JSON.stringify({
    name: 'proj',
    dependencies: { 'dqx-plugin-slack': '1', 'dqx-plugin-bad': '1', 'dqx-plugin-fn': '1' },
  }),
  ...pkg(
    'dqx-plugin-slack',
    { version: '3.1.0', dqx: { plugins: { slack: './p.js' } } },
    {
      'p.js': `export default {
  name: 'slack',
  configSchema: { '~standard': { version: 1, vendor: 'test', validate: (v) =>
    v && typeof v.url === 'string' ? { value: v } : { issues: [{ message: 'url must be a string', path: ['url'] }] } } },
  apply() {},
}
`,
    },
  ),
  ...pkg('dqx-plugin-bad', { dqx: { plugins: ['not', 'an', 'object'] } }),
  ...pkg(
    'dqx-plugin-fn',
    { dqx: { plugins: { fn: './p.js' } } },
    { 'p.js': 'export default function (suite) {}\n' },
  ),
}

describe('dqx plugins', () => {
  it('lists the plugins of each suite, discovery failures, and exits 1 when any is broken or misconfigured', async () => {
    const cwd = dir({
      ...PROJECT,
      'dqx.config.ts': configTs(
        PASSING,
        `  plugins: [{ name: 'fn', process() {} }],
  pluginConfig: { slack: { url: 42 }, slak: {} },`,
      ),
    })
    const r = await cliInProcess(['plugins'], cwd)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("Plugins of suite 'shop' (dqx.config.ts)")
    expect(r.stdout).toMatch(/audit +│ object +│ built-in +│ ok/)
    expect(r.stdout).toMatch(/fn +│ processor +│ dqx.config.ts plugins\[0\] +│ ok/)
    expect(r.stdout).toMatch(/slack +│ object +│ package dqx-plugin-slack@3.1.0 +│ invalid config/)
    expect(r.stdout).toMatch(/fn +│ function +│ package dqx-plugin-fn +│ shadowed/)
    expect(r.stdout).toMatch(/— +│ — +│ package dqx-plugin-bad +│ failed/)
    expect(r.stdout).toContain(
      "✖ slack (package dqx-plugin-slack@3.1.0)\n    invalid pluginConfig for plugin 'slack': url: url must be a string\n",
    )
    expect(r.stdout).toContain(
      "○ fn (package dqx-plugin-fn)\n    the config's plugins[0] has the same name and is used instead\n",
    )
    expect(r.stdout).toContain('✖ — (package dqx-plugin-bad)\n    "dqx.plugins" must be an object')
    expect(r.stdout).toContain(
      "✖ pluginConfig\n    unknown plugin 'slak' in pluginConfig — did you mean 'slack'?",
    )
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80)

    const json = await cliInProcess(['plugins', '--json'], cwd)
    expect(json.code).toBe(1)
    const out = JSON.parse(json.stdout)
    expect(out.config).toBe('dqx.config.ts')
    expect(out.project).toBe(cwd)
    expect(out.suites[0].suite).toBe('shop')
    expect(out.suites[0].plugins[0]).toEqual({
      name: 'audit',
      kind: 'object',
      source: 'built-in',
      status: 'ok',
      runs: 'in-process',
    })
    expect(out.suites[0].problems).toHaveLength(1)
  })

  it('exits 0 when every plugin is fine; a configured plugin named audit replaces the built-in', async () => {
    const cwd = dir({
      ...PROJECT,
      'package.json': JSON.stringify({ dependencies: { 'dqx-plugin-slack': '1' } }),
      'dqx.config.ts': configTs(
        PASSING,
        `  plugins: [{ name: 'audit', apply() {} }, (suite) => { suite.hooks.afterRun.tap('note', () => {}) }],
  pluginConfig: { slack: { url: 'https://hooks.example' } },`,
      ),
    })
    const r = await cliInProcess(['plugins', '--verbose'], cwd)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/audit +│ object +│ dqx.config.ts plugins\[0\] +│ ok/)
    // an inline function plugin without a name is anonymous-<n>, as everywhere else
    expect(r.stdout).toMatch(/anonymous-1 +│ function +│ dqx.config.ts plugins\[1\] +│ ok/)
    expect(r.stdout).not.toContain('built-in')
  })

  it('shows one section per suite of an array config; discover: false leaves discovered plugins out', async () => {
    const cwd = dir({
      ...PROJECT,
      'dqx.config.ts': `import { check, DataSource, defineConfig } from 'dqx'
const c = check({ name: 'c' }, () => {})
export default defineConfig([
  { name: 'a', checks: [c], datasources: { d: DataSource.csv('d.csv') }, discover: false },
  { name: 'b', checks: [c], datasources: { d: DataSource.csv('d.csv') }, discover: false, audit: false },
])
`,
    })
    const r = await cliInProcess(['plugins'], cwd)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Plugins of suite 'a' (dqx.config.ts)")
    expect(r.stdout).toContain("Plugins of suite 'b' (dqx.config.ts)\n  (none)")
    expect(r.stdout).not.toContain('slack')
  })

  it('without a config file lists what discovery finds; without a package.json says discovery was skipped', async () => {
    const r = await cliInProcess(['plugins'], dir(PROJECT))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('Plugins discovered (no config file)')
    expect(r.stdout).toMatch(/slack +│ object +│ package dqx-plugin-slack@3.1.0 +│ ok/)
    expect(r.stdout).not.toContain('built-in')
    const empty = await cliInProcess(['plugins', '--json'], dir({}))
    expect(empty.code).toBe(0)
    expect(JSON.parse(empty.stdout)).toEqual({
      config: null,
      project: null,
      suites: [{ suite: null, plugins: [], problems: [] }],
    })
    const text = await cliInProcess(['plugins'], dir({}))
    expect(text.stdout).toContain('no package.json found: plugin discovery skipped')
  })

  it('exits 2 when --config names a missing file or the config is invalid', async () => {
    const cwd = dir({})
    const r = await cliInProcess(['plugins', '--config', 'x.ts'], cwd)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`dqx error: config file not found: ${join(cwd, 'x.ts')}`)
    const bad = await cliInProcess(
      ['plugins'],
      dir({ 'dqx.config.ts': configTs(PASSING, '  plugins: [{}],') }),
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(
      'dqx error: dqx.config.ts: plugins[0] is not a plugin: got an empty object {}',
    )
  })
})

describe('plugin planning', () => {
  it('finds the project root upwards and rejects unknown --disable-plugin names', () => {
    const cwd = dir({ 'package.json': '{}', 'a/b/.keep': '' })
    expect(projectRoot(join(cwd, 'a', 'b'))).toBe(cwd)
    expect(() => checkDisabled(new Set(['x']), [[]])).toThrow(
      "--disable-plugin 'x' matches no plugin (plugins: none)",
    )
    const rows = planPlugins(
      { config: { name: 's', checks: [], datasources: {} }, path: '', where: '' },
      {
        label: 'c.ts',
        discovery: {
          found: [],
          failures: [{ package: 'p', plugin: 'x', path: './x.js', reason: 'r' }],
          root: '/',
        },
        disabled: new Set(),
      },
    )
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['audit', 'ok'],
      ['x', 'failed'],
    ])
    expect(() => checkDisabled(new Set(['x']), [rows])).toThrow(
      "--disable-plugin 'x' matches no plugin (plugins: audit)",
    )
  })
})
