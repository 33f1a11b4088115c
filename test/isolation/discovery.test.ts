import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check, DataSource, PluginManager, ResultKey, VerificationSuite } from '../../src/index.js'
import { isolationFor } from '../../src/suite/isolation/policy.js'
import { captureLogger } from '../../src/testing/index.js'

// A project whose dependencies declare plugins, one of which would hang any process importing it.

let root: string
function pkg(name: string, file: string, text: string): void {
  const dir = join(root, 'node_modules', name)
  mkdirSync(join(dir, 'dist'), { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      version: '2.0.0',
      type: 'module',
      dqx: { plugins: { [name.replace('dqx-plugin-', '')]: `./dist/${file}` } },
    }),
  )
  writeFileSync(join(dir, 'dist', file), text)
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dqx-iso-discovery-'))
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'project', dependencies: { 'dqx-plugin-hello': '2', 'dqx-plugin-hang': '2' } }),
  )
  pkg(
    'dqx-plugin-hello',
    'index.js',
    "export default function hello(s) { s.hooks.processResults.tap('hello', (ctx) => ctx.logger.info({ pid: process.pid, worker: !!globalThis.WorkerGlobalScope || typeof process.send === 'function' }, 'hello delivered')) }",
  )
  pkg('dqx-plugin-hang', 'index.js', 'for (;;) {}')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})

describe('PluginManager.discover({ isolation })', () => {
  it('wraps each discovered plugin in isolated() without importing it here, per plugin', async () => {
    const manager = await PluginManager.discover({
      cwd: root,
      isolation: { default: 'worker', plugins: { hello: { mode: 'process' } } },
    })
    expect(manager.failures).toEqual([])
    expect(manager.discovered.map((d) => [d.name, d.runs])).toEqual([
      ['hello', 'process'],
      ['hang', 'worker'],
    ])
    const { logger, lines } = captureLogger('info')
    const suite = new VerificationSuite({
      name: 'disc',
      checks: [orders],
      audit: false,
      logger,
      plugins: [manager.plugins.get('hello')],
    })
    try {
      const report = await suite.run(
        { orders: DataSource.fromRecords([{ id: 1 }]) },
        new ResultKey('2026-11-25'),
      )
      expect(report.pluginErrors).toEqual([])
      const line = lines.find((l) => l.msg === 'hello delivered')
      expect(line?.pid).not.toBe(process.pid)
    } finally {
      await suite.close()
    }
  })

  it('runs discovered plugins in-process when isolation is absent or false', async () => {
    const manager = await PluginManager.discover({ cwd: root, isolation: { plugins: { hang: 'worker' } } })
    expect(manager.discovered.map((d) => [d.name, d.runs])).toEqual([
      ['hello', 'in-process'],
      ['hang', 'worker'],
    ])
  })

  it('refuses a setting that is not false, a mode or options', () => {
    expect(() => isolationFor('x', 'thread' as never)).toThrow(
      "isolation must be false (or 'none'), 'worker', 'process' or isolated() options",
    )
    expect(() => isolationFor('x', { plugins: { x: 3 as never } })).toThrow(
      "isolation.plugins['x'] must be false",
    )
    expect(isolationFor('x', { mode: 'process', timeoutMs: 5 })).toEqual({ mode: 'process', timeoutMs: 5 })
    expect(isolationFor('x', false)).toBeUndefined()
    expect(isolationFor('x', undefined)).toBeUndefined()
  })
})
