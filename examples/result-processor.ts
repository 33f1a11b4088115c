// The ResultProcessor protocol: initialize(config) once, then process() for every run that evaluated.
// Run: npx tsx examples/result-processor.ts
import {
  type AssertionResult,
  check,
  DataSource,
  ResultKey,
  type ResultProcessor,
  type ResultsContext,
  type SymbolInfo,
  VerificationSuite,
} from '../src/index.js'

/** Keeps a running tally across runs, the way a results database would. */
class TallyProcessor implements ResultProcessor {
  readonly name = 'tally'
  private prefix = ''
  readonly seen: string[] = []

  initialize(config: unknown): void {
    this.prefix = (config as { prefix?: string } | undefined)?.prefix ?? ''
  }

  async process(
    results: readonly AssertionResult[],
    symbols: readonly SymbolInfo[],
    suiteName: string,
    context: ResultsContext,
  ): Promise<void> {
    const failed = results.filter((r) => r.status === 'FAILED').length
    const line = `${this.prefix}${suiteName} ${context.key.date}: ${results.length} results, ${failed} failed, ${symbols.length} metrics`
    this.seen.push(line)
    console.log(line)
  }
}

const tally = new TallyProcessor()
const suite = new VerificationSuite({
  name: 'sales-tally',
  checks: [
    check({ name: 'sales', datasets: ['sales'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('amount')).where({ name: 'revenue' }).isPositive()
      ctx.assertThat(mp.average('amount')).where({ name: 'avg ticket' }).isBetween(5, 50)
    }),
  ],
  audit: false,
  plugins: [tally], // an instance, not the class
  pluginConfig: { tally: { prefix: '[tally] ' } },
})

for (const [date, amounts] of [
  ['2026-11-24', [10, 20, 30]],
  ['2026-11-25', [90, 120]],
] as const) {
  const sales = DataSource.fromRecords(amounts.map((amount) => ({ amount })))
  await suite.run({ sales }, new ResultKey(date))
}
if (tally.seen.length !== 2) throw new Error('expected one process() call per run')
