// The DuckDB engine against hand-written DuckDB over one generated parquet file:
//   (a) a suite of 10 one-pass metrics vs ONE hand-written aggregate query (target ≤ 1.15×)
//       and vs one query per metric (target: dqx ≥ 2.5× faster, i.e. ratio ≤ 0.40×);
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
import { argValue, fromSamples, interleave, type MeasuredCase, parseRows, timed } from './lib/stats.js'
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

export async function run(opts: EngineBenchOptions): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const rows = opts.rows ?? (opts.quick ? QUICK_ROWS : DEFAULT_ROWS)
  const rounds = opts.quick ? { basic: 3, distinct: 2, rss: 1 } : { basic: 7, distinct: 5, rss: 3 }
  const dir = await mkdtemp(join(tmpdir(), 'dqx-bench-'))
  const file = join(dir, 'orders.parquet')
  const label = `${rows.toLocaleString('en-US')} rows`
  try {
    let t0 = performance.now()
    await generateParquet(file, rows)
    const mb = (await stat(file)).size / 2 ** 20
    log(`engine: generated ${label} (${mb.toFixed(0)} MB parquet) in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    const from = `read_parquet(${sqlString(file)})`
    const source = { orders: DataSource.parquet(file) }
    const key = new ResultKey('2026-11-25')
    const suiteOf = (name: string, metrics: typeof BASIC): VerificationSuite =>
      new VerificationSuite({ name, checks: [workloadCheck(name, 'orders', metrics)], audit: false })
    const basicSuite = suiteOf('basic', BASIC)
    const distinctSuite = suiteOf('distinct', DISTINCT)
    const runSuite = async (suite: VerificationSuite, n: number) => {
      const report = await suite.run(source, key)
      if (report.summary.passed !== n) throw new Error(`${suite.name}: ${report.summary.failed} assertions failed`)
      return report
    }
    const basicSql = rawQuery(BASIC, from)
    const distinctSql = rawQuery(DISTINCT, from)
    const perMetric = perMetricQueries(BASIC, from)

    // Correctness first (these runs also warm the page cache): dqx must agree with the raw SQL.
    t0 = performance.now()
    assertSameValues('10 metrics', BASIC, (await runSuite(basicSuite, BASIC.length)).symbols, (await runRaw([basicSql]))[0] ?? {})
    const split = await runRaw(perMetric)
    assertSameValues('10 metrics, one query each', BASIC, (await runSuite(basicSuite, BASIC.length)).symbols, Object.fromEntries(split.map((r, i) => [`m${i}`, r.m0])))
    assertSameValues('distinct', DISTINCT, (await runSuite(distinctSuite, DISTINCT.length)).symbols, (await runRaw([distinctSql]))[0] ?? {})
    log(`engine: dqx values equal the raw queries' (checked in ${((performance.now() - t0) / 1000).toFixed(1)} s)`)

    const progress = (what: string, total: number) => (r: number) => log(`engine: ${what} round ${r + 1}/${total}`)
    const basic = await interleave(
      {
        dqx: () => timed(() => runSuite(basicSuite, BASIC.length)),
        raw: () => timed(() => runRaw([basicSql])),
        perMetric: () => timed(() => runRaw(perMetric)),
      },
      rounds.basic,
      0,
      progress('10 metrics', rounds.basic),
    )
    const distinct = await interleave(
      {
        dqx: () => timed(() => runSuite(distinctSuite, DISTINCT.length)),
        raw: () => timed(() => runRaw([distinctSql])),
      },
      rounds.distinct,
      0,
      progress('distinct', rounds.distinct),
    )
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

    const s = (x: Record<string, number[]>, k: string): number[] => x[k] as number[]
    const tenMetrics = `10 metrics, ${label}`
    return [
      fromSamples(
        { name: `${tenMetrics}: suite vs one hand-written query`, peer: 'DuckDB, 1 query', target: '≤ 1.15×', unit: 'ms' },
        s(basic, 'dqx'),
        s(basic, 'raw'),
        (r) => r <= 1.15,
      ),
      fromSamples(
        {
          name: `${tenMetrics}: suite vs one query per metric`,
          peer: 'DuckDB, 10 queries',
          target: '≤ 0.40× (≥ 2.5× faster)',
          unit: 'ms',
        },
        s(basic, 'dqx'),
        s(basic, 'perMetric'),
        (r) => r <= 0.4,
      ),
      fromSamples(
        {
          name: `uniqueCount + duplicateCount, ${label}: one scan`,
          peer: 'DuckDB, same aggregates',
          target: '≤ 1.15×',
          unit: 'ms',
        },
        s(distinct, 'dqx'),
        s(distinct, 'raw'),
        (r) => r <= 1.15,
      ),
      fromSamples(
        { name: `${tenMetrics}: peak RSS (child process)`, peer: 'DuckDB, 1 query', target: '≤ 1.5×', unit: 'MB' },
        s(rss, 'dqx'),
        s(rss, 'raw'),
        (r) => r <= 1.5,
      ),
      fromSamples(
        {
          name: `uniqueCount + duplicateCount, ${label}: peak RSS (child process)`,
          peer: 'DuckDB, same aggregates',
          target: '≤ 1.5×',
          unit: 'MB',
        },
        s(rss, 'dqxDistinct'),
        s(rss, 'rawDistinct'),
        (r) => r <= 1.5,
      ),
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick')
  const rowsArg = argValue(process.argv, 'rows')
  const opts: EngineBenchOptions = { quick }
  if (rowsArg !== undefined) opts.rows = parseRows(rowsArg)
  printCases('Engine: dqx vs hand-written DuckDB (medians of interleaved runs)', await run(opts))
}
