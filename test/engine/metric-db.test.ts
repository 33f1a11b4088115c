// MetricDB: the same behaviour from the in-memory store and the DuckDB file store.
import { writeFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DuckDBMetricDB } from '../../src/engine/duckdb-metric-db.js'
import { MemoryMetricDB } from '../../src/engine/memory-metric-db.js'
import { MetricDB, type StoredMetric, tagsKey } from '../../src/engine/metric-db.js'
import { type TempDir, tempDir } from '../helpers/data.js'

const metric = (over: Partial<StoredMetric> = {}): StoredMetric => ({
  metric: 'sum(revenue)',
  dataset: 'orders',
  date: '2026-11-25',
  tags: { env: 'prod', region: 'eu' },
  value: 150,
  suite: 'nightly',
  runId: 'run-1',
  ...over,
})

const result = (over: Partial<AssertionResult> = {}): AssertionResult => ({
  date: '2026-11-25',
  suite: 'nightly',
  check: 'orders',
  assertion: 'rows',
  severity: 'P1',
  status: 'PASSED',
  value: 3,
  expression: 'numRows()',
  bound: '> 0',
  tags: { env: 'prod' },
  assertionTags: ['pii', 'core'],
  ...over,
})

let dir: TempDir
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.cleanup())

let fileSeq = 0
const FACTORIES: [string, () => MetricDB][] = [
  ['MetricDB.memory()', () => MetricDB.memory()],
  ['MetricDB.duckdb(file)', () => MetricDB.duckdb(dir.file(`m${++fileSeq}.duckdb`))],
]

describe.each(FACTORIES)('%s', (_name, make) => {
  let db: MetricDB
  beforeEach(() => {
    db = make()
  })
  afterEach(async () => {
    await db.close()
  })

  it('is a MetricDB with a description', () => {
    expect(MetricDB.isMetricDB(db)).toBe(true)
    expect(db.description).toMatch(/^(memory|duckdb:.*\.duckdb)$/)
  })

  it('stores and reads back metrics', async () => {
    await db.putMetrics([metric(), metric({ metric: 'numRows()', value: 3 })])
    expect(
      await db.getMetric({
        metric: 'sum(revenue)',
        dataset: 'orders',
        date: '2026-11-25',
        tags: { env: 'prod', region: 'eu' },
      }),
    ).toEqual(metric())
    expect((await db.getMetric({ ...metric(), metric: 'numRows()' }))?.value).toBe(3)
  })

  it('returns undefined for what was never stored', async () => {
    await db.putMetrics([metric()])
    expect(await db.getMetric({ ...metric(), date: '2026-11-24' })).toBeUndefined()
    expect(await db.getMetric({ ...metric(), dataset: 'users' })).toBeUndefined()
    expect(await db.getMetric({ ...metric(), tags: { env: 'prod' } })).toBeUndefined()
    expect(await db.getMetric({ ...metric(), tags: {} })).toBeUndefined()
    expect(
      await db.getHistory({ metric: 'x', dataset: 'orders', tags: {}, from: '2000-01-01', to: '2100-01-01' }),
    ).toEqual([])
    expect(await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: {} })).toEqual([])
  })

  it('canonicalises tags: key order does not matter', async () => {
    await db.putMetrics([metric({ tags: { region: 'eu', env: 'prod' } })])
    const got = await db.getMetric({ ...metric(), tags: { env: 'prod', region: 'eu' } })
    expect(got?.value).toBe(150)
    expect(Object.keys(got?.tags ?? {})).toEqual(['env', 'region'])
    expect(tagsKey({ b: '1', a: '2' })).toBe(tagsKey({ a: '2', b: '1' }))
  })

  it('replaces a value stored again for the same metric, dataset, date and tags', async () => {
    await db.putMetrics([metric({ value: 1, runId: 'a' })])
    await db.putMetrics([metric({ value: 2, runId: 'b' })])
    const got = await db.getMetric(metric())
    expect(got).toMatchObject({ value: 2, runId: 'b' })
    expect(await db.getHistory({ ...metric(), from: '2026-11-25', to: '2026-11-25' })).toHaveLength(1)
  })

  it('stores NULL, NaN and infinite values', async () => {
    await db.putMetrics([
      metric({ metric: 'a', value: null }),
      metric({ metric: 'b', value: Number.NaN }),
      metric({ metric: 'c', value: Number.POSITIVE_INFINITY }),
      metric({ metric: 'd', value: Number.NEGATIVE_INFINITY }),
      metric({ metric: 'e', value: 0.1 + 0.2 }),
    ])
    const values = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map(async (m) => (await db.getMetric({ ...metric(), metric: m }))?.value),
    )
    expect(values).toEqual([null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1 + 0.2])
  })

  it('reads history for a date range, inclusive, oldest first, for one metric, dataset and tag set', async () => {
    await db.putMetrics([
      metric({ date: '2026-11-25', value: 25 }),
      metric({ date: '2026-11-20', value: 20 }),
      metric({ date: '2026-11-22', value: 22 }),
      metric({ date: '2026-11-19', value: 19 }),
      metric({ date: '2026-11-26', value: 26 }),
      metric({ date: '2026-11-22', dataset: 'users', value: -1 }),
      metric({ date: '2026-11-22', tags: { env: 'dev' }, value: -2 }),
      metric({ date: '2026-11-22', metric: 'numRows()', value: -3 }),
    ])
    const h = await db.getHistory({
      metric: 'sum(revenue)',
      dataset: 'orders',
      tags: { region: 'eu', env: 'prod' },
      from: '2026-11-20',
      to: '2026-11-25',
    })
    expect(h.map((m) => [m.date, m.value])).toEqual([
      ['2026-11-20', 20],
      ['2026-11-22', 22],
      ['2026-11-25', 25],
    ])
  })

  it('stores and reads back assertion results', async () => {
    const bare = result({ assertion: 'bare', status: 'FAILED', value: null, error: 'division by zero' })
    delete bare.bound
    await db.putResults('run-1', [result(), bare])
    const got = await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })
    expect(got).toEqual([
      { ...result(), runId: 'run-1' },
      { ...bare, runId: 'run-1' },
    ])
    expect(got[0]?.error).toBeUndefined()
    expect('error' in (got[0] as object)).toBe(false)
    expect('bound' in (got[1] as object)).toBe(false)
  })

  it('filters results by suite, date and tags', async () => {
    await db.putResults('run-1', [
      result({ assertion: 'a' }),
      result({ assertion: 'b', suite: 'other' }),
      result({ assertion: 'c', date: '2026-11-24' }),
      result({ assertion: 'd', tags: { env: 'dev' } }),
    ])
    const got = await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })
    expect(got.map((r) => r.assertion)).toEqual(['a'])
  })

  it('replaces a run’s results when stored again, and lists the newest run first', async () => {
    await db.putResults('run-1', [result({ assertion: 'first' })])
    await db.putResults('run-2', [result({ assertion: 'second-a' }), result({ assertion: 'second-b' })])
    await db.putResults('run-3', [result({ assertion: 'third' })])
    const q = { suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } }
    expect((await db.getResults(q)).map((r) => [r.runId, r.assertion])).toEqual([
      ['run-3', 'third'],
      ['run-2', 'second-a'],
      ['run-2', 'second-b'],
      ['run-1', 'first'],
    ])
    await db.putResults('run-2', [result({ assertion: 'redone' })])
    expect((await db.getResults(q)).map((r) => r.assertion)).toEqual(['redone', 'third', 'first'])
    await db.putResults('run-3', [])
    expect((await db.getResults(q)).map((r) => r.assertion)).toEqual(['redone', 'first'])
  })

  it('keeps concurrent writes apart', async () => {
    await Promise.all([
      db.putMetrics([metric({ metric: 'a' })]),
      db.putMetrics([metric({ metric: 'b' })]),
      db.putResults('run-1', [result({ assertion: 'x' })]),
      db.putResults('run-2', [result({ assertion: 'y' })]),
    ])
    expect((await db.getMetric({ ...metric(), metric: 'a' }))?.value).toBe(150)
    expect((await db.getMetric({ ...metric(), metric: 'b' }))?.value).toBe(150)
    expect(await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })).toHaveLength(
      2,
    )
  })

  it('can be used again after close()', async () => {
    await db.putMetrics([metric()])
    await db.putResults('run-1', [result()])
    await db.close()
    await db.close() // twice is fine
    expect((await db.getMetric(metric()))?.value).toBe(150)
    expect(await db.getResults({ suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } })).toHaveLength(
      1,
    )
  })
})

describe('MetricDB.duckdb(file)', () => {
  it('keeps history in the file for the next MetricDB object and process', async () => {
    const file = dir.file('shared.duckdb')
    const a = MetricDB.duckdb(file)
    await a.putMetrics([metric()])
    await a.close()
    const b = MetricDB.duckdb(file)
    try {
      expect((await b.getMetric(metric()))?.value).toBe(150)
    } finally {
      await b.close()
    }
  })

  it('shares one database between objects on the same file in one process', async () => {
    const file = dir.file('twice.duckdb')
    const a = MetricDB.duckdb(file)
    const b = MetricDB.duckdb(`${dir.path}/./twice.duckdb`)
    try {
      await a.putMetrics([metric({ value: 1 })])
      expect((await b.getMetric(metric()))?.value).toBe(1)
      await b.putMetrics([metric({ value: 2 })])
      await b.close() // a keeps the database open
      expect((await a.getMetric(metric()))?.value).toBe(2)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('needs a file path', () => {
    const err = (() => {
      try {
        MetricDB.duckdb('  ')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('METRIC_DB')
  })

  it('creates missing parent directories', async () => {
    const db = MetricDB.duckdb(dir.file('new-dir/deeper/metrics.duckdb'))
    await db.putMetrics([metric()])
    expect(await db.getMetric(metric())).toBeDefined()
    await db.close()
  })

  it('names the file it cannot open, and can be closed and retried', async () => {
    writeFileSync(dir.file('no-such-dir'), 'a file where a directory should be')
    const path = dir.file('no-such-dir/metrics.duckdb')
    const db = MetricDB.duckdb(path)
    const err = await db.getMetric(metric()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('METRIC_DB')
    expect((err as DqxError).message).toMatch(
      /^cannot open the MetricDB file .*no-such-dir\/metrics\.duckdb: /,
    )
    await expect(db.close()).resolves.toBeUndefined()
    await expect(db.putMetrics([metric()])).rejects.toMatchObject({ code: 'METRIC_DB' })
    await db.close()
  })

  it('refuses a file that is not a DuckDB database', async () => {
    const path = dir.file('not-a-db.duckdb')
    writeFileSync(path, 'hello, I am a text file and not a database at all'.repeat(200))
    const db = MetricDB.duckdb(path)
    await expect(db.getResults({ suite: 's', date: '2026-11-25', tags: {} })).rejects.toMatchObject({
      name: 'DqxError',
      code: 'METRIC_DB',
    })
    await db.close()
  })

  it('rolls back a write that fails halfway', async () => {
    const db = MetricDB.duckdb(dir.file('rollback.duckdb'))
    try {
      await db.putMetrics([metric({ value: 1 })])
      // The second row's date is not a date: nothing of this batch may be stored.
      await expect(
        db.putMetrics([metric({ value: 2 }), metric({ metric: 'x', date: 'not a date' })]),
      ).rejects.toThrow()
      expect((await db.getMetric(metric()))?.value).toBe(1)
      await db.putMetrics([metric({ value: 3 })])
      expect((await db.getMetric(metric()))?.value).toBe(3)
    } finally {
      await db.close()
    }
  })
})

describe('MetricDB.isMetricDB', () => {
  it('recognises implementations structurally', () => {
    expect(MetricDB.isMetricDB(new MemoryMetricDB())).toBe(true)
    expect(MetricDB.isMetricDB(new DuckDBMetricDB(dir.file('x.duckdb')))).toBe(true)
    expect(MetricDB.isMetricDB(null)).toBe(false)
    expect(MetricDB.isMetricDB('memory')).toBe(false)
    expect(MetricDB.isMetricDB({ putMetrics() {} })).toBe(false)
  })
})
