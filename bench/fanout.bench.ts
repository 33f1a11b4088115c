// processResults-style fan-out: N = 16 taps that each await 50 ms, through an
// AsyncParallelLimitHook at concurrency k ∈ {1, 2, 4, 8, 16}. The ideal wall
// time is ceil(N / k) · 50 ms; the target is within 10 % of it.
// `npx tsx bench/fanout.bench.ts [--quick]` prints a table.
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { Bench } from 'tinybench'
import { AsyncParallelLimitHook } from '../src/hooks/index.js'
import { type BenchCase, printCases } from './types.js'

const N = 16
const LATENCY_MS = 50
const CONCURRENCY = [1, 2, 4, 8, 16]

export async function run(opts: { quick: boolean }): Promise<BenchCase[]> {
  // Each sample is a whole fan-out (50–800 ms): a few samples are plenty.
  const bench = new Bench({ time: 0, iterations: opts.quick ? 2 : 5, warmupIterations: 1 })
  for (const k of CONCURRENCY) {
    // The suite's configuration: default timeout, argsForTap giving each tap its own frozen context.
    const hook = new AsyncParallelLimitHook<[{ signal?: AbortSignal }]>({
      name: 'processResults',
      concurrency: k,
      argsForTap: ([ctx], _tap, signal) => [Object.freeze({ ...ctx, signal })],
    })
    for (let i = 0; i < N; i++) hook.tapPromise(`sink${i}`, () => sleep(LATENCY_MS))
    bench.add(`k=${k}`, async () => {
      const runs = await hook.promise({})
      if (runs.length !== N || runs.some((r) => r.error !== undefined))
        throw new Error('a fan-out tap failed')
    })
  }
  await bench.run()
  return CONCURRENCY.map((k) => {
    const r = bench.getTask(`k=${k}`)?.result
    if (!r || !('latency' in r)) throw new Error(`fan-out k=${k} did not complete (${r?.state})`)
    const ideal = Math.ceil(N / k) * LATENCY_MS
    const ours = r.latency.mean
    const ratio = ours / ideal
    return {
      name: `fan-out N=${N} × ${LATENCY_MS} ms, concurrency ${k}`,
      ours,
      peer: 'ideal ceil(N/k)·L',
      peerValue: ideal,
      ratio,
      target: '≤ 1.1×',
      ok: ratio <= 1.1,
      unit: 'ms',
    }
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases('processResults fan-out (wall time per call, mean)', cases)
}
