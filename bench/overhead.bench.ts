// Plugin machinery overhead on a real suite: the 10-metric check over 100k rows, run with 10
// no-op plugins (function plugins tapping processResults, afterEvaluate and afterRun) and with
// none, `audit: false` in both. Once from DataSource.fromRecords, once from a parquet file.
// The two variants run interleaved; the ratio is of the medians (target ≤ 1.05×).
// `npx tsx bench/overhead.bench.ts [--quick]` prints a table.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DataSource, type FunctionPlugin, ResultKey, VerificationSuite } from '../src/index.js'
import { printDetails } from './lib/report.js'
import {
  fromTimings,
  interleave,
  type MeasuredCase,
  median,
  round3,
  type Timing,
  timedCpu,
} from './lib/stats.js'
import { BASIC, generateParquet, readRecords, workloadCheck } from './lib/workload.js'
import { printCases } from './types.js'

const ROWS = 100_000

/** A function plugin named `name` (plugins are named by `fn.name`) that taps one hook with a no-op. */
function noopPlugin(name: string, hook: 'processResults' | 'afterEvaluate' | 'afterRun'): FunctionPlugin {
  const plugins: Record<string, FunctionPlugin> = {
    [name]: (suite) => {
      if (hook === 'processResults') suite.hooks.processResults.tapPromise(name, async () => {})
      else if (hook === 'afterEvaluate') suite.hooks.afterEvaluate.tap(name, () => {})
      else suite.hooks.afterRun.tap(name, () => {})
    },
  }
  return plugins[name] as FunctionPlugin
}

/** 10 no-op plugins: 4 on processResults (async), 3 on afterEvaluate, 3 on afterRun. */
export function noopPlugins(): FunctionPlugin[] {
  const hooks = [
    'processResults',
    'processResults',
    'processResults',
    'processResults',
    'afterEvaluate',
    'afterEvaluate',
    'afterEvaluate',
    'afterRun',
    'afterRun',
    'afterRun',
  ] as const
  return hooks.map((hook, i) => noopPlugin(`noop${i}-${hook}`, hook))
}

export async function run(opts: { quick: boolean; log?: (line: string) => void }): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  // Runs are short (the parquet one ~80 ms): many rounds make the medians steady on a busy machine.
  const rounds = opts.quick ? { records: 3, parquet: 5 } : { records: 21, parquet: 41 }
  const dir = await mkdtemp(join(tmpdir(), 'dqx-bench-'))
  try {
    const file = join(dir, 'orders.parquet')
    await generateParquet(file, ROWS)
    const records = await readRecords(file)
    const key = new ResultKey('2026-11-25')
    const make = (plugins: boolean): VerificationSuite =>
      new VerificationSuite({
        name: plugins ? 'with-plugins' : 'no-plugins',
        checks: [workloadCheck('orders', 'orders', BASIC)],
        audit: false,
        plugins: plugins ? noopPlugins() : [],
      })
    const withPlugins = make(true)
    const without = make(false)

    const cases: MeasuredCase[] = []
    for (const [what, source, n] of [
      ['DataSource.fromRecords', DataSource.fromRecords(records), rounds.records],
      ['DataSource.parquet', DataSource.parquet(file), rounds.parquet],
    ] as const) {
      const runOnce = (suite: VerificationSuite, taps: number) => async () =>
        timedCpu(async () => {
          const report = await suite.run({ orders: source }, key)
          if (report.summary.passed !== BASIC.length || report.pluginRuns.length !== taps) {
            throw new Error(
              `overhead: unexpected report (${report.summary.passed} passed, ${report.pluginRuns.length} plugin runs)`,
            )
          }
        })
      const samples = await interleave({ plugins: runOnce(withPlugins, 10), none: runOnce(without, 0) }, n, 2)
      const ours = samples.plugins as Timing[]
      const peer = samples.none as Timing[]
      const extra = median(ours.map((x, i) => x.wall - (peer[i] as Timing).wall))
      log(`overhead: ${what} done`)
      cases.push(
        fromTimings(
          {
            name: `10 no-op plugins vs none, ${what} ${ROWS / 1000}k rows`,
            peer: 'same suite, no plugins',
            target: '≤ 1.05×',
          },
          ours,
          peer,
          (r) => r <= 1.05,
          `median paired difference ${round3(extra)} ms per run`,
        ),
      )
    }

    // Failed-row samples (sampleLimit, default 10) only query when an assertion fails: with every
    // assertion passing, the suite must cost what it costs with samples off (target ≤ 1.02×).
    const sampling = (sampleLimit: number): VerificationSuite =>
      new VerificationSuite({
        name: `samples-${sampleLimit}`,
        checks: [workloadCheck('orders', 'orders', BASIC)],
        audit: false,
        sampleLimit,
      })
    const samplesOn = sampling(10)
    const samplesOff = sampling(0)
    const parquet = DataSource.parquet(file)
    const runSuite = (suite: VerificationSuite) => async () =>
      timedCpu(async () => {
        const report = await suite.run({ orders: parquet }, key)
        if (report.summary.passed !== BASIC.length)
          throw new Error('overhead: samples case expected all passing')
      })
    const s = await interleave({ on: runSuite(samplesOn), off: runSuite(samplesOff) }, rounds.parquet, 2)
    log('overhead: samples on/off done')
    cases.push(
      fromTimings(
        {
          name: `failed-row samples on vs off, nothing failing, parquet ${ROWS / 1000}k rows`,
          peer: 'same suite, sampleLimit: 0',
          target: '≤ 1.02×',
        },
        s.on as Timing[],
        s.off as Timing[],
        (r) => r <= 1.02,
      ),
    )
    return cases
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases('Plugin overhead on a real suite (medians of interleaved runs)', cases)
  printDetails(cases)
}
