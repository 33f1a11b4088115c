// The DuckDB engine against hand-written DuckDB over one generated parquet file:
//   (a) a suite of 10 one-pass metrics vs ONE hand-written aggregate query (target ≤ 1.15×)
//       and vs one query per metric (target: dqx ≥ 2.5× faster, i.e. ratio ≤ 0.40×); the same
//       over a CSV file of a tenth of the rows, where every extra query re-parses the file;
//   (b) the distinct-based metrics (uniqueCount, duplicateCount) in one scan vs the same
//       aggregates written by hand (target ≤ 1.15×);
//   (c) peak RSS of the dqx suite vs the raw query, each in its own child process (≤ 1.5×).
// Variants run interleaved, several rounds; the table shows medians. Before timing, the bench
// checks that dqx computed the same values as the raw query.
// `npx tsx bench/engine.bench.ts [--quick] [--rows N]` prints a table.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { DataSource, ResultKey, VerificationSuite } from '../src/index.js'
import { printDetails } from './lib/report.js'
import {
  argValue,
  fromSamples,
  fromTimings,
  interleave,
  type MeasuredCase,
  parseRows,
  type Timing,
  timedCpu,
} from './lib/stats.js'
import {
  assertSameValues,
  BASIC,
  DISTINCT,
  generateParquet,
  perMetricQueries,
  rawQuery,
  sqlString,
  workloadCheck,
} from './lib/workload.js'
import { printCases } from './types.js'

export interface EngineBenchOptions {
  quick: boolean
  /** Rows in the generated parquet file (default 20M, quick 200k). */
  rows?: number
  /** Progress lines (stderr). */
  log?: (line: string) => void
  /** Which parts to run (default all): 'basic', 'csv' (a), 'distinct' (b), 'rss' (c). For working on one. */
  parts?: readonly ('basic' | 'csv' | 'distinct' | 'rss')[]
  /** Use this parquet file (written by generateParquet) instead of generating one; it is kept. */
  file?: string
}

export const DEFAULT_ROWS = 20_000_000
export const QUICK_ROWS = 200_000

/** Runs SQL on a fresh in-memory DuckDB (as a script computing these numbers by hand would) and returns the rows. */
async function runRaw(sqls: readonly string[]): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    const rows: Record<string, unknown>[] = []
    for (const sql of sqls) rows.push(...(await conn.runAndReadAll(sql)).getRowObjectsJS())
    return rows
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

const CHILD = fileURLToPath(new URL('./lib/rss-child.ts', import.meta.url))

/** Peak RSS (MB) of one child process running `variant`. */
function childRss(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DQX_LOG_LEVEL: 'warn' },
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rss child ${args[0]} exited with ${code}`))
      try {
        const line = out.trim().split('\n').at(-1) as string
        resolve((JSON.parse(line) as { maxRssKb: number }).maxRssKb / 1024)
      } catch (err) {
        reject(new Error(`rss child ${args[0]} printed no result: ${out}`, { cause: err }))
      }
    })
  })
}

/** The two one-scan targets of a format: against one hand-written query, and against one query per metric. */
function oneScanCases(label: string, samples: Record<string, Timing[]>): MeasuredCase[] {
  return [
    fromTimings(
      { name: `${label}: suite vs one hand-written query`, peer: 'DuckDB, 1 query', target: '≤ 1.15×' },
      pick(samples, 'dqx'),
      pick(samples, 'raw'),
      (r) => r <= 1.15,
    ),
    fromTimings(
      {
        name: `${label}: suite vs one query per metric`,
        peer: 'DuckDB, 10 queries',
        target: '≤ 0.40× (≥ 2.5× faster)',
      },
      pick(samples, 'dqx'),
      pick(samples, 'perMetric'),
      (r) => r <= 0.4,
    ),
  ]
}

export async function run(opts: EngineBenchOptions): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const rows = opts.rows ?? (opts.quick ? QUICK_ROWS : DEFAULT_ROWS)
  const parts = new Set(opts.parts ?? ['basic', 'csv', 'distinct', 'rss'])
  const rounds = opts.quick
    ? { basic: 3, csv: 2, distinct: 2, rss: 1 }
    : { basic: 9, csv: 5, distinct: 5, rss: 3 }
  const dir = opts.file === undefined ? await mkdtemp(join(tmpdir(), 'dqx-bench-')) : undefined
  const file = opts.file ?? join(dir as string, 'orders.parquet')
  try {
    let t0 = performance.now()
    if (dir !== undefined) await generateParquet(file, rows)
    const mb = (await stat(file)).size / 2 ** 20
    const actualRows = Number(
      (await runRaw([`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`]))[0]?.n,
    )
    const label = `${actualRows.toLocaleString('en-US')} rows`
    log(
      `engine: ${dir !== undefined ? 'generated' : 'using'} ${label} (${mb.toFixed(0)} MB parquet) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )

    const from = `read_parquet(${sqlString(file)})`
    const source = { orders: DataSource.parquet(file) }
    const key = new ResultKey('2026-11-25')
    const suiteOf = (name: string, metrics: typeof BASIC): VerificationSuite =>
      new VerificationSuite({ name, checks: [workloadCheck(name, 'orders', metrics)], audit: false })
    const basicSuite = suiteOf('basic', BASIC)
    const distinctSuite = suiteOf('distinct', DISTINCT)
    const runSuite = async (suite: VerificationSuite, n: number) => {
      const report = await suite.run(source, key)
      if (report.summary.passed !== n)
        throw new Error(`${suite.name}: ${report.summary.failed} assertions failed`)
      return report
    }
    const basicSql = rawQuery(BASIC, from)
    const distinctSql = rawQuery(DISTINCT, from)
    const perMetric = perMetricQueries(BASIC, from)
    const progress = (what: string, total: number) => (r: number) =>
      log(`engine: ${what} round ${r + 1}/${total}`)
    const tenMetrics = `10 metrics, ${label}`
    const distinctName = `uniqueCount + duplicateCount, ${label}`
    const cases: MeasuredCase[] = []

    if (parts.has('basic')) {
      // Correctness first (these runs also warm the page cache): dqx must agree with the raw SQL.
      t0 = performance.now()
      const ours = (await runSuite(basicSuite, BASIC.length)).symbols
      assertSameValues('10 metrics', BASIC, ours, (await runRaw([basicSql]))[0] ?? {})
      const split = await runRaw(perMetric)
      assertSameValues(
        '10 metrics, one query each',
        BASIC,
        ours,
        Object.fromEntries(split.map((r, i) => [`m${i}`, r.m0])),
      )
      log(
        `engine: dqx's 10 values equal the raw queries' (checked in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      )
      const basic = await interleave(
        {
          dqx: () => timedCpu(() => runSuite(basicSuite, BASIC.length)),
          raw: () => timedCpu(() => runRaw([basicSql])),
          perMetric: () => timedCpu(() => runRaw(perMetric)),
        },
        rounds.basic,
        0,
        progress('10 metrics', rounds.basic),
      )
      cases.push(...oneScanCases(tenMetrics, basic))
    }

    if (parts.has('csv')) {
      // A row format: each of the 10 per-metric queries parses the whole file again.
      const csvRows = Math.max(1, Math.round(actualRows / 10))
      const csv = join(dir ?? tmpdir(), `dqx-bench-orders-${process.pid}.csv`)
      t0 = performance.now()
      await runRaw([`COPY (SELECT * FROM ${from} LIMIT ${csvRows}) TO ${sqlString(csv)} (HEADER)`])
      try {
        const csvLabel = `10 metrics, CSV ${csvRows.toLocaleString('en-US')} rows`
        const csvFrom = `read_csv_auto(${sqlString(csv)})`
        const csvSql = rawQuery(BASIC, csvFrom)
        const csvPerMetric = perMetricQueries(BASIC, csvFrom)
        const csvSource = { orders: DataSource.csv(csv) }
        const runCsv = async () => {
          const report = await basicSuite.run(csvSource, key)
          if (report.summary.passed !== BASIC.length)
            throw new Error(`csv: ${report.summary.failed} assertions failed`)
          return report
        }
        assertSameValues(
          '10 metrics over CSV',
          BASIC,
          (await runCsv()).symbols,
          (await runRaw([csvSql]))[0] ?? {},
        )
        log(`engine: wrote and checked ${csvLabel} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
        const samples = await interleave(
          {
            dqx: () => timedCpu(runCsv),
            raw: () => timedCpu(() => runRaw([csvSql])),
            perMetric: () => timedCpu(() => runRaw(csvPerMetric)),
          },
          rounds.csv,
          0,
          progress('CSV', rounds.csv),
        )
        cases.push(...oneScanCases(csvLabel, samples))
      } finally {
        await rm(csv, { force: true })
      }
    }

    if (parts.has('distinct')) {
      t0 = performance.now()
      const ours = (await runSuite(distinctSuite, DISTINCT.length)).symbols
      assertSameValues('distinct', DISTINCT, ours, (await runRaw([distinctSql]))[0] ?? {})
      log(
        `engine: dqx's distinct values equal the raw query's (checked in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      )
      const distinct = await interleave(
        {
          dqx: () => timedCpu(() => runSuite(distinctSuite, DISTINCT.length)),
          raw: () => timedCpu(() => runRaw([distinctSql])),
        },
        rounds.distinct,
        0,
        progress('distinct', rounds.distinct),
      )
      cases.push(
        fromTimings(
          { name: `${distinctName}: one scan`, peer: 'DuckDB, same aggregates', target: '≤ 1.15×' },
          pick(distinct, 'dqx'),
          pick(distinct, 'raw'),
          (r) => r <= 1.15,
        ),
      )
    }

    if (parts.has('rss')) {
      const rss = await interleave(
        {
          dqx: () => childRss(['dqx-basic', file]),
          raw: () => childRss(['raw', file, basicSql]),
          dqxDistinct: () => childRss(['dqx-distinct', file]),
          rawDistinct: () => childRss(['raw', file, distinctSql]),
        },
        rounds.rss,
        0,
        progress('peak RSS (child processes)', rounds.rss),
      )
      cases.push(
        fromSamples(
          {
            name: `${tenMetrics}: peak RSS (child process)`,
            peer: 'DuckDB, 1 query',
            target: '≤ 1.5×',
            unit: 'MB',
          },
          pick(rss, 'dqx'),
          pick(rss, 'raw'),
          (r) => r <= 1.5,
        ),
        fromSamples(
          {
            name: `${distinctName}: peak RSS (child process)`,
            peer: 'DuckDB, same aggregates',
            target: '≤ 1.5×',
            unit: 'MB',
          },
          pick(rss, 'dqxDistinct'),
          pick(rss, 'rawDistinct'),
          (r) => r <= 1.5,
        ),
      )
    }
    return cases
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }
}

function pick<T>(samples: Record<string, T[]>, name: string): T[] {
  return samples[name] as T[]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick')
  const rowsArg = argValue(process.argv, 'rows')
  const opts: EngineBenchOptions = { quick }
  if (rowsArg !== undefined) opts.rows = parseRows(rowsArg)
  const file = argValue(process.argv, 'file')
  if (file !== undefined) opts.file = file
  const parts = argValue(process.argv, 'parts')
  if (parts !== undefined) opts.parts = parts.split(',') as EngineBenchOptions['parts'] & string[]
  const cases = await run(opts)
  printCases('Engine: dqx vs hand-written DuckDB (medians of interleaved runs)', cases)
  printDetails(cases)
}
