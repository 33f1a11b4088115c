import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult, SymbolInfo } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { SCAN_CHANNEL, type ScanEvent } from '../../src/engine/scan-events.js'
import { jsonReport, webhook } from '../../src/plugins/index.js'
import type { ResultProcessor } from '../../src/suite/plugin.js'
import type { ResultsContext } from '../../src/suite/run-context.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'
import { freshDatabase, hasPg, pgUrl, uniqueName } from '../engine/pg-helpers.js'
import { type TempDir, tempDir } from '../helpers/data.js'
import { type HttpSink, httpSink } from '../plugins/sink-helpers.js'

const pgReady = hasPg()
const baseUrl = pgUrl()
let dir: TempDir
let pg: Awaited<ReturnType<typeof freshDatabase>>
beforeAll(async () => {
  dir = tempDir()
  if (pgReady) pg = await freshDatabase(baseUrl, 'dqx_replay')
})
afterAll(async () => {
  dir.cleanup()
  if (pgReady) await pg.drop()
})

let seq = 0
const stores: { name: string; make: () => MetricDB }[] = [
  { name: 'memory', make: () => MetricDB.memory() },
  { name: 'duckdb file', make: () => MetricDB.duckdb(dir.file(`r${++seq}.duckdb`)) },
  { name: 'postgres', make: () => MetricDB.postgres(pg.url, { schema: uniqueName('replay') }) },
].filter((s) => pgReady || s.name !== 'postgres')

const day = (revenue: number) =>
  DataSource.fromRecords(
    Array.from({ length: 5 }, (_, i) => ({
      id: i,
      revenue: revenue + i,
      email: i === 0 ? null : `u${i}@x.io`,
    })),
  )

/** A lagged symbol (yesterday's revenue), a failing assertion, one with an evaluation error. */
const revenueCheck = check({ name: 'revenue', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.sum('revenue')).where({ name: 'revenue positive', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.sum('revenue').div(mp.sum('revenue', { lag: 1 })))
    .where({ name: 'day over day' })
    .isBetween(0.9, 1.1)
  ctx.assertThat(mp.nullCount('email')).where({ name: 'no null emails', severity: 'P2' }).isEq(0)
})

/** Records what processResults hands a plugin. */
function recorder(name: string): ResultProcessor & {
  seen: { results: readonly AssertionResult[]; symbols: readonly SymbolInfo[]; ctx: ResultsContext }[]
  configs: unknown[]
} {
  const seen: { results: readonly AssertionResult[]; symbols: readonly SymbolInfo[]; ctx: ResultsContext }[] =
    []
  const configs: unknown[] = []
  return {
    name,
    seen,
    configs,
    initialize(config) {
      configs.push(config)
    },
    process(results, symbols, _suite, ctx) {
      seen.push({ results: structuredClone(results), symbols: structuredClone(symbols), ctx })
    },
  }
}

/** Every metric row, result row and stored run the suite's key range holds, counted through the public API. */
async function rowCounts(db: MetricDB, key: ResultKey): Promise<Record<string, number>> {
  const metrics = (
    await Promise.all(
      ['sum(revenue)', 'null_count(email)', 'nullCount(email)', 'count(*)'].map((metric) =>
        db.getHistory({ metric, dataset: 'orders', tags: key.tags, from: '2026-01-01', to: '2026-12-31' }),
      ),
    )
  ).flat().length
  const results = (await db.getResults({ suite: 'nightly', date: key.date, tags: key.tags })).length
  const runs = (await db.listRuns({ suite: 'nightly' })).length
  return { metrics, results, runs }
}

describe.each(stores)('suite.replay against the $name store', ({ make }) => {
  it('sends the stored run to a new plugin: same results and symbols, no scan, no new rows', async () => {
    const db = make()
    const key = new ResultKey('2026-11-25', { env: 'prod' })
    const original = recorder('original')
    const { logger } = captureLogger('warn')
    const scans: ScanEvent[] = []
    const onScan = (event: unknown) => scans.push(event as ScanEvent)
    subscribe(SCAN_CHANNEL, onScan)
    const first = new VerificationSuite({
      name: 'nightly',
      checks: [revenueCheck],
      db,
      logger,
      plugins: [original],
    })
    await first.run({ orders: day(100) }, new ResultKey('2026-11-24', { env: 'prod' }))
    const report = await first.run({ orders: day(150) }, key)
    expect(report.symbols.some((s) => s.metric.startsWith('lag(1,'))).toBe(true)
    expect(report.summary.failed).toBeGreaterThan(0)
    const before = await rowCounts(db, key)
    expect(before.metrics).toBeGreaterThan(0)
    expect(before.results).toBe(3)
    const scansBefore = scans.filter((e) => e.phase === 'start').length
    expect(scansBefore).toBeGreaterThan(0)

    // A sink added later: a fresh suite object over the same MetricDB, as the CLI builds one.
    const late = recorder('late')
    const json = dir.file(`replay-${seq}.json`)
    const again = new VerificationSuite({
      name: 'nightly',
      checks: [revenueCheck],
      db,
      logger,
      plugins: [late, jsonReport({ file: json })],
    })
    const replayed = await again.replay(key).finally(() => unsubscribe(SCAN_CHANNEL, onScan))

    expect(scans.filter((e) => e.phase === 'start').length).toBe(scansBefore)
    expect(await rowCounts(db, key)).toEqual(before)
    const want = original.seen[1]
    expect(late.seen).toHaveLength(1)
    // Failed-row samples are never stored (they may hold personal data): the one difference.
    expect(want?.results.some((r) => r.samples !== undefined)).toBe(true)
    expect(late.seen[0]?.results).toEqual(want?.results.map(({ samples: _s, ...r }) => r))
    expect(late.seen[0]?.symbols).toEqual(want?.symbols)
    expect(late.configs).toEqual([undefined])
    expect(late.seen[0]?.ctx.replay).toBe(true)
    expect(late.seen[0]?.ctx.runId).toBe(report.runId)
    expect(late.seen[0]?.ctx.timestamp.toISOString()).toBe(report.startedAt.toISOString())
    expect(replayed.runId).toBe(report.runId)
    expect(replayed.replay).toBe(true)
    expect(replayed.startedAt.toISOString()).toBe(report.startedAt.toISOString())
    expect(replayed.datasources).toEqual(['orders'])
    expect(replayed.summary).toEqual(report.summary)
    expect(replayed.pluginErrors).toEqual([])
    const doc = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(json, 'utf8'))) as Record<
      string,
      unknown
    >
    expect(doc.replay).toBe(true)
    expect(doc.runId).toBe(report.runId)
    expect(doc.key).toEqual({ date: '2026-11-25', tags: { env: 'prod' } })
    expect(doc.startedAt).toBe(report.startedAt.toISOString())
    await db.close()
  })

  it('replays a chosen runId, and names suite, date, tags and stored dates when there is none', async () => {
    const db = make()
    const rec = recorder('rec')
    const suite = new VerificationSuite({ name: 'nightly', checks: [revenueCheck], db, plugins: [rec] })
    const key = new ResultKey('2026-11-24', { env: 'prod' })
    const a = await suite.run({ orders: day(100) }, key)
    const b = await suite.run({ orders: day(300) }, key)
    expect((await suite.replay(key)).runId).toBe(b.runId)
    const old = await suite.replay(key, { runId: a.runId })
    expect(old.runId).toBe(a.runId)
    expect(old.symbols).toEqual(a.symbols)

    const err = await suite.replay(new ResultKey('2026-11-30', { env: 'prod' })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('NO_STORED_RUN')
    expect((err as Error).message).toBe(
      "replay(): no stored run of suite 'nightly' for 2026-11-30 with tags env=prod; stored dates: 2026-11-24",
    )
    const none = await suite.replay(new ResultKey('2026-11-24', { env: 'dev' })).catch((e: unknown) => e)
    expect((none as Error).message).toContain(
      "no stored run of suite 'nightly' for 2026-11-24 with tags env=dev; no run of this suite with tags env=dev is stored in",
    )
    await db.close()
  })
})

describe('suite.replay options', () => {
  it('restricts the replay to the named plugins and leaves the others out', async () => {
    const a = recorder('a')
    const b = recorder('b')
    const suite = new VerificationSuite({
      name: 'nightly',
      checks: [revenueCheck],
      plugins: [a, b],
      pluginConfig: { a: { channel: '#data' } },
    })
    const key = new ResultKey('2026-11-24')
    await suite.run({ orders: day(100) }, key)
    const report = await suite.replay(key, { plugins: ['a'] })
    expect(a.seen).toHaveLength(2)
    expect(b.seen).toHaveLength(1)
    expect(a.configs).toEqual([{ channel: '#data' }, { channel: '#data' }])
    expect(report.pluginRuns.map((r) => `${r.hook}:${r.plugin}`)).toEqual(['processResults:a'])
  })

  it('rejects bad arguments with a DqxError naming the field', async () => {
    const suite = new VerificationSuite({
      name: 'nightly',
      checks: [revenueCheck],
      plugins: [recorder('alerts')],
    })
    const key = new ResultKey('2026-11-24')
    await expect(suite.replay('2026-11-24' as unknown as ResultKey)).rejects.toThrow(/needs a ResultKey/)
    await expect(suite.replay(key, null as unknown as object)).rejects.toThrow(/options must be an object/)
    await expect(suite.replay(key, { runId: '' })).rejects.toThrow(/runId must be a non-empty string/)
    await expect(suite.replay(key, { plugins: 'alerts' as unknown as string[] })).rejects.toThrow(
      /plugins must be an array of plugin names/,
    )
    await expect(suite.replay(key, { plugins: ['alert'] })).rejects.toThrow(
      "replay(): suite 'nightly' has no plugin 'alert' — did you mean 'alerts'? (plugins: audit, alerts)",
    )
  })
})

describe('replaying a webhook delivery that failed', () => {
  let sink: HttpSink | undefined
  afterAll(async () => sink?.close())

  it('reaches the receiver exactly once, marked as a replay of the original run', async () => {
    let down = true
    sink = await httpSink(() => (down ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }))
    const db = MetricDB.duckdb(dir.file('webhook.duckdb'))
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({
      name: 'nightly',
      checks: [revenueCheck],
      db,
      logger,
      audit: false,
      plugins: [
        webhook({
          url: `${sink.origin}/hook`,
          format: 'json',
          retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        }),
      ],
    })
    const key = new ResultKey('2026-11-24')
    const report = await suite.run({ orders: day(100) }, key)
    expect(report.pluginErrors.map((r) => r.plugin)).toEqual(['webhook'])
    expect(sink.received).toHaveLength(2) // both attempts refused
    down = false
    const replayed = await suite.replay(key, { plugins: ['webhook'] })
    expect(replayed.pluginErrors).toEqual([])
    const delivered = sink.received.slice(2).map((r) => JSON.parse(r.body) as Record<string, unknown>)
    expect(delivered).toHaveLength(1)
    expect(delivered[0]?.runId).toBe(report.runId)
    expect(delivered[0]?.replay).toBe(true)
    expect(delivered[0]?.timestamp).toBe(report.startedAt.toISOString())
    await db.close()
  })
})
