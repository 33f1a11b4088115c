// Validity rules against hand-written DuckDB over the engine bench's generated parquet file
// (20M rows; quick 200k): a suite of 10 validity rules (regex matches, formats, value sets,
// ranges, exact and approximate quantiles, a median, rates) vs ONE hand-written query computing
// the same values (target ≤ 1.15×). Variants run interleaved; the table shows medians. Before
// timing, the bench checks that dqx computed the same values as the raw query.
// `npx tsx bench/validity.bench.ts [--quick] [--rows N] [--file orders.parquet]` prints a table.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import {
  check,
  DataSource,
  type Expr,
  type MetricProvider,
  ResultKey,
  VALID_FORMATS,
  VerificationSuite,
} from '../src/index.js'
import { DEFAULT_ROWS, QUICK_ROWS } from './engine.bench.js'
import { printDetails } from './lib/report.js'
import { argValue, fromTimings, interleave, type MeasuredCase, parseRows, timedCpu } from './lib/stats.js'
import { generateParquet, sqlString } from './lib/workload.js'
import { printCases } from './types.js'

export interface ValidityBenchOptions {
  quick: boolean
  rows?: number
  log?: (line: string) => void
  /** Use this parquet file (written by generateParquet) instead of generating one; it is kept. */
  file?: string
}

interface Rule {
  name: string
  rule: (mp: MetricProvider) => Expr
  /** The hand-written value: SQL over the raw query's row (`m<i>` columns of RAW below). */
  raw: (row: Record<string, number>) => number
  /** Relative slack of the comparison (approx_quantile merges its t-digests in thread order). */
  rel?: number
}

const STATUSES = ['new', 'paid', 'shipped']

/** The aggregates a person would write for the 10 rules, in one query. */
const RAW = [
  'count(*)',
  "count(*) FILTER (WHERE regexp_matches(email, '@example\\.com$'))",
  `count(*) FILTER (WHERE regexp_matches(email, ${sqlString(VALID_FORMATS.email)}))`,
  `count(*) FILTER (WHERE status IN (${STATUSES.map(sqlString).join(', ')}))`,
  'count(*) FILTER (WHERE price BETWEEN 0 AND 500)',
  "count(*) FILTER (WHERE regexp_matches(name, '^name_[0-9]+$'))",
  'quantile_cont(price, 0.99)',
  'quantile_cont(qty, 0.5)',
  'approx_quantile(price, 0.5)',
  'count(*) - count(email)',
  'count(*) FILTER (WHERE customer_id BETWEEN 0 AND 999999)',
]

const RULES: Rule[] = [
  {
    name: 'example.com emails',
    rule: (mp) => mp.matchCount('email', /@example\.com$/),
    raw: (r) => r.m1 as number,
  },
  {
    name: 'valid email rate',
    rule: (mp) => mp.validCount('email', { format: 'email' }).rate(),
    raw: (r) => (r.m2 as number) / (r.m0 as number),
  },
  {
    name: 'known statuses',
    rule: (mp) => mp.validCount('status', { in: STATUSES }),
    raw: (r) => r.m3 as number,
  },
  {
    name: 'prices in range',
    rule: (mp) => mp.validCount('price', { between: [0, 500] }),
    raw: (r) => r.m4 as number,
  },
  { name: 'name pattern', rule: (mp) => mp.matchCount('name', '^name_[0-9]+$'), raw: (r) => r.m5 as number },
  { name: 'p99 price', rule: (mp) => mp.quantile('price', 0.99), raw: (r) => r.m6 as number },
  { name: 'median qty', rule: (mp) => mp.median('qty'), raw: (r) => r.m7 as number },
  {
    name: 'approx median price',
    rule: (mp) => mp.approxQuantile('price', 0.5),
    raw: (r) => r.m8 as number,
    rel: 0.02,
  },
  {
    name: 'email null rate',
    rule: (mp) => mp.nullCount('email').rate(),
    raw: (r) => (r.m9 as number) / (r.m0 as number),
  },
  {
    name: 'customer ids in range',
    rule: (mp) => mp.validCount('customer_id', { between: [0, 999_999] }).rate(),
    raw: (r) => (r.m10 as number) / (r.m0 as number),
  },
]

async function runRaw(sql: string): Promise<Record<string, number>> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    const row = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {}
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]))
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

export async function run(opts: ValidityBenchOptions): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const rows = opts.rows ?? (opts.quick ? QUICK_ROWS : DEFAULT_ROWS)
  const rounds = opts.quick ? 3 : 7
  const dir = opts.file === undefined ? await mkdtemp(join(tmpdir(), 'dqx-bench-validity-')) : undefined
  const file = opts.file ?? join(dir as string, 'orders.parquet')
  try {
    let t0 = performance.now()
    if (dir !== undefined) await generateParquet(file, rows)
    log(
      `validity: ${dir !== undefined ? 'generated' : 'using'} ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    const rawSql = `SELECT ${RAW.map((sql, i) => `${sql} AS m${i}`).join(', ')} FROM read_parquet(${sqlString(file)})`
    const suite = new VerificationSuite({
      name: 'validity',
      audit: false,
      checks: [
        check({ name: 'validity', datasets: ['orders'] }, (mp, ctx) => {
          for (const r of RULES) ctx.assertThat(r.rule(mp)).where({ name: r.name }).noop()
        }),
      ],
    })
    const source = { orders: DataSource.parquet(file) }
    const key = new ResultKey('2026-11-25')
    const runSuite = async () => {
      const report = await suite.run(source, key)
      if (report.summary.passed !== RULES.length)
        throw new Error(`validity: ${report.summary.failed} rules failed`)
      return report
    }

    // Correctness first (and a warm page cache): every rule's value equals the hand-written one.
    t0 = performance.now()
    const ours = (await runSuite()).results
    const theirs = await runRaw(rawSql)
    for (const [i, r] of RULES.entries()) {
      const a = ours[i]?.value as number
      const b = r.raw(theirs)
      if (Math.abs(a - b) > (r.rel ?? 1e-9) * Math.max(1, Math.abs(b))) {
        throw new Error(`validity: dqx computed ${r.name} = ${a}, the raw query ${b}`)
      }
    }
    log(
      `validity: dqx's 10 values equal the raw query's (checked in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    )

    const samples = await interleave(
      { dqx: () => timedCpu(runSuite), raw: () => timedCpu(() => runRaw(rawSql)) },
      rounds,
      0,
      (r) => log(`validity: round ${r + 1}/${rounds}`),
    )
    const firstCase = await benchFirst(file, rows, rounds, log)
    return [
      fromTimings(
        {
          name: `10 validity rules, ${rows.toLocaleString('en-US')} rows: suite vs one hand-written query`,
          peer: 'DuckDB, 1 query',
          target: '≤ 1.15×',
        },
        samples.dqx ?? [],
        samples.raw ?? [],
        (r) => r <= 1.15,
      ),
      firstCase,
    ]
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }
}

/**
 * `mp.first(col, { orderBy })` in a suite (DuckDB's streaming arg_min_null inside the scan) vs the
 * ordered aggregate a person would write, `first(price ORDER BY id)`, which sorts (target ≤ 1×).
 */
async function benchFirst(
  file: string,
  rows: number,
  rounds: number,
  log: (line: string) => void,
): Promise<MeasuredCase> {
  const suite = new VerificationSuite({
    name: 'first',
    audit: false,
    checks: [
      check({ name: 'first', datasets: ['orders'] }, (mp, ctx) => {
        ctx
          .assertThat(mp.first('price', { orderBy: 'id' }))
          .where({ name: 'opening price' })
          .noop()
      }),
    ],
  })
  const source = { orders: DataSource.parquet(file) }
  const key = new ResultKey('2026-11-25')
  const rawSql = `SELECT first(price ORDER BY id) AS m0 FROM read_parquet(${sqlString(file)})`
  const ours = (await suite.run(source, key)).results[0]?.value
  const theirs = (await runRaw(rawSql)).m0
  if (ours !== theirs) throw new Error(`first: dqx computed ${ours}, the raw query ${theirs}`)
  const samples = await interleave(
    { dqx: () => timedCpu(() => suite.run(source, key)), raw: () => timedCpu(() => runRaw(rawSql)) },
    rounds,
    0,
    (r) => log(`first: round ${r + 1}/${rounds}`),
  )
  return fromTimings(
    {
      name: `first(price, { orderBy: 'id' }), ${rows.toLocaleString('en-US')} rows: suite vs first(price ORDER BY id)`,
      peer: 'DuckDB ordered aggregate, 1 query',
      target: '≤ 1×',
    },
    samples.dqx ?? [],
    samples.raw ?? [],
    (r) => r <= 1,
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick')
  const opts: ValidityBenchOptions = { quick }
  const rowsArg = argValue(process.argv, 'rows')
  if (rowsArg !== undefined) opts.rows = parseRows(rowsArg)
  const file = argValue(process.argv, 'file')
  if (file !== undefined) opts.file = file
  const cases = await run(opts)
  printCases('Validity: dqx vs hand-written DuckDB (medians of interleaved runs)', cases)
  printDetails(cases)
}
