// `dqx profile` and the HTML report:
//   (a) profile() of the generated parquet file (one scan: per column nulls, distinct, min/max,
//       quantiles, mean, string lengths, top values) vs the same statistics in ONE hand-written
//       DuckDB query (target ≤ 1.3×), and vs DuckDB's own SUMMARIZE (fewer statistics: no
//       lengths, no top values; shown for context, no target);
//   (b) the HTML report of a MetricDB holding 3,000 daily runs (300 with --quick) of a
//       12-assertion suite: build time, file size and time for headless Chromium to load and
//       paint it, against fixed budgets (1 s, 2 MB), with 30 days per chart (the default) and
//       with the whole history in every chart.
// `npx tsx bench/report.bench.ts [--quick] [--rows N] [--rounds N] [--file orders.parquet]` prints
// a table (--rounds sets the measured rounds and skips the warm-up; --file reuses a generated file).
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { shiftDate } from '../src/core/result-key.js'
import { summarize } from '../src/core/summary.js'
import type { AssertionResult } from '../src/core/types.js'
import { profile } from '../src/engine/profile.js'
import { DataSource, MetricDB } from '../src/index.js'
import { renderHtmlReport } from '../src/plugins/index.js'
import { chromiumMissing, launchChromium } from '../test/helpers/browser.js'
import { printDetails } from './lib/report.js'
import {
  argValue,
  fromSamples,
  fromTimings,
  interleave,
  type MeasuredCase,
  parseRows,
  timedCpu,
} from './lib/stats.js'
import { generateParquet, sqlString } from './lib/workload.js'
import { printCases } from './types.js'

export const DEFAULT_ROWS = 20_000_000
export const QUICK_ROWS = 200_000

export interface ReportBenchOptions {
  quick: boolean
  rows?: number
  log?: (line: string) => void
  /** Measured rounds (default 5, quick 2); one unrecorded warm-up round precedes them unless 0 is asked for. */
  rounds?: number
  warmup?: number
  /** Use this parquet file (written by generateParquet) instead of generating one; it is kept. */
  file?: string
}

const Q = '[0.05, 0.25, 0.5, 0.75, 0.95]'

/** What a person would write to get profile()'s statistics for the workload's 7 columns. */
function handWritten(from: string): string {
  const all = (c: string) => `count(${c}), approx_count_distinct(${c}), min(${c}), max(${c})`
  const numeric = (c: string) => `${all(c)}, approx_quantile(${c}::DOUBLE, ${Q}), avg(${c}::DOUBLE)`
  const text = (c: string) => `${all(c)}, min(length(${c})), max(length(${c})), approx_top_k(${c}, 10)`
  return `SELECT count(*),
    ${numeric('id')}, approx_top_k(id, 10),
    ${numeric('price')},
    ${numeric('qty')}, approx_top_k(qty, 10),
    ${text('email')}, ${text('status')}, ${text('name')},
    ${numeric('customer_id')}, approx_top_k(customer_id, 10)
  FROM ${from}`
}

async function duckdb(sql: string): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    await conn.runAndReadAll(sql)
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

const ASSERTIONS = 12

/** `days` daily runs of a 12-assertion suite, written straight into a DuckDB MetricDB. */
async function historyDb(
  file: string,
  days: number,
  last: string,
): Promise<{ db: MetricDB; latest: AssertionResult[] }> {
  const db = MetricDB.duckdb(file)
  let latest: AssertionResult[] = []
  for (let d = days - 1; d >= 0; d -= 1) {
    const date = shiftDate(last, -d)
    const results: AssertionResult[] = Array.from({ length: ASSERTIONS }, (_, i) => {
      const value = 1000 + 100 * Math.sin((d + i * 13) / 20) + ((d * 7919 + i) % 37)
      const failed = (d + i) % 97 === 0
      return {
        date,
        suite: 'nightly',
        check: `check ${i % 3}`,
        assertion: `assertion ${i}`,
        severity: 'P1',
        status: failed ? 'FAILED' : 'PASSED',
        value,
        expression: `sum(col_${i})`,
        bound: i % 4 === 3 ? 'not anomalous' : 'in [800, 1200]',
        tags: { env: 'prod' },
        assertionTags: ['bench'],
        ...(i % 4 === 3
          ? {
              anomaly: {
                method: 'zscore' as const,
                threshold: 3,
                score: 1,
                center: 1000,
                spread: 60,
                n: 14,
                needed: 7,
                baseline: 'history' as const,
                from: shiftDate(date, -14),
                to: shiftDate(date, -1),
                excluded: [],
                weekly: false,
              },
            }
          : {}),
      }
    })
    await db.putResults(`run-${d}`, results)
    latest = results
  }
  return { db, latest }
}

export async function run(opts: ReportBenchOptions): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const rows = opts.rows ?? (opts.quick ? QUICK_ROWS : DEFAULT_ROWS)
  const rounds = opts.rounds ?? (opts.quick ? 2 : 5)
  const warmup = opts.warmup ?? 1
  const days = opts.quick ? 300 : 3000
  const dir = await mkdtemp(join(tmpdir(), 'dqx-bench-report-'))
  const cases: MeasuredCase[] = []
  try {
    // (a) profile
    const file = opts.file ?? join(dir, 'orders.parquet')
    let t0 = performance.now()
    if (opts.file === undefined) await generateParquet(file, rows)
    const label = `${rows.toLocaleString('en-US')} rows`
    log(
      `report: ${opts.file === undefined ? 'generated' : 'using'} ${label} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    const from = `read_parquet(${sqlString(file)})`
    const source = DataSource.parquet(file)
    const samples = await interleave(
      {
        dqx: () => timedCpu(() => profile(source, { dataset: 'orders' })),
        raw: () => timedCpu(() => duckdb(handWritten(from))),
        summarize: () => timedCpu(() => duckdb(`SUMMARIZE SELECT * FROM ${from}`)),
      },
      rounds,
      warmup,
      (r) => log(`report: profile round ${r + 1}/${rounds}`),
    )
    cases.push(
      fromTimings(
        {
          name: `profile, ${label}: vs the same statistics by hand`,
          peer: 'DuckDB, 1 query',
          target: '≤ 1.3×',
        },
        samples.dqx ?? [],
        samples.raw ?? [],
        (r) => r <= 1.3,
      ),
      fromTimings(
        {
          name: `profile, ${label}: vs DuckDB SUMMARIZE`,
          peer: 'SUMMARIZE (fewer stats)',
          target: 'context',
        },
        samples.dqx ?? [],
        samples.summarize ?? [],
        () => true,
        'SUMMARIZE computes no string lengths and no top values; profile() does both in the same scan',
      ),
    )

    // (b) HTML report over a long history
    t0 = performance.now()
    const last = '2026-11-25'
    const { db, latest } = await historyDb(join(dir, 'metrics.duckdb'), days, last)
    log(
      `report: stored ${days} runs × ${ASSERTIONS} assertions in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    const input = {
      suiteName: 'nightly',
      runId: 'run-0',
      date: last,
      tags: { env: 'prod' },
      datasources: ['orders'],
      results: latest,
      summary: summarize(latest),
    }
    const missing = chromiumMissing()
    const browser = missing === undefined ? await launchChromium() : undefined
    if (missing !== undefined) log(`report: browser cases skipped: ${missing}`)
    try {
      for (const historyDays of [30, days]) {
        const page = join(dir, `report-${historyDays}.html`)
        await writeFile(page, await renderHtmlReport([input], db, { historyDays }))
        const bytes = (await stat(page)).size
        const what = `HTML report, ${days} runs in the MetricDB, ${historyDays} days per chart`
        cases.push(
          fromSamples(
            { name: `${what}: file size`, peer: 'budget 2 MB', target: '≤ 1×', unit: 'KB' },
            [bytes / 1024],
            [2048],
            (r) => r <= 1,
          ),
        )
        if (browser) {
          const times: number[] = []
          for (let r = 0; r < rounds + 1; r += 1) {
            const tab = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } })
            const start = performance.now()
            await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' })
            // Two animation frames: style, layout and the first paint of every chart are done.
            await tab.evaluate(
              'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))',
            )
            if (r > 0) times.push(performance.now() - start)
            await tab.close()
          }
          cases.push(
            fromSamples(
              { name: `${what}: load + paint in Chromium`, peer: 'budget 1 s', target: '≤ 1×', unit: 'ms' },
              times,
              times.map(() => 1000),
              (r) => r <= 1,
            ),
          )
        }
      }
      // Building the report (MetricDB reads + rendering) for the whole history, timed.
      const buildTimes = await interleave(
        { build: () => timedCpu(() => renderHtmlReport([input], db, { historyDays: days })) },
        rounds,
        1,
      )
      cases.push(
        fromTimings(
          {
            name: `HTML report, ${days} runs: build (MetricDB reads + render)`,
            peer: 'budget 2 s',
            target: '≤ 1×',
          },
          buildTimes.build ?? [],
          (buildTimes.build ?? []).map(() => ({ wall: 2000, cpu: 2000 })),
          (r) => r <= 1,
        ),
      )
    } finally {
      await browser?.close()
      await db.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return cases
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2)
  const quick = argv.includes('--quick')
  const rowsArg = argValue(argv, 'rows')
  const roundsArg = argValue(argv, 'rounds')
  const fileArg = argValue(argv, 'file')
  const cases = await run({
    quick,
    ...(rowsArg !== undefined ? { rows: parseRows(rowsArg) } : {}),
    ...(roundsArg !== undefined ? { rounds: Number(roundsArg), warmup: 0 } : {}),
    ...(fileArg !== undefined ? { file: fileArg } : {}),
  })
  printCases('dqx profile and HTML report', cases)
  printDetails(cases)
}
