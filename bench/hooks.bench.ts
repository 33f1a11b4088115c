// Hook dispatch: dqx's SyncHook / AsyncSeriesHook / AsyncSeriesWaterfallHook against
// tapable's and hookable's, with 1 and 10 no-op taps. `npx tsx bench/hooks.bench.ts [--quick]`
// prints a table.
//
// Each tinybench sample runs BATCH calls, so the per-sample overhead of the
// harness (two clock reads and an await) is spread over many calls. The whole
// bench runs several rounds, so every task is measured at several moments, and
// a task's figure is its best round's median sample divided by BATCH, in ns per
// call: the best round is the one least disturbed by other load on the machine,
// and the same rule applies to us and to the peers.
import { pathToFileURL } from 'node:url'
import { createHooks } from 'hookable'
import {
  AsyncSeriesHook as TapableAsyncSeriesHook,
  AsyncSeriesWaterfallHook as TapableAsyncSeriesWaterfallHook,
  SyncHook as TapableSyncHook,
} from 'tapable'
import { Bench, type Task } from 'tinybench'
import { AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncHook } from '../src/hooks/index.js'
import { now } from '../src/hooks/tap-runner.js'
import { type BenchCase, printCases } from './types.js'

const BATCH = 100
const TAP_COUNTS = [1, 10]

function syncBatch(call: () => unknown): () => void {
  return () => {
    for (let i = 0; i < BATCH; i++) call()
  }
}

function asyncBatch(call: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    for (let i = 0; i < BATCH; i++) await call()
  }
}

function nsPerCall(task: Task): number {
  const r = task.result
  if (!('latency' in r)) throw new Error(`bench task ${task.name} did not complete (${r.state})`)
  return (r.latency.p50 * 1e6) / BATCH
}

/**
 * The floor of a timed series: a hand-written async loop over the same taps
 * that times each with dqx's clock (N + 1 reads, one tap's end is the next
 * one's start) and records a PluginRun, with no isolation, timeouts,
 * interceptors or tracing. Whatever dqx costs above it is its dispatch.
 */
function timedLoop(taps: readonly ((ctx: number) => Promise<void>)[]): (ctx: number) => Promise<unknown> {
  return async (ctx) => {
    const runs = []
    let start = now()
    for (let i = 0; i < taps.length; i++) {
      await taps[i]!(ctx)
      const end = now()
      runs.push({ plugin: 'tap', hook: 'floor', durationMs: end - start, timedOut: false })
      start = end
    }
    return runs
  }
}

/** The same loop without the clock and the PluginRuns: about what tapable does. */
function untimedLoop(taps: readonly ((ctx: number) => Promise<void>)[]): (ctx: number) => Promise<unknown> {
  return async (ctx) => {
    for (let i = 0; i < taps.length; i++) await taps[i]!(ctx)
  }
}

/** The measured calls: the clock, our hooks and the peers', with 1 and 10 no-op taps. */
function addTasks(bench: Bench): Bench {
  const noop = (): void => {}
  const asyncNoop = async (): Promise<void> => {}
  bench
    .add(
      'clock',
      syncBatch(() => now()),
    )
    .add(
      'process.hrtime',
      syncBatch(() => {
        const time = process.hrtime()
        return time[0] * 1e3 + time[1] / 1e6
      }),
    )
    .add(
      'timer',
      syncBatch(() => clearTimeout(setTimeout(noop, 60_000))),
    )
  for (const n of TAP_COUNTS) {
    const tapableSync = new TapableSyncHook<[number]>(['ctx'])
    const tapableAsync = new TapableAsyncSeriesHook<[number]>(['ctx'])
    const hookable = createHooks<{ sync: (n: number) => void; async: (n: number) => Promise<void> }>()
    const syncOff = new SyncHook<[number]>({ timeoutMs: 0 })
    const syncOn = new SyncHook<[number]>()
    const asyncOff = new AsyncSeriesHook<[number]>({ timeoutMs: 0 })
    const asyncOn = new AsyncSeriesHook<[number]>()
    const tapableWaterfall = new TapableAsyncSeriesWaterfallHook<[number]>(['value'])
    const waterfallOn = new AsyncSeriesWaterfallHook<[number]>()
    const inc = async (v: number): Promise<number> => v + 1
    const asyncTaps = Array.from({ length: n }, () => async (): Promise<void> => {})
    const timed = timedLoop(asyncTaps)
    const untimed = untimedLoop(asyncTaps)
    for (let i = 0; i < n; i++) {
      const name = `tap${i}`
      tapableSync.tap(name, noop)
      tapableAsync.tapPromise(name, asyncNoop)
      hookable.hook('sync', noop)
      hookable.hook('async', asyncNoop)
      syncOff.tap(name, noop)
      syncOn.tap(name, noop)
      asyncOff.tapPromise(name, asyncNoop)
      asyncOn.tapPromise(name, asyncNoop)
      tapableWaterfall.tapPromise(name, inc)
      waterfallOn.tapPromise(name, inc)
    }
    bench
      .add(
        `tapable sync ${n}`,
        syncBatch(() => tapableSync.call(1)),
      )
      .add(
        `hookable sync ${n}`,
        syncBatch(() => hookable.callHook('sync', 1)),
      )
      .add(
        `dqx sync off ${n}`,
        syncBatch(() => syncOff.call(1)),
      )
      .add(
        `dqx sync on ${n}`,
        syncBatch(() => syncOn.call(1)),
      )
      .add(
        `tapable async ${n}`,
        asyncBatch(() => tapableAsync.promise(1)),
      )
      .add(
        `hookable async ${n}`,
        asyncBatch(async () => hookable.callHook('async', 1)),
      )
      .add(
        `dqx async off ${n}`,
        asyncBatch(() => asyncOff.promise(1)),
      )
      .add(
        `dqx async on ${n}`,
        asyncBatch(() => asyncOn.promise(1)),
      )
      .add(
        `floor timed ${n}`,
        asyncBatch(() => timed(1)),
      )
      .add(
        `floor untimed ${n}`,
        asyncBatch(() => untimed(1)),
      )
      .add(
        `tapable waterfall ${n}`,
        asyncBatch(() => tapableWaterfall.promise(1)),
      )
      .add(
        `dqx waterfall on ${n}`,
        asyncBatch(() => waterfallOn.promise(1)),
      )
  }
  return bench
}

function compare(name: string, ours: number, peer: string, peerValue: number, target: string): BenchCase {
  const ratio = ours / peerValue
  const limit = Number(target.replace(/[^\d.]/g, ''))
  return {
    name,
    ours,
    peer,
    peerValue,
    ratio,
    target,
    ok: target.startsWith('<') && !target.startsWith('≤') ? ratio < limit : ratio <= limit,
    unit: 'ns/call',
  }
}

export async function run(opts: { quick: boolean }): Promise<BenchCase[]> {
  const rounds = opts.quick ? 2 : 6
  const best = new Map<string, number>()
  for (let round = 0; round < rounds; round++) {
    const bench = addTasks(
      new Bench({
        time: opts.quick ? 60 : 250,
        warmupTime: opts.quick ? 20 : 50,
        iterations: opts.quick ? 10 : 32,
      }),
    )
    await bench.run()
    for (const task of bench.tasks)
      best.set(task.name, Math.min(best.get(task.name) ?? Infinity, nsPerCall(task)))
  }
  const ns = (task: string): number => best.get(task)!
  const clock = ns('clock')

  const cases: BenchCase[] = []
  const info = (c: BenchCase): BenchCase => ({ ...c, target: 'info only', ok: true })
  for (const n of TAP_COUNTS) {
    const taps = `${n} tap${n === 1 ? '' : 's'}`
    // The targets are set on ten async taps, a suite's shape; the other rows show the fixed
    // cost per call and per tap. tapable's SyncHook compiles to a direct call of each tap and
    // records nothing, while every dqx tap call is timed (a clock read per tap boundary) and
    // yields a PluginRun, so its sync rows are context, not targets.
    const target =
      (ratio: string) =>
      (c: BenchCase): BenchCase =>
        n === 10 ? c : info({ ...c, target: ratio })
    for (const kind of ['sync', 'async'] as const) {
      const tapable = ns(`tapable ${kind} ${n}`)
      const peer = `tapable ${kind === 'sync' ? 'SyncHook' : 'AsyncSeriesHook'}`
      const off = ns(`dqx ${kind} off ${n}`)
      const on = ns(`dqx ${kind} on ${n}`)
      const asTarget = kind === 'async' ? target : () => info
      cases.push(
        asTarget('≤ 1.3×')(compare(`${kind}, ${taps}, timeouts off`, off, peer, tapable, '≤ 1.3×')),
        asTarget('≤ 2×')(compare(`${kind}, ${taps}, default (timeouts on)`, on, peer, tapable, '≤ 2×')),
        compare(`${kind}, ${taps}, default`, on, 'hookable callHook', ns(`hookable ${kind} ${n}`), '< 1×'),
        // A series reads the clock n + 1 times (one tap's end is the next one's start):
        // this row is the rest of the dispatch, to show where the gap to tapable comes from.
        info(
          compare(
            `${kind}, ${taps}, timeouts off, less ${n + 1} clock reads (${clock.toFixed(0)} ns each)`,
            Math.max(0, off - (n + 1) * clock),
            peer,
            tapable,
            '≤ 1×',
          ),
        ),
      )
    }
    // The floor rows: how close a timed series can come to tapable at all, and how far dqx is from it.
    const floor = ns(`floor timed ${n}`)
    const floorName = `hand-written timed loop, ${n + 1} clock reads`
    cases.push(
      info(
        compare(
          `async, ${taps}, ${floorName}`,
          floor,
          'tapable AsyncSeriesHook',
          ns(`tapable async ${n}`),
          '≤ 1.3×',
        ),
      ),
      info(
        compare(
          `async, ${taps}, hand-written loop, no clock`,
          ns(`floor untimed ${n}`),
          'tapable AsyncSeriesHook',
          ns(`tapable async ${n}`),
          '≤ 1.3×',
        ),
      ),
      target('≤ 1.2×')(
        compare(`async, ${taps}, timeouts off`, ns(`dqx async off ${n}`), floorName, floor, '≤ 1.2×'),
      ),
      target('≤ 1.3×')(
        compare(`async, ${taps}, default (timeouts on)`, ns(`dqx async on ${n}`), floorName, floor, '≤ 1.3×'),
      ),
    )
    cases.push(
      target('≤ 2×')(
        compare(
          `async waterfall, ${taps}, default`,
          ns(`dqx waterfall on ${n}`),
          'tapable AsyncSeriesWaterfallHook',
          ns(`tapable waterfall ${n}`),
          '≤ 2×',
        ),
      ),
    )
  }
  // Why one process-wide timer serves every deadline: a timer pair per call would add one of
  // these to every call, per awaited tap ten of them to a ten-tap call. The shared timer's own
  // cost is the difference between the default and the timeouts-off call.
  cases.push(
    info(
      compare(
        'async, 10 taps, default less timeouts off (the shared timer)',
        ns('dqx async on 10') - ns('dqx async off 10'),
        'one setTimeout + clearTimeout pair',
        ns('timer'),
        '≤ 1×',
      ),
    ),
    info(
      compare(
        'one setTimeout + clearTimeout pair',
        ns('timer'),
        'tapable AsyncSeriesHook, 10 taps',
        ns('tapable async 10'),
        '≤ 1×',
      ),
    ),
    // The reads are a third of a timed call: the other monotonic clock Node offers is no cheaper.
    info(
      compare(
        "one clock read (performance.now, the hooks' clock)",
        clock,
        'process.hrtime() in ms',
        ns('process.hrtime'),
        '≤ 1×',
      ),
    ),
  )
  return cases
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases('Hook dispatch (ns per call; best round, median of batches)', cases)
}
