// Hook dispatch: dqx's SyncHook / AsyncSeriesHook against tapable's and hookable's,
// with 1 and 10 no-op taps. `npx tsx bench/hooks.bench.ts [--quick]` prints a table.
//
// Each tinybench sample runs BATCH calls, so the per-sample overhead of the
// harness (two clock reads and an await) is spread over many calls; the
// figure reported is the median sample divided by BATCH, in ns per call.
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { createHooks } from 'hookable'
import { AsyncSeriesHook as TapableAsyncSeriesHook, SyncHook as TapableSyncHook } from 'tapable'
import { Bench, type Task } from 'tinybench'
import { AsyncSeriesHook, SyncHook } from '../src/hooks/index.js'
import { type BenchCase, printCases } from './types.js'

const BATCH = 100

type Fn = () => unknown

function syncBatch(call: Fn): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) call()
  }
}

function asyncBatch(call: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    for (let i = 0; i < BATCH; i++) await call()
  }
}

function nsPerCall(task: Task | undefined): number {
  const r = task?.result
  if (!r || !('latency' in r)) throw new Error(`bench task ${task?.name} did not complete (${r?.state})`)
  return (r.latency.p50 * 1e6) / BATCH
}

function compare(
  name: string,
  ours: number,
  peer: string,
  peerValue: number,
  limit: number,
  strict = false,
): BenchCase {
  const ratio = ours / peerValue
  return {
    name,
    ours,
    peer,
    peerValue,
    ratio,
    target: strict ? `< ${limit}×` : `≤ ${limit}×`,
    ok: strict ? ratio < limit : ratio <= limit,
    unit: 'ns/call',
  }
}

export async function run(opts: { quick: boolean }): Promise<BenchCase[]> {
  const bench = new Bench({
    time: opts.quick ? 150 : 1000,
    warmupTime: opts.quick ? 50 : 300,
    iterations: opts.quick ? 10 : 64,
  })
  const noop = (): void => {}
  const asyncNoop = async (): Promise<void> => {}

  bench.add(
    'clock',
    syncBatch(() => performance.now()),
  )
  for (const n of [1, 10]) {
    const tSync = new TapableSyncHook<[number]>(['ctx'])
    const tAsync = new TapableAsyncSeriesHook<[number]>(['ctx'])
    const hookable = createHooks<{ sync: (n: number) => void; async: (n: number) => Promise<void> }>()
    const ourSyncOff = new SyncHook<[number]>({ timeoutMs: 0 })
    const ourSync = new SyncHook<[number]>()
    const ourAsyncOff = new AsyncSeriesHook<[number]>({ timeoutMs: 0 })
    const ourAsync = new AsyncSeriesHook<[number]>()
    for (let i = 0; i < n; i++) {
      const name = `tap${i}`
      tSync.tap(name, noop)
      tAsync.tapPromise(name, asyncNoop)
      hookable.hook('sync', noop)
      hookable.hook('async', asyncNoop)
      ourSyncOff.tap(name, noop)
      ourSync.tap(name, noop)
      ourAsyncOff.tapPromise(name, asyncNoop)
      ourAsync.tapPromise(name, asyncNoop)
    }
    bench
      .add(
        `tapable sync ${n}`,
        syncBatch(() => tSync.call(1)),
      )
      .add(
        `hookable sync ${n}`,
        syncBatch(() => hookable.callHook('sync', 1)),
      )
      .add(
        `dqx sync off ${n}`,
        syncBatch(() => ourSyncOff.call(1)),
      )
      .add(
        `dqx sync ${n}`,
        syncBatch(() => ourSync.call(1)),
      )
      .add(
        `tapable async ${n}`,
        asyncBatch(() => tAsync.promise(1)),
      )
      .add(
        `hookable async ${n}`,
        asyncBatch(async () => hookable.callHook('async', 1)),
      )
      .add(
        `dqx async off ${n}`,
        asyncBatch(() => ourAsyncOff.promise(1)),
      )
      .add(
        `dqx async ${n}`,
        asyncBatch(() => ourAsync.promise(1)),
      )
  }
  await bench.run()
  const ns = (name: string): number => nsPerCall(bench.getTask(name))

  const clock = ns('clock')
  const cases: BenchCase[] = []
  for (const n of [1, 10]) {
    const taps = `${n} tap${n === 1 ? '' : 's'}`
    for (const kind of ['sync', 'async'] as const) {
      const label = kind === 'sync' ? 'SyncHook' : 'AsyncSeriesHook'
      const tapable = ns(`tapable ${kind} ${n}`)
      const off = ns(`dqx ${kind} off ${n}`)
      const on = ns(`dqx ${kind} ${n}`)
      cases.push(
        compare(`${kind}, ${taps}, timeouts off`, off, `tapable ${label}`, tapable, 1.2),
        compare(`${kind}, ${taps}, default (timeouts on)`, on, `tapable ${label}`, tapable, 2),
        compare(`${kind}, ${taps}, default`, on, 'hookable callHook', ns(`hookable ${kind} ${n}`), 1, true),
        // Every tap call is timed: at least n + 1 performance.now() reads per call
        // (shared boundaries), which tapable does not do. This row shows the rest.
        compare(
          `${kind}, ${taps}, timeouts off, minus ${n + 1} clock reads (${clock.toFixed(0)} ns each)`,
          Math.max(0, off - (n + 1) * clock),
          `tapable ${label}`,
          tapable,
          1.2,
        ),
      )
    }
  }
  return cases
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases('Hook dispatch (ns per call, median of batches)', cases)
}
