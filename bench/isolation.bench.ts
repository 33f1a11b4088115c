// isolated() costs, measured side by side in one process:
//   start-up  the first run of a suite with one isolated plugin minus its second run (the sandbox
//             starts once per suite), per mode, against the budget (worker ≤ 60 ms, process ≤ 250 ms);
//   per call  one processResults call at 1,000 results with the plugin in a worker sandbox and in a
//             process sandbox vs the same module in-process: target ≤ in-process + 2 ms.
// `npx tsx bench/isolation.bench.ts [--quick]` prints a table.
import { fileURLToPath, pathToFileURL } from 'node:url'
import { check, DataSource, isolated, type Plugin, ResultKey, VerificationSuite } from '../src/index.js'
import type { ResultsContext } from '../src/suite/run-context.js'
import countFailures from './lib/count-failures.mjs'
import { type BenchCase, printCases } from './types.js'

const MODULE = fileURLToPath(new URL('./lib/count-failures.mjs', import.meta.url))
const RESULTS = 1_000
const key = new ResultKey('2026-11-25', { env: 'bench' })
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
  ctx.assertThat(mp.sum('amount')).where({ name: 'revenue' }).isGt(1_000)
})
const data = () => ({ orders: DataSource.fromRecords([{ id: 1, amount: 5 }]) })
const quiet = () => ({ audit: false, pluginTimeoutMs: 0 })

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** First run minus second run of a fresh suite: what a suite's first run pays once. */
async function firstRunExtra(plugin: () => Plugin, samples: number): Promise<number> {
  const costs: number[] = []
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now()
    const suite = new VerificationSuite({ name: 'b', checks: [orders], ...quiet(), plugins: [plugin()] })
    await suite.run(data(), key)
    const first = performance.now() - t0
    const t1 = performance.now()
    await suite.run(data(), key)
    const second = performance.now() - t1
    await suite.close()
    costs.push(first - second)
  }
  return median(costs)
}

/** Median ms of one processResults call over a 1,000-result context. */
async function perCall(plugin: Plugin, iterations: number): Promise<number> {
  const suite = new VerificationSuite({ name: 'b', checks: [orders], ...quiet(), plugins: [plugin] })
  const report = await suite.run(data(), key)
  const results = Array.from({ length: RESULTS }, (_, i) => report.results[i % report.results.length])
  const ctx = {
    ...report,
    ...quiet(),
    timestamp: report.startedAt,
    checks: ['orders'],
    results,
  } as unknown as ResultsContext
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now()
    const runs = await suite.hooks.processResults.promise(ctx)
    times.push(performance.now() - t0)
    if (runs.some((r) => r.error)) throw new Error(`bench plugin failed: ${runs[0]?.error?.message}`)
  }
  await suite.close()
  return median(times)
}

export async function run(opts: { quick: boolean }): Promise<BenchCase[]> {
  const samples = opts.quick ? 2 : 7
  const iterations = opts.quick ? 20 : 200
  // The in-process plugin's first-run extra (engine warm-up …) is subtracted: what is left is the sandbox's.
  const base = await firstRunExtra(() => countFailures as Plugin, samples)
  const worker = (await firstRunExtra(() => isolated(MODULE, { mode: 'worker' }), samples)) - base
  const processStart = (await firstRunExtra(() => isolated(MODULE, { mode: 'process' }), samples)) - base
  const inProcess = await perCall(countFailures as Plugin, iterations)
  const sandboxed = await perCall(isolated(MODULE, { name: 'count-failures' }), iterations)
  const inChild = await perCall(isolated(MODULE, { name: 'count-failures', mode: 'process' }), iterations)
  const budget = (name: string, ours: number, limit: number): BenchCase => ({
    name,
    ours,
    peer: 'budget',
    peerValue: limit,
    ratio: ours / limit,
    target: '≤ 1×',
    ok: ours <= limit,
    unit: 'ms',
  })
  return [
    budget('isolated() start-up, worker (first-run extra vs in-process)', worker, 60),
    budget('isolated() start-up, process (first-run extra vs in-process)', processStart, 250),
    ...(
      [
        ['worker', sandboxed],
        ['process', inChild],
      ] as const
    ).map(
      ([mode, ours]): BenchCase => ({
        name: `processResults call at ${RESULTS} results: ${mode} sandbox vs in-process (+2 ms allowed)`,
        ours,
        peer: 'in-process + 2 ms',
        peerValue: inProcess + 2,
        ratio: ours / (inProcess + 2),
        target: '≤ 1×',
        ok: ours <= inProcess + 2,
        unit: 'ms',
      }),
    ),
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases('isolated() costs (medians)', cases)
}
