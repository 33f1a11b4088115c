// Presets: a named group of plugins with shared options, nested in the plugins array.
// Run: npx tsx examples/preset.ts
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { check, DataSource, definePlugin, definePreset, ResultKey, VerificationSuite } from '../src/index.js'
import { jsonReport, junit } from '../src/plugins/index.js'

// A configurable plugin: its config is validated by the schema when the suite is built.
const threshold = definePlugin({
  name: 'threshold',
  configSchema: z.object({ maxFailures: z.number().int().nonnegative() }),
  apply(suite, config) {
    suite.hooks.processResults.tap('threshold', (ctx) => {
      const verdict = ctx.summary.failed > config.maxFailures ? 'over' : 'within'
      console.log(
        `threshold: ${ctx.summary.failed} failure(s), ${verdict} the limit of ${config.maxFailures}`,
      )
    })
  },
})

// A preset bundles report writers; `false` entries (e.g. a disabled option) are skipped.
const ciReports = definePreset('ci-reports', (o: { dir: string; json: boolean }) => [
  junit({ file: join(o.dir, 'junit.xml') }),
  o.json && jsonReport({ file: join(o.dir, 'report.json') }),
])

const dir = await mkdtemp(join(tmpdir(), 'dqx-preset-'))
try {
  const checks = [
    check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
      ctx.assertThat(mp.nullCount('email')).where({ name: 'emails present', severity: 'P2' }).isZero()
    }),
  ]
  const suite = new VerificationSuite({
    name: 'preset-demo',
    checks,
    audit: false,
    plugins: [ciReports({ dir, json: true }), threshold],
    pluginConfig: { threshold: { maxFailures: 0 } },
  })
  console.log('plugins:', suite.plugins.map((p) => `${p.name} (${p.source})`).join(', '))
  const report = await suite.run(
    { orders: DataSource.fromRecords([{ email: 'a@x.io' }, { email: null }]) },
    new ResultKey('2026-11-25'),
  )
  const xml = await readFile(join(dir, 'junit.xml'), 'utf8')
  const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as { summary: { failed: number } }
  console.log(`junit.xml: ${xml.length} bytes, ${(xml.match(/<testcase /g) ?? []).length} testcases`)
  console.log(`report.json: ${json.summary.failed} failed`)
  if (report.pluginErrors.length > 0)
    throw new Error(`plugin errors: ${report.pluginErrors.map((r) => r.error?.message)}`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
