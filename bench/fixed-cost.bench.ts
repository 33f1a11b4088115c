// The fixed cost of a run: what a suite adds to the queries it issues, on data small enough that
// the query itself costs ~1 ms. Peers are the same aggregates run by hand on an open DuckDB
// connection (the cheapest way to get the numbers), measured side by side, interleaved:
//   (a) one 1,000-row parquet file, 3 metrics: suite run ≤ raw query + 3 ms;
//   (b) 50 such files, one dataset each: suite run ≤ 1.5× the 50 raw queries run one after another;
//   (c) the same suite with a DuckDB-file MetricDB instead of the in-memory one: ≤ 10 ms added per run
//       (and, for information, the same with keepOpenMs 0: a checkpoint per run).
// `npx tsx bench/fixed-cost.bench.ts [--quick]` prints a table.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'
import { check, DataSource, MetricDB, ResultKey, VerificationSuite } from '../src/index.js'
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
import { generateParquet, sqlString } from './lib/workload.js'
import { printCases } from './types.js'

const ROWS = 1000
const DATASETS = 50

const threeMetrics = (dataset: string) =>
  check({ name: dataset, datasets: [dataset] }, (mp, ctx) => {
    ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(ROWS)
    ctx.assertThat(mp.sum('price')).where({ name: 'revenue' }).isPositive()
    ctx.assertThat(mp.nullCount('email')).where({ name: 'missing emails' }).isLt(ROWS)
  })
const rawSql = (file: string): string =>
  `SELECT count(*), sum(price), count(*) - count(email) FROM read_parquet(${sqlString(file)})`

export async function run(opts: { quick: boolean; log?: (line: string) => void }): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const rounds = opts.quick ? { one: 5, many: 3, file: 5 } : { one: 41, many: 11, file: 31 }
  const dir = await mkdtemp(join(tmpdir(), 'dqx-bench-fixed-'))
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    const files = Array.from({ length: DATASETS }, (_, i) => join(dir, `orders_${i}.parquet`))
    for (const f of files) await generateParquet(f, ROWS)
    const key = new ResultKey('2026-11-25')
    const raw = async (sqls: readonly string[]) => {
      for (const sql of sqls) (await conn.runAndReadAll(sql)).getRowObjectsJS()
    }
    const suiteRun =
      (suite: VerificationSuite, sources: Record<string, DataSource>, n: number) => async () => {
        const report = await suite.run(sources, key)
        if (report.summary.passed !== n)
          throw new Error(`fixed-cost: ${report.summary.failed} assertions failed`)
      }
    const cases: MeasuredCase[] = []

    // (a) one dataset
    const one = { orders: DataSource.parquet(files[0] as string) }
    const oneSuite = new VerificationSuite({ name: 'one', checks: [threeMetrics('orders')], audit: false })
    const a = await interleave(
      {
        dqx: () => timedCpu(suiteRun(oneSuite, one, 3)),
        raw: () => timedCpu(() => raw([rawSql(files[0] as string)])),
      },
      rounds.one,
      3,
    )
    const added =
      median((a.dqx as Timing[]).map((t) => t.wall)) - median((a.raw as Timing[]).map((t) => t.wall))
    cases.push(
      fromTimings(
        {
          name: `1 parquet, ${ROWS} rows, 3 metrics: suite run`,
          peer: 'DuckDB, same query, open connection',
          target: '≤ raw + 3 ms',
        },
        a.dqx as Timing[],
        a.raw as Timing[],
        () => added <= 3,
        `${round3(added)} ms added per run`,
      ),
    )
    log('fixed-cost: one dataset done')

    // (b) 50 datasets
    const many = Object.fromEntries(files.map((f, i) => [`orders_${i}`, DataSource.parquet(f)]))
    const manySuite = new VerificationSuite({
      name: 'many',
      checks: Object.keys(many).map(threeMetrics),
      audit: false,
    })
    const b = await interleave(
      {
        dqx: () => timedCpu(suiteRun(manySuite, many, 3 * DATASETS)),
        raw: () => timedCpu(() => raw(files.map(rawSql))),
      },
      rounds.many,
      1,
    )
    cases.push(
      fromTimings(
        {
          name: `${DATASETS} parquet datasets, ${ROWS} rows, 3 metrics each`,
          peer: `DuckDB, ${DATASETS} queries in sequence`,
          target: '≤ 1.5×',
        },
        b.dqx as Timing[],
        b.raw as Timing[],
        (r) => r <= 1.5,
      ),
    )
    log('fixed-cost: 50 datasets done')

    // (c) DuckDB-file MetricDB vs in-memory: the default keeps the file open between runs; with
    // keepOpenMs 0 every run closes (checkpoints) it, what a process that runs once pays.
    const db = MetricDB.duckdb(join(dir, 'metrics.duckdb'))
    const closing = MetricDB.duckdb(join(dir, 'closing.duckdb'), { keepOpenMs: 0 })
    const fileSuite = (name: string, store: MetricDB) =>
      new VerificationSuite({ name, checks: [threeMetrics('orders')], db: store, audit: false })
    const kept = fileSuite('file', db)
    const closed = fileSuite('closing', closing)
    // Two interleaved series, not one: a checkpoint per run on the other file would disturb the
    // kept-open file's runs (they share the disk), which is not what either costs alone.
    const c = await interleave(
      {
        file: () => timedCpu(suiteRun(kept, one, 3)),
        memory: () => timedCpu(suiteRun(oneSuite, one, 3)),
      },
      rounds.file,
      2,
    )
    const d = await interleave(
      {
        closing: () => timedCpu(suiteRun(closed, one, 3)),
        memory: () => timedCpu(suiteRun(oneSuite, one, 3)),
      },
      rounds.file,
      2,
    )
    await db.close()
    await closing.close()
    const wall = (t: Timing[] | undefined) => median((t as Timing[]).map((x) => x.wall))
    const fileAdded = wall(c.file) - wall(c.memory)
    const closingAdded = wall(d.closing) - wall(d.memory)
    cases.push(
      fromTimings(
        {
          name: 'DuckDB-file MetricDB vs in-memory, same run',
          peer: 'MetricDB.memory()',
          target: '≤ +10 ms',
        },
        c.file as Timing[],
        c.memory as Timing[],
        () => fileAdded <= 10,
        `${round3(fileAdded)} ms added per run (one write transaction and commit; the file stays open between runs)`,
      ),
      fromTimings(
        {
          name: 'DuckDB-file MetricDB, keepOpenMs 0 (closed after each run)',
          peer: 'MetricDB.memory()',
          target: 'info only',
        },
        d.closing as Timing[],
        d.memory as Timing[],
        () => true,
        `${round3(closingAdded)} ms added per run (the same write, then a checkpoint as the file is closed)`,
      ),
    )
    log('fixed-cost: DuckDB-file MetricDB done')
    return cases
  } finally {
    conn.closeSync()
    inst.closeSync()
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases('Fixed cost of a run (medians of interleaved runs)', cases)
  printDetails(cases)
}
