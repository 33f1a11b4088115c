import type pg from 'pg'
import { DqxError } from '../core/errors.js'
import type { BoundSource, ColumnInfo, EngineSession, SourceOptions } from './data-source.js'
import { postgresDialect } from './dialects/postgres.js'
import type { Row } from './duckdb-session.js'
import { resourcesOf } from './engine-session.js'
import { leasePool } from './pg-pools.js'
import {
  connectFailure,
  errorCode,
  errorText,
  isServerError,
  type PgTarget,
  pgTarget,
  SCAN_RESULT_TYPES,
} from './postgres-connection.js'
import { quoteIdent, type SqlParam } from './sql.js'

interface PostgresConnectionOptions extends SourceOptions {
  /** `postgres://user:password@host:5432/database`. Never printed: messages show `user@host:port/database`. */
  connectionString: string
  /** Server-side limit for each statement dqx runs (describe and scans), in ms. Default: the server's. */
  statementTimeoutMs?: number
  /** How long to wait for a connection, in ms (default 10 000). */
  connectTimeoutMs?: number
}

/** `DataSource.postgres()` options: a table (optionally in a schema) or a query, on one server. */
export type PostgresSourceOptions = PostgresConnectionOptions &
  (
    | {
        /** A table or view name, quoted as is: `Orders` and `orders` are different tables. */
        table: string
        /** The table's schema; without it PostgreSQL's search_path decides. */
        schema?: string
        query?: never
      }
    | {
        /** A SELECT whose result is the dataset. Trusted SQL you wrote; one statement. */
        query: string
        table?: never
        schema?: never
      }
  )

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const ignore = (): void => {}
/** Scans run one after another; a few connections cover describe plus a scan per date. */
const POOL_SIZE = 4

function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DqxError('DATA_SOURCE', `DataSource.postgres(): ${what} must be a non-empty string`)
  }
  return value
}

function positiveInt(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new DqxError(
      'DATA_SOURCE',
      `DataSource.postgres(): ${what} must be a positive integer (ms), got ${String(value)}`,
    )
  }
  return value
}

/**
 * The PostgreSQL side of `DataSource.postgres()`: validated options, and the
 * binding that sends the run's scan to the server through a pool shared by
 * every dataset of the run on the same connection string.
 */
export class PostgresSourceSpec {
  readonly target: PgTarget
  private readonly connectionString: string
  private readonly relationSql: string
  private readonly table: { schema: string | undefined; name: string } | undefined
  private readonly query: string | undefined
  private readonly statementTimeoutMs: number | undefined
  private readonly connectTimeoutMs: number

  constructor(options: PostgresSourceOptions) {
    if (options === null || typeof options !== 'object') {
      throw new DqxError(
        'DATA_SOURCE',
        'DataSource.postgres() needs options: { connectionString, table } or { connectionString, query }',
      )
    }
    const o = options as unknown as Partial<Record<string, unknown>>
    this.target = pgTarget(o.connectionString, 'DataSource.postgres()', 'DATA_SOURCE')
    this.connectionString = o.connectionString as string
    if ((o.table === undefined) === (o.query === undefined)) {
      throw new DqxError('DATA_SOURCE', 'DataSource.postgres() needs exactly one of table or query')
    }
    if (o.table !== undefined) {
      const name = nonEmpty(o.table, 'table')
      const schema = o.schema === undefined ? undefined : nonEmpty(o.schema, 'schema')
      this.table = { schema, name }
      this.relationSql = schema === undefined ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`
    } else {
      if (o.schema !== undefined) {
        throw new DqxError(
          'DATA_SOURCE',
          'DataSource.postgres(): schema goes with table; qualify names inside your query instead',
        )
      }
      const query = nonEmpty(o.query, 'query').trim().replace(/;\s*$/, '')
      if (query.includes(';')) {
        throw new DqxError(
          'DATA_SOURCE',
          'DataSource.postgres() takes a single query, without ";" between statements',
        )
      }
      this.query = query
      this.relationSql = `(${query})`
    }
    this.statementTimeoutMs = positiveInt(o.statementTimeoutMs, 'statementTimeoutMs')
    this.connectTimeoutMs = positiveInt(o.connectTimeoutMs, 'connectTimeoutMs') ?? DEFAULT_CONNECT_TIMEOUT_MS
  }

  describe(): string {
    if (this.query !== undefined) {
      const q = this.query.length > 60 ? `${this.query.slice(0, 57)}...` : this.query
      return `postgres ${this.target.label} query ${q}`
    }
    return `postgres ${this.target.label} table ${this.relationSql}`
  }

  bind(session: EngineSession, dataset: string): BoundSource {
    const { pool } = resourcesOf(session).acquire(
      `postgres:${this.target.key}:${this.connectTimeoutMs}`,
      () => leasePool(this.connectionString, { max: POOL_SIZE, connectTimeoutMs: this.connectTimeoutMs }),
      (lease) => lease.release(),
    )
    const relation = this.relationSql
    return {
      dialect: postgresDialect,
      engine: `postgres:${this.target.host}:${this.target.port}/${this.target.database}`,
      relation: () => relation,
      describe: () => this.withClient(pool, dataset, (client) => describeRelation(client, relation)),
      query: (sql: string, params: readonly SqlParam[]) =>
        this.withClient(pool, dataset, async (client) => {
          const res = await client.query<Row>({ text: sql, values: [...params], types: SCAN_RESULT_TYPES })
          return res.rows
        }),
    }
  }

  /** Checks out a connection, applies the statement timeout, and maps every failure to a DqxError. */
  private async withClient<T>(
    pool: pg.Pool,
    dataset: string,
    fn: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await pool.connect()
    } catch (err) {
      throw new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': ${connectFailure(err, this.target, this.connectTimeoutMs)}`,
        { cause: err },
      )
    }
    // A checked-out client whose connection dies emits 'error' besides failing its query:
    // without a listener that would be an uncaught exception.
    client.on('error', ignore)
    const timeout = this.statementTimeoutMs
    let broken: Error | undefined
    try {
      if (timeout === undefined) return await fn(client)
      // SET LOCAL lasts until the end of this (read-only) transaction: the pooled connection stays clean.
      await client.query('BEGIN READ ONLY')
      try {
        await client.query(`SET LOCAL statement_timeout = ${timeout}`)
        const out = await fn(client)
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      }
    } catch (err) {
      if (!isServerError(err)) broken = err as Error
      throw this.queryError(err, dataset)
    } finally {
      client.off('error', ignore)
      client.release(broken)
    }
  }

  private queryError(err: unknown, dataset: string): DqxError {
    const code = errorCode(err)
    const msg = errorText(err)
    const where = this.describe()
    if (!isServerError(err)) {
      return new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}' (${where}): lost the connection to PostgreSQL at ${this.target.host}:${this.target.port}: ${msg}`,
        { cause: err },
      )
    }
    if (code === '42P01' && this.table) {
      const hint =
        this.table.schema === undefined ? ' (a table outside the search_path needs schema: ...)' : ''
      return new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': table ${this.relationSql} does not exist in PostgreSQL ${this.target.label}${hint}; check the table and schema names — they are case-sensitive, as written (server said: ${msg})`,
        { cause: err },
      )
    }
    if (code === '57014' && this.statementTimeoutMs !== undefined) {
      return new DqxError(
        'SQL',
        `dataset '${dataset}' (${where}): the query ran longer than statementTimeoutMs (${this.statementTimeoutMs} ms) and the server cancelled it; raise statementTimeoutMs, or scan less (a dateColumn limits the scan to one day)`,
        { cause: err },
      )
    }
    return new DqxError('SQL', `dataset '${dataset}' (${where}): ${msg}`, { cause: err })
  }
}

/** Column names and type names (format_type: integer, double precision, numeric(10,2) …) of a relation. */
async function describeRelation(client: pg.PoolClient, relation: string): Promise<ColumnInfo[]> {
  const res = await client.query(`SELECT * FROM ${relation} AS dqx_src LIMIT 0`)
  const oids = [...new Set(res.fields.map((f) => String(f.dataTypeID)))]
  const types = await client.query<{ oid: string; name: string }>(
    'SELECT oid::text AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])',
    [oids],
  )
  const names = new Map(types.rows.map((r) => [r.oid, r.name]))
  // Every OID comes from the server's own result description, so pg_type has it.
  return res.fields.map((f) => ({ name: f.name, type: names.get(String(f.dataTypeID)) as string }))
}
