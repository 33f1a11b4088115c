import { resolve } from 'node:path'
import { type DuckDBConnection, type DuckDBValue, LIST, listValue, VARCHAR } from '@duckdb/node-api'
import { DqxError } from '../core/errors.js'
import type { AssertionResult } from '../core/types.js'
import {
  type AssertionHistoryEntry,
  type AssertionHistoryQuery,
  type BaselinePin,
  type BaselineTarget,
  checkHistoryQuery,
  normalizePin,
  normalizeTarget,
  type PruneOptions,
  type PruneResult,
  pruneCutoff,
  type StoredBaselinePin,
  toHistoryEntry,
  toPin,
} from './baselines.js'
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  releaseDuckDBFile,
  withDuckDBFile,
  writeDuckDBFile,
} from './duckdb-files.js'
import { paramTypes } from './duckdb-session.js'
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
import { toStoredMetric, toStoredResult, toStoredSchema } from './metric-rows.js'
import {
  type DeleteExpiredOptions,
  type DeleteExpiredResult,
  defaultTtl,
  expiredClause,
  expiresOn,
  expiryDay,
  liveWindow,
  summarizeDeleted,
  type TtlStoreOptions,
} from './metric-ttl.js'
import { duckdbText } from './sql.js'
import {
  fromRunRow,
  type RunLookup,
  runListFilter,
  runPayload,
  type StoredRun,
  type StoredRunEntry,
  type StoredRunQuery,
  toRunEntry,
  toStoredRun,
} from './stored-run.js'
import { fromTunableRow, type TunableChange, type TunableChangeQuery } from './tunable-changes.js'

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS dqx_metrics (
     metric VARCHAR NOT NULL, dataset VARCHAR NOT NULL, date DATE NOT NULL, tags VARCHAR NOT NULL,
     value DOUBLE, suite VARCHAR NOT NULL, run_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
     expires_on DATE, PRIMARY KEY (metric, dataset, date, tags))`,
  // Files written before metric TTLs lack the column; every value in them has no expiry of its own.
  'ALTER TABLE dqx_metrics ADD COLUMN IF NOT EXISTS expires_on DATE',
  `CREATE TABLE IF NOT EXISTS dqx_results (
     run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, suite VARCHAR NOT NULL, check_name VARCHAR NOT NULL,
     assertion VARCHAR NOT NULL, date DATE NOT NULL, tags VARCHAR NOT NULL, severity VARCHAR NOT NULL,
     status VARCHAR NOT NULL, value DOUBLE, expression VARCHAR NOT NULL, error VARCHAR, bound VARCHAR,
     assertion_tags VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, PRIMARY KEY (run_id, seq))`,
  `CREATE TABLE IF NOT EXISTS dqx_baselines (
     metric VARCHAR NOT NULL, dataset VARCHAR NOT NULL, tags VARCHAR NOT NULL, value DOUBLE, spread DOUBLE,
     from_date DATE, to_date DATE, created_at TIMESTAMP NOT NULL, PRIMARY KEY (metric, dataset, tags))`,
  `CREATE TABLE IF NOT EXISTS dqx_stored_runs (
     run_id VARCHAR PRIMARY KEY, suite VARCHAR NOT NULL, date DATE NOT NULL, tags VARCHAR NOT NULL,
     started_at VARCHAR NOT NULL, payload VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS dqx_schemas (
     run_id VARCHAR NOT NULL, dataset VARCHAR NOT NULL, suite VARCHAR NOT NULL, date DATE NOT NULL,
     tags VARCHAR NOT NULL, columns VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, PRIMARY KEY (run_id, dataset))`,
  `CREATE TABLE IF NOT EXISTS dqx_tunable_changes (
     suite VARCHAR NOT NULL, name VARCHAR NOT NULL, old_value DOUBLE NOT NULL, new_value DOUBLE NOT NULL,
     who VARCHAR NOT NULL, why VARCHAR NOT NULL, changed_at VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)`,
]

function wholeMs(
  options: DuckDBMetricDBOptions,
  key: 'lockTimeoutMs' | 'keepOpenMs',
  fallback: number,
): number {
  const value = options[key] ?? fallback
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DqxError(
      'METRIC_DB',
      `MetricDB.duckdb(): ${key} must be a non-negative whole number of ms, got ${String(value)}`,
    )
  }
  return value
}

/** A value for the appender: text (dates and timestamps as ISO text too), a number, or NULL. */
type Cell = string | number | null

/**
 * Appends rows, in the table's column order, through DuckDB's appender inside the open
 * transaction: no SQL to parse and plan per row, which made multi-row INSERT statements most
 * of a run's write cost on a file (docs/performance.md).
 */
async function appendRows(
  conn: DuckDBConnection,
  table: string,
  rows: readonly (readonly Cell[])[],
): Promise<void> {
  if (rows.length === 0) return
  const appender = await conn.createAppender(table)
  try {
    for (const row of rows) {
      for (const cell of row) {
        if (cell === null) appender.appendNull()
        else if (typeof cell === 'number') appender.appendDouble(cell)
        else appender.appendVarchar(cell)
      }
      appender.endRow()
    }
    appender.flushSync()
  } catch (err) {
    // A failed flush fails the close the same way; the transaction's rollback discards the rows.
    try {
      appender.closeSync()
    } catch {}
    throw err
  }
  appender.closeSync()
}

const PAIRS = LIST(LIST(VARCHAR))

/** Deletes the schema rows of the given (run, dataset) pairs, one statement whatever their number. */
async function deleteSchemaKeys(conn: DuckDBConnection, pairs: readonly [string, string][]): Promise<void> {
  await conn.run(
    'DELETE FROM dqx_schemas WHERE list_contains($1, [run_id, dataset])',
    [listValue(pairs.map((p) => listValue(p)))],
    [PAIRS],
  )
}

/** One row per stored key, the last given winning, as row-at-a-time INSERT OR REPLACE did: one statement may not hit a key twice. */
function lastPerKey(rows: readonly StoredMetric[]): StoredMetric[] {
  const byKey = new Map<string, StoredMetric>()
  for (const r of rows) byKey.set(JSON.stringify([r.metric, r.dataset, r.date, tagsKey(r.tags)]), r)
  return [...byKey.values()]
}

let lastStamp = 0
/**
 * created_at of a write: the wall clock, but strictly increasing within the process, so that
 * getResults' "newest run first" (ORDER BY created_at DESC) holds for runs stored in one millisecond.
 */
function writeStamp(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1)
  return new Date(lastStamp).toISOString()
}

/**
 * Deletes the stored values under the keys about to be written: one statement, the keys grouped
 * by (date, tags, dataset). The keys are spliced as quoted text (duckdbText) rather than bound:
 * preparing a bound statement costs ~0.7 ms more than this whole delete, on every run's write.
 */
async function deleteMetricKeys(conn: DuckDBConnection, rows: readonly StoredMetric[]): Promise<void> {
  const groups = new Map<string, { head: string; metrics: string[] }>()
  for (const r of rows) {
    const head = `date = CAST(${duckdbText(r.date)} AS DATE) AND tags = ${duckdbText(tagsKey(r.tags))} AND dataset = ${duckdbText(r.dataset)}`
    const group = groups.get(head) ?? { head, metrics: [] }
    group.metrics.push(duckdbText(r.metric))
    groups.set(head, group)
  }
  const dates = rows.map((r) => r.date).sort()
  const range = `date BETWEEN CAST(${duckdbText(dates[0] as string)} AS DATE) AND CAST(${duckdbText(dates[dates.length - 1] as string)} AS DATE)`
  const keys = [...groups.values()].map((g) => `(${g.head} AND metric IN (${g.metrics.join(', ')}))`)
  await conn.run(`DELETE FROM dqx_metrics WHERE ${range} AND (${keys.join(' OR ')})`)
}

/** Metric values replace the values stored under the same (metric, dataset, date, tags). */
async function insertMetrics(
  conn: DuckDBConnection,
  rows: readonly StoredMetric[],
  now: string,
): Promise<void> {
  const latest = lastPerKey(rows)
  await deleteMetricKeys(conn, latest)
  await appendRows(
    conn,
    'dqx_metrics',
    latest.map((r) => [
      r.metric,
      r.dataset,
      r.date,
      tagsKey(r.tags),
      r.value,
      r.suite,
      r.runId,
      now,
      expiresOn(r.date, r.ttlDays),
    ]),
  )
}

/** A run's results replace that run's earlier rows. */
async function replaceResults(
  conn: DuckDBConnection,
  runId: string,
  results: readonly AssertionResult[],
  now: string,
  replace = true,
): Promise<void> {
  if (replace) await conn.run('DELETE FROM dqx_results WHERE run_id = $1', [runId])
  await appendRows(
    conn,
    'dqx_results',
    results.map((r, seq) => [
      runId,
      seq,
      r.suite,
      r.check,
      r.assertion,
      r.date,
      tagsKey(r.tags),
      r.severity,
      r.status,
      r.value,
      r.expression,
      r.error ?? null,
      r.bound ?? null,
      JSON.stringify(r.assertionTags),
      now,
    ]),
  )
}

async function replaceRun(
  conn: DuckDBConnection,
  stored: StoredRun,
  now: string,
  replace = true,
): Promise<void> {
  if (replace) await conn.run('DELETE FROM dqx_stored_runs WHERE run_id = $1', [stored.runId])
  await appendRows(conn, 'dqx_stored_runs', [
    [
      stored.runId,
      stored.suite,
      stored.date,
      tagsKey(stored.tags),
      stored.startedAt,
      runPayload(stored),
      now,
    ],
  ])
}

/** One row per (run, dataset), replacing what was stored for that pair. */
async function insertSchemas(
  conn: DuckDBConnection,
  rows: readonly StoredSchema[],
  now: string,
  replace = true,
): Promise<void> {
  const latest = new Map(rows.map((r) => [JSON.stringify([r.runId, r.dataset]), r]))
  if (replace) {
    await deleteSchemaKeys(
      conn,
      [...latest.values()].map((r) => [r.runId, r.dataset]),
    )
  }
  await appendRows(
    conn,
    'dqx_schemas',
    [...latest.values()].map((r) => [
      r.runId,
      r.dataset,
      r.suite,
      r.date,
      tagsKey(r.tags),
      JSON.stringify(r.columns),
      now,
    ]),
  )
}

/** Default `keepOpenMs`: runs a second apart share one attachment, and so one checkpoint. */
export const DEFAULT_KEEP_OPEN_MS = 1_000

export interface DuckDBMetricDBOptions extends TtlStoreOptions {
  /**
   * How long a read or write waits while another process holds the file's lock,
   * in ms (default 30 000).
   */
  lockTimeoutMs?: number
  /**
   * How long the file stays open after the last operation, in ms (default 1 000). Closing it
   * checkpoints it (tens of ms), so runs in quick succession share one open; another dqx process
   * waiting for the file gets it within ~50 ms, and `close()` releases it at once. 0 closes the
   * file after every operation.
   */
  keepOpenMs?: number
}

/**
 * A persistent MetricDB in a DuckDB file: history survives the process and is
 * seen by the next one. Safe for several processes at once: the file is attached
 * while operations run and for `keepOpenMs` after (duckdb-files.ts), waiting
 * up to `lockTimeoutMs` for a lock another process holds.
 */
export class DuckDBMetricDB implements MetricDB {
  readonly description: string
  private readonly path: string
  private readonly lockTimeoutMs: number
  private readonly keepOpenMs: number
  /** Days kept of values without a `ttlDays` of their own (undefined: forever). */
  readonly defaultTtlDays: number | undefined
  /** The tables, created once per object by its first operation. */
  private schema: Promise<void> | undefined
  /** Operations in flight: close() waits for them. */
  private readonly pending = new Set<Promise<unknown>>()

  constructor(file: string, options: DuckDBMetricDBOptions = {}) {
    if (typeof file !== 'string' || file.trim() === '') {
      throw new DqxError(
        'METRIC_DB',
        'MetricDB.duckdb() needs a file path, e.g. MetricDB.duckdb(".dqx/metrics.duckdb")',
      )
    }
    this.path = resolve(file)
    this.lockTimeoutMs = wholeMs(options, 'lockTimeoutMs', DEFAULT_LOCK_TIMEOUT_MS)
    this.keepOpenMs = wholeMs(options, 'keepOpenMs', DEFAULT_KEEP_OPEN_MS)
    this.defaultTtlDays = defaultTtl(options, 'MetricDB.duckdb()')
    this.description = `duckdb:${this.path}`
  }

  private get fileOptions() {
    return { lockTimeoutMs: this.lockTimeoutMs, keepOpenMs: this.keepOpenMs, what: 'the MetricDB file' }
  }

  private track<T>(op: Promise<T>): Promise<T> {
    this.pending.add(op)
    const forget = (): void => void this.pending.delete(op)
    op.then(forget, forget)
    return op
  }

  private ensureSchema(): Promise<void> {
    if (!this.schema) {
      const created = writeDuckDBFile(
        this.path,
        async (conn) => {
          for (const ddl of SCHEMA) await conn.run(ddl)
        },
        this.fileOptions,
      )
      this.schema = created
      created.catch(() => {
        if (this.schema === created) this.schema = undefined
      })
    }
    return this.schema
  }

  private rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.track(
      (async () => {
        await this.ensureSchema()
        return withDuckDBFile(
          this.path,
          async (conn) => {
            const r = await conn.runAndReadAll(sql, params as DuckDBValue[])
            return r.getRowObjectsJS() as Record<string, unknown>[]
          },
          this.fileOptions,
        )
      })(),
    )
  }

  /** Runs statements in one transaction so a failed write leaves nothing half-written. */
  private transaction(fn: (conn: DuckDBConnection) => Promise<void>): Promise<void> {
    return this.track(
      (async () => {
        await this.ensureSchema()
        await writeDuckDBFile(this.path, fn, this.fileOptions)
      })(),
    )
  }

  async putMetrics(rows: readonly StoredMetric[]): Promise<void> {
    if (rows.length === 0) return
    await this.transaction((conn) => insertMetrics(conn, rows, writeStamp()))
  }

  /** A run's metrics, results, replay record and schemas in one transaction: one commit per run. */
  async writeRun(batch: RunWrite): Promise<void> {
    const now = writeStamp()
    await this.transaction(async (conn) => {
      if (batch.metrics.length > 0) await insertMetrics(conn, batch.metrics, now)
      const replace = batch.newRun !== true
      await replaceResults(conn, batch.runId, batch.results, now, replace)
      if (batch.run) await replaceRun(conn, toStoredRun(batch.run), now, replace)
      if (batch.schemas.length > 0) await insertSchemas(conn, batch.schemas, now, replace)
    })
  }

  /** `NOT (expired)` today, for a read whose parameters so far are `params` (the dates are appended). */
  private live(params: unknown[]): string {
    return `NOT ${expiredClause(liveWindow(expiryDay(undefined), this.defaultTtlDays), params, (p) => `CAST(${p} AS DATE)`)}`
  }

  async deleteExpiredMetrics(options?: DeleteExpiredOptions): Promise<DeleteExpiredResult> {
    const asOf = expiryDay(options)
    const params: unknown[] = []
    const expired = expiredClause(liveWindow(asOf, this.defaultTtlDays), params, (p) => `CAST(${p} AS DATE)`)
    let deleted: { metric: string; dataset: string }[] = []
    await this.transaction(async (conn) => {
      const r = await conn.runAndReadAll(
        `DELETE FROM dqx_metrics WHERE ${expired} RETURNING metric, dataset`,
        params as DuckDBValue[],
      )
      deleted = r.getRowObjectsJS() as { metric: string; dataset: string }[]
    })
    return summarizeDeleted(deleted, asOf)
  }

  async getMetric(q: MetricLookup): Promise<StoredMetric | undefined> {
    const params: unknown[] = [q.metric, q.dataset, q.date, tagsKey(q.tags)]
    const rows = await this.rows(
      `SELECT metric, dataset, CAST(date AS VARCHAR) AS date, tags, value, suite, run_id FROM dqx_metrics
       WHERE metric = $1 AND dataset = $2 AND date = CAST($3 AS DATE) AND tags = $4 AND ${this.live(params)}`,
      params,
    )
    const r = rows[0]
    return r ? toStoredMetric(r) : undefined
  }

  async getHistory(q: Omit<MetricLookup, 'date'> & { from: string; to: string }): Promise<StoredMetric[]> {
    const params: unknown[] = [q.metric, q.dataset, tagsKey(q.tags), q.from, q.to]
    const rows = await this.rows(
      `SELECT metric, dataset, CAST(date AS VARCHAR) AS date, tags, value, suite, run_id FROM dqx_metrics
       WHERE metric = $1 AND dataset = $2 AND tags = $3 AND date BETWEEN CAST($4 AS DATE) AND CAST($5 AS DATE)
         AND ${this.live(params)}
       ORDER BY date`,
      params,
    )
    return rows.map(toStoredMetric)
  }

  async putResults(runId: string, results: readonly AssertionResult[]): Promise<void> {
    await this.transaction((conn) => replaceResults(conn, runId, results, writeStamp()))
  }

  async getResults(q: ResultsLookup): Promise<StoredResult[]> {
    const rows = await this.rows(
      `SELECT run_id, suite, check_name, assertion, CAST(date AS VARCHAR) AS date, tags, severity, status, value,
              expression, error, bound, assertion_tags FROM dqx_results
       WHERE suite = $1 AND date = CAST($2 AS DATE) AND tags = $3 ORDER BY created_at DESC, run_id, seq`,
      [q.suite, q.date, tagsKey(q.tags)],
    )
    return rows.map(toStoredResult)
  }

  async getAssertionHistory(q: AssertionHistoryQuery): Promise<AssertionHistoryEntry[]> {
    checkHistoryQuery(q)
    const rows = await this.rows(
      `SELECT CAST(date AS VARCHAR) AS date, status, value, error, run_id FROM dqx_results
       WHERE suite = $1 AND check_name = $2 AND assertion = $3 AND tags = $4
         AND date BETWEEN CAST($5 AS DATE) AND CAST($6 AS DATE)
       QUALIFY row_number() OVER (PARTITION BY date ORDER BY created_at DESC, run_id DESC) = 1
       ORDER BY date`,
      [q.suite, q.check, q.assertion, tagsKey(q.tags), q.from, q.to],
    )
    return rows.map(toHistoryEntry)
  }

  async pinBaseline(pin: BaselinePin): Promise<void> {
    const p = normalizePin(pin)
    await this.transaction(async (conn) => {
      const values = [p.metric, p.dataset, p.tagsText, p.value, p.spread, p.from, p.to, writeStamp()]
      await conn.run(
        'INSERT OR REPLACE INTO dqx_baselines VALUES ($1, $2, $3, $4, $5, CAST($6 AS DATE), CAST($7 AS DATE), CAST($8 AS TIMESTAMP))',
        values as DuckDBValue[],
        paramTypes(values),
      )
    })
  }

  async unpinBaseline(target: BaselineTarget): Promise<boolean> {
    const t = normalizeTarget(target, 'unpinBaseline()')
    let deleted = 0
    await this.transaction(async (conn) => {
      const r = await conn.run('DELETE FROM dqx_baselines WHERE metric = $1 AND dataset = $2 AND tags = $3', [
        t.metric,
        t.dataset,
        t.tagsText,
      ])
      deleted = r.rowsChanged
    })
    return deleted > 0
  }

  async getPinnedBaseline(target: BaselineTarget): Promise<StoredBaselinePin | undefined> {
    const t = normalizeTarget(target, 'getPinnedBaseline()')
    const rows = await this.rows(
      `SELECT metric, dataset, tags, value, spread, CAST(from_date AS VARCHAR) AS from_date,
              CAST(to_date AS VARCHAR) AS to_date FROM dqx_baselines WHERE metric = $1 AND dataset = $2 AND tags = $3`,
      [t.metric, t.dataset, t.tagsText],
    )
    const r = rows[0]
    return r ? toPin(r) : undefined
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    const cutoff = pruneCutoff(options)
    const out: PruneResult = { metrics: 0, results: 0, cutoff }
    await this.transaction(async (conn) => {
      const m = await conn.run(
        `DELETE FROM dqx_metrics WHERE date < CAST($1 AS DATE) AND NOT EXISTS (
           SELECT 1 FROM dqx_baselines b WHERE b.metric = dqx_metrics.metric AND b.dataset = dqx_metrics.dataset
             AND b.tags = dqx_metrics.tags AND dqx_metrics.date BETWEEN b.from_date AND b.to_date)`,
        [cutoff],
      )
      const r = await conn.run('DELETE FROM dqx_results WHERE date < CAST($1 AS DATE)', [cutoff])
      await conn.run('DELETE FROM dqx_stored_runs WHERE date < CAST($1 AS DATE)', [cutoff])
      out.metrics = m.rowsChanged
      out.results = r.rowsChanged
    })
    return out
  }

  async putRun(run: StoredRun): Promise<void> {
    const stored = toStoredRun(run)
    await this.transaction((conn) => replaceRun(conn, stored, writeStamp()))
  }

  async getRun(q: RunLookup): Promise<StoredRun | undefined> {
    const params: string[] = [q.suite, q.date, tagsKey(q.tags)]
    if (q.runId !== undefined) params.push(q.runId)
    const rows = await this.rows(
      `SELECT run_id, suite, CAST(date AS VARCHAR) AS date, tags, started_at, payload FROM dqx_stored_runs
       WHERE suite = $1 AND date = CAST($2 AS DATE) AND tags = $3${q.runId === undefined ? '' : ' AND run_id = $4'}
       ORDER BY started_at DESC, created_at DESC LIMIT 1`,
      params,
    )
    const r = rows[0]
    return r ? fromRunRow(r) : undefined
  }

  async listRuns(q: StoredRunQuery): Promise<StoredRunEntry[]> {
    const { where, params } = runListFilter(q, tagsKey, (p) => `CAST(${p} AS DATE)`)
    const rows = await this.rows(
      `SELECT run_id, suite, CAST(date AS VARCHAR) AS date, tags, started_at FROM dqx_stored_runs
       WHERE ${where} ORDER BY date, started_at`,
      params,
    )
    return rows.map(toRunEntry)
  }

  async putSchemas(rows: readonly StoredSchema[]): Promise<void> {
    if (rows.length === 0) return
    await this.transaction((conn) => insertSchemas(conn, rows, writeStamp()))
  }

  async getSchema(q: SchemaLookup): Promise<StoredSchema | undefined> {
    const rows = await this.rows(
      `SELECT run_id, dataset, suite, CAST(date AS VARCHAR) AS date, tags, columns FROM dqx_schemas
       WHERE suite = $1 AND dataset = $2 AND tags = $3 ORDER BY created_at DESC, run_id DESC LIMIT 1`,
      [q.suite, q.dataset, tagsKey(q.tags)],
    )
    const r = rows[0]
    return r ? toStoredSchema(r) : undefined
  }

  async putTunableChange(change: TunableChange): Promise<void> {
    const now = writeStamp()
    await this.transaction(async (conn) => {
      await conn.run(
        'INSERT INTO dqx_tunable_changes VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS TIMESTAMP))',
        [
          change.suite,
          change.name,
          change.oldValue,
          change.newValue,
          change.who,
          change.why,
          change.changedAt,
          now,
        ],
      )
    })
  }

  async getTunableChanges(q: TunableChangeQuery): Promise<TunableChange[]> {
    const params: string[] = [q.suite]
    if (q.name !== undefined) params.push(q.name)
    const rows = await this.rows(
      `SELECT suite, name, old_value, new_value, who, why, changed_at FROM dqx_tunable_changes
       WHERE suite = $1${q.name === undefined ? '' : ' AND name = $2'} ORDER BY created_at`,
      params,
    )
    return rows.map(fromTunableRow)
  }

  /** Waits for operations in flight, then closes the file (unless another MetricDB on it is busy). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending])
    this.schema = undefined
    await releaseDuckDBFile(this.path)
  }
}
