import type pg from 'pg'
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
import { type DbRow, toStoredMetric, toStoredResult, toStoredSchema } from './metric-rows.js'
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
import { leasePool, type PoolLease, pgTransaction } from './pg-pools.js'
import { connectFailure, errorText, type PgTarget, pgTarget } from './postgres-connection.js'
import { quoteIdent } from './sql.js'
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

export interface PostgresMetricDBOptions extends TtlStoreOptions {
  /** Schema holding dqx_metrics and dqx_results, created if missing. Default: the first schema of the search_path (public). */
  schema?: string
  /** Most connections this MetricDB opens at once (default 4). */
  poolSize?: number
  /** How long to wait for a connection, in ms (default 10 000). */
  connectTimeoutMs?: number
}

/**
 * A MetricDB in PostgreSQL: the same tables and behaviour as the DuckDB-file
 * store, shared by every process that points at the database. Writers never
 * lose each other's rows: metrics are upserted by key (`ON CONFLICT … DO
 * UPDATE`) in one statement, in a fixed key order so that concurrent writers
 * cannot deadlock; a run's results are replaced in one transaction.
 */
export class PostgresMetricDB implements MetricDB {
  readonly description: string
  private readonly url: string
  private readonly target: PgTarget
  private readonly schema: string | undefined
  private readonly poolSize: number
  private readonly connectTimeoutMs: number
  /** Days kept of values without a `ttlDays` of their own (undefined: forever). */
  readonly defaultTtlDays: number | undefined
  private ready: Promise<PoolLease> | undefined

  constructor(url: string, options: PostgresMetricDBOptions = {}) {
    this.target = pgTarget(url, 'MetricDB.postgres()', 'METRIC_DB')
    this.url = url
    const { schema, poolSize = 4, connectTimeoutMs = 10_000 } = options
    if (schema !== undefined && (typeof schema !== 'string' || schema.trim() === '')) {
      throw new DqxError('METRIC_DB', 'MetricDB.postgres(): schema must be a non-empty string')
    }
    for (const [name, v] of [
      ['poolSize', poolSize],
      ['connectTimeoutMs', connectTimeoutMs],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) {
        throw new DqxError(
          'METRIC_DB',
          `MetricDB.postgres(): ${name} must be a positive integer, got ${String(v)}`,
        )
      }
    }
    this.schema = schema
    this.poolSize = poolSize
    this.connectTimeoutMs = connectTimeoutMs
    this.defaultTtlDays = defaultTtl(options, 'MetricDB.postgres()')
    this.description = `postgres:${this.target.label}${schema === undefined ? '' : ` schema ${schema}`}`
  }

  /** A table name, qualified with the schema when one was given. */
  private table(name: string): string {
    return this.schema === undefined ? name : `${quoteIdent(this.schema)}.${name}`
  }

  /** The pool (shared with the process's other users of this server), with the tables created on first use. After close() it opens again. */
  private async open(): Promise<pg.Pool> {
    this.ready ??= (async () => {
      const lease = leasePool(this.url, { max: this.poolSize, connectTimeoutMs: this.connectTimeoutMs })
      try {
        await this.transaction(lease.pool, async (client) => {
          // Two processes creating the tables at once would collide on the catalog: take turns.
          await client.query("SELECT pg_advisory_xact_lock(hashtext('dqx.metric-db.schema'))")
          if (this.schema !== undefined)
            await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`)
          await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('dqx_metrics')} (
            metric text NOT NULL, dataset text NOT NULL, date date NOT NULL, tags text NOT NULL,
            value double precision, suite text NOT NULL, run_id text NOT NULL, created_at timestamptz NOT NULL,
            expires_on date, PRIMARY KEY (metric, dataset, date, tags))`)
          // Tables created before metric TTLs lack the column; their values have no expiry of their own.
          await client.query(
            `ALTER TABLE ${this.table('dqx_metrics')} ADD COLUMN IF NOT EXISTS expires_on date`,
          )
          // deleteExpiredMetrics after every run: an index keeps it from reading the whole table.
          await client.query(
            `CREATE INDEX IF NOT EXISTS dqx_metrics_by_expiry ON ${this.table('dqx_metrics')} (expires_on)`,
          )
          await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('dqx_results')} (
            run_id text NOT NULL, seq integer NOT NULL, suite text NOT NULL, check_name text NOT NULL,
            assertion text NOT NULL, date date NOT NULL, tags text NOT NULL, severity text NOT NULL,
            status text NOT NULL, value double precision, expression text NOT NULL, error text, bound text,
            assertion_tags text NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (run_id, seq))`)
          await client.query(
            `CREATE INDEX IF NOT EXISTS dqx_results_by_suite_date ON ${this.table('dqx_results')} (suite, date, tags)`,
          )
          await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('dqx_baselines')} (
            metric text NOT NULL, dataset text NOT NULL, tags text NOT NULL, value double precision,
            spread double precision, from_date date, to_date date, created_at timestamptz NOT NULL,
            PRIMARY KEY (metric, dataset, tags))`)
          await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('dqx_stored_runs')} (
            run_id text PRIMARY KEY, suite text NOT NULL, date date NOT NULL, tags text NOT NULL,
            started_at text NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL)`)
          await client.query(
            `CREATE INDEX IF NOT EXISTS dqx_stored_runs_by_suite_date ON ${this.table('dqx_stored_runs')} (suite, date, tags)`,
          )
          await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('dqx_schemas')} (
            run_id text NOT NULL, dataset text NOT NULL, suite text NOT NULL, date date NOT NULL,
            tags text NOT NULL, columns text NOT NULL, created_at timestamptz NOT NULL,
            PRIMARY KEY (run_id, dataset))`)
          await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('dqx_tunable_changes')} (
            suite text NOT NULL, name text NOT NULL, old_value double precision NOT NULL,
            new_value double precision NOT NULL, who text NOT NULL, why text NOT NULL,
            changed_at text NOT NULL, created_at timestamptz NOT NULL)`)
        })
        return lease
      } catch (err) {
        this.ready = undefined
        await lease.release()
        if (err instanceof DqxError) throw err
        throw new DqxError(
          'METRIC_DB',
          `cannot create the MetricDB tables in PostgreSQL ${this.target.label}: ${errorText(err)}`,
          { cause: err },
        )
      }
    })()
    return (await this.ready).pool
  }

  private async connect(pool: pg.Pool): Promise<pg.PoolClient> {
    try {
      return await pool.connect()
    } catch (err) {
      throw new DqxError(
        'METRIC_DB',
        `MetricDB: ${connectFailure(err, this.target, this.connectTimeoutMs)}`,
        {
          cause: err,
        },
      )
    }
  }

  /** Runs `fn` in one transaction; a failure rolls everything back, a deadlock runs it again. */
  private transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return pgTransaction(pool, fn, {
      connectError: (err) =>
        new DqxError('METRIC_DB', `MetricDB: ${connectFailure(err, this.target, this.connectTimeoutMs)}`, {
          cause: err,
        }),
    })
  }

  private async rows(sql: string, params: unknown[]): Promise<DbRow[]> {
    const pool = await this.open()
    const client = await this.connect(pool)
    try {
      return (await client.query<DbRow>(sql, params)).rows
    } finally {
      client.release()
    }
  }

  async putMetrics(rows: readonly StoredMetric[]): Promise<void> {
    if (rows.length === 0) return
    const pool = await this.open()
    await this.transaction(pool, (client) => this.upsertMetrics(client, rows))
  }

  /** A run's metrics, results, replay record and schemas in one transaction: one commit per run. */
  async writeRun(batch: RunWrite): Promise<void> {
    const pool = await this.open()
    await this.transaction(pool, async (client) => {
      if (batch.metrics.length > 0) await this.upsertMetrics(client, batch.metrics)
      await this.replaceResults(client, batch.runId, batch.results, batch.newRun !== true)
      if (batch.run) await this.upsertRun(client, batch.run)
      if (batch.schemas.length > 0) await this.upsertSchemas(client, batch.schemas)
    })
  }

  private async upsertMetrics(client: pg.PoolClient, rows: readonly StoredMetric[]): Promise<void> {
    // One row per key (the last wins, as with sequential upserts), in key order: every writer
    // locks keys in the same order, so concurrent writers wait for each other but never deadlock.
    const byKey = new Map<string, StoredMetric & { tagsText: string }>()
    for (const r of rows) {
      const tagsText = tagsKey(r.tags)
      byKey.set(JSON.stringify([r.metric, r.dataset, r.date, tagsText]), { ...r, tagsText })
    }
    const sorted = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r)
    const sql = `INSERT INTO ${this.table('dqx_metrics')} (metric, dataset, date, tags, value, suite, run_id, created_at, expires_on)
      SELECT u.metric, u.dataset, u.date::date, u.tags, u.value, u.suite, u.run_id, now(), u.expires_on::date
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[])
        AS u(metric, dataset, date, tags, value, suite, run_id, expires_on)
      ON CONFLICT (metric, dataset, date, tags) DO UPDATE SET value = EXCLUDED.value, suite = EXCLUDED.suite,
        run_id = EXCLUDED.run_id, created_at = EXCLUDED.created_at, expires_on = EXCLUDED.expires_on`
    const params = [
      sorted.map((r) => r.metric),
      sorted.map((r) => r.dataset),
      sorted.map((r) => r.date),
      sorted.map((r) => r.tagsText),
      sorted.map((r) => r.value),
      sorted.map((r) => r.suite),
      sorted.map((r) => r.runId),
      sorted.map((r) => expiresOn(r.date, r.ttlDays)),
    ]
    await client.query(sql, params)
  }

  /** `NOT (expired)` today, for a read whose parameters so far are `params` (the dates are appended). */
  private live(params: unknown[]): string {
    return `NOT ${expiredClause(liveWindow(expiryDay(undefined), this.defaultTtlDays), params, (p) => `${p}::date`)}`
  }

  async deleteExpiredMetrics(options?: DeleteExpiredOptions): Promise<DeleteExpiredResult> {
    const asOf = expiryDay(options)
    const params: unknown[] = []
    const expired = expiredClause(liveWindow(asOf, this.defaultTtlDays), params, (p) => `${p}::date`)
    const rows = await this.rows(
      `DELETE FROM ${this.table('dqx_metrics')} WHERE ${expired} RETURNING metric, dataset`,
      params,
    )
    return summarizeDeleted(
      rows.map((r) => ({ metric: String(r.metric), dataset: String(r.dataset) })),
      asOf,
    )
  }

  async getMetric(q: MetricLookup): Promise<StoredMetric | undefined> {
    const params: unknown[] = [q.metric, q.dataset, q.date, tagsKey(q.tags)]
    const rows = await this.rows(
      `SELECT metric, dataset, to_char(date, 'YYYY-MM-DD') AS date, tags, value, suite, run_id
       FROM ${this.table('dqx_metrics')}
       WHERE metric = $1 AND dataset = $2 AND date = $3::date AND tags = $4 AND ${this.live(params)}`,
      params,
    )
    const r = rows[0]
    return r ? toStoredMetric(r) : undefined
  }

  async getHistory(q: Omit<MetricLookup, 'date'> & { from: string; to: string }): Promise<StoredMetric[]> {
    const params: unknown[] = [q.metric, q.dataset, tagsKey(q.tags), q.from, q.to]
    const rows = await this.rows(
      `SELECT metric, dataset, to_char(date, 'YYYY-MM-DD') AS date, tags, value, suite, run_id
       FROM ${this.table('dqx_metrics')}
       WHERE metric = $1 AND dataset = $2 AND tags = $3 AND date BETWEEN $4::date AND $5::date
         AND ${this.live(params)}
       ORDER BY date`,
      params,
    )
    return rows.map(toStoredMetric)
  }

  async putResults(runId: string, results: readonly AssertionResult[]): Promise<void> {
    const pool = await this.open()
    await this.transaction(pool, (client) => this.replaceResults(client, runId, results))
  }

  /** A run's results replace that run's earlier rows. */
  private async replaceResults(
    client: pg.PoolClient,
    runId: string,
    results: readonly AssertionResult[],
    replace = true,
  ): Promise<void> {
    if (replace) await client.query(`DELETE FROM ${this.table('dqx_results')} WHERE run_id = $1`, [runId])
    if (results.length === 0) return
    await client.query(
      `INSERT INTO ${this.table('dqx_results')} (run_id, seq, suite, check_name, assertion, date, tags,
         severity, status, value, expression, error, bound, assertion_tags, created_at)
       SELECT $1, (u.ord - 1)::int, u.suite, u.check_name, u.assertion, u.date::date, u.tags, u.severity,
         u.status, u.value, u.expression, u.error, u.bound, u.assertion_tags, now()
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::float8[], $10::text[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY
         AS u(suite, check_name, assertion, date, tags, severity, status, value, expression, error, bound,
           assertion_tags, ord)`,
      [
        runId,
        results.map((r) => r.suite),
        results.map((r) => r.check),
        results.map((r) => r.assertion),
        results.map((r) => r.date),
        results.map((r) => tagsKey(r.tags)),
        results.map((r) => r.severity),
        results.map((r) => r.status),
        results.map((r) => r.value),
        results.map((r) => r.expression),
        results.map((r) => r.error ?? null),
        results.map((r) => r.bound ?? null),
        results.map((r) => JSON.stringify(r.assertionTags)),
      ],
    )
  }

  async getResults(q: ResultsLookup): Promise<StoredResult[]> {
    const rows = await this.rows(
      `SELECT run_id, suite, check_name, assertion, to_char(date, 'YYYY-MM-DD') AS date, tags, severity, status,
              value, expression, error, bound, assertion_tags
       FROM ${this.table('dqx_results')}
       WHERE suite = $1 AND date = $2::date AND tags = $3 ORDER BY created_at DESC, run_id, seq`,
      [q.suite, q.date, tagsKey(q.tags)],
    )
    return rows.map(toStoredResult)
  }

  async getAssertionHistory(q: AssertionHistoryQuery): Promise<AssertionHistoryEntry[]> {
    checkHistoryQuery(q)
    const rows = await this.rows(
      `SELECT DISTINCT ON (date) to_char(date, 'YYYY-MM-DD') AS date, status, value, error, run_id
       FROM ${this.table('dqx_results')}
       WHERE suite = $1 AND check_name = $2 AND assertion = $3 AND tags = $4 AND date BETWEEN $5::date AND $6::date
       ORDER BY date, created_at DESC, run_id DESC`,
      [q.suite, q.check, q.assertion, tagsKey(q.tags), q.from, q.to],
    )
    return rows.map(toHistoryEntry)
  }

  async pinBaseline(pin: BaselinePin): Promise<void> {
    const p = normalizePin(pin)
    await this.rows(
      `INSERT INTO ${this.table('dqx_baselines')} (metric, dataset, tags, value, spread, from_date, to_date, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, now())
       ON CONFLICT (metric, dataset, tags) DO UPDATE SET value = EXCLUDED.value, spread = EXCLUDED.spread,
         from_date = EXCLUDED.from_date, to_date = EXCLUDED.to_date, created_at = EXCLUDED.created_at`,
      [p.metric, p.dataset, p.tagsText, p.value, p.spread, p.from, p.to],
    )
  }

  async unpinBaseline(target: BaselineTarget): Promise<boolean> {
    const t = normalizeTarget(target, 'unpinBaseline()')
    const rows = await this.rows(
      `DELETE FROM ${this.table('dqx_baselines')} WHERE metric = $1 AND dataset = $2 AND tags = $3 RETURNING 1`,
      [t.metric, t.dataset, t.tagsText],
    )
    return rows.length > 0
  }

  async getPinnedBaseline(target: BaselineTarget): Promise<StoredBaselinePin | undefined> {
    const t = normalizeTarget(target, 'getPinnedBaseline()')
    const rows = await this.rows(
      `SELECT metric, dataset, tags, value, spread, to_char(from_date, 'YYYY-MM-DD') AS from_date,
              to_char(to_date, 'YYYY-MM-DD') AS to_date
       FROM ${this.table('dqx_baselines')} WHERE metric = $1 AND dataset = $2 AND tags = $3`,
      [t.metric, t.dataset, t.tagsText],
    )
    const r = rows[0]
    return r ? toPin(r) : undefined
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    const cutoff = pruneCutoff(options)
    const pool = await this.open()
    return this.transaction(pool, async (client) => {
      const m = await client.query(
        `DELETE FROM ${this.table('dqx_metrics')} m WHERE m.date < $1::date AND NOT EXISTS (
           SELECT 1 FROM ${this.table('dqx_baselines')} b WHERE b.metric = m.metric AND b.dataset = m.dataset
             AND b.tags = m.tags AND m.date BETWEEN b.from_date AND b.to_date)`,
        [cutoff],
      )
      const r = await client.query(`DELETE FROM ${this.table('dqx_results')} WHERE date < $1::date`, [cutoff])
      await client.query(`DELETE FROM ${this.table('dqx_stored_runs')} WHERE date < $1::date`, [cutoff])
      return { metrics: Number(m.rowCount), results: Number(r.rowCount), cutoff }
    })
  }

  async putRun(run: StoredRun): Promise<void> {
    const pool = await this.open()
    await this.transaction(pool, (client) => this.upsertRun(client, run))
  }

  private async upsertRun(client: pg.PoolClient, run: StoredRun): Promise<void> {
    const stored = toStoredRun(run)
    await client.query(
      `INSERT INTO ${this.table('dqx_stored_runs')} (run_id, suite, date, tags, started_at, payload, created_at)
       VALUES ($1, $2, $3::date, $4, $5, $6, clock_timestamp())
       ON CONFLICT (run_id) DO UPDATE SET suite = EXCLUDED.suite, date = EXCLUDED.date, tags = EXCLUDED.tags,
         started_at = EXCLUDED.started_at, payload = EXCLUDED.payload, created_at = EXCLUDED.created_at`,
      [stored.runId, stored.suite, stored.date, tagsKey(stored.tags), stored.startedAt, runPayload(stored)],
    )
  }

  async getRun(q: RunLookup): Promise<StoredRun | undefined> {
    const params: string[] = [q.suite, q.date, tagsKey(q.tags)]
    if (q.runId !== undefined) params.push(q.runId)
    const rows = await this.rows(
      `SELECT run_id, suite, to_char(date, 'YYYY-MM-DD') AS date, tags, started_at, payload
       FROM ${this.table('dqx_stored_runs')}
       WHERE suite = $1 AND date = $2::date AND tags = $3${q.runId === undefined ? '' : ' AND run_id = $4'}
       ORDER BY started_at DESC, created_at DESC LIMIT 1`,
      params,
    )
    const r = rows[0]
    return r ? fromRunRow(r) : undefined
  }

  async listRuns(q: StoredRunQuery): Promise<StoredRunEntry[]> {
    const { where, params } = runListFilter(q, tagsKey, (p) => `${p}::date`)
    const rows = await this.rows(
      `SELECT run_id, suite, to_char(date, 'YYYY-MM-DD') AS date, tags, started_at FROM ${this.table('dqx_stored_runs')}
       WHERE ${where} ORDER BY date, started_at`,
      params,
    )
    return rows.map(toRunEntry)
  }

  async putSchemas(rows: readonly StoredSchema[]): Promise<void> {
    if (rows.length === 0) return
    const pool = await this.open()
    await this.transaction(pool, (client) => this.upsertSchemas(client, rows))
  }

  private async upsertSchemas(client: pg.PoolClient, rows: readonly StoredSchema[]): Promise<void> {
    // clock_timestamp(), not now(): two runs in one transaction-free sequence must order by write.
    await client.query(
      `INSERT INTO ${this.table('dqx_schemas')} (run_id, dataset, suite, date, tags, columns, created_at)
       SELECT u.run_id, u.dataset, u.suite, u.date::date, u.tags, u.columns, clock_timestamp()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         AS u(run_id, dataset, suite, date, tags, columns)
       ON CONFLICT (run_id, dataset) DO UPDATE SET suite = EXCLUDED.suite, date = EXCLUDED.date,
         tags = EXCLUDED.tags, columns = EXCLUDED.columns, created_at = EXCLUDED.created_at`,
      [
        rows.map((r) => r.runId),
        rows.map((r) => r.dataset),
        rows.map((r) => r.suite),
        rows.map((r) => r.date),
        rows.map((r) => tagsKey(r.tags)),
        rows.map((r) => JSON.stringify(r.columns)),
      ],
    )
  }

  async getSchema(q: SchemaLookup): Promise<StoredSchema | undefined> {
    const rows = await this.rows(
      `SELECT run_id, dataset, suite, to_char(date, 'YYYY-MM-DD') AS date, tags, columns
       FROM ${this.table('dqx_schemas')}
       WHERE suite = $1 AND dataset = $2 AND tags = $3 ORDER BY created_at DESC, run_id DESC LIMIT 1`,
      [q.suite, q.dataset, tagsKey(q.tags)],
    )
    const r = rows[0]
    return r ? toStoredSchema(r) : undefined
  }

  async putTunableChange(change: TunableChange): Promise<void> {
    // clock_timestamp(): changes made in one millisecond still list in the order they were made.
    await this.rows(
      `INSERT INTO ${this.table('dqx_tunable_changes')} (suite, name, old_value, new_value, who, why, changed_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())`,
      [change.suite, change.name, change.oldValue, change.newValue, change.who, change.why, change.changedAt],
    )
  }

  async getTunableChanges(q: TunableChangeQuery): Promise<TunableChange[]> {
    const params: string[] = [q.suite]
    if (q.name !== undefined) params.push(q.name)
    const rows = await this.rows(
      `SELECT suite, name, old_value, new_value, who, why, changed_at FROM ${this.table('dqx_tunable_changes')}
       WHERE suite = $1${q.name === undefined ? '' : ' AND name = $2'} ORDER BY created_at`,
      params,
    )
    return rows.map(fromTunableRow)
  }

  /** Gives the pool back (it ends when no one else in the process uses it). The MetricDB opens it again on next use. */
  async close(): Promise<void> {
    const ready = this.ready
    this.ready = undefined
    if (!ready) return
    try {
      await (await ready).release()
    } catch {
      // It never opened (the error went to whoever used it first): nothing to end.
    }
  }
}
