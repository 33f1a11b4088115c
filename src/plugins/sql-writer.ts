import {
  DOUBLE,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api'
import type pg from 'pg'
import { z } from 'zod'
import { redactUrl } from '../core/redact.js'
import { writeDuckDBFile } from '../engine/duckdb-files.js'
import { leasePool, pgTransaction } from '../engine/pg-pools.js'
import { describeError, makeRedactor, type Redactor, urlSecrets } from './delivery.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView, runStatus } from './first-party.js'

export const sqlWriterSchema = z.strictObject({
  /** Plugin name (default 'sqlWriter'). */
  name: nameSchema,
  /** `{ duckdb: file }` or `{ postgres: 'postgres://user:password@host:5432/db' }`. */
  db: z.union(
    [
      z.strictObject({ duckdb: z.string().min(1) }),
      z.strictObject({ postgres: z.string().regex(/^postgres(ql)?:\/\//) }),
    ],
    {
      error: "expected { duckdb: file } or { postgres: 'postgres://…' connection URL }",
    },
  ),
  /** Prefix of the three tables: <prefix>runs, <prefix>assertion_results, <prefix>symbols (default 'dqx_'). */
  tablePrefix: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,40}$/, 'expected letters, digits and _ (starting with a letter or _)')
    .optional(),
  /** Default 'always'. */
  notifyOn: notifyOnSchema,
})

export type SqlWriterOptions = z.input<typeof sqlWriterSchema>

type Dialect = 'duckdb' | 'postgres'
type Param = string | number | null

/** The SQL types that differ between the two databases. */
const TYPES: Record<Dialect, { text: string; double: string; json: string; ts: string }> = {
  duckdb: { text: 'VARCHAR', double: 'DOUBLE', json: 'JSON', ts: 'TIMESTAMP' },
  postgres: { text: 'text', double: 'double precision', json: 'jsonb', ts: 'timestamptz' },
}

export interface SqlTables {
  runs: string
  results: string
  symbols: string
}

export function tableNames(prefix = 'dqx_'): SqlTables {
  return { runs: `${prefix}runs`, results: `${prefix}assertion_results`, symbols: `${prefix}symbols` }
}

export function ddl(dialect: Dialect, t: SqlTables): string[] {
  const { text, double, json, ts } = TYPES[dialect]
  return [
    `CREATE TABLE IF NOT EXISTS ${t.runs} (
       run_id ${text} PRIMARY KEY, suite ${text} NOT NULL, date DATE NOT NULL, tags ${json} NOT NULL,
       status ${text} NOT NULL, started_at ${ts} NOT NULL, duration_ms ${double} NOT NULL,
       datasources ${json} NOT NULL, total INTEGER NOT NULL, passed INTEGER NOT NULL, failed INTEGER NOT NULL,
       skipped INTEGER NOT NULL, pass_rate ${double} NOT NULL, failures_by_severity ${json} NOT NULL,
       error ${text}, written_at ${ts} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.results} (
       run_id ${text} NOT NULL, seq INTEGER NOT NULL, suite ${text} NOT NULL, check_name ${text} NOT NULL,
       assertion ${text} NOT NULL, severity ${text} NOT NULL, status ${text} NOT NULL, value ${double},
       expression ${text} NOT NULL, bound ${text}, error ${text}, date DATE NOT NULL, tags ${json} NOT NULL,
       assertion_tags ${json} NOT NULL, PRIMARY KEY (run_id, seq))`,
    `CREATE TABLE IF NOT EXISTS ${t.symbols} (
       run_id ${text} NOT NULL, seq INTEGER NOT NULL, name ${text} NOT NULL, metric ${text} NOT NULL,
       dataset ${text} NOT NULL, value ${double}, date DATE NOT NULL, tags ${json} NOT NULL, error ${text},
       PRIMARY KEY (run_id, seq))`,
  ]
}

const RUN_COLUMNS = [
  'run_id',
  'suite',
  'date',
  'tags',
  'status',
  'started_at',
  'duration_ms',
  'datasources',
  'total',
  'passed',
  'failed',
  'skipped',
  'pass_rate',
  'failures_by_severity',
  'error',
  'written_at',
]
/** Column kinds of the bulk-inserted tables (dates and JSON travel as text and are cast on insert). */
type Kind = 'text' | 'int' | 'double' | 'date' | 'json'
type Column = readonly [name: string, kind: Kind]

const RESULT_COLUMNS: readonly Column[] = [
  ['run_id', 'text'],
  ['seq', 'int'],
  ['suite', 'text'],
  ['check_name', 'text'],
  ['assertion', 'text'],
  ['severity', 'text'],
  ['status', 'text'],
  ['value', 'double'],
  ['expression', 'text'],
  ['bound', 'text'],
  ['error', 'text'],
  ['date', 'date'],
  ['tags', 'json'],
  ['assertion_tags', 'json'],
]
const SYMBOL_COLUMNS: readonly Column[] = [
  ['run_id', 'text'],
  ['seq', 'int'],
  ['name', 'text'],
  ['metric', 'text'],
  ['dataset', 'text'],
  ['value', 'double'],
  ['date', 'date'],
  ['tags', 'json'],
  ['error', 'text'],
]

/** The rows one run becomes. */
export function runRows(view: RunView): { run: Param[]; results: Param[][]; symbols: Param[][] } {
  const s = view.summary
  const run: Param[] = [
    view.runId,
    view.suiteName,
    view.key.date,
    JSON.stringify(view.key.tags),
    runStatus(view),
    view.timestamp.toISOString(),
    view.durationMs,
    JSON.stringify(view.datasources),
    s.total,
    s.passed,
    s.failed,
    s.skipped,
    s.passRate,
    JSON.stringify(s.failuresBySeverity),
    view.error?.message ?? null,
    new Date().toISOString(),
  ]
  const results = view.results.map((r, i): Param[] => [
    view.runId,
    i,
    r.suite,
    r.check,
    r.assertion,
    r.severity,
    r.status,
    r.value,
    r.expression,
    r.bound ?? null,
    r.error ?? null,
    r.date,
    JSON.stringify(r.tags),
    JSON.stringify(r.assertionTags),
  ])
  const symbols = view.symbols.map((y, i): Param[] => [
    view.runId,
    i,
    y.name,
    y.metric,
    y.dataset,
    y.value,
    y.date,
    JSON.stringify(y.tags),
    y.error ?? null,
  ])
  return { run, results, symbols }
}

type Row = Record<string, unknown>

/** One connection inside an open transaction (the engine's persistence layer opened it), as writeRun needs it. */
interface Writer {
  /** Runs one statement with $1… parameters, returning its rows as plain objects. */
  exec(sql: string, params?: Param[]): Promise<Row[]>
  /** Inserts many rows in one statement (column-wise arrays, unnested), skipping rows already there. */
  insertMany(table: string, columns: readonly Column[], rows: Param[][]): Promise<void>
}

/**
 * Rows per INSERT. Binding the values is synchronous work: batches keep the event loop (and so
 * the tap's timeout) responsive on very large runs, and let an abort land between statements.
 */
const BATCH = 5000

function* batches(rows: Param[][]): Generator<Param[][]> {
  for (let at = 0; at < rows.length; at += BATCH) yield rows.slice(at, at + BATCH)
}

const columnArrays = (columns: readonly Column[], rows: Param[][]): Param[][] =>
  columns.map((_, j) => rows.map((r) => r[j] as Param))

/**
 * Writes one run inside a transaction the caller opened: the run row first,
 * and the results and symbols only when that row is new — so writing the same
 * run again writes nothing twice. Returns whether anything was written.
 */
async function writeRun(w: Writer, tables: SqlTables, rows: ReturnType<typeof runRows>): Promise<boolean> {
  const params = rows.run.map((_, i) => `$${i + 1}`).join(', ')
  const inserted = await w.exec(
    `INSERT INTO ${tables.runs} (${RUN_COLUMNS.join(', ')}) VALUES (${params}) ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
    rows.run,
  )
  if (inserted.length === 0) return false
  await w.insertMany(tables.results, RESULT_COLUMNS, rows.results)
  await w.insertMany(tables.symbols, SYMBOL_COLUMNS, rows.symbols)
  return true
}

const DUCK_LIST = {
  text: LIST(VARCHAR),
  int: LIST(INTEGER),
  double: LIST(DOUBLE),
  date: LIST(VARCHAR),
  json: LIST(VARCHAR),
}

/**
 * Every statement first checks the signal: an abort that lands between statements (when there is
 * no statement to interrupt) must not let the transaction go on to COMMIT.
 */
function duckWriter(conn: DuckDBConnection, signal: AbortSignal): Writer {
  const run = async (sql: string, values?: DuckDBValue[], types?: DuckDBType[]): Promise<Row[]> => {
    signal.throwIfAborted()
    return (await conn.runAndReadAll(sql, values, types)).getRowObjectsJS() as Row[]
  }
  return {
    exec: (sql, params) => run(sql, params as DuckDBValue[] | undefined),
    async insertMany(table, columns, rows) {
      const names = columns.map(([n]) => n).join(', ')
      const select = columns.map((_, j) => `unnest($${j + 1})`).join(', ')
      const types = columns.map(([, kind]) => DUCK_LIST[kind])
      for (const batch of batches(rows)) {
        await run(
          `INSERT INTO ${table} (${names}) SELECT ${select} ON CONFLICT DO NOTHING`,
          columnArrays(columns, batch).map((col) => listValue(col)),
          types,
        )
      }
    },
  }
}

const PG_ARRAY = {
  text: 'text[]',
  int: 'integer[]',
  double: 'double precision[]',
  date: 'date[]',
  json: 'jsonb[]',
}

function pgWriter(client: pg.PoolClient, signal: AbortSignal): Writer {
  const run = async (sql: string, params?: unknown[]): Promise<Row[]> => {
    signal.throwIfAborted()
    return (await client.query(sql, params)).rows as Row[]
  }
  return {
    exec: run,
    async insertMany(table, columns, rows) {
      const names = columns.map(([n]) => n).join(', ')
      const arrays = columns.map(([, kind], j) => `$${j + 1}::${PG_ARRAY[kind]}`).join(', ')
      for (const batch of batches(rows)) {
        await run(
          `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ON CONFLICT DO NOTHING`,
          columnArrays(columns, batch),
        )
      }
    },
  }
}

/**
 * Through the engine's DuckDB file registry: the file is attached to the process's shared DuckDB
 * (never a second instance of a file the MetricDB may have open), one writer at a time, in one
 * transaction; an abort interrupts the statement in flight and the transaction rolls back.
 */
function writeDuckDB(
  file: string,
  tables: SqlTables,
  rows: ReturnType<typeof runRows>,
  signal: AbortSignal,
): Promise<boolean> {
  return writeDuckDBFile(
    file,
    async (conn) => {
      const w = duckWriter(conn, signal)
      for (const stmt of ddl('duckdb', tables)) await w.exec(stmt)
      return writeRun(w, tables, rows)
    },
    { signal, code: 'INVALID_PLUGIN', what: 'the sqlWriter file' },
  )
}

/** Connections per sqlWriter pool: the write, and one to end it on abort. */
const PG_POOL_SIZE = 2
const PG_CONNECT_TIMEOUT_MS = 10_000

/**
 * Through the engine's pool registry and transaction helper: a deadlock is retried, and the tap's
 * timeout ends the connection and its server session (which may be waiting on a lock).
 */
async function writePostgres(
  connectionString: string,
  tables: SqlTables,
  rows: ReturnType<typeof runRows>,
  signal: AbortSignal,
): Promise<boolean> {
  signal.throwIfAborted()
  const lease = leasePool(connectionString, { max: PG_POOL_SIZE, connectTimeoutMs: PG_CONNECT_TIMEOUT_MS })
  try {
    return await pgTransaction(
      lease.pool,
      async (client) => {
        const w = pgWriter(client, signal)
        // Concurrent writers would race on CREATE TABLE IF NOT EXISTS: serialize them per table prefix.
        await w.exec('SELECT pg_advisory_xact_lock(hashtext($1))', [`dqx.sqlWriter:${tables.runs}`])
        for (const stmt of ddl('postgres', tables)) await w.exec(stmt)
        return writeRun(w, tables, rows)
      },
      {
        signal,
        // The plugin's own message names the (redacted) target; pg's reason follows it as is.
        connectError: (err) => (err instanceof Error ? err : new Error(String(err))),
      },
    )
  } finally {
    await lease.release()
  }
}

/**
 * Writes every run — a run row, one row per assertion result and one per
 * symbol — into DuckDB or PostgreSQL tables it creates if missing, in one
 * transaction, idempotent per runId.
 */
export const sqlWriter = defineFactory({
  kind: 'sqlWriter',
  description: 'writes runs, assertion results and symbols to DuckDB or PostgreSQL tables',
  schema: sqlWriterSchema,
  on: 'results',
  defaultNotifyOn: 'always',
  setup(o, name) {
    const tables = tableNames(o.tablePrefix)
    const db = o.db
    const kind = 'duckdb' in db ? 'duckdb' : 'postgres'
    const target = 'duckdb' in db ? `duckdb:${db.duckdb}` : redactUrl(db.postgres)
    const redact: Redactor = 'duckdb' in db ? (t) => t : makeRedactor(urlSecrets(db.postgres))
    return async (view) => {
      const rows = runRows(view)
      let written: boolean
      try {
        written =
          'duckdb' in db
            ? await writeDuckDB(db.duckdb, tables, rows, view.signal)
            : await writePostgres(db.postgres, tables, rows, view.signal)
      } catch (err) {
        if (view.signal.aborted) throw view.signal.reason
        throw new Error(
          `sqlWriter '${name}' could not write run ${view.runId} to ${redact(target)}: ${redact(describeError(err))}`,
        )
      }
      if (written) {
        const counts = { results: rows.results.length, symbols: rows.symbols.length }
        view.logger.info({ db: kind, table: tables.runs, ...counts }, 'run written')
      } else view.logger.info({ db: kind, table: tables.runs }, 'run already written; nothing to do')
    }
  },
})
