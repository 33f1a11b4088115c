import { createHash } from 'node:crypto'
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { DqxError, toError } from '../core/errors.js'
import { makeRedactor } from '../core/redact.js'
import type { BoundSource, ColumnInfo, EngineSession, SourceOptions } from './data-source.js'
import type { Dialect } from './dialect.js'
import {
  clickhouseDialectFor,
  clickhouseInlineDialect,
  GROUP_ARRAY_LIMIT,
  sortedArrayQuantileColumns,
} from './dialects/clickhouse.js'
import { clickhouseQueryParams } from './dialects/clickhouse-literal.js'
import { quoteBacktick } from './dialects/common.js'
import type { Row } from './duckdb-session.js'
import { resourcesOf } from './engine-session.js'
import type { SqlParam } from './sql.js'

interface ClickHouseConnectionOptions extends SourceOptions {
  /** The server's HTTP(S) endpoint, e.g. `http://localhost:8123`. Credentials go in username/password. */
  url: string
  /** Default: ClickHouse's `default` user. */
  username?: string
  /** Never printed or logged: messages name the user and the host only. */
  password?: string
  /** The database the table (or the query's unqualified names) live in. Default: the user's default. */
  database?: string
  /** Limit for each query dqx sends (client and server side, `max_execution_time`), in ms. Default 300 000. */
  requestTimeoutMs?: number
}

/** `DataSource.clickhouse()` options: a table (local, Distributed, a view …) or a query. */
export type ClickHouseSourceOptions = ClickHouseConnectionOptions &
  (
    | {
        /** A table name, quoted as is (case-sensitive). A Distributed table scans every shard. */
        table: string
        query?: never
      }
    | {
        /** A SELECT whose result is the dataset. Trusted SQL you wrote; one statement. */
        query: string
        table?: never
      }
  )

const DEFAULT_TIMEOUT_MS = 300_000

/** ClickHouse server error codes dqx explains (src/Common/ErrorCodes.cpp). */
const UNKNOWN_TABLE = 60
const UNKNOWN_DATABASE = 81
const TIMEOUT_EXCEEDED = 159
const TOO_LARGE_ARRAY_SIZE = 128
const AUTH_CODES = new Set([
  192 /* UNKNOWN_USER */, 193 /* WRONG_PASSWORD */, 516 /* AUTHENTICATION_FAILED */,
])

function fail(message: string): never {
  throw new DqxError('DATA_SOURCE', `DataSource.clickhouse(): ${message}`)
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') fail(`${what} must be a non-empty string`)
  return value
}

/** A client and its server's version with the dialect for it (asked once per run). */
interface Connection {
  client: ClickHouseClient
  server: Promise<{ version: string; dialect: Dialect }>
}

/**
 * The ClickHouse side of `DataSource.clickhouse()`: validated options, and the binding that sends
 * the run's one batched SELECT per dataset and date to the server over HTTP (the official
 * `@clickhouse/client`). On a Distributed table the server fans the aggregate out to every shard
 * and merges the partial states, so the scan stays one query.
 */
export class ClickHouseSourceSpec {
  /** `user@host:port/database`: never the password. */
  readonly label: string
  private readonly url: URL
  private readonly username: string | undefined
  private readonly password: string | undefined
  private readonly database: string | undefined
  private readonly table: string | undefined
  private readonly query: string | undefined
  private readonly relationSql: string
  private readonly timeoutMs: number
  private readonly key: string
  /** Sources with the same server, login and database: orphanCount anti-joins them in one query. */
  private readonly engine: string

  constructor(options: ClickHouseSourceOptions) {
    if (options === null || typeof options !== 'object') {
      fail('needs options: { url, table } or { url, query }')
    }
    const o = options as unknown as Partial<Record<string, unknown>>
    if (typeof o.url !== 'string' || o.url.trim() === '')
      fail("url must be the server's HTTP endpoint, e.g. http://localhost:8123")
    let url: URL
    try {
      url = new URL(o.url)
    } catch {
      fail('url is not a valid URL (e.g. http://localhost:8123)')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      fail(`url must use http:// or https:// (ClickHouse's HTTP interface), got ${url.protocol}`)
    }
    if (url.username !== '' || url.password !== '') {
      fail('url must not carry credentials: pass username and password as options (they are never printed)')
    }
    this.url = url
    this.username = optionalString(o.username, 'username')
    this.password =
      o.password === undefined || o.password === '' ? undefined : optionalString(o.password, 'password')
    this.database = optionalString(o.database, 'database')
    if ((o.table === undefined) === (o.query === undefined)) fail('needs exactly one of table or query')
    if (o.table !== undefined) {
      this.table = optionalString(o.table, 'table')
      this.relationSql = quoteBacktick(this.table as string)
    } else {
      const query = (optionalString(o.query, 'query') as string).trim().replace(/;\s*$/, '')
      if (query.includes(';')) fail('takes a single query, without ";" between statements')
      this.query = query
      this.relationSql = `(${query}\n)`
    }
    const t = o.requestTimeoutMs
    if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0)) {
      fail(`requestTimeoutMs must be a positive integer (ms), got ${String(t)}`)
    }
    this.timeoutMs = (t as number | undefined) ?? DEFAULT_TIMEOUT_MS
    this.label = `${this.username ?? 'default'}@${url.host}/${this.database ?? 'default'}`
    this.key = createHash('sha256')
      .update(JSON.stringify([url.href, this.username, this.password, this.database, this.timeoutMs]))
      .digest('hex')
      .slice(0, 16)
    this.engine = `clickhouse:${createHash('sha256')
      .update(JSON.stringify([url.href, this.username, this.password, this.database]))
      .digest('hex')
      .slice(0, 16)}`
  }

  describe(): string {
    if (this.query !== undefined) {
      const q = this.query.length > 60 ? `${this.query.slice(0, 57)}...` : this.query
      return `clickhouse ${this.label} query ${q}`
    }
    return `clickhouse ${this.label} table ${this.relationSql}`
  }

  async bind(session: EngineSession, dataset: string): Promise<BoundSource> {
    const conn = resourcesOf(session).acquire(
      `clickhouse:${this.key}`,
      () => this.connect(),
      (c) => c.client.close(),
    )
    const { version, dialect } = await conn.server.catch((err: unknown) => {
      throw this.error(err, dataset)
    })
    const relation = this.relationSql
    const inline = dialect === clickhouseInlineDialect
    return {
      dialect,
      engine: this.engine,
      relation: () => relation,
      describe: () => this.describeRelation(conn.client, dataset),
      query: async (sql: string, params: readonly SqlParam[]) => {
        try {
          const rs = await conn.client.query({
            query: sql,
            format: 'JSONEachRow',
            ...(inline || params.length === 0 ? {} : { query_params: clickhouseQueryParams(params) }),
          })
          return await rs.json<Row>()
        } catch (err) {
          throw this.error(err, dataset, { version, sql })
        }
      },
    }
  }

  private connect(): Connection {
    const seconds = Math.max(1, Math.ceil(this.timeoutMs / 1000))
    const client = createClient({
      url: this.url.href,
      ...(this.username === undefined ? {} : { username: this.username }),
      ...(this.password === undefined ? {} : { password: this.password }),
      ...(this.database === undefined ? {} : { database: this.database }),
      request_timeout: this.timeoutMs,
      // Old servers (18.x) answer uncompressed just as well; the scan's result is one row.
      compression: { request: false, response: false },
      // The client's own error log would repeat every failure dqx already reports as a DqxError.
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: {
        // Counts as JSON numbers, not quoted strings.
        output_format_json_quote_64bit_integers: 0,
        max_execution_time: seconds,
      },
    })
    return { client, server: probeServer(client) }
  }

  /**
   * Columns and types. A table is described from the server's metadata (`DESCRIBE TABLE`): a
   * `SELECT … LIMIT 0` on a Distributed table would still open a query on every shard.
   */
  private async describeRelation(client: ClickHouseClient, dataset: string): Promise<ColumnInfo[]> {
    try {
      if (this.table !== undefined) {
        const rs = await client.query({ query: `DESCRIBE TABLE ${this.relationSql}`, format: 'JSONEachRow' })
        const cols = await rs.json<{ name: string; type: string }>()
        return cols.map((c) => ({ name: c.name, type: valueType(c.type) }))
      }
      const rs = await client.query({
        query: `SELECT * FROM ${this.relationSql} AS dqx_src LIMIT 0`,
        format: 'JSON',
      })
      const body = await rs.json<Row>()
      return body.meta?.map((m) => ({ name: m.name, type: valueType(m.type) })) ?? []
    } catch (err) {
      throw this.error(err, dataset)
    }
  }

  /** Every failure as a DqxError naming dataset and server, never the password. */
  private error(err: unknown, dataset: string, query?: { version: string; sql: string }): DqxError {
    const e = toError(err)
    const raw = makeRedactor([this.password])(e.message.trim().split('\n', 1)[0] as string)
    const code = serverCode(e)
    const where = this.describe()
    const server = `ClickHouse at ${this.url.host}`
    const columns = code === TOO_LARGE_ARRAY_SIZE && query ? sortedArrayQuantileColumns(query.sql) : []
    if (query && columns.length > 0) {
      return new DqxError(
        'SQL',
        `dataset '${dataset}' (${where}): quantile()/median() of ${columns.join(', ')} cannot be computed on ClickHouse ${query.version}: before 20.5 an exact quantile gathers the values with groupArray, and ClickHouse refuses to merge more than ${GROUP_ARRAY_LIMIT.toLocaleString('en-US')} of them from one shard; use mp.approxQuantile() for this dataset, a dateColumn to scan one day, or ClickHouse ≥ 20.5 (quantileExactInclusive) (server said: ${raw})`,
      )
    }
    if (code !== undefined && AUTH_CODES.has(code)) {
      return new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': ${server} refused the login of user '${this.username ?? 'default'}'; check username and password (server said: ${raw})`,
      )
    }
    if ((code === UNKNOWN_TABLE || code === UNKNOWN_DATABASE) && this.table !== undefined) {
      return new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': table ${this.relationSql} does not exist in ${server} (database ${this.database ?? 'default'}); check the table and database names — they are case-sensitive (server said: ${raw})`,
      )
    }
    if (code === TIMEOUT_EXCEEDED || /^Timeout error/i.test(raw)) {
      return new DqxError(
        'SQL',
        `dataset '${dataset}' (${where}): the query ran longer than requestTimeoutMs (${this.timeoutMs} ms) and was cancelled; raise requestTimeoutMs, or scan less (a dateColumn limits the scan to one day)`,
      )
    }
    if (code === undefined) {
      return new DqxError('DATA_SOURCE', `dataset '${dataset}': cannot reach ${server}: ${raw}`)
    }
    return new DqxError('SQL', `dataset '${dataset}' (${where}): ${raw}`)
  }
}

/**
 * The server's version and its dialect (clickhouseDialectFor): typed query parameters and current
 * function names from 20.5 on, inlined literals and 18.x spellings before.
 */
async function probeServer(client: ClickHouseClient): Promise<{ version: string; dialect: Dialect }> {
  const rs = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })
  const [row] = await rs.json<{ version: string }>()
  const version = String(row?.version)
  return { version, dialect: clickhouseDialectFor(version) }
}

/** ClickHouse's numeric error code: the client parses it from new servers; 18.x only says `Code: N,`. */
function serverCode(err: Error): number | undefined {
  const c = (err as { code?: unknown }).code
  if (typeof c === 'string' && /^\d+$/.test(c)) return Number(c)
  const m = /^Code: (\d+)/.exec(err.message.trim())
  return m ? Number(m[1]) : undefined
}

/** The type of a column's values: `Nullable(Float64)` and `LowCardinality(String)` hold Float64 and String. */
function valueType(type: string): string {
  const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type)
  return m ? valueType(m[1] as string) : type
}
