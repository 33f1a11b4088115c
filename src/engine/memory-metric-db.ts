import type { AssertionResult } from '../core/types.js'
import {
  type AssertionHistoryEntry,
  type AssertionHistoryQuery,
  type BaselinePin,
  type BaselineTarget,
  checkHistoryQuery,
  normalizePin,
  normalizeTarget,
  type PinRow,
  type PruneOptions,
  type PruneResult,
  pruneCutoff,
  type StoredBaselinePin,
  toPin,
} from './baselines.js'
import {
  type MetricDB,
  type MetricLookup,
  type ResultsLookup,
  type RunWrite,
  type SchemaLookup,
  type StoredMetric,
  type StoredResult,
  type StoredSchema,
  tagsKey,
} from './metric-db.js'
import {
  type DeleteExpiredOptions,
  type DeleteExpiredResult,
  defaultTtl,
  expiresOn,
  expiryDay,
  isExpired,
  type LiveWindow,
  liveWindow,
  summarizeDeleted,
  type TtlStoreOptions,
} from './metric-ttl.js'
import {
  type RunLookup,
  type StoredRun,
  type StoredRunEntry,
  type StoredRunQuery,
  toStoredRun,
} from './stored-run.js'
import type { TunableChange, TunableChangeQuery } from './tunable-changes.js'

function metricKey(q: MetricLookup): string {
  return `${q.dataset}\u0000${q.metric}\u0000${q.date}\u0000${tagsKey(q.tags)}`
}

/** The default store: lives as long as the process (or the MetricDB object). */
export class MemoryMetricDB implements MetricDB {
  readonly description = 'memory'
  private readonly metrics = new Map<string, StoredMetric>()
  /** Each value's own expiry day (null: the store default applies), by metric key. */
  private readonly expiry = new Map<string, string | null>()
  /** Days kept of values without a `ttlDays` of their own (undefined: forever). */
  readonly defaultTtlDays: number | undefined
  private readonly results = new Map<string, StoredResult[]>()
  private readonly runOrder: string[] = []
  private readonly pins = new Map<string, PinRow>()
  /** Stored runs in write order (a run stored again moves to the end). */
  private readonly runs = new Map<string, StoredRun>()
  /** Schemas by run and dataset, in write order (getSchema wants the newest). */
  private readonly schemas = new Map<string, StoredSchema>()
  /** The tunable audit trail in write order. */
  private readonly tunableChanges: TunableChange[] = []

  constructor(options?: TtlStoreOptions) {
    this.defaultTtlDays = defaultTtl(options, 'MetricDB.memory()')
  }

  private live(): LiveWindow {
    return liveWindow(expiryDay(undefined), this.defaultTtlDays)
  }
  private expired(k: string, m: StoredMetric, w: LiveWindow): boolean {
    return isExpired({ date: m.date, expiresOn: this.expiry.get(k) ?? null }, w)
  }

  async putMetrics(rows: readonly StoredMetric[]): Promise<void> {
    // Tags stored in canonical (sorted) key order, as the SQL stores return them.
    for (const { ttlDays, ...r } of rows) {
      const k = metricKey(r)
      this.metrics.set(k, { ...r, tags: JSON.parse(tagsKey(r.tags)) })
      this.expiry.set(k, expiresOn(r.date, ttlDays))
    }
  }
  async getMetric(q: MetricLookup): Promise<StoredMetric | undefined> {
    const k = metricKey(q)
    const m = this.metrics.get(k)
    return m === undefined || this.expired(k, m, this.live()) ? undefined : m
  }
  async getHistory(q: Omit<MetricLookup, 'date'> & { from: string; to: string }): Promise<StoredMetric[]> {
    const tk = tagsKey(q.tags)
    const w = this.live()
    return [...this.metrics.entries()]
      .filter(([k, m]) => !this.expired(k, m, w))
      .map(([, m]) => m)
      .filter(
        (m) =>
          m.metric === q.metric &&
          m.dataset === q.dataset &&
          tagsKey(m.tags) === tk &&
          m.date >= q.from &&
          m.date <= q.to,
      )
      .sort((a, b) => a.date.localeCompare(b.date))
  }
  async deleteExpiredMetrics(options?: DeleteExpiredOptions): Promise<DeleteExpiredResult> {
    const asOf = expiryDay(options)
    const w = liveWindow(asOf, this.defaultTtlDays)
    const deleted: StoredMetric[] = []
    for (const [k, m] of this.metrics) {
      if (!this.expired(k, m, w)) continue
      this.metrics.delete(k)
      this.expiry.delete(k)
      deleted.push(m)
    }
    return summarizeDeleted(deleted, asOf)
  }
  async writeRun(batch: RunWrite): Promise<void> {
    await this.putMetrics(batch.metrics)
    await this.putResults(batch.runId, batch.results)
    if (batch.run) await this.putRun(batch.run)
    await this.putSchemas(batch.schemas)
  }

  async putResults(runId: string, results: readonly AssertionResult[]): Promise<void> {
    // A run stored again becomes the newest, as in the SQL stores (ordered by write time).
    const at = this.runOrder.indexOf(runId)
    if (at >= 0) this.runOrder.splice(at, 1)
    this.runOrder.push(runId)
    this.results.set(
      runId,
      results.map((r) => ({ ...r, runId })),
    )
  }
  async getResults(q: ResultsLookup): Promise<StoredResult[]> {
    const tk = tagsKey(q.tags)
    const out: StoredResult[] = []
    for (let i = this.runOrder.length - 1; i >= 0; i--) {
      for (const r of this.results.get(this.runOrder[i] as string) as StoredResult[]) {
        if (r.suite === q.suite && r.date === q.date && tagsKey(r.tags) === tk) out.push(r)
      }
    }
    return out
  }
  async getAssertionHistory(q: AssertionHistoryQuery): Promise<AssertionHistoryEntry[]> {
    checkHistoryQuery(q)
    const tk = tagsKey(q.tags)
    const latest = new Map<string, AssertionHistoryEntry>()
    // Newest run first: the first result seen for a date is that date's latest.
    for (let i = this.runOrder.length - 1; i >= 0; i--) {
      for (const r of this.results.get(this.runOrder[i] as string) as StoredResult[]) {
        if (
          r.suite !== q.suite ||
          r.check !== q.check ||
          r.assertion !== q.assertion ||
          r.date < q.from ||
          r.date > q.to ||
          latest.has(r.date) ||
          tagsKey(r.tags) !== tk
        ) {
          continue
        }
        const e: AssertionHistoryEntry = { date: r.date, status: r.status, value: r.value, runId: r.runId }
        if (r.error !== undefined) e.error = r.error
        latest.set(r.date, e)
      }
    }
    return [...latest.values()].sort((a, b) => a.date.localeCompare(b.date))
  }
  private static pinKey(t: { metric: string; dataset: string; tagsText: string }): string {
    return JSON.stringify([t.metric, t.dataset, t.tagsText])
  }
  async pinBaseline(pin: BaselinePin): Promise<void> {
    const row = normalizePin(pin)
    this.pins.set(MemoryMetricDB.pinKey(row), row)
  }
  async unpinBaseline(target: BaselineTarget): Promise<boolean> {
    return this.pins.delete(MemoryMetricDB.pinKey(normalizeTarget(target, 'unpinBaseline()')))
  }
  async getPinnedBaseline(target: BaselineTarget): Promise<StoredBaselinePin | undefined> {
    const row = this.pins.get(MemoryMetricDB.pinKey(normalizeTarget(target, 'getPinnedBaseline()')))
    return row && toPin({ ...row, tags: row.tagsText, from_date: row.from, to_date: row.to })
  }
  async prune(options: PruneOptions): Promise<PruneResult> {
    const cutoff = pruneCutoff(options)
    const pinned = [...this.pins.values()].filter((p) => p.from !== null)
    let metrics = 0
    for (const [k, m] of this.metrics) {
      if (m.date >= cutoff) continue
      const tk = tagsKey(m.tags)
      const kept = pinned.some(
        (p) =>
          p.metric === m.metric &&
          p.dataset === m.dataset &&
          p.tagsText === tk &&
          m.date >= (p.from as string) &&
          m.date <= (p.to as string),
      )
      if (kept) continue
      this.metrics.delete(k)
      this.expiry.delete(k)
      metrics += 1
    }
    let results = 0
    for (const [runId, rows] of this.results) {
      const keep = rows.filter((r) => r.date >= cutoff)
      results += rows.length - keep.length
      this.results.set(runId, keep)
    }
    for (const [runId, run] of this.runs) if (run.date < cutoff) this.runs.delete(runId)
    return { metrics, results, cutoff }
  }
  async putRun(run: StoredRun): Promise<void> {
    this.runs.delete(run.runId)
    // A copy through JSON, as the SQL stores keep it: later changes to the caller's objects do not leak in.
    this.runs.set(run.runId, JSON.parse(JSON.stringify(toStoredRun(run))) as StoredRun)
  }
  async getRun(q: RunLookup): Promise<StoredRun | undefined> {
    const tk = tagsKey(q.tags)
    let latest: StoredRun | undefined
    for (const r of this.runs.values()) {
      if (r.suite !== q.suite || r.date !== q.date || tagsKey(r.tags) !== tk) continue
      if (q.runId !== undefined && r.runId !== q.runId) continue
      if (latest === undefined || r.startedAt >= latest.startedAt) latest = r
    }
    return latest && (JSON.parse(JSON.stringify(latest)) as StoredRun)
  }
  async listRuns(q: StoredRunQuery): Promise<StoredRunEntry[]> {
    const tk = q.tags === undefined ? undefined : tagsKey(q.tags)
    return [...this.runs.values()]
      .filter(
        (r) =>
          r.suite === q.suite &&
          (tk === undefined || tagsKey(r.tags) === tk) &&
          (q.from === undefined || r.date >= q.from) &&
          (q.to === undefined || r.date <= q.to),
      )
      .map((r) => ({
        runId: r.runId,
        suite: r.suite,
        date: r.date,
        tags: { ...r.tags },
        startedAt: r.startedAt,
      }))
      .sort((a, b) => a.date.localeCompare(b.date) || a.startedAt.localeCompare(b.startedAt))
  }

  async putSchemas(rows: readonly StoredSchema[]): Promise<void> {
    for (const r of rows) {
      // Stored again: the row moves to the end, where getSchema looks first.
      const key = `${r.runId}\u0000${r.dataset}`
      this.schemas.delete(key)
      this.schemas.set(key, {
        ...r,
        tags: JSON.parse(tagsKey(r.tags)),
        columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
      })
    }
  }
  async getSchema(q: SchemaLookup): Promise<StoredSchema | undefined> {
    const tk = tagsKey(q.tags)
    const all = [...this.schemas.values()]
    for (let i = all.length - 1; i >= 0; i--) {
      const s = all[i] as StoredSchema
      if (s.suite === q.suite && s.dataset === q.dataset && tagsKey(s.tags) === tk) return s
    }
    return undefined
  }
  async putTunableChange(change: TunableChange): Promise<void> {
    this.tunableChanges.push({ ...change })
  }
  async getTunableChanges(q: TunableChangeQuery): Promise<TunableChange[]> {
    return this.tunableChanges
      .filter((c) => c.suite === q.suite && (q.name === undefined || c.name === q.name))
      .map((c) => ({ ...c }))
  }
  async close(): Promise<void> {}
}
