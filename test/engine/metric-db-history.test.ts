// The MetricDB history features, one contract run against all three stores (memory, DuckDB file,
// PostgreSQL): an assertion's latest outcome per day, pinned baselines, and retention (prune).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import type { AssertionResult } from '../../src/core/types.js'
import { MetricDB, type StoredMetric } from '../../src/engine/metric-db.js'
import { type TempDir, tempDir } from '../helpers/data.js'
import { freshDatabase, hasPg, pgUrl, uniqueName } from './pg-helpers.js'

const pgReady = hasPg()
const baseUrl = pgUrl()

const result = (over: Partial<AssertionResult> = {}): AssertionResult => ({
  date: '2026-11-25',
  suite: 'nightly',
  check: 'orders',
  assertion: 'revenue normal',
  severity: 'P1',
  status: 'PASSED',
  value: 100,
  expression: 'sum(revenue)',
  tags: { env: 'prod' },
  assertionTags: [],
  ...over,
})

const metric = (over: Partial<StoredMetric> = {}): StoredMetric => ({
  metric: 'sum(revenue)',
  dataset: 'orders',
  date: '2026-11-25',
  tags: { env: 'prod' },
  value: 100,
  suite: 'nightly',
  runId: 'r',
  ...over,
})

let dir: TempDir
let pg: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  dir = tempDir()
  if (pgReady) pg = await freshDatabase(baseUrl, 'dqx_hist')
})
afterAll(async () => {
  dir.cleanup()
  await pg?.drop()
})

let seq = 0
const stores: { name: string; make: () => MetricDB }[] = [
  { name: 'memory', make: () => MetricDB.memory() },
  { name: 'duckdb file', make: () => MetricDB.duckdb(dir.file(`h${++seq}.duckdb`)) },
  { name: 'postgres', make: () => MetricDB.postgres(pg.url, { schema: uniqueName('hist') }) },
].filter((s) => pgReady || s.name !== 'postgres')

const errorOf = async (p: Promise<unknown>): Promise<DqxError> => {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    return err as DqxError
  }
  throw new Error('expected a DqxError')
}

describe.each(stores)('MetricDB history: $name', ({ make }) => {
  const q = { suite: 'nightly', check: 'orders', assertion: 'revenue normal', tags: { env: 'prod' } }

  it('getAssertionHistory: the latest run of each date, oldest first, only this assertion and tags', async () => {
    const db = make()
    try {
      expect(await db.getAssertionHistory({ ...q, from: '2026-11-01', to: '2026-11-30' })).toEqual([])
      await db.putResults('run-1', [
        result({ date: '2026-11-23', status: 'FAILED', value: 900 }),
        result({ date: '2026-11-23', assertion: 'other', status: 'FAILED' }),
      ])
      await db.putResults('run-2', [
        result({ date: '2026-11-24', status: 'FAILED', value: null, error: 'too little history' }),
      ])
      await db.putResults('run-3', [result({ date: '2026-11-25' })])
      // Another suite, check, tag set, or a date outside the range: not part of the answer.
      await db.putResults('run-4', [
        result({ date: '2026-11-23', suite: 'other' }),
        result({ date: '2026-11-23', check: 'other' }),
        result({ date: '2026-11-23', tags: { env: 'dev' } }),
        result({ date: '2026-11-26', status: 'FAILED' }),
      ])
      expect(await db.getAssertionHistory({ ...q, from: '2026-11-20', to: '2026-11-25' })).toEqual([
        { date: '2026-11-23', status: 'FAILED', value: 900, runId: 'run-1' },
        { date: '2026-11-24', status: 'FAILED', value: null, error: 'too little history', runId: 'run-2' },
        { date: '2026-11-25', status: 'PASSED', value: 100, runId: 'run-3' },
      ])
      // A fixed re-run of 2026-11-23 is now that day's outcome.
      await db.putResults('run-5', [result({ date: '2026-11-23', status: 'PASSED', value: 101 })])
      const after = await db.getAssertionHistory({ ...q, from: '2026-11-23', to: '2026-11-23' })
      expect(after).toEqual([{ date: '2026-11-23', status: 'PASSED', value: 101, runId: 'run-5' }])
      // Storing an older run again makes it the newest (runs are ordered by when they were stored).
      await db.putResults('run-1', [result({ date: '2026-11-23', status: 'FAILED', value: 901 })])
      expect((await db.getAssertionHistory({ ...q, from: '2026-11-23', to: '2026-11-23' }))[0]).toMatchObject(
        {
          runId: 'run-1',
          value: 901,
        },
      )
      // Tags are a set: key order does not matter.
      await db.putResults('run-6', [result({ date: '2026-11-22', tags: { a: '1', b: '2' } })])
      const byTags = await db.getAssertionHistory({
        ...q,
        tags: { b: '2', a: '1' },
        from: '2026-11-22',
        to: '2026-11-22',
      })
      expect(byTags.map((e) => e.runId)).toEqual(['run-6'])
      const e = await errorOf(db.getAssertionHistory({ ...q, from: '2026-11-31', to: '2026-12-01' }))
      expect(e.code).toBe('INVALID_DATE')
      expect((await errorOf(db.getAssertionHistory({ ...q, from: '2026-11-01', to: 'x' }))).message).toMatch(
        /to/,
      )
    } finally {
      await db.close()
    }
  })

  it('pins a value (with or without a spread) or a range per metric, dataset and tag set', async () => {
    const db = make()
    try {
      const target = { metric: 'sum(revenue)', dataset: 'orders', tags: { region: 'eu', env: 'prod' } }
      expect(await db.getPinnedBaseline(target)).toBeUndefined()
      await db.pinBaseline({ ...target, value: 100, spread: 4.5 })
      expect(await db.getPinnedBaseline({ ...target, tags: { env: 'prod', region: 'eu' } })).toEqual({
        metric: 'sum(revenue)',
        dataset: 'orders',
        tags: { env: 'prod', region: 'eu' },
        value: 100,
        spread: 4.5,
      })
      // A new pin replaces the old one.
      await db.pinBaseline({ ...target, from: '2026-10-01', to: '2026-10-31' })
      expect(await db.getPinnedBaseline(target)).toEqual({
        ...target,
        tags: { env: 'prod', region: 'eu' },
        from: '2026-10-01',
        to: '2026-10-31',
      })
      await db.pinBaseline({ metric: 'numRows()', dataset: 'orders', value: 0 })
      expect(await db.getPinnedBaseline({ metric: 'numRows()', dataset: 'orders' })).toEqual({
        metric: 'numRows()',
        dataset: 'orders',
        tags: {},
        value: 0,
      })
      expect(
        await db.getPinnedBaseline({ metric: 'numRows()', dataset: 'orders', tags: { env: 'prod' } }),
      ).toBeUndefined()
      expect(await db.unpinBaseline(target)).toBe(true)
      expect(await db.unpinBaseline(target)).toBe(false)
      expect(await db.getPinnedBaseline(target)).toBeUndefined()
      expect(await db.getPinnedBaseline({ metric: 'numRows()', dataset: 'orders' })).toBeDefined()
    } finally {
      await db.close()
    }
  })

  it('refuses malformed pins, naming what is wrong', async () => {
    const db = make()
    try {
      const t = { metric: 'sum(revenue)', dataset: 'orders' }
      const bad: [unknown, RegExp][] = [
        [null, /takes \{ metric, dataset, tags\? \}/],
        [{ dataset: 'orders', value: 1 }, /metric must be a non-empty string, got undefined/],
        [{ metric: 'm', dataset: '', value: 1 }, /dataset must be a non-empty string/],
        [{ ...t, tags: { env: 1 }, value: 1 }, /tags must be an object of string values/],
        [{ ...t, tags: ['x'], value: 1 }, /tags must be an object/],
        [{ ...t, tags: null, value: 1 }, /tags must be an object/],
        [{ ...t, tags: { constructor: 'x' }, value: 1 }, /ResultKey tag name "constructor" is not allowed/],
        [
          { ...t, tags: JSON.parse('{"__proto__":"x"}') as Record<string, string>, value: 1 },
          /ResultKey tag name "__proto__" is not allowed/,
        ],
        [{ ...t, value: 'x', from: 3 }, /either value \(and optionally spread\) or from and to/],
        [t, /either value \(and optionally spread\) or from and to/],
        [{ ...t, value: 1, from: '2026-10-01', to: '2026-10-02' }, /either value/],
        [{ ...t, value: Number.NaN }, /value must be a finite number, got NaN/],
        [{ ...t, value: '1' }, /value must be a finite number/],
        [{ ...t, value: 1, spread: -1 }, /spread must be a non-negative number, got -1/],
        [{ ...t, value: 1, spread: Number.POSITIVE_INFINITY }, /spread must be/],
        [{ ...t, from: '2026-10-01' }, /to must be a 'YYYY-MM-DD' string/],
        [{ ...t, from: '2026-02-30', to: '2026-03-01' }, /does not exist/],
        [{ ...t, from: '2026-10-02', to: '2026-10-01' }, /from \(2026-10-02\) is after to \(2026-10-01\)/],
      ]
      for (const [pin, message] of bad) {
        const e = await errorOf(db.pinBaseline(pin as never))
        expect(e.message, JSON.stringify(pin)).toMatch(message)
      }
      expect((await errorOf(db.unpinBaseline({ metric: '', dataset: 'd' }))).message).toMatch(
        /^unpinBaseline\(\)/,
      )
      expect((await errorOf(db.getPinnedBaseline(undefined as never))).message).toMatch(
        /^getPinnedBaseline\(\)/,
      )
    } finally {
      await db.close()
    }
  })

  it('prune deletes metrics and results dated before the cutoff, keeping metrics in a pinned range', async () => {
    const db = make()
    try {
      const days = ['2026-09-10', '2026-09-20', '2026-10-05', '2026-10-20', '2026-11-20']
      await db.putMetrics(days.flatMap((date) => [metric({ date }), metric({ date, metric: 'numRows()' })]))
      await db.putResults(
        'r1',
        days.map((date) => result({ date })),
      )
      // Pinned: sum(revenue) on 2026-09-15..2026-09-30 [env=prod] only.
      await db.pinBaseline({
        metric: 'sum(revenue)',
        dataset: 'orders',
        tags: { env: 'prod' },
        from: '2026-09-15',
        to: '2026-09-30',
      })
      await db.pinBaseline({ metric: 'numRows()', dataset: 'orders', tags: { env: 'prod' }, value: 10 })
      const out = await db.prune({ olderThanDays: 30, now: '2026-11-04' })
      // Before 2026-10-05: 2026-09-10 and 2026-09-20; sum(revenue) on 2026-09-20 is in the pinned range.
      expect(out).toEqual({ metrics: 3, results: 2, cutoff: '2026-10-05' })
      const left = async (m: string) =>
        (
          await db.getHistory({
            metric: m,
            dataset: 'orders',
            tags: { env: 'prod' },
            from: '2026-01-01',
            to: '2026-12-31',
          })
        ).map((x) => x.date)
      expect(await left('sum(revenue)')).toEqual(['2026-09-20', '2026-10-05', '2026-10-20', '2026-11-20'])
      expect(await left('numRows()')).toEqual(['2026-10-05', '2026-10-20', '2026-11-20'])
      const results = await db.getAssertionHistory({
        suite: 'nightly',
        check: 'orders',
        assertion: 'revenue normal',
        tags: { env: 'prod' },
        from: '2026-01-01',
        to: '2026-12-31',
      })
      expect(results.map((r) => r.date)).toEqual(['2026-10-05', '2026-10-20', '2026-11-20'])
      // A Date works as now; nothing more to delete.
      expect(await db.prune({ olderThanDays: 30, now: new Date('2026-11-04T23:59:00Z') })).toEqual({
        metrics: 0,
        results: 0,
        cutoff: '2026-10-05',
      })
      // The default now is today (UTC).
      const today = new Date().toISOString().slice(0, 10)
      expect((await db.prune({ olderThanDays: 0 })).cutoff).toBe(today)
      expect(await left('numRows()')).toEqual(
        ['2026-10-05', '2026-10-20', '2026-11-20'].filter((d) => d >= today),
      )
    } finally {
      await db.close()
    }
  })

  it('prune refuses bad options', async () => {
    const db = make()
    try {
      for (const [opts, message] of [
        [undefined, /prune\(\) takes \{ olderThanDays, now\? \}/],
        [{}, /olderThanDays must be a non-negative whole number, got undefined/],
        [{ olderThanDays: -1 }, /got -1/],
        [{ olderThanDays: 1.5 }, /got 1.5/],
        [{ olderThanDays: 1, now: '2026-13-01' }, /now '2026-13-01' does not exist|not in 'YYYY-MM-DD'/],
        [{ olderThanDays: 1, now: new Date(Number.NaN) }, /now must be a 'YYYY-MM-DD' string/],
      ] as const) {
        expect((await errorOf(db.prune(opts as never))).message).toMatch(message)
      }
    } finally {
      await db.close()
    }
  })
})
