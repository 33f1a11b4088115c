// An isolated plugin: a module run in a child process that may write only to one directory, with a
// deadline that really stops it (its afterRun loops forever) and a heap cap.
// Run: npm run build && npx tsx examples/isolated-plugin.ts
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check, DataSource, isolated, ResultKey, VerificationSuite } from '../src/index.js'

const reports = mkdtempSync(join(tmpdir(), 'dqx-isolated-'))
const orders = DataSource.fromRecords([
  { id: 1, amount: 12.5 },
  { id: 2, amount: -3 },
])
const sane = check({ name: 'orders are sane', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
  ctx.assertThat(mp.minimum('amount')).where({ name: 'no negative amounts' }).isGeq(0)
})

const suite = new VerificationSuite({
  name: 'isolated-demo',
  checks: [sane],
  audit: false,
  plugins: [
    isolated(fileURLToPath(new URL('./plugins/row-exporter.mjs', import.meta.url)), {
      mode: 'process',
      timeoutMs: 2_000,
      memoryMb: 64,
      permissions: { fsWrite: [reports] },
    }),
  ],
  pluginConfig: { 'row-exporter': { dir: reports, hang: true } },
})

try {
  const report = await suite.run({ orders }, new ResultKey('2026-11-25'))
  console.log('exported:', readdirSync(reports))
  for (const run of report.pluginErrors) {
    console.log(
      `✖ ${run.plugin} in ${run.hook}: ${run.timedOut ? 'timed out, sandbox restarted' : run.error?.message}`,
    )
  }
  console.log(`summary: ${report.summary.passed} passed, ${report.summary.failed} failed`)
} finally {
  await suite.close()
  rmSync(reports, { recursive: true, force: true })
}
