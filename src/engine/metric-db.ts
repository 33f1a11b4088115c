import type { AssertionResult } from '../core/types.js'
import type {
  AssertionHistoryEntry,
  AssertionHistoryQuery,
  BaselinePin,
  BaselineTarget,
  PruneOptions,
  PruneResult,
  StoredBaselinePin,
} from './baselines.js'
import { DuckDBMetricDB, type DuckDBMetricDBOptions } from './duckdb-metric-db.js'
import { MemoryMetricDB } from './memory-metric-db.js'
import type { DeleteExpiredOptions, DeleteExpiredResult, TtlStoreOptions } from './metric-ttl.js'
import { PostgresMetricDB, type PostgresMetricDBOptions } from './postgres-metric-db.js'
import type { RunLookup, StoredRun, StoredRunEntry, StoredRunQuery } from './stored-run.js'
import type { TunableChange, TunableChangeQuery } from './tunable-changes.js'

/** One metric value as stored: what, where, which day and tags, and the run that computed it. */
export interface StoredMetric {
  metric: string
  dataset: string
  date: string
  tags: Record<string, string>
  value: number | null
  suite: string
  runId: string
  /**
   * Days to keep the value after its date (the metric's `ttlDays`); absent: the store's
   * `defaultTtlDays`, or forever. Written only: reads do not return it.
   */
  ttlDays?: number
}

/** A dataset's columns as one run saw them (expectSchemaUnchanged compares with the previous run's). */
export interface StoredSchema {
  suite: string
  dataset: string
  date: string
  tags: Record<string, string>
  runId: string
  columns: { name: string; type: string }[]
}

/** Which stored schema to read: the newest of one suite, dataset and tag set. */
export interface SchemaLookup {
  suite: string
  dataset: string
  tags: Readonly<Record<string, string>>
}

/** A stored assertion outcome, for history-aware features (change alerts, anomaly baselines). */
export interface StoredResult extends AssertionResult {
  runId: string
}

/** Everything one run stores: written together by `MetricDB.writeRun`, one transaction where the store has them. */
export interface RunWrite {
  metrics: readonly StoredMetric[]
  runId: string
  results: readonly AssertionResult[]
  /** What a replay needs; absent for a store without run storage. */
  run?: StoredRun
  schemas: readonly StoredSchema[]
  /**
   * True when `runId` was minted for this write, so no stored row carries it: a store may then
   * skip replacing the run's earlier results, record and schemas (one statement each on a file).
   */
  newRun?: boolean
}

/** The stored results of one suite, date and tag set. */
export interface ResultsLookup {
  suite: string
  date: string
  tags: Readonly<Record<string, string>>
}

export interface MetricLookup {
  metric: string
  dataset: string
  date: string
  tags: Readonly<Record<string, string>>
}

/** Canonical text of a tag set: sorted keys, so {a,b} and {b,a} are one key. */
export function tagsKey(tags: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {}
  for (const k of Object.keys(tags).sort()) sorted[k] = tags[k] as string
  return JSON.stringify(sorted)
}

/**
 * Where metric values live between runs. `lag`, `dayOverDay` and
 * `weekOverWeek` read history from here; every run writes its metrics and
 * assertion results here before any result-processing plugin runs.
 */
export abstract class MetricDB {
  /**
   * Keeps history for the life of the process: the default. `defaultTtlDays` expires values of
   * metrics without a `ttlDays` of their own (docs/operations.md, "Metric TTL and cleanup").
   */
  static memory(options?: TtlStoreOptions): MetricDB {
    return new MemoryMetricDB(options)
  }
  /**
   * Keeps history in a DuckDB file, shared by every run and process that opens it:
   * each read or write holds the file's lock only while it runs and waits up to
   * `lockTimeoutMs` (default 30 000) for another process's lock.
   */
  static duckdb(file: string, options?: DuckDBMetricDBOptions): MetricDB {
    return new DuckDBMetricDB(file, options)
  }
  /**
   * Keeps history in PostgreSQL (`postgres://user:password@host:5432/db`): tables
   * dqx_metrics and dqx_results, created on first use, shared by every process and
   * safe for concurrent writers. Call `close()` to end its connection pool.
   */
  static postgres(url: string, options?: PostgresMetricDBOptions): MetricDB {
    return new PostgresMetricDB(url, options)
  }
  /**
   * `db.writeRun(batch)`, or for a structural MetricDB written before writeRun existed, the same
   * writes one method at a time (skipping run and schema storage it lacks).
   */
  static async writeRun(db: MetricDB, batch: RunWrite): Promise<void> {
    if (typeof db.writeRun === 'function') return db.writeRun(batch)
    const partial = db as Partial<MetricDB>
    if (batch.metrics.length > 0) await db.putMetrics(batch.metrics)
    await db.putResults(batch.runId, batch.results)
    if (batch.run && typeof partial.putRun === 'function') await partial.putRun(batch.run)
    if (batch.schemas.length > 0 && typeof partial.putSchemas === 'function')
      await partial.putSchemas(batch.schemas)
  }
  /** True for objects that implement the MetricDB methods (subclasses or structural implementations). */
  static isMetricDB(value: unknown): value is MetricDB {
    if (value === null || typeof value !== 'object') return false
    const v = value as Record<string, unknown>
    return ['putMetrics', 'getMetric', 'getHistory', 'putResults', 'getResults', 'close'].every(
      (m) => typeof v[m] === 'function',
    )
  }

  /** A short description for logs (`memory`, `duckdb:/path/metrics.db`). */
  abstract readonly description: string
  /** Inserts or replaces values by (metric, dataset, date, tags). */
  abstract putMetrics(rows: readonly StoredMetric[]): Promise<void>
  /** The stored value of one metric for one day and tag set, or undefined when never computed (or expired). */
  abstract getMetric(q: MetricLookup): Promise<StoredMetric | undefined>
  /**
   * Deletes metric values whose TTL has passed on `now` (default today, UTC): a value is kept for
   * its metric's `ttlDays` (else the store's `defaultTtlDays`) full days after its date. Expired
   * values are never read (getMetric, getHistory), even before they are deleted. Every suite run
   * calls it after writing its metrics. See docs/operations.md, "Metric TTL and cleanup".
   */
  abstract deleteExpiredMetrics(options?: DeleteExpiredOptions): Promise<DeleteExpiredResult>
  /** Values of one metric for days in [from, to] (inclusive), oldest first. */
  abstract getHistory(q: Omit<MetricLookup, 'date'> & { from: string; to: string }): Promise<StoredMetric[]>
  /** Stores a run's assertion results (replacing that run's earlier rows). */
  abstract putResults(runId: string, results: readonly AssertionResult[]): Promise<void>
  /** Stored results of one suite for one day and tag set, newest run first. */
  abstract getResults(q: ResultsLookup): Promise<StoredResult[]>
  /**
   * The outcome of one assertion (suite, check, assertion name, tags) per date in [from, to],
   * oldest first: the LATEST run of each date only, so a fixed re-run replaces a failed one.
   */
  abstract getAssertionHistory(q: AssertionHistoryQuery): Promise<AssertionHistoryEntry[]>
  /**
   * Pins the baseline of anomaly assertions on `metric` (the metric or expression text), `dataset`
   * and `tags`: a fixed `value` (+ `spread`), or the stored values of `from`..`to` instead of the
   * rolling window. Replaces an earlier pin of the same target. See docs/anomaly-detection.md.
   */
  abstract pinBaseline(pin: BaselinePin): Promise<void>
  /** Removes a pin; true when there was one. */
  abstract unpinBaseline(target: BaselineTarget): Promise<boolean>
  /** The pin of a target, or undefined. */
  abstract getPinnedBaseline(target: BaselineTarget): Promise<StoredBaselinePin | undefined>
  /**
   * Retention: deletes metric values and assertion results dated more than `olderThanDays` days
   * before `now` (default today). Metric values inside a pinned range of the same metric are kept.
   */
  abstract prune(options: PruneOptions): Promise<PruneResult>
  /**
   * Stores what a replay needs of one run (replacing an earlier record of the same runId):
   * results without failed-row samples, symbols as reported, start time and datasources.
   */
  abstract putRun(run: StoredRun): Promise<void>
  /** One stored run of a suite, date and tag set: `runId`, or the latest started. */
  abstract getRun(q: RunLookup): Promise<StoredRun | undefined>
  /** Stored runs of a suite (optionally one tag set, dates in [from, to]), oldest date first, then by start. */
  abstract listRuns(q: StoredRunQuery): Promise<StoredRunEntry[]>
  /**
   * Stores one run's metrics, results, replay record and schemas at once: one transaction (and one
   * commit) on the DuckDB and PostgreSQL stores, so a run is stored whole or not at all.
   */
  abstract writeRun(batch: RunWrite): Promise<void>
  /** Stores the schemas one run saw (one row per dataset; a run stored again replaces its rows). */
  abstract putSchemas(rows: readonly StoredSchema[]): Promise<void>
  /** The most recently stored schema of a suite's dataset and tag set (any date), or undefined. */
  abstract getSchema(q: SchemaLookup): Promise<StoredSchema | undefined>
  /** Appends one tunable change to the audit trail (table dqx_tunable_changes). */
  abstract putTunableChange(change: TunableChange): Promise<void>
  /** A suite's tunable changes (optionally of one tunable), oldest first; never pruned. */
  abstract getTunableChanges(q: TunableChangeQuery): Promise<TunableChange[]>
  /** Releases files and connections. The MetricDB can be used again afterwards (it reopens). */
  abstract close(): Promise<void>
}
