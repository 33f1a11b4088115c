import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { normalizePlugins } from '../../src/suite/normalize-plugins.js'
import { PluginManager } from '../../src/suite/plugin-manager.js'
import { captureLogger } from '../../src/testing/index.js'

let root: string

/** Writes a package into the project's node_modules with the given package.json fields and files. */
function pkg(name: string, manifest: Record<string, unknown>, files: Record<string, string> = {}): void {
  const dir = join(root, 'node_modules', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.2.3', type: 'module', ...manifest }),
  )
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true })
    writeFileSync(join(dir, f), text)
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dqx-discovery-'))
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({
      name: 'project',
      dependencies: {
        'dqx-plugin-good': '1',
        'dqx-plugin-broken': '1',
        'not-a-plugin': '1',
        'not-installed': '1',
      },
      devDependencies: {
        'dqx-plugin-named': '1',
        'dqx-plugin-noexport': '1',
        'dqx-plugin-invalid': '1',
        '@scope/dqx-escape': '1',
      },
      optionalDependencies: {
        'dqx-plugin-badmanifest': '1',
        'dqx-plugin-badpath': '1',
        'dqx-plugin-dupe': '1',
        'dqx-plugin-badjson': '1',
      },
    }),
  )
  pkg(
    'dqx-plugin-good',
    { dqx: { plugins: { good: './dist/plugin.js', goodfn: './dist/fn.js' } } },
    {
      'dist/plugin.js': "export default { name: 'good', apply(suite) { globalThis.__goodApplied = true } }",
      'dist/fn.js': 'export default function (suite) {}',
    },
  )
  pkg(
    'dqx-plugin-named',
    { dqx: { plugins: { named: './p.js' } } },
    {
      'p.js': "export const plugin = { name: 'named', process() {} }",
    },
  )
  pkg(
    'dqx-plugin-broken',
    { dqx: { plugins: { broken: './p.js' } } },
    { 'p.js': "throw new Error('boom at import')" },
  )
  pkg(
    'dqx-plugin-noexport',
    { dqx: { plugins: { noexport: './p.js' } } },
    { 'p.js': 'export const other = 1' },
  )
  pkg(
    'dqx-plugin-invalid',
    { dqx: { plugins: { invalid: './p.js' } } },
    { 'p.js': 'export default { nope: true }' },
  )
  pkg('@scope/dqx-escape', { dqx: { plugins: { escape: '../../../evil.js' } } })
  pkg('dqx-plugin-badmanifest', { dqx: { plugins: ['x'] } })
  pkg('dqx-plugin-badpath', { dqx: { plugins: { badpath: 42 } } })
  pkg(
    'dqx-plugin-dupe',
    { dqx: { plugins: { good: './p.js' } } },
    { 'p.js': "export default { name: 'good', apply() {} }" },
  )
  pkg('not-a-plugin', {})
  mkdirSync(join(root, 'node_modules', 'dqx-plugin-badjson'), { recursive: true })
  writeFileSync(join(root, 'node_modules', 'dqx-plugin-badjson', 'package.json'), '{ not json')
  // Planted, undeclared: has a valid plugin but the project does not depend on it.
  pkg(
    'dqx-plugin-planted',
    { dqx: { plugins: { planted: './p.js' } } },
    {
      'p.js': "globalThis.__plantedLoaded = true; export default { name: 'planted', apply() {} }",
    },
  )
})

afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('PluginManager.discover', () => {
  it('loads declared plugins and records every failure with a reason', async () => {
    const { logger, lines } = captureLogger('debug')
    const m = await PluginManager.discover({ cwd: root, logger })
    expect([...m.plugins.keys()].sort()).toEqual(['good', 'goodfn', 'named'])
    expect(m.discovered.find((d) => d.name === 'good')).toMatchObject({
      package: 'dqx-plugin-good',
      version: '1.2.3',
    })
    const reasons = Object.fromEntries(m.failures.map((f) => [`${f.package}:${f.plugin ?? ''}`, f.reason]))
    expect(reasons['dqx-plugin-broken:broken']).toMatch(/^import failed: boom at import/)
    expect(reasons['dqx-plugin-noexport:noexport']).toMatch(/exports no plugin/)
    expect(reasons['dqx-plugin-invalid:invalid']).toMatch(/^the export is not a plugin/)
    expect(reasons['@scope/dqx-escape:escape']).toMatch(/leaves the package directory/)
    expect(reasons['dqx-plugin-badmanifest:']).toMatch(/"dqx.plugins" must be an object/)
    expect(reasons['dqx-plugin-badpath:badpath']).toMatch(/must be a string/)
    expect(reasons['dqx-plugin-dupe:good']).toMatch(/already declared by package 'dqx-plugin-good'/)
    expect(reasons['dqx-plugin-badjson:']).toMatch(/unreadable package.json/)
    expect(m.failures).toHaveLength(8)
    expect(lines.filter((l) => l.msg === 'plugin discovery failed')).toHaveLength(8)
    expect(lines.some((l) => l.msg === 'plugin discovered' && l.plugin === 'good')).toBe(true)
  })

  it('never loads an undeclared package sitting in node_modules', async () => {
    const m = await PluginManager.discover({ cwd: root })
    expect(m.plugins.has('planted')).toBe(false)
    expect((globalThis as Record<string, unknown>).__plantedLoaded).toBeUndefined()
  })

  it('hands a Map that a suite can take, naming function plugins by key', async () => {
    const m = await PluginManager.discover({ cwd: root })
    expect(
      normalizePlugins([m.plugins])
        .map((p) => p.name)
        .sort(),
    ).toEqual(['good', 'goodfn', 'named'])
  })

  it('fails clearly without a readable package.json', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dqx-nopkg-'))
    try {
      await expect(PluginManager.discover({ cwd: empty })).rejects.toThrow(/no package.json in/)
      writeFileSync(join(empty, 'package.json'), '[1]')
      const err = await PluginManager.discover({ cwd: empty }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DqxError)
      expect((err as DqxError).message).toMatch(/cannot read .*package.json: .* is not a JSON object/)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('finds packages in a parent directory node_modules and defaults to cwd', async () => {
    const nested = join(root, 'apps', 'web')
    mkdirSync(nested, { recursive: true })
    writeFileSync(join(nested, 'package.json'), JSON.stringify({ dependencies: { 'dqx-plugin-named': '1' } }))
    const m = await PluginManager.discover({ cwd: nested })
    expect([...m.plugins.keys()]).toEqual(['named'])
    const here = await PluginManager.discover()
    expect(here.cwd).toBe(process.cwd())
  })
})
