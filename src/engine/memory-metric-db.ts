import type { AssertionResult } from '../core/types.js'
import {
  type MetricDB,
  type MetricLookup,
  type StoredMetric,
  type StoredResult,
  tagsKey,
} from './metric-db.js'

function metricKey(q: MetricLookup): string {
  return `${q.dataset}\u0000${q.metric}\u0000${q.date}\u0000${tagsKey(q.tags)}`
}

/** The default store: lives as long as the process (or the MetricDB object). */
export class MemoryMetricDB implements MetricDB {
  readonly description = 'memory'
  private readonly metrics = new Map<string, StoredMetric>()
  private readonly results = new Map<string, StoredResult[]>()
  private readonly runOrder: string[] = []

  async putMetrics(rows: readonly StoredMetric[]): Promise<void> {
    // Tags stored in canonical (sorted) key order, as the SQL stores return them.
    for (const r of rows) this.metrics.set(metricKey(r), { ...r, tags: JSON.parse(tagsKey(r.tags)) })
  }
  async getMetric(q: MetricLookup): Promise<StoredMetric | undefined> {
    return this.metrics.get(metricKey(q))
  }
  async getHistory(q: Omit<MetricLookup, 'date'> & { from: string; to: string }): Promise<StoredMetric[]> {
    const tk = tagsKey(q.tags)
    return [...this.metrics.values()]
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
  async getResults(q: {
    suite: string
    date: string
    tags: Readonly<Record<string, string>>
  }): Promise<StoredResult[]> {
    const tk = tagsKey(q.tags)
    const out: StoredResult[] = []
    for (let i = this.runOrder.length - 1; i >= 0; i--) {
      for (const r of this.results.get(this.runOrder[i] as string) as StoredResult[]) {
        if (r.suite === q.suite && r.date === q.date && tagsKey(r.tags) === tk) out.push(r)
      }
    }
    return out
  }
  async close(): Promise<void> {}
}
