// Soak test: many consecutive runs of one suite with 20 plugins — some throwing, some rejecting,
// two timing out at a small per-tap timeoutMs — in one process. Checks every run's report and its
// persisted results, prints the heap (after a forced GC) at the start, after warm-up, every 100 runs
// and at the end, and fails if the heap grew by more than 20 % + 5 MB after warm-up.
//
//   npm run soak                 # 500 runs
//   npm run soak -- --runs 50
//   node --expose-gc --import tsx scripts/soak.ts --runs 2000 --timeout-ms 10
//
// On success the script does not call process.exit(): it ends when nothing is left to do, which
// proves that no run leaves a timer, socket or database handle behind (test/reliability/soak.test.ts
// relies on that).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { check } from '../src/core/check.js'
import { ResultKey } from '../src/core/result-key.js'
import type { RunReport } from '../src/core/types.js'
import { DataSource } from '../src/engine/data-source.js'
import { MetricDB } from '../src/engine/metric-db.js'
import { definePlugin, type PluginOption, type ResultProcessor, type Suite } from '../src/suite/plugin.js'
import { VerificationSuite } from '../src/suite/verification-suite.js'

/** Heap growth allowed between the end of warm-up and the end: 20 % plus 5 MB. */
const GROWTH_FACTOR = 1.2
const GROWTH_SLACK_MB = 5

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    'timeout-ms': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
  },
})
const RUNS = Number(args.runs)
const TIMEOUT_MS = Number(args['timeout-ms'])
const CONCURRENCY = Number(args.concurrency)
const WARMUP = Math.min(50, Math.max(5, Math.floor(RUNS / 10)))

const MB = 1024 * 1024
const gc = (globalThis as { gc?: () => void }).gc
function heapMB(): number {
  // Two passes: the first may only schedule finalizers (DuckDB handles, pino children).
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed / MB
}
const fmt = (mb: number): string => `${mb.toFixed(1)} MB`
const say = (line: string): void => void process.stdout.write(`soak: ${line}\n`)

// ---------------------------------------------------------------------------------------------
// The suite: one dataset of 500 rows, six assertions (one reading yesterday's value from history).

const rows = Array.from({ length: 500 }, (_, i) => ({
  id: i,
  amount: (i * 37) % 1000,
  email: i % 13 === 0 ? null : `user${i % 97}@example.com`,
  status: ['new', 'paid', 'shipped', "it's odd"][i % 4] as string,
}))
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows', severity: 'P0' }).isEq(500)
  ctx.assertThat(mp.nullCount('email')).where({ name: 'null emails' }).isLt(10) // FAILED: 39
  ctx.assertThat(mp.average('amount')).where({ name: 'avg amount' }).isBetween(400, 600)
  ctx.assertThat(mp.uniqueCount('status')).where({ name: 'statuses' }).isEq(4)
  ctx
    .assertThat(mp.countValues('status', ['new', "it's odd"]))
    .where({ name: 'new or odd' })
    .isEq(250)
  ctx.assertThat(mp.sum('amount').dayOverDay()).where({ name: 'amount stable' }).isBetween(0.9, 1.1)
})
const ASSERTIONS = 6

// ---------------------------------------------------------------------------------------------
// 20 plugins: 9 well-behaved, 3 throwing, 3 rejecting, 2 throwing non-Errors, 2 timing out,
// 1 mutating the frozen results; plus what they feed (an onPluginError collector is one of the 9).

let onPluginErrorCalls = 0
let processed = 0
const tap = (hook: 'beforeRun' | 'afterEvaluate' | 'afterRun', name: string, fn: () => void) =>
  definePlugin({ name, apply: (s) => void s.hooks[hook].tap(name, fn) })
const fail = (message: string) => () => {
  throw new Error(message)
}

const seedProcessor: ResultProcessor = {
  name: 'seed-processor',
  initialize() {},
  process(results) {
    processed += results.length
  },
}

const plugins: PluginOption[] = [
  // well-behaved (9)
  definePlugin({
    name: 'error-collector',
    apply: (s) =>
      void s.hooks.onPluginError.tap('error-collector', () => {
        onPluginErrorCalls += 1
      }),
  }),
  tap('beforeRun', 'before-ok', () => {}),
  tap('afterEvaluate', 'evaluate-ok', () => {}),
  tap('afterRun', 'after-ok', () => {}),
  seedProcessor,
  ...[1, 2, 3, 4].map((i) =>
    definePlugin({
      name: `sink-${i}`,
      apply: (s: Suite) =>
        void s.hooks.processResults.tapPromise(`sink-${i}`, async (ctx) => {
          await new Promise((r) => setImmediate(r))
          ctx.logger.info({ failed: ctx.summary.failed }, 'delivered')
        }),
    }),
  ),
  // throwing (3)
  tap('beforeRun', 'before-throws', fail('beforeRun boom')),
  tap('afterEvaluate', 'evaluate-throws', fail('afterEvaluate boom')),
  tap('afterRun', 'after-throws', fail('afterRun boom')),
  // rejecting (3)
  ...[1, 2, 3].map((i) =>
    definePlugin({
      name: `rejects-${i}`,
      apply: (s: Suite) =>
        void s.hooks.processResults.tapPromise(`rejects-${i}`, async () => {
          await null
          throw new Error(`rejected ${i}`)
        }),
    }),
  ),
  // non-Errors (2)
  definePlugin({
    name: 'throws-string',
    apply: (s) =>
      void s.hooks.processResults.tap('throws-string', () => {
        throw 'a string'
      }),
  }),
  definePlugin({
    name: 'throws-undefined',
    apply: (s) => void s.hooks.afterEvaluate.tapPromise('throws-undefined', () => Promise.reject(undefined)),
  }),
  // timing out (2): one hangs on nothing, one sleeps past its timeout but honours its signal
  definePlugin({
    name: 'hangs',
    apply: (s) =>
      void s.hooks.processResults.tapPromise(
        { name: 'hangs', timeoutMs: TIMEOUT_MS },
        () => new Promise(() => {}),
      ),
  }),
  definePlugin({
    name: 'too-slow',
    apply: (s) =>
      void s.hooks.processResults.tapPromise({ name: 'too-slow', timeoutMs: TIMEOUT_MS }, async (ctx) => {
        await sleep(TIMEOUT_MS * 5, undefined, { signal: ctx.signal })
      }),
  }),
  // mutating (1)
  definePlugin({
    name: 'mutates',
    apply: (s) =>
      void s.hooks.processResults.tap('mutates', (ctx) => {
        ;(ctx.results[0] as { status: string }).status = 'PASSED'
      }),
  }),
]

const EXPECTED_FAILURES = [
  'after-throws@afterRun',
  'before-throws@beforeRun',
  'evaluate-throws@afterEvaluate',
  'hangs@processResults (timeout)',
  'mutates@processResults',
  'rejects-1@processResults',
  'rejects-2@processResults',
  'rejects-3@processResults',
  'throws-string@processResults',
  'throws-undefined@afterEvaluate',
  'too-slow@processResults (timeout)',
]

// ---------------------------------------------------------------------------------------------

if (gc === undefined) {
  say('FAIL: run node with --expose-gc (npm run soak does)')
  process.exitCode = 2
} else if (!Number.isInteger(RUNS) || RUNS < 1 || !(TIMEOUT_MS > 0) || !(CONCURRENCY >= 1)) {
  say(
    `FAIL: --runs must be a positive integer and --timeout-ms/--concurrency positive (got ${args.runs}, ${args['timeout-ms']}, ${args.concurrency})`,
  )
  process.exitCode = 2
} else {
  await soak()
}

async function soak(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dqx-soak-'))
  const db = MetricDB.duckdb(join(dir, 'metrics.duckdb'))
  let logBytes = 0
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logBytes += chunk.length
        cb()
      },
    }),
  )
  const suite = new VerificationSuite({
    name: 'soak',
    checks: [orders],
    db,
    logger,
    audit: false,
    plugins,
    // The other taps finish in microseconds; a tap that finishes past its timeout counts as timed
    // out, so their deadline leaves room for a busy machine descheduling this process.
    pluginTimeoutMs: 10_000,
    concurrency: CONCURRENCY,
  })
  const data = { orders: DataSource.fromRecords(rows) }
  const problems: string[] = []
  const check = (i: number, report: RunReport, stored: number): void => {
    const failed = report.pluginErrors
      .map((r) => `${r.plugin}@${r.hook}${r.timedOut ? ' (timeout)' : ''}`)
      .sort()
    if (report.results.length !== ASSERTIONS) problems.push(`run ${i}: ${report.results.length} results`)
    if (stored !== ASSERTIONS) problems.push(`run ${i}: ${stored} results persisted`)
    if (JSON.stringify(failed) !== JSON.stringify(EXPECTED_FAILURES))
      problems.push(`run ${i}: plugin failures ${failed.join(', ')}`)
  }

  say(
    `${RUNS} runs, 20 plugins (11 failing each run, 2 of them by timeout at ${TIMEOUT_MS} ms), concurrency ${CONCURRENCY}`,
  )
  const start = heapMB()
  say(`heap at start: ${fmt(start)}`)
  let baseline = start
  const t0 = performance.now()
  let day = Date.UTC(2024, 0, 1)
  for (let i = 1; i <= RUNS; i++) {
    const key = new ResultKey(new Date(day).toISOString().slice(0, 10), { env: 'soak' })
    day += 86_400_000
    const report = await suite.run(data, key)
    const stored = (await db.getResults({ suite: 'soak', date: key.date, tags: key.tags })).length
    check(i, report, stored)
    if (problems.length > 10) break
    if (i === WARMUP) {
      baseline = heapMB()
      say(`heap after warm-up (${WARMUP} runs): ${fmt(baseline)}`)
    }
    if (i % 100 === 0 && i !== RUNS) say(`heap after ${i} runs: ${fmt(heapMB())}`)
  }
  const seconds = (performance.now() - t0) / 1000
  await db.close()
  rmSync(dir, { recursive: true, force: true })

  const end = heapMB()
  const bound = baseline * GROWTH_FACTOR + GROWTH_SLACK_MB
  const rate = RUNS / seconds
  say(`heap at end (${RUNS} runs): ${fmt(end)}`)
  say(
    `${RUNS} runs in ${seconds.toFixed(1)} s (${rate.toFixed(1)} runs/s); ${processed} results processed, ` +
      `${onPluginErrorCalls} onPluginError calls, ${(logBytes / MB).toFixed(1)} MB of logs`,
  )
  if (processed !== RUNS * ASSERTIONS)
    problems.push(`the ResultProcessor saw ${processed} results, expected ${RUNS * ASSERTIONS}`)
  if (onPluginErrorCalls !== RUNS * EXPECTED_FAILURES.length) {
    problems.push(
      `onPluginError was called ${onPluginErrorCalls} times, expected ${RUNS * EXPECTED_FAILURES.length}`,
    )
  }
  if (end > bound) {
    problems.push(
      `heap grew from ${fmt(baseline)} after warm-up to ${fmt(end)}: more than the bound ${fmt(bound)} (+20 % + ${GROWTH_SLACK_MB} MB)`,
    )
  }
  if (problems.length > 0) {
    for (const p of problems) say(`FAIL: ${p}`)
    process.exitCode = 1
    return
  }
  say(
    `OK: heap ${fmt(baseline)} after warm-up → ${fmt(end)} at end (bound ${fmt(bound)}); exiting with no handles left`,
  )
}
