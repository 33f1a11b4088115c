// What the cross-engine tests share (postgres-cross-engine, clickhouse-cross-engine): one suite that
// computes every metric of a list over two datasets of the same rows ('all', and 'daily' with the
// date filter on `day`), run once over DuckDB and once over the other engine, and the comparisons
// of the two engines' values by kind of metric.

import { expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import type { Metric } from '../../src/core/expression.js'
import type { MetricProvider } from '../../src/core/metric-provider.js'
import type { ResultKey } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import type { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { rng, silentLogger } from '../helpers/data.js'

/** Rows per generated table. */
export const N = 3000
/** Relative tolerance of floating-point metrics (sum, average, variance, stddev of doubles). */
export const FLOAT_REL = 1e-9
const DAYS = ['2026-11-24', '2026-11-25', '2026-11-26']

/** A generated row; `flag` and `day` as the engine's loader wants them. */
export interface Fact<Flag, Day> {
  id: number
  name: string | null
  city: string | null
  category: string | null
  flag: Flag | null
  amount: number | null
  qty: number | null
  big: number | null
  day: Day
}

/**
 * `N` rows drawn from `seed` (the same rows on every run): names from `words` (some with a number
 * after them), cities, categories a–c, flags, amounts around ±1e6, integer quantities, `big` values,
 * and a time on 2026-11-24…26; each column but id, city and day NULL now and then.
 */
export function generateFacts<Flag, Day>(o: {
  seed: number
  words: readonly string[]
  cities: readonly (string | null)[]
  big: readonly number[]
  flag: (yes: boolean) => Flag
  /** `date` 'YYYY-MM-DD', `time` 'hh:mm:00' (UTC). */
  day: (date: string, time: string) => Day
}): Fact<Flag, Day>[] {
  const r = rng(o.seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const maybe = <T>(p: number, v: () => T): T | null => (r() < p ? null : v())
  const two = (n: number) => String(n).padStart(2, '0')
  return Array.from({ length: N }, (_, id) => ({
    id,
    name: maybe(0.08, () => (r() < 0.3 ? pick(o.words) : `${pick(o.words)} ${Math.floor(r() * 2000)}`)),
    city: pick(o.cities),
    category: maybe(0.1, () => pick(['a', 'b', 'c'])),
    flag: maybe(0.1, () => o.flag(r() < 0.5)),
    amount: maybe(0.05, () => (r() < 0.02 ? 0 : (r() * 2 - 1) * 1e6)),
    qty: maybe(0.05, () => Math.floor(r() * 2001) - 1000),
    big: maybe(0.05, () => pick(o.big)),
    day: o.day(pick(DAYS), `${two(Math.floor(r() * 24))}:${two(Math.floor(r() * 60))}:00`),
  }))
}

/** exact: equal in both engines; float: within a relative tolerance; approx: an estimate. */
export type Kind = 'exact' | 'float' | 'approx'
export type MetricCase = [Kind, (mp: MetricProvider) => Metric]

/** The values of one engine, keyed `dataset metric` (`all numRows()`). */
export type Values = Map<string, number | null>

export interface CrossEngineRun {
  duck: Values
  other: Values
  /** The kind of each metric, by its name. */
  kinds: Map<string, Kind>
}

const valuesOf = (report: RunReport): Values =>
  new Map(report.symbols.map((s) => [`${s.dataset} ${s.metric}`, s.value]))

/** A source of the rows: whole (`{}`), or filtered to the run's day (`{ dateColumn: 'day' }`). */
export type SourceOf = (options: { dateColumn?: string }) => DataSource

/** Runs the suite of `metrics` over DuckDB's source and the other engine's, both as 'all' and 'daily'. */
export async function runBothEngines(o: {
  name: string
  metrics: readonly MetricCase[]
  key: ResultKey
  duck: SourceOf
  other: SourceOf
}): Promise<CrossEngineRun> {
  const kinds = new Map<string, Kind>()
  const checks = ['all', 'daily'].map((dataset) =>
    check({ name: `metrics of ${dataset}`, datasets: [dataset] }, (mp, ctx) => {
      o.metrics.forEach(([kind, m], i) => {
        const metric = m(mp)
        kinds.set(String(metric), kind)
        ctx
          .assertThat(metric)
          .where({ name: `m${i}` })
          .noop()
      })
    }),
  )
  const suite = new VerificationSuite({
    name: o.name,
    checks,
    db: MetricDB.memory(),
    logger: silentLogger(),
    audit: false,
  })
  const run = async (source: SourceOf) =>
    valuesOf(await suite.run({ all: source({}), daily: source({ dateColumn: 'day' }) }, o.key))
  return { duck: await run(o.duck), other: await run(o.other), kinds }
}

/** The DuckDB values of the metrics of one kind, keyed as in `Values`. */
export function ofKind(run: CrossEngineRun, kind: Kind): [string, number | null][] {
  return [...run.duck].filter(([k]) => run.kinds.get(k.slice(k.indexOf(' ') + 1)) === kind)
}

/** The exact metrics whose values differ, one line each naming both values. */
export function exactDiffs(run: CrossEngineRun, engine: string): string[] {
  return ofKind(run, 'exact')
    .filter(([k, d]) => !Object.is(d, run.other.get(k)) && d !== run.other.get(k))
    .map(([k, d]) => `${k}: duckdb ${d} ${engine} ${run.other.get(k)}`)
}

/** The floating-point metrics whose values differ by more than `rel`, relative to the other engine's. */
export function floatDiffs(run: CrossEngineRun, engine: string, rel: number): string[] {
  const diffs: string[] = []
  for (const [k, d] of ofKind(run, 'float')) {
    const o = run.other.get(k) as number
    const r = Math.abs((d as number) - o) / Math.max(Math.abs(o), Number.MIN_VALUE)
    if (!(r <= rel)) diffs.push(`${k}: duckdb ${d} ${engine} ${o} (rel ${r})`)
  }
  return diffs
}

/**
 * The metrics both cross-engine tests compare, over their generated columns (name, city, category,
 * flag, amount, qty, big); each test adds the ones its data or its SQL spells differently.
 */
export const COMMON_METRICS: readonly MetricCase[] = [
  ['exact', (mp) => mp.numRows()],
  ['exact', (mp) => mp.nullCount('name')],
  ['exact', (mp) => mp.nullCount('city')],
  ['exact', (mp) => mp.nullCount('flag')],
  ['exact', (mp) => mp.nullCount('amount')],
  ['exact', (mp) => mp.uniqueCount('name')],
  ['exact', (mp) => mp.uniqueCount('city')],
  ['exact', (mp) => mp.uniqueCount('qty')],
  ['exact', (mp) => mp.uniqueCount('big')],
  ['exact', (mp) => mp.duplicateCount(['city'])],
  ['exact', (mp) => mp.duplicateCount(['city', 'category'])],
  ['exact', (mp) => mp.duplicateCount(['city', 'category', 'flag'])],
  ['exact', (mp) => mp.duplicateCount(['name', 'big'])],
  ['exact', (mp) => mp.countValues('city', ['Zürich', '東京'])],
  ['exact', (mp) => mp.countValues('qty', [0, 1, -1])],
  ['exact', (mp) => mp.countValues('flag', [true])],
  ['exact', (mp) => mp.countValues('big', [0, 1e300, Number.MAX_VALUE])],
  ['exact', (mp) => mp.minLength('name')],
  ['exact', (mp) => mp.maxLength('name')],
  ['exact', (mp) => mp.minLength('city')],
  ['exact', (mp) => mp.maxLength('city')],
  ['exact', (mp) => mp.minimum('qty')],
  ['exact', (mp) => mp.maximum('qty')],
  ['exact', (mp) => mp.minimum('amount')],
  ['exact', (mp) => mp.maximum('amount')],
  ['exact', (mp) => mp.minimum('big')],
  ['exact', (mp) => mp.maximum('big')],
  ['exact', (mp) => mp.sum('qty')], // integers: exact in both
  ['float', (mp) => mp.sum('amount')],
  ['float', (mp) => mp.average('amount')],
  ['float', (mp) => mp.average('qty')],
  ['float', (mp) => mp.variance('amount')],
  ['float', (mp) => mp.stddev('amount')],
  ['float', (mp) => mp.variance('qty')],
  ['float', (mp) => mp.stddev('qty')],
  ['approx', (mp) => mp.approxDistinct('name')],
  ['approx', (mp) => mp.approxDistinct('qty')],
  ['approx', (mp) => mp.approxDistinct('city')],
]

/**
 * The tests every cross-engine comparison makes: each metric of both datasets has a value in both
 * engines, exact metrics are equal, floating-point ones agree within FLOAT_REL.
 */
export function agreementTests(engine: string, run: () => CrossEngineRun, metricCount: number): void {
  it('every metric of both datasets has a value in both engines', () => {
    const { duck, other } = run()
    expect(duck.size).toBe(metricCount * 2)
    expect([...other.keys()].sort()).toEqual([...duck.keys()].sort())
    for (const [k, v] of other) expect({ k, v }).toEqual({ k, v: expect.any(Number) })
  })

  it('exact metrics are equal', () => {
    expect(exactDiffs(run(), engine)).toEqual([])
  })

  it(`floating-point metrics agree within a relative ${FLOAT_REL}`, () => {
    expect(floatDiffs(run(), engine, FLOAT_REL)).toEqual([])
  })
}
