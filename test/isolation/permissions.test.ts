import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { check, DataSource, isolated, ResultKey, VerificationSuite } from '../../src/index.js'
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
