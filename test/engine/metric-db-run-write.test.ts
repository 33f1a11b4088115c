// MetricDB.writeRun: a run's metrics, results, replay record and schemas stored by one call, on all
// three stores; on DuckDB and PostgreSQL in one transaction, so a write that fails part-way leaves
// nothing of the run behind. Also the fallback for structural MetricDBs without writeRun.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AssertionResult } from '../../src/core/types.js'
import { MetricDB, type RunWrite, type StoredMetric } from '../../src/engine/metric-db.js'
import { type TempDir, tempDir } from '../helpers/data.js'
import { freshDatabase, hasPg, pgUrl, uniqueName } from './pg-helpers.js'

const pgReady = hasPg()
const KEY = { suite: 'nightly', date: '2026-11-25', tags: { env: 'prod' } }

const metric = (runId: string, name: string, value: number): StoredMetric => ({
  metric: name,
  dataset: 'orders',
  value,
  runId,
  ...KEY,
})
const result = (assertion: string): AssertionResult => ({
  ...KEY,
  check: 'orders',
  assertion,
  severity: 'P1',
  status: 'PASSED',
  value: 1,
  expression: 'numRows()',
  assertionTags: [],
})
const batch = (runId: string): RunWrite => ({
  metrics: [metric(runId, 'numRows()', 10), metric(runId, 'sum(price)', 99.5)],
  runId,
  results: [result('rows'), result('revenue')],
  run: {
    runId,
    ...KEY,
    startedAt: '2026-11-25T06:00:00.000Z',
    durationMs: 12,
    datasources: ['orders'],
    results: [result('rows'), result('revenue')],
    symbols: [],
  },
  schemas: [{ ...KEY, dataset: 'orders', runId, columns: [{ name: 'price', type: 'DOUBLE' }] }],
})

let dir: TempDir
let pg: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  dir = tempDir()
  if (pgReady) pg = await freshDatabase(pgUrl(), 'dqx_runwrite')
})
afterAll(async () => {
  dir.cleanup()
  await pg?.drop()
})

let seq = 0
const stores: { name: string; make: () => MetricDB; atomic: boolean }[] = [
  { name: 'memory', make: () => MetricDB.memory(), atomic: false },
  { name: 'duckdb file', make: () => MetricDB.duckdb(dir.file(`w${++seq}.duckdb`)), atomic: true },
  {
    name: 'postgres',
    make: () => MetricDB.postgres(pg.url, { schema: uniqueName('runwrite') }),
    atomic: true,
  },
].filter((s) => pgReady || s.name !== 'postgres')

async function stored(db: MetricDB, runId: string) {
  return {
    metric: await db.getMetric({ metric: 'sum(price)', dataset: 'orders', date: KEY.date, tags: KEY.tags }),
    results: (await db.getResults(KEY)).filter((r) => r.runId === runId).map((r) => r.assertion),
    run: await db.getRun({ ...KEY, runId }),
    schema: await db.getSchema({ suite: KEY.suite, dataset: 'orders', tags: KEY.tags }),
  }
}

describe.each(stores)('MetricDB.writeRun on $name', ({ make, atomic }) => {
  it('stores the metrics, results, replay record and schemas of a run', async () => {
    const db = make()
    try {
      await MetricDB.writeRun(db, batch('run-1'))
      const got = await stored(db, 'run-1')
      expect(got.metric?.value).toBe(99.5)
      expect(got.results).toEqual(['rows', 'revenue'])
      expect(got.run?.datasources).toEqual(['orders'])
      expect(got.schema?.columns).toEqual([{ name: 'price', type: 'DOUBLE' }])
    } finally {
      await db.close()
    }
  })

  it.runIf(atomic)('a write that fails part-way stores nothing of the run', async () => {
    const db = make()
    try {
      const bad = batch('run-2')
      // The replay record's date is no date: its statement fails after the metrics and results were written.
      const run = { ...(bad.run as NonNullable<RunWrite['run']>), date: '2026-13-45' }
      await expect(MetricDB.writeRun(db, { ...bad, run })).rejects.toThrow()
      const got = await stored(db, 'run-2')
      expect(got).toEqual({ metric: undefined, results: [], run: undefined, schema: undefined })
    } finally {
      await db.close()
    }
  })
})

describe('MetricDB.writeRun on a structural MetricDB without writeRun', () => {
  it('writes what it can one method at a time and skips what the object lacks', async () => {
    const inner = MetricDB.memory()
    const calls: string[] = []
    const structural = {
      description: 'structural',
      putMetrics: (rows: readonly StoredMetric[]) => {
        calls.push('putMetrics')
        return inner.putMetrics(rows)
      },
      getMetric: inner.getMetric.bind(inner),
      getHistory: inner.getHistory.bind(inner),
      putResults: (runId: string, results: readonly AssertionResult[]) => {
        calls.push('putResults')
        return inner.putResults(runId, results)
      },
      getResults: inner.getResults.bind(inner),
      close: inner.close.bind(inner),
    }
    await MetricDB.writeRun(structural as unknown as MetricDB, batch('run-3'))
    expect(calls).toEqual(['putMetrics', 'putResults'])
    const got = await stored(inner, 'run-3')
    expect(got.metric?.value).toBe(99.5)
    expect(got.run).toBeUndefined()

    const full = { ...structural, putRun: inner.putRun.bind(inner), putSchemas: inner.putSchemas.bind(inner) }
    await MetricDB.writeRun(full as unknown as MetricDB, { ...batch('run-4'), metrics: [], schemas: [] })
    expect((await inner.getRun({ ...KEY, runId: 'run-4' }))?.runId).toBe('run-4')
  })
})
