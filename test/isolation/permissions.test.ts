import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { check, DataSource, DqxError, isolated, ResultKey, VerificationSuite } from '../../src/index.js'
import { captureLogger } from '../../src/testing/index.js'
import { type TempDir, tempDir } from '../helpers/data.js'

// Real child processes under Node 20's permission model (--experimental-permission).

const faulty = fileURLToPath(new URL('./fixtures/faulty.mjs', import.meta.url))
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})
const data = () => ({ orders: DataSource.fromRecords([{ id: 1 }]) })
const key = new ResultKey('2026-11-25')

let dirs: TempDir[] = []
const suites: VerificationSuite[] = []
afterEach(async () => {
  await Promise.all(suites.splice(0).map((s) => s.close()))
  for (const d of dirs) d.cleanup()
  dirs = []
})

async function runFaulty(config: Record<string, unknown>, permissions: Parameters<typeof isolated>[1] = {}) {
  const suite = new VerificationSuite({
    name: 'perm',
    checks: [orders],
    audit: false,
    logger: captureLogger('warn').logger,
    plugins: [isolated(faulty, { mode: 'process', ...permissions })],
    pluginConfig: { faulty: config },
  })
  suites.push(suite)
  return suite.run(data(), key)
}

describe("isolated({ mode: 'process' }) permissions", () => {
  it('lets the plugin write inside an allowed directory', async () => {
    const allowed = tempDir('dqx-iso-allowed-')
    dirs.push(allowed)
    const path = join(allowed.path, 'out.txt')
    const report = await runFaulty({ fault: 'write', path }, { permissions: { fsWrite: [allowed.path] } })
    expect(report.pluginErrors).toEqual([])
    expect(readFileSync(path, 'utf8')).toBe('written')
  })

  it('refuses a write elsewhere with ERR_ACCESS_DENIED as that plugin’s PluginRun error', async () => {
    const allowed = tempDir('dqx-iso-allowed-')
    const elsewhere = tempDir('dqx-iso-elsewhere-')
    dirs.push(allowed, elsewhere)
    const path = join(elsewhere.path, 'out.txt')
    const report = await runFaulty({ fault: 'write', path }, { permissions: { fsWrite: [allowed.path] } })
    expect(report.pluginErrors.map((r) => r.plugin)).toEqual(['faulty-results'])
    const error = report.pluginErrors[0]?.error as Error & { code?: string }
    expect(error.code).toBe('ERR_ACCESS_DENIED')
    expect(error.message).toContain("not allowed by the plugin's isolated({ permissions })")
    expect(existsSync(path)).toBe(false)
  })

  it('refuses to spawn a child process unless childProcess is allowed', async () => {
    const refused = await runFaulty({ fault: 'spawn' })
    expect((refused.pluginErrors[0]?.error as (Error & { code?: string }) | undefined)?.code).toBe(
      'ERR_ACCESS_DENIED',
    )
    const allowed = await runFaulty({ fault: 'spawn' }, { permissions: { childProcess: true } })
    expect(allowed.pluginErrors).toEqual([])
  })
})

describe('what a process sandbox may read', () => {
  const write = (root: string, files: Record<string, string>): void => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true })
      writeFileSync(join(root, name), text)
    }
  }
  const manifest = (name: string, deps: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', dependencies: deps, ...extra })

  async function runWith(
    plugin: Parameters<typeof isolated>[0],
    options: Parameters<typeof isolated>[1] = {},
  ) {
    const captured = captureLogger('info')
    const suite = new VerificationSuite({
      name: 'read',
      checks: [orders],
      audit: false,
      logger: captured.logger,
      plugins: [isolated(plugin, { mode: 'process', ...options })],
    })
    suites.push(suite)
    return { report: await suite.run(data(), key), lines: captured.lines }
  }

  it('an installed package: itself and its dependencies wherever npm hoisted them, nothing else', async () => {
    const project = tempDir('dqx-iso-read-')
    dirs.push(project)
    write(project.path, {
      'package.json': JSON.stringify({ name: 'app', dependencies: { 'dqx-plugin-deps': '1' } }),
      'secret.txt': 'not for plugins',
      // The plugin imports a file of its own package, a hoisted dependency and, through it, a nested one.
      // Its manifest also lists a dependency that is not installed, one whose manifest is broken,
      // and one that shout depends on too.
      'node_modules/dqx-plugin-deps/package.json': manifest('dqx-plugin-deps', {
        shout: '1',
        absent: '1',
        broken: '1',
        quiet: '1',
      }),
      'node_modules/broken/package.json': '{ not json',
      'node_modules/quiet/package.json': manifest('quiet'),
      'node_modules/quiet/index.js': 'export default (s) => s',
      'node_modules/dqx-plugin-deps/lib/name.js': "export const name = 'deps'",
      'node_modules/dqx-plugin-deps/index.js': `import { readFileSync } from 'node:fs'
import { name } from './lib/name.js'
import shout from 'shout'
export default function deps(suite) {
  suite.hooks.processResults.tap(name, (ctx) => {
    ctx.logger.info({ text: shout(name) }, 'deps delivered')
    readFileSync(${JSON.stringify(join(project.path, 'secret.txt'))}, 'utf8')
  })
}`,
      'node_modules/shout/package.json': manifest('shout', { exclaim: '1', quiet: '1' }),
      'node_modules/shout/index.js':
        "import exclaim from 'exclaim'\nexport default (s) => exclaim(s.toUpperCase())",
      'node_modules/shout/node_modules/exclaim/package.json': manifest('exclaim'),
      'node_modules/shout/node_modules/exclaim/index.js': "export default (s) => s + '!'",
    })
    const { report, lines } = await runWith(join(project.path, 'node_modules/dqx-plugin-deps/index.js'))
    expect(lines.find((l) => l.msg === 'deps delivered')?.text).toBe('DEPS!')
    expect((report.pluginErrors[0]?.error as (Error & { code?: string }) | undefined)?.code).toBe(
      'ERR_ACCESS_DENIED',
    )
  })

  it('a module of your own: its directory, not the project around it', async () => {
    const project = tempDir('dqx-iso-read-')
    dirs.push(project)
    write(project.path, {
      'package.json': JSON.stringify({ name: 'app', type: 'module' }),
      '.env': 'TOKEN=secret',
      'plugins/format.js': "export const format = (n) => n + ' results'",
      'plugins/mine.js': `import { readFileSync } from 'node:fs'
import { format } from './format.js'
export default function mine(suite) {
  suite.hooks.processResults.tap('mine', (ctx) => {
    ctx.logger.info({ text: format(ctx.results.length) }, 'mine delivered')
    readFileSync(${JSON.stringify(join(project.path, '.env'))}, 'utf8')
  })
}`,
    })
    const { report, lines } = await runWith(join(project.path, 'plugins/mine.js'))
    expect(lines.find((l) => l.msg === 'mine delivered')?.text).toBe('1 results')
    expect((report.pluginErrors[0]?.error as (Error & { code?: string }) | undefined)?.code).toBe(
      'ERR_ACCESS_DENIED',
    )
  })

  it('a module outside any package: its directory', async () => {
    const loose = tempDir('dqx-iso-loose-')
    dirs.push(loose)
    write(loose.path, {
      'plugin.mjs':
        "export default (suite) => suite.hooks.processResults.tap('loose', (ctx) => ctx.logger.info('loose delivered'))",
    })
    const { report, lines } = await runWith(join(loose.path, 'plugin.mjs'))
    expect(report.pluginErrors).toEqual([])
    expect(lines.filter((l) => l.msg === 'loose delivered')).toHaveLength(1)
  })

  it('a package name: resolved from dqx’s location; one that does not resolve fails to load, naming it', async () => {
    const selfRef = await runWith('dqx/plugin', { name: 'self' }).catch((e: unknown) => e)
    expect((selfRef as Error).message).toContain("isolated plugin 'self' (dqx/plugin)")
    expect((selfRef as Error).message).toContain('exports no plugin')
    const missing = await runWith('dqx-plugin-nowhere', { loadTimeoutMs: 5_000 }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(DqxError)
    expect((missing as Error).message).toMatch(/dqx-plugin-nowhere.*could not be loaded.*Cannot find package/)
  })
})
