// Tiny inline plugins: one arrow function each, tapping the hooks they care about.
// Run: npx tsx examples/inline-plugin.ts
import { check, DataSource, ResultKey, type Suite, VerificationSuite } from '../src/index.js'

const orders = DataSource.fromRecords([
  { id: 1, email: 'a@example.com', amount: 12.5 },
  { id: 2, email: null, amount: 40 },
  { id: 3, email: 'c@example.com', amount: -3 },
])

const sane = check({ name: 'orders are sane', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.minimum('amount')).where({ name: 'no negative amounts', severity: 'P2' }).isGeq(0)
})

const suite = new VerificationSuite({
  name: 'inline',
  checks: [sane],
  audit: false, // the plugins below print what we want to see
  plugins: [
    // 1. log the run start
    (s: Suite) => s.hooks.beforeRun.tap('start', (ctx) => console.log(`▶ ${ctx.suiteName} for ${ctx.key}`)),
    // 2. print every failure, after evaluation, before any result processor
    (s: Suite) =>
      s.hooks.afterEvaluate.tap('failures', (ctx) => {
        for (const r of ctx.results.filter((r) => r.status === 'FAILED')) {
          console.log(
            `  ✖ [${r.severity}] ${r.check} › ${r.assertion}: ${r.expression} = ${r.value} (expected ${r.bound})`,
          )
        }
      }),
    // 3. a result processor that takes its time (it is bounded by its own timeout)
    (s: Suite) =>
      s.hooks.processResults.tapPromise({ name: 'slow-sink', timeoutMs: 2_000 }, async (ctx) => {
        await new Promise((r) => setTimeout(r, 20))
        ctx.logger.info({ passed: ctx.summary.passed }, 'delivered')
      }),
    // 4. the last word, with every plugin's timing
    (s: Suite) =>
      s.hooks.afterRun.tap('timings', (report) => {
        for (const run of report.pluginRuns)
          console.log(`  ${run.plugin}@${run.hook}: ${run.durationMs.toFixed(2)} ms`)
      }),
  ],
})

const report = await suite.run({ orders }, new ResultKey('2026-11-25'))
console.log(
  `${report.summary.passed}/${report.summary.total} passed; plugin errors: ${report.pluginErrors.length}`,
)
if (report.summary.failed !== 1 || report.pluginErrors.length !== 0) throw new Error('unexpected outcome')
