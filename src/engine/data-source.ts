import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { DqxError, toError } from '../core/errors.js'
import { type ClickHouseSourceOptions, ClickHouseSourceSpec } from './clickhouse-source.js'
import { type Dialect, duckdbDialect } from './dialect.js'
import type { DuckDBSession, Row } from './duckdb-session.js'
import { fileColumns } from './file-schemas.js'
import { type PostgresSourceOptions, PostgresSourceSpec } from './postgres-source.js'
import { loadRecords, PLACEHOLDER_COLUMN, type RecordSchema } from './records-table.js'
import type { SessionResources } from './session-resources.js'
import { Params, quoteIdent, type SqlParam } from './sql.js'
import { type WarehouseSourceOptions, WarehouseSourceSpec } from './warehouse-source.js'

export interface ColumnInfo {
  name: string
  /** The engine's type name, e.g. BIGINT, VARCHAR, DECIMAL(10,2); '' when unknown (then the engine checks types). */
  type: string
}

/** Where the run's SQL for one dataset goes, and what it reads from. */
export interface BoundSource {
  readonly dialect: Dialect
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

  protected constructor(options: SourceOptions | undefined) {
    const dc = options?.dateColumn
    if (dc !== undefined && (typeof dc !== 'string' || dc === '')) {
      throw new DqxError('DATA_SOURCE', 'dateColumn must be a non-empty column name')
    }
    this.dateColumn = dc
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
    return new FileSource('parquet', 'read_parquet', checkPath('parquet', pathOrGlob), options)
  }
  /** A CSV file (header row, types sniffed by DuckDB). */
  static csv(path: string, options?: SourceOptions): DataSource {
    return new FileSource('csv', 'read_csv_auto', checkPath('csv', path), options)
  }
  /** A JSON or newline-delimited JSON file. */
  static json(path: string, options?: SourceOptions): DataSource {
    return new FileSource('json', 'read_json_auto', checkPath('json', path), options)
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
    return new PostgresSource(options)
  }
  /**
   * A ClickHouse table (`{ url, table }`, a Distributed table included) or query (`{ url, query }`),
   * scanned on the server in the ClickHouse dialect through `@clickhouse/client`.
   */
  static clickhouse(options: ClickHouseSourceOptions): DataSource {
    return new ClickHouseSource(options)
  }
  /**
   * Any warehouse through your own client: dqx renders the one-scan SQL in `dialect` and calls
   * `execute(sql, params, signal)` (docs/datasources.md has adapters for BigQuery, Trino, Snowflake).
   */
  static warehouse(options: WarehouseSourceOptions): DataSource {
    return new WarehouseSource(options)
  }
}

/** Thin DataSource shell; the ClickHouse work lives in clickhouse-source.ts. */
class ClickHouseSource extends DataSource {
  readonly kind = 'clickhouse'
  private readonly spec: ClickHouseSourceSpec
  constructor(options: ClickHouseSourceOptions) {
    super(options)
    this.spec = new ClickHouseSourceSpec(options)
  }
  describe(): string {
    return this.spec.describe()
  }
  bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    return this.spec.bind(session, dataset)
  }
}

/** Thin DataSource shell; the bring-your-own-client work lives in warehouse-source.ts. */
class WarehouseSource extends DataSource {
  readonly kind = 'warehouse'
  private readonly spec: WarehouseSourceSpec
  constructor(options: WarehouseSourceOptions) {
    super(options)
    this.spec = new WarehouseSourceSpec(options)
  }
  describe(): string {
    return this.spec.describe()
  }
  async bind(_session: EngineSession, dataset: string): Promise<BoundSource> {
    return this.spec.bind(dataset)
  }
}

/** Thin DataSource shell; the PostgreSQL work lives in postgres-source.ts. */
class PostgresSource extends DataSource {
  readonly kind = 'postgres'
  private readonly spec: PostgresSourceSpec
  constructor(options: PostgresSourceOptions) {
    super(options)
    this.spec = new PostgresSourceSpec(options)
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
  ): BoundSource {
    const where = this.describe()
    return {
      dialect: duckdbDialect,
      relation,
      describe: async () => {
        if (known) return known
        const params = new Params()
        const rel = relation(params)
        const rows = await wrap(
          session.duckdb.query(`DESCRIBE SELECT * FROM ${rel} AS dqx_src`, params.values),
          dataset,
          where,
        )
        return rows
          .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
          .filter((c) => c.name !== PLACEHOLDER_COLUMN)
      },
      query: (sql, params) => wrap(session.duckdb.query(sql, params), dataset, where),
    }
  }
}

/** Maps DuckDB's errors to a DqxError naming the dataset and its source. */
async function wrap<T>(p: Promise<T>, dataset: string, where: string): Promise<T> {
  try {
    return await p
  } catch (err) {
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
  constructor(
    readonly kind: 'parquet' | 'csv' | 'json',
    private readonly reader: string,
    readonly path: string,
    options: SourceOptions | undefined,
  ) {
    super(options)
  }
  describe(): string {
    return `${this.kind} ${this.path}`
  }
  async bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    const full = resolve(this.path)
    if (!isGlob(this.path) && !existsSync(full)) {
      throw new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': ${this.kind} file not found at ${full}; check the path (relative paths resolve from ${process.cwd()})`,
      )
    }
    const auto = (p: Params): string => `${this.reader}(${p.add(full)})`
    if (this.kind === 'csv' && !isGlob(this.path)) {
      const sniffed = await sniffCsv(session, full)
      if (sniffed) return this.duckdbBinding(session, dataset, sniffed.relation, sniffed.columns)
    }
    if (this.kind === 'json') {
      // Performance pass: as for CSV, the scan would sample the file for its schema a second
      // time; the schema DESCRIBE found is handed to it as `columns` (the same types, so the
      // same values), which cut a 20k-record file's run by ~30% (docs/performance.md).
      const columns = (await this.duckdbBinding(session, dataset, auto).describe()) ?? []
      const text = columns.flatMap((c) => [c.name, c.type])
      if (columns.length > 0 && !text.some((t) => t.includes('\u0000'))) {
        const spec = `{${columns.map((c) => `${sqlLiteral(c.name)}: ${sqlLiteral(c.type)}`).join(', ')}}`
        return this.duckdbBinding(
          session,
          dataset,
          (p) => `${this.reader}(${p.add(full)}, columns=${spec})`,
          columns,
        )
      }
      return this.duckdbBinding(session, dataset, auto, columns)
    }
    const binding = this.duckdbBinding(session, dataset, auto)
    if (this.kind !== 'parquet' || isGlob(this.path)) return binding
    return { ...binding, describe: () => fileColumns(full, binding.describe) }
  }
}

/**
 * Sniffs a CSV file once and returns a relation that reads it with the detected dialect and
 * column types spelled out (`auto_detect=false`), plus those columns.
 *
 * Performance pass: DESCRIBE over read_csv_auto sniffed the file (a sample of 20 480 rows, every
 * candidate dialect and type) and the scan sniffed it again — on a 20k-row CSV the second sniff
 * cost as much as the scan itself (docs/performance.md). sniff_csv() is the same detector that
 * read_csv_auto runs; its result is what DuckDB's own `Prompt` column would spell. Any surprise
 * (a sniff error, no columns, a NUL in a name) returns undefined: the caller falls back to
 * read_csv_auto, whose errors name the dataset and file as before.
 */
async function sniffCsv(
  session: EngineSession,
  path: string,
): Promise<{ relation: (p: Params) => string; columns: ColumnInfo[] } | undefined> {
  let r: Row | undefined
  try {
    r = (await session.duckdb.query('SELECT * FROM sniff_csv($1)', [path]))[0]
  } catch {
    return undefined
  }
  const cols = r?.Columns
  if (!r || !Array.isArray(cols) || cols.length === 0) return undefined
  const columns = (cols as { name: unknown; type: unknown }[]).map((c) => ({
    name: String(c.name),
    type: String(c.type),
  }))
  // sniff_csv shows an unset quote, escape or comment character as '(empty)'.
  const opt = (v: unknown): string => (v === '(empty)' || v === null || v === undefined ? '' : String(v))
  const text = [
    r.Delimiter,
    r.Quote,
    r.Escape,
    r.NewLineDelimiter,
    r.Comment,
    r.DateFormat,
    r.TimestampFormat,
  ]
  if (
    [...text, ...columns.flatMap((c) => [c.name, c.type])].some(
      (v) => typeof v === 'string' && v.includes('\u0000'),
    )
  ) {
    return undefined
  }
  const skip = Number(r.SkipRows)
  if (!Number.isSafeInteger(skip) || skip < 0) return undefined
  const options = [
    'auto_detect=false',
    `delim=${sqlLiteral(opt(r.Delimiter))}`,
    `quote=${sqlLiteral(opt(r.Quote))}`,
    `escape=${sqlLiteral(opt(r.Escape))}`,
    `new_line=${sqlLiteral(opt(r.NewLineDelimiter))}`,
    `skip=${skip}`,
    `comment=${sqlLiteral(opt(r.Comment))}`,
    `header=${r.HasHeader === true ? 'true' : 'false'}`,
    `columns={${columns.map((c) => `${sqlLiteral(c.name)}: ${sqlLiteral(c.type)}`).join(', ')}}`,
  ]
  if (opt(r.DateFormat) !== '') options.push(`dateformat=${sqlLiteral(opt(r.DateFormat))}`)
  if (opt(r.TimestampFormat) !== '') options.push(`timestampformat=${sqlLiteral(opt(r.TimestampFormat))}`)
  return { relation: (p) => `read_csv(${p.add(path)}, ${options.join(', ')})`, columns }
}

/** A SQL string literal: single quotes doubled (DuckDB's standard strings treat backslash as text). */
function sqlLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
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
