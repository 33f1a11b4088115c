import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { DqxError, toError } from '../core/errors.js'
import { parseIsoDate } from '../core/result-key.js'
import { type ClickHouseSourceOptions, ClickHouseSourceSpec } from './clickhouse-source.js'
import { type Dialect, duckdbDialect } from './dialect.js'
import type { DuckDBSession, Row } from './duckdb-session.js'
import {
  type CsvOptions,
  type JsonOptions,
  type ResolvedReadOptions,
  resolveReadOptions,
} from './file-read-options.js'
import { readCsv, readJson } from './file-reading.js'
import { fileColumns } from './file-schemas.js'
import { type PostgresSourceOptions, PostgresSourceSpec } from './postgres-source.js'
import { loadRecords, PLACEHOLDER_COLUMN, type RecordSchema } from './records-table.js'
import type { SessionResources } from './session-resources.js'
import { Params, quoteIdent, type SqlParam, sqlLiteral } from './sql.js'
import { type WarehouseSourceOptions, WarehouseSourceSpec } from './warehouse-source.js'

export interface ColumnInfo {
  name: string
  /** The engine's type name, e.g. BIGINT, VARCHAR, DECIMAL(10,2); '' when unknown (then the engine checks types). */
  type: string
}

/** Where the run's SQL for one dataset goes, and what it reads from. */
export interface BoundSource {
  readonly dialect: Dialect
  /**
   * Which engine runs the SQL, such that two bound sources with the same `engine` can be read by
   * one statement (orphanCount's anti-join): 'duckdb' for every DuckDB source of a run (they
   * share its session), `postgres:host:port/database` for PostgreSQL.
   */
  readonly engine?: string
  /** FROM-clause text; file paths and the like are bound through `params`. */
  relation(params: Params): string
  /**
   * The relation's columns, checked against the metrics before any scan. `undefined` when the
   * source cannot list them (a bring-your-own warehouse client over an empty result): the
   * engine then reports an unknown column itself, and the scan's error names the check.
   */
  describe(): Promise<ColumnInfo[] | undefined>
  query(sql: string, params: readonly SqlParam[]): Promise<Row[]>
}

/** Everything a data source may need from the run that binds it. */
export interface EngineSession {
  readonly duckdb: DuckDBSession
  /**
   * Run-scoped resources (pg pools …), closed at the end of the run. Create
   * sessions with `createEngineSession()` and call its `close()`.
   */
  readonly resources?: SessionResources
}

export interface SourceOptions {
  /**
   * A date/timestamp column that says which day each row belongs to. With it,
   * the run scans only the rows of the ResultKey's date, and lagged metrics
   * missing from the MetricDB are computed from the source for their own day.
   */
  dateColumn?: string
  /**
   * Days ('YYYY-MM-DD') this dataset's data is known to be unusable (an outage, a bad load): a run
   * of such a day skips the assertions reading the dataset, and assertions whose history needs
   * such a day are SKIPPED naming it rather than judged against it. docs/operations.md
   */
  skipDates?: readonly string[]
}

export interface RecordsOptions extends SourceOptions {
  /** Column types for columns that are empty or all null (`number`, `string`, `boolean`, `bigint`, `date`). */
  schema?: RecordSchema
}

function checkPath(kind: string, path: unknown): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new DqxError('DATA_SOURCE', `DataSource.${kind}() needs a file path or glob, got ${typeof path}`)
  }
  return path
}

function isGlob(p: string): boolean {
  return /[*?[\]{}]/.test(p)
}

/**
 * A dataset a suite can scan. Construction is cheap and validates input; the
 * data is only touched when a run binds the source.
 */
export abstract class DataSource {
  abstract readonly kind: string
  readonly dateColumn: string | undefined
  /** The declared unavailable days (`skipDates` option). */
  readonly skipDates: ReadonlySet<string>

  protected constructor(options: SourceOptions | undefined) {
    const dc = options?.dateColumn
    if (dc !== undefined && (typeof dc !== 'string' || dc === '')) {
      throw new DqxError('DATA_SOURCE', 'dateColumn must be a non-empty column name')
    }
    this.dateColumn = dc
    const skip = options?.skipDates
    if (skip !== undefined && !Array.isArray(skip)) {
      throw new DqxError(
        'DATA_SOURCE',
        "skipDates must be an array of 'YYYY-MM-DD' days, e.g. ['2026-11-24']",
      )
    }
    for (const d of skip ?? []) parseIsoDate(d, 'skipDates entry')
    this.skipDates = new Set(skip ?? [])
  }

  /** A short description for messages (`parquet data/*.parquet`). */
  abstract describe(): string
  abstract bind(session: EngineSession, dataset: string): Promise<BoundSource>

  /** In-memory rows, loaded into the run's DuckDB as a table. */
  static fromRecords<T extends object>(rows: readonly T[], options?: RecordsOptions): DataSource {
    return new RecordsSource(rows as readonly object[] as readonly Row[], options)
  }
  /** One parquet file or a glob of them, scanned in place. */
  static parquet(pathOrGlob: string, options?: SourceOptions): DataSource {
    return new FileSource('parquet', checkPath('parquet', pathOrGlob), options)
  }
  /**
   * A CSV file or glob. DuckDB detects the dialect and types; `options` override them
   * (docs/datasources.md, "Reading CSV and JSON files"). A ragged row is an error unless
   * `strict: false`.
   */
  static csv(path: string, options?: CsvOptions): DataSource {
    return new FileSource('csv', checkPath('csv', path), options)
  }
  /**
   * A JSON or newline-delimited JSON file or glob. A column mixing strings and numbers is read
   * as text; `options` override the detected types.
   */
  static json(path: string, options?: JsonOptions): DataSource {
    return new FileSource('json', checkPath('json', path), options)
  }
  /** A DuckDB query whose result is the dataset (e.g. joining files). Trusted SQL you wrote. */
  static sql(query: string, options?: SourceOptions): DataSource {
    return new SqlSource(query, options)
  }
  /**
   * A PostgreSQL table (`{ connectionString, table, schema? }`) or query
   * (`{ connectionString, query }`), scanned on the server in the PostgreSQL dialect.
   */
  static postgres(options: PostgresSourceOptions): DataSource {
    return new SpecSource('postgres', options, () => new PostgresSourceSpec(options))
  }
  /**
   * A ClickHouse table (`{ url, table }`, a Distributed table included) or query (`{ url, query }`),
   * scanned on the server in the ClickHouse dialect through `@clickhouse/client`.
   */
  static clickhouse(options: ClickHouseSourceOptions): DataSource {
    return new SpecSource('clickhouse', options, () => new ClickHouseSourceSpec(options))
  }
  /**
   * Any warehouse through your own client: dqx renders the one-scan SQL in `dialect` and calls
   * `execute(sql, params, signal)` (docs/datasources.md has adapters for BigQuery, Trino, Snowflake).
   */
  static warehouse(options: WarehouseSourceOptions): DataSource {
    return new SpecSource('warehouse', options, () => new WarehouseSourceSpec(options))
  }
}

/** The part of a server or warehouse source that does the work (postgres-source.ts, clickhouse-source.ts, warehouse-source.ts). */
interface SourceSpec {
  describe(): string
  bind(session: EngineSession, dataset: string): BoundSource | Promise<BoundSource>
}

/** Thin DataSource shell around a SourceSpec: the options are checked by DataSource first, then by the spec. */
class SpecSource extends DataSource {
  private readonly spec: SourceSpec
  constructor(
    readonly kind: string,
    options: SourceOptions,
    spec: () => SourceSpec,
  ) {
    super(options)
    this.spec = spec()
  }
  describe(): string {
    return this.spec.describe()
  }
  async bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    return this.spec.bind(session, dataset)
  }
}

/** A DuckDB-executed source: describe and query go through the run's session. */
abstract class DuckDBSource extends DataSource {
  protected duckdbBinding(
    session: EngineSession,
    dataset: string,
    relation: (p: Params) => string,
    known?: ColumnInfo[],
    explain?: (err: unknown) => Promise<DqxError | undefined>,
  ): BoundSource {
    const where = this.describe()
    return {
      dialect: duckdbDialect,
      engine: 'duckdb',
      relation,
      describe: async () => {
        if (known) return known
        const params = new Params()
        const rel = relation(params)
        const rows = await wrap(
          session.duckdb.query(`DESCRIBE SELECT * FROM ${rel} AS dqx_src`, params.values),
          dataset,
          where,
          explain,
        )
        return rows
          .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
          .filter((c) => c.name !== PLACEHOLDER_COLUMN)
      },
      query: (sql, params) => wrap(session.duckdb.query(sql, params), dataset, where, explain),
    }
  }
}

/** Maps DuckDB's errors to a DqxError naming the dataset and its source. */
async function wrap<T>(
  p: Promise<T>,
  dataset: string,
  where: string,
  explain?: (err: unknown) => Promise<DqxError | undefined>,
): Promise<T> {
  try {
    return await p
  } catch (err) {
    const explained = explain ? await explain(err) : undefined
    if (explained) throw explained
    const first = toError(err).message.split('\n', 1)[0] as string
    if (
      /^IO Error|No files found|Could not open|Invalid Input Error|Conversion Error.*(CSV|JSON)/i.test(first)
    ) {
      throw new DqxError('DATA_SOURCE', `dataset '${dataset}' (${where}) could not be read: ${first}`, {
        cause: err,
      })
    }
    throw new DqxError('SQL', `dataset '${dataset}' (${where}): ${first}`, { cause: err })
  }
}

class FileSource extends DuckDBSource {
  private readonly read: ResolvedReadOptions | undefined
  constructor(
    readonly kind: 'parquet' | 'csv' | 'json',
    readonly path: string,
    options: CsvOptions | SourceOptions | undefined,
  ) {
    super(options)
    this.read = kind === 'parquet' ? undefined : resolveReadOptions(kind, options)
  }
  describe(): string {
    return `${this.kind} ${this.path}`
  }
  async bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    const full = resolve(this.path)
    const glob = isGlob(this.path)
    if (!glob && !existsSync(full)) {
      throw new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': ${this.kind} file not found at ${full}; check the path (relative paths resolve from ${process.cwd()})`,
      )
    }
    if (this.read === undefined) {
      // The path spliced as a literal, not bound: DuckDB binds a table function's parameter again
      // at every execution, a quarter of a small file's scan (bench fixed-cost).
      const binding = this.duckdbBinding(session, dataset, () => `read_parquet(${sqlLiteral(full)})`)
      // One parquet file's schema is read once per version of the file, not on every run.
      if (glob) return binding
      return { ...binding, describe: () => fileColumns(full, binding.describe) }
    }
    const target = {
      pattern: full,
      glob,
      kind: this.kind,
      label: `dataset '${dataset}' (${this.describe()})`,
    }
    const file =
      this.kind === 'csv'
        ? await readCsv(session.duckdb, target, this.read)
        : await readJson(session.duckdb, target, this.read)
    return this.duckdbBinding(session, dataset, file.relation, file.columns, file.explain)
  }
}

class SqlSource extends DuckDBSource {
  readonly kind = 'sql'
  constructor(
    readonly query: string,
    options: SourceOptions | undefined,
  ) {
    super(options)
    if (typeof query !== 'string' || query.trim() === '') {
      throw new DqxError('DATA_SOURCE', 'DataSource.sql() needs a SELECT query')
    }
    if (query.trim().replace(/;\s*$/, '').includes(';')) {
      throw new DqxError(
        'DATA_SOURCE',
        'DataSource.sql() takes a single query, without ";" between statements',
      )
    }
  }
  describe(): string {
    return `sql ${this.query.length > 60 ? `${this.query.slice(0, 57)}...` : this.query}`
  }
  async bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    const q = this.query.trim().replace(/;\s*$/, '')
    // The newline ends a trailing `-- comment` before the closing parenthesis.
    return this.duckdbBinding(session, dataset, () => `(${q}\n)`)
  }
}

class RecordsSource extends DuckDBSource {
  readonly kind = 'records'
  private readonly rows: readonly Row[]
  private readonly schema: RecordSchema | undefined
  constructor(rows: readonly Row[], options: RecordsOptions | undefined) {
    super(options)
    if (!Array.isArray(rows)) {
      throw new DqxError(
        'DATA_SOURCE',
        `DataSource.fromRecords() needs an array of row objects, got ${typeof rows}`,
      )
    }
    this.rows = rows
    this.schema = options?.schema
  }
  describe(): string {
    return `records (${this.rows.length} row${this.rows.length === 1 ? '' : 's'})`
  }
  async bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    const table = session.duckdb.nextTableName()
    await loadRecords(session.duckdb, table, this.rows, this.schema, dataset)
    return this.duckdbBinding(session, dataset, () => quoteIdent(table))
  }
}
