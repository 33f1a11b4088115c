// mp.ext.stddev(metric, { offset, n }) over the history stored by earlier runs, on all three
// MetricDB stores: the sample standard deviation of n consecutive days ending offset days back,
// checked against plain JS over the same daily values; a missing day fails the assertion naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey, shiftDate } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { freshDatabase, hasPg, pgUrl, uniqueName } from '../engine/pg-helpers.js'
import { expectClose, quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const pgReady = hasPg()
let dir: TempDir
let pg: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  dir = tempDir()
  if (pgReady) pg = await freshDatabase(pgUrl(), 'dqx_sd')
})
afterAll(async () => {
  dir.cleanup()
  await pg?.drop()
})

const stores: { name: string; make: () => MetricDB }[] = [
  { name: 'memory', make: () => MetricDB.memory() },
  { name: 'duckdb file', make: () => MetricDB.duckdb(dir.file(`sd-${uniqueName('f')}.duckdb`)) },
  { name: 'postgres', make: () => MetricDB.postgres(pg.url, { schema: uniqueName('sd') }) },
].filter((s) => pgReady || s.name !== 'postgres')

/** Python's statistics.stdev: the sample standard deviation; one value gives 0 (DQX). */
function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1))
}

const END = '2026-11-25'
// Daily revenue, oldest first: day i is END − (SERIES.length − 1 − i).
const SERIES = [120.5, 98.25, 143, 110.75, 87.5, 131.25]
const dayOf = (i: number): string => shiftDate(END, i - (SERIES.length - 1))
const valueOn = (date: string): number => SERIES[SERIES.findIndex((_, i) => dayOf(i) === date)] as number

const sdCheck = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
  const revenue = mp.sum('amount')
  ctx
    .assertThat(mp.ext.stddev(revenue, { n: 4 }))
    .where({ name: 'last 4 days' })
    .noop()
  ctx
    .assertThat(mp.ext.stddev(revenue, { offset: 1, n: 3 }))
    .where({ name: '3 days to yesterday' })
    .noop()
  ctx
    .assertThat(mp.ext.stddev(revenue, { n: 1 }))
    .where({ name: 'one day' })
    .isZero()
  ctx
    .assertThat(mp.ext.stddev(revenue, { n: SERIES.length + 2 }))
    .where({ name: 'longer than history' })
    .noop()
  // Today's revenue within 3 standard deviations of the last week's mean: a plain expression.
  ctx
    .assertThat(
      revenue
        .sub(mp.sum('amount', { lag: 1 }))
        .abs()
        .div(mp.ext.stddev(revenue, { offset: 1, n: 5 })),
    )
    .where({ name: 'z of the change' })
    .isLt(3)
})

/** Two rows a day summing to that day's value. */
const orders = (date: string) => {
  const v = valueOn(date)
  return DataSource.fromRecords([{ amount: v - 20 }, { amount: 20 }])
}

describe.each(stores)('mp.ext.stddev over stored history: $name', ({ make }) => {
  let report: RunReport
  beforeAll(async () => {
    const db = make()
    const suite = quietSuite([sdCheck], { db })
    try {
      for (let i = 0; i < SERIES.length; i++) {
        report = await suite.run({ orders: orders(dayOf(i)) }, new ResultKey(dayOf(i)))
      }
    } finally {
      await db.close()
    }
  })
  const result = (name: string) => report.results.find((r) => r.assertion === name)

  it('equals the sample stddev of the window’s values in plain JS', () => {
    expectClose(result('last 4 days')?.value, stdev(SERIES.slice(-4)))
    expectClose(result('3 days to yesterday')?.value, stdev(SERIES.slice(-4, -1)))
    expect(result('one day')).toMatchObject({ status: 'PASSED', value: 0 })
    const z = Math.abs((SERIES.at(-1) as number) - (SERIES.at(-2) as number)) / stdev(SERIES.slice(0, -1))
    expectClose(result('z of the change')?.value, z)
  })

  it('fails, naming the missing days, when the window reaches before the first run', () => {
    const r = result('longer than history')
    expect(r?.status).toBe('FAILED')
    expect(r?.value).toBeNull()
    expect(r?.error).toMatch(
      new RegExp(
        `^stddev\\(sum\\(amount\\), offset 0, n 8\\): 2 of 8 day\\(s\\) without a value; no value of sum\\(amount\\) on 'orders' for ${shiftDate(END, -6)}.*\\(and 1 more\\)$`,
      ),
    )
    expect(r?.expression).toBe('stddev(sum(amount), offset 0, n 8)')
  })

  it('each day of the window is a symbol of its own with its stored value', () => {
    for (let lag = 1; lag < 4; lag++) {
      const sym = report.symbols.find((s) => s.metric === `lag(${lag}, sum(amount))`)
      expect(sym?.value).toBe(valueOn(shiftDate(END, -lag)))
      expect(sym?.date).toBe(shiftDate(END, -lag))
    }
  })
})

describe('mp.ext', () => {
  it('validates its arguments', () => {
    const mp = new MetricProvider()
    expect(() => mp.ext.stddev(mp.sum('a').add(1) as never, { n: 3 })).toThrow(/needs a single metric/)
    expect(() => mp.ext.stddev(mp.sum('a'), undefined as never)).toThrow(/needs a window/)
    expect(() => mp.ext.stddev(mp.sum('a'), { n: 0 })).toThrow(/n must be a whole number >= 1, got 0/)
    expect(() => mp.ext.stddev(mp.sum('a'), { n: 2, offset: -1 })).toThrow(DqxError)
    expect(String(mp.ext.stddev(mp.sum('a', { lag: 2 }), { offset: 1, n: 2 }))).toBe(
      'stddev(lag(2, sum(a)), offset 1, n 2)',
    )
    expect(
      mp.ext
        .stddev(mp.sum('a', { lag: 2 }), { offset: 1, n: 2 })
        .refs()
        .map((r) => r.lag),
    ).toEqual([3, 4])
    // Bound to a dataset once; a metric that names its dataset keeps it.
    const own = mp.ext.stddev(mp.sum('a', { dataset: 'x' }), { n: 2 })
    expect(own.withDataset('y')).toBe(own)
    expect(
      mp.ext
        .stddev(mp.sum('a'), { n: 2 })
        .withDataset('y')
        .refs()
        .map((r) => r.dataset),
    ).toEqual(['y', 'y'])
    // Values whose squares overflow a double: an error, not Infinity.
    const huge = mp.ext
      .stddev(mp.sum('a'), { n: 2 })
      .evaluate((ref) => ({ ok: true, value: ref.lag === 0 ? 1e308 : -1e308 }))
    expect(huge).toEqual({ ok: false, error: 'stddev(sum(a), offset 0, n 2) is not finite' })
    expect(String(mp.ext.dayOverDay(mp.numRows()))).toBe('dayOverDay(numRows())')
    expect(String(mp.ext.weekOverWeek(mp.numRows()))).toBe('weekOverWeek(numRows())')
  })
})
