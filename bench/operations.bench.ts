// What profiles, tunables and re-evaluation cost, measured side by side (interleaved):
//   (a) re-evaluating a stored run after a tunable change vs running the suite again on the same
//       parquet file (1M rows; quick 100k), in-memory MetricDB: ≤ 0.05× — it reads no data. Its
//       cost does not grow with the data: with a DuckDB-file MetricDB it is the ~6 file operations
//       (each one attach of the file, see fixed-cost) of setTunable + reevaluate;
//   (b) a run with 2 profiles (one active, scaling and re-grading) and 3 tunables vs the same checks
//       with plain numbers, 1,000 rows: ≤ 1.2× (one MetricDB read of the tunables' values, rules
//       matched in memory).
// `npx tsx bench/operations.bench.ts [--quick]` prints a table.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  check,
  DataSource,
  MetricDB,
  type NumberOrTunable,
  permanentProfile,
  ResultKey,
  type RunReport,
  seasonalProfile,
  tag,
  tunable,
  VerificationSuite,
} from '../src/index.js'
import { printDetails } from './lib/report.js'
import { fromTimings, interleave, type MeasuredCase, type Timing, timedCpu } from './lib/stats.js'
import { generateParquet } from './lib/workload.js'
import { printCases } from './types.js'

const checks = (maxNull: NumberOrTunable, minRows: NumberOrTunable, maxPrice: NumberOrTunable) => [
  check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
    ctx
      .assertThat(mp.nullCount('email').rate())
      .where({ name: 'null rate', tags: ['pii'] })
      .isLt(maxNull)
    ctx
      .assertThat(mp.numRows())
      .where({ name: 'rows', tags: ['volume'] })
      .isGeq(minRows)
    ctx.assertThat(mp.maximum('price')).where({ name: 'max price' }).isLeq(maxPrice)
    ctx
      .assertThat(mp.average('qty'))
      .where({ name: 'avg qty', tags: ['legacy'] })
      .isPositive()
    ctx.assertThat(mp.uniqueCount('status')).where({ name: 'statuses' }).isEq(5)
  }),
]

export async function run(opts: { quick: boolean; log?: (line: string) => void }): Promise<MeasuredCase[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const rows = opts.quick ? 100_000 : 1_000_000
  const rounds = opts.quick ? { big: 3, small: 5 } : { big: 11, small: 101 }
  const dir = await mkdtemp(join(tmpdir(), 'dqx-bench-ops-'))
  const cases: MeasuredCase[] = []
  const key = new ResultKey('2026-11-25')
  try {
    // (a) re-evaluation vs a fresh run
    const big = join(dir, 'orders.parquet')
    await generateParquet(big, rows)
    const db = MetricDB.memory()
    const maxNull = tunable('max_null_rate', 0.1, { min: 0, max: 0.5 })
    const suite = new VerificationSuite({
      name: 'ops',
      checks: checks(maxNull, 1, 1000),
      db,
      audit: false,
    })
    const sources = { orders: DataSource.parquet(big) }
    let last: RunReport = await suite.run(sources, key)
    let value = 0.1
    const a = await interleave(
      {
        reevaluate: () =>
          timedCpu(async () => {
            value = value === 0.1 ? 0.2 : 0.1
            await suite.setTunable('max_null_rate', value, { who: 'bench', why: 'measure' })
            await suite.reevaluate(last)
          }),
        run: () =>
          timedCpu(async () => {
            last = await suite.run(sources, key)
          }),
      },
      rounds.big,
      1,
    )
    await db.close()
    cases.push(
      fromTimings(
        {
          name: `setTunable + reevaluate, parquet ${rows.toLocaleString('en')} rows`,
          peer: 'suite.run() of the same key',
          target: '≤ 0.05×',
        },
        a.reevaluate as Timing[],
        a.run as Timing[],
        (r) => r <= 0.05,
      ),
    )
    log('operations: re-evaluation done')

    // (b) profiles and tunables vs plain numbers
    const small = join(dir, 'small.parquet')
    await generateParquet(small, 1000)
    const smallSources = { orders: DataSource.parquet(small) }
    const plain = new VerificationSuite({ name: 'plain', checks: checks(0.1, 1, 1000), audit: false })
    const operated = new VerificationSuite({
      name: 'operated',
      checks: checks(
        tunable('max_null_rate', 0.1, { min: 0, max: 0.5 }),
        tunable('min_rows', 1, { min: 0, max: 10 }),
        tunable('max_price', 1000, { min: 0, max: 10_000 }),
      ),
      profiles: [
        // Active, and changing values and severities without skipping any work the plain suite does.
        permanentProfile({ name: 'legacy', rules: [tag('legacy').scale(2).set({ severity: 'P3' })] }),
        seasonalProfile({
          name: 'sale',
          startDate: '2026-12-01',
          endDate: '2026-12-03',
          rules: [tag('volume').scale(0.5).set({ severity: 'P3' })],
        }),
      ],
      audit: false,
    })
    const b = await interleave(
      {
        operated: () => timedCpu(() => operated.run(smallSources, key)),
        plain: () => timedCpu(() => plain.run(smallSources, key)),
      },
      rounds.small,
      3,
    )
    cases.push(
      fromTimings(
        {
          name: 'run with 2 profiles and 3 tunables, 1,000 rows',
          peer: 'the same checks with plain numbers',
          target: '≤ 1.2×',
        },
        b.operated as Timing[],
        b.plain as Timing[],
        (r) => r <= 1.2,
      ),
    )
    log('operations: profiles and tunables done')
    return cases
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = await run({ quick: process.argv.includes('--quick') })
  printCases(
    'Operations: re-evaluation and the cost of profiles and tunables (medians of interleaved runs)',
    cases,
  )
  printDetails(cases)
}
