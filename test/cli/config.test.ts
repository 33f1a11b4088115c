import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defineConfig } from '../../src/config/define-config.js'
import {
  CONFIG_FILES,
  displayPath,
  findConfigFile,
  loadConfig,
  validateConfig,
} from '../../src/config/load-config.js'
import { check, DataSource, DqxError, defineConfig as fromIndex, MetricDB } from '../../src/index.js'
import { configTs, ORDERS_CSV, PASSING, project } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})
function dir(files: Record<string, string>): string {
  const p = project(files, 'dqx-config-')
  cleanups.push(p.cleanup)
  return p.dir
}

const aCheck = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
})
const good = { name: 'shop', checks: [aCheck], datasources: { orders: DataSource.fromRecords([{ a: 1 }]) } }

function errorOf(fn: () => unknown): DqxError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    return err as DqxError
  }
  throw new Error('expected a DqxError')
}

async function loadError(files: Record<string, string>, name = 'dqx.config.ts'): Promise<string> {
  const cwd = dir(files)
  const err = await loadConfig(join(cwd, name), cwd).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DqxError)
  expect((err as DqxError).code).toBe('CONFIG')
  return (err as DqxError).message
}

describe('defineConfig', () => {
  it('is exported from dqx and returns its argument unchanged (object, array, function)', () => {
    expect(fromIndex).toBe(defineConfig)
    expect(defineConfig(good)).toBe(good)
    const list = [good, { ...good, name: 'other' }]
    expect(defineConfig(list)).toBe(list)
    const fn = async () => good
    expect(defineConfig(fn)).toBe(fn)
  })
})

describe('findConfigFile', () => {
  it('finds dqx.config.ts first, then .mts, .js, .mjs', () => {
    const cwd = dir({ 'dqx.config.mjs': '', 'dqx.config.js': '' })
    expect(findConfigFile(cwd)).toBe(join(cwd, 'dqx.config.js'))
    expect(CONFIG_FILES).toEqual(['dqx.config.ts', 'dqx.config.mts', 'dqx.config.js', 'dqx.config.mjs'])
  })

  it('resolves --config from the working directory and says what is missing', () => {
    const cwd = dir({ 'conf/my.config.ts': '' })
    mkdirSync(join(cwd, 'adir'))
    expect(findConfigFile(cwd, 'conf/my.config.ts')).toBe(join(cwd, 'conf', 'my.config.ts'))
    expect(errorOf(() => findConfigFile(cwd, 'nope.ts')).message).toBe(
      `config file not found: ${join(cwd, 'nope.ts')}`,
    )
    expect(errorOf(() => findConfigFile(cwd, 'adir')).message).toContain('config path is not a file')
    expect(errorOf(() => findConfigFile(cwd)).message).toBe(
      `no config file in ${cwd} (looked for dqx.config.ts, dqx.config.mts, dqx.config.js, dqx.config.mjs); create one with \`dqx init\` or pass --config <file>`,
    )
  })

  it('names files relative to the working directory when inside it', () => {
    expect(displayPath('/a/b/c.ts', '/a')).toBe('b/c.ts')
    expect(displayPath('/x/c.ts', '/a')).toBe('/x/c.ts')
    expect(displayPath('/a', '/a')).toBe('/a')
  })
})

describe('loadConfig', () => {
  it('loads TypeScript, .mjs and .mts configs that import dqx (the CLI’s own module instance)', async () => {
    const cwd = dir({ 'dqx.config.ts': configTs(PASSING), 'data/orders.csv': ORDERS_CSV })
    const loaded = await loadConfig(join(cwd, 'dqx.config.ts'), cwd)
    expect(loaded.label).toBe('dqx.config.ts')
    expect(loaded.multiple).toBe(false)
    expect(loaded.suites[0]?.config.name).toBe('shop')
    expect(loaded.suites[0]?.config.datasources.orders).toBeInstanceOf(DataSource)

    const js = dir({
      'dqx.config.mjs': `import { check, DataSource } from 'dqx'
export default [{ name: 'a', checks: [check({ name: 'x' }, () => {})], datasources: { d: DataSource.csv('d.csv') } }]`,
      'other.mts': `import { defineConfig, check, DataSource } from 'dqx'
const c: number = 1
export default defineConfig(async () => ({ name: 'b' + c, checks: [check({ name: 'x' }, () => {})], datasources: { d: DataSource.csv('d.csv') } }))`,
    })
    const mjs = await loadConfig(join(js, 'dqx.config.mjs'), js)
    expect(mjs.multiple).toBe(true)
    expect(mjs.suites[0]?.where).toBe("suites[0] ('a'): ")
    expect(mjs.suites[0]?.path).toBe('suites[0].')
    const mts = await loadConfig(join(js, 'other.mts'), '/elsewhere')
    expect(mts.label).toBe(join(js, 'other.mts'))
    expect(mts.suites[0]?.config.name).toBe('b1')
  })

  it('gives modules the config imports (TypeScript too) the same dqx module', async () => {
    const cwd = dir({
      'checks/orders.ts': `import { check, DataSource } from 'dqx'
export const orders = check({ name: 'orders' }, (mp, ctx) => { ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive() })
export const source: DataSource = DataSource.csv('data/orders.csv')
`,
      'dqx.config.ts': `import { defineConfig } from 'dqx'
import { orders, source } from './checks/orders'
export default defineConfig({ name: 'x', checks: [orders], datasources: { orders: source } })
`,
    })
    const loaded = await loadConfig(join(cwd, 'dqx.config.ts'), cwd)
    expect(loaded.suites[0]?.config.datasources.orders).toBeInstanceOf(DataSource)
  })

  it('reports load failures with the file name', async () => {
    expect(await loadError({ 'dqx.config.ts': 'export default {{' })).toMatch(
      /^dqx.config.ts: failed to load: /,
    )
    expect(await loadError({ 'dqx.config.ts': "import { DataSource } from 'dqx'\nDataSource.csv('')" })).toBe(
      'dqx.config.ts: DataSource.csv() needs a file path or glob, got string',
    )
    expect(await loadError({ 'dqx.config.ts': 'export const x = 1' })).toBe(
      'dqx.config.ts has no default export; write `export default defineConfig({ name, checks, datasources })`',
    )
    expect(await loadError({ 'dqx.config.ts': "export default () => { throw new Error('no env') }" })).toBe(
      'dqx.config.ts: the exported config function failed: no env',
    )
    expect(await loadError({ 'dqx.config.ts': "throw 'plain string'" })).toBe(
      'dqx.config.ts: failed to load: plain string',
    )
    expect(await loadError({ 'dqx.config.ts': "import 'no-such-package-xyz'\nexport default {}" })).toContain(
      "dqx.config.ts: failed to load: Cannot find module 'no-such-package-xyz'",
    )
  })
})

describe('validateConfig', () => {
  const msg = (value: unknown): string =>
    errorOf(() => validateConfig(value, '/p/dqx.config.ts', 'dqx.config.ts')).message

  it('accepts a complete suite config', () => {
    const full = {
      ...good,
      db: MetricDB.memory(),
      plugins: [],
      pluginConfig: {},
      concurrency: 2,
      pluginTimeoutMs: 0,
      failOnPluginError: true,
      audit: false,
      discover: false,
    }
    const loaded = validateConfig(full, '/p/dqx.config.ts', 'dqx.config.ts')
    expect(loaded).toEqual({
      file: '/p/dqx.config.ts',
      label: 'dqx.config.ts',
      multiple: false,
      suites: [{ config: full, path: '', where: '' }],
    })
  })

  it('names the file and the field of every mistake', () => {
    expect(msg(42)).toBe(
      'dqx.config.ts: the default export must be a suite config object { name, checks, datasources }, got number 42',
    )
    expect(msg(null)).toContain('got null')
    expect(msg({ ...good, name: '' })).toBe(
      'dqx.config.ts: name must be a non-empty string, got the string ""',
    )
    expect(msg({ ...good, checks: [] })).toBe(
      'dqx.config.ts: checks must be a non-empty array of check(), got an array',
    )
    expect(msg({ ...good, checks: 'x' })).toContain(
      'checks must be a non-empty array of check(), got the string "x"',
    )
    expect(msg({ ...good, checks: [aCheck, {}] })).toBe(
      'dqx.config.ts: checks[1] is not a check (got an object); create it with check({ name }, (mp, ctx) => { … })',
    )
    expect(msg({ ...good, datasources: undefined })).toBe(
      'dqx.config.ts: datasources must be an object of { name: DataSource }, got undefined',
    )
    expect(msg({ ...good, datasources: {} })).toContain('datasources is empty')
    expect(msg({ ...good, datasources: { orders: 'orders.csv' } })).toBe(
      `dqx.config.ts: datasources.orders is not a DataSource (got the string "orders.csv"); create it with DataSource.csv/parquet/json/sql/fromRecords imported from 'dqx'`,
    )
    expect(msg({ ...good, db: {} })).toContain('dqx.config.ts: db must be a MetricDB')
    expect(msg({ ...good, plugins: {} })).toBe('dqx.config.ts: plugins must be an array, got an object')
    expect(msg({ ...good, pluginConfig: [] })).toContain(
      'pluginConfig must be an object keyed by plugin name, got an array',
    )
    expect(msg({ ...good, concurrency: 0 })).toBe(
      'dqx.config.ts: concurrency must be a whole number >= 1, got number 0',
    )
    expect(msg({ ...good, pluginTimeoutMs: 1.5 })).toContain('pluginTimeoutMs must be a whole number >= 0')
    expect(msg({ ...good, audit: 'yes' })).toBe(
      'dqx.config.ts: audit must be true or false, got the string "yes"',
    )
    expect(msg({ ...good, discover: 1 })).toContain('discover must be true or false')
  })

  it('rejects unknown keys with a did-you-mean', () => {
    expect(msg({ ...good, plugin: [] })).toBe(
      "dqx.config.ts: unknown key 'plugin' — did you mean 'plugins'? (allowed: name, checks, datasources, db, plugins, pluginConfig, concurrency, pluginTimeoutMs, failOnPluginError, audit, sampleLimit, sampleColumns, discover, isolation)",
    )
    expect(msg({ ...good, zzzzzzzz: 1 })).toMatch(/^dqx.config.ts: unknown key 'zzzzzzzz' \(allowed: /)
  })

  it('checks arrays of suites: non-empty, each valid, unique names', () => {
    expect(msg([])).toBe(
      'dqx.config.ts: the default export is an empty array; list at least one suite config',
    )
    expect(msg([good, 'x'])).toBe(
      'dqx.config.ts: suites[1] must be a suite config object { name, checks, datasources }, got the string "x"',
    )
    expect(msg([good, { ...good, name: 'b', checks: [] }])).toContain(
      'dqx.config.ts: suites[1].checks must be a non-empty array',
    )
    expect(msg([good, { ...good, nme: 'b' }])).toContain("unknown key 'suites[1].nme' — did you mean 'name'?")
    expect(msg([good, good])).toBe(
      "dqx.config.ts: suites[1].name 'shop' is a duplicate of suites[0].name; suite names must be unique",
    )
  })
})
