import { DqxError, toError } from '../core/errors.js'
import { makeRedactor } from '../core/redact.js'
import type { BoundSource, ColumnInfo, EngineSession, SourceOptions } from './data-source.js'
import type { Dialect } from './dialect.js'
import { dialects } from './dialects/index.js'
import type { SqlParam } from './sql.js'

/** The dialects `DataSource.warehouse()` renders for. */
export type WarehouseDialect = 'bigquery' | 'trino' | 'snowflake' | 'clickhouse' | 'postgres' | 'duckdb'

/** A result row as the client returns it: column name → value. */
export type WarehouseRow = Readonly<Record<string, unknown>>

/**
 * Runs one SQL statement with your client and resolves to its rows. `params[n - 1]` is the value of
 * the n-th placeholder, spelled the dialect's way: `$n` (postgres, duckdb), `?` (trino, snowflake),
 * `@pn` (bigquery) and `{pn:Type}` (clickhouse) — for the named ones, `toNamedParams(params)`
 * gives `{ p1: …, p2: … }`. `signal` aborts when `timeoutMs` passes: cancel the query if your
 * client can.
 */
export type WarehouseExecute = (
  sql: string,
  params: readonly SqlParam[],
  signal: AbortSignal,
) => Promise<readonly WarehouseRow[]>

interface WarehouseCommonOptions extends SourceOptions {
  /**
   * The warehouse's SQL dialect, by name, or a Dialect object (e.g. `clickhouseInlineDialect`
   * for ClickHouse servers without query parameters, or your own).
   */
  dialect: WarehouseDialect | Dialect
  execute: WarehouseExecute
  /** Limit for each statement, in ms; on expiry the run fails with a DqxError naming the dataset. Default: none. */
  timeoutMs?: number
  /** A short name for the warehouse in messages, e.g. `bigquery my-project`. Default: the dialect. */
  label?: string
}

/** `DataSource.warehouse()` options: a table or a query in the warehouse, and your client's execute. */
export type WarehouseSourceOptions = WarehouseCommonOptions &
  (
    | {
        /**
         * A table name, or the parts of a qualified name (`['analytics', 'public', 'orders']`),
         * each quoted as is in the dialect (case-sensitive).
         */
        table: string | readonly string[]
        query?: never
      }
    | {
        /** A SELECT in the warehouse's SQL whose result is the dataset. Trusted SQL you wrote; one statement. */
        query: string
        table?: never
      }
  )

function fail(message: string): never {
  throw new DqxError('DATA_SOURCE', `DataSource.warehouse(): ${message}`)
}

/** `{ p1: v1, p2: v2 … }`: the values of named placeholders (BigQuery `@p1`, ClickHouse `{p1:String}`). */
export function toNamedParams(params: readonly SqlParam[]): Record<string, SqlParam> {
  return Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]))
}

/**
 * The dqx side of `DataSource.warehouse()`: dqx renders the one-scan SQL in the chosen dialect and
 * hands it to the user's client; results are normalised (numeric strings, bigints and decimal
 * objects become numbers) and every failure becomes a DqxError naming the dataset.
 */
export class WarehouseSourceSpec {
  readonly dialect: Dialect
  private readonly execute: WarehouseExecute
  private readonly relationSql: string
  private readonly what: string
  private readonly timeoutMs: number | undefined
  private readonly label: string

  constructor(options: WarehouseSourceOptions) {
    if (options === null || typeof options !== 'object') {
      fail('needs options: { dialect, table | query, execute }')
    }
    const o = options as unknown as Partial<Record<string, unknown>>
    const names = Object.keys(dialects)
    if (isDialect(o.dialect)) this.dialect = o.dialect
    else if (typeof o.dialect === 'string' && names.includes(o.dialect)) {
      this.dialect = dialects[o.dialect] as Dialect
    } else {
      fail(
        `dialect must be one of ${names.map((n) => `'${n}'`).join(', ')} or a Dialect object, got ${JSON.stringify(o.dialect)}`,
      )
    }
    if (typeof o.execute !== 'function') {
      fail('execute must be a function (sql, params, signal) => Promise<rows> that runs SQL with your client')
    }
    this.execute = o.execute as WarehouseExecute
    if ((o.table === undefined) === (o.query === undefined)) fail('needs exactly one of table or query')
    if (o.table !== undefined) {
      const parts = typeof o.table === 'string' ? [o.table] : o.table
      if (
        !Array.isArray(parts) ||
        parts.length === 0 ||
        parts.some((p) => typeof p !== 'string' || p === '')
      ) {
        fail('table must be a non-empty name or an array of non-empty name parts')
      }
      this.relationSql = (parts as string[]).map((p) => this.dialect.quoteIdent(p)).join('.')
      this.what = `table ${this.relationSql}`
    } else {
      if (typeof o.query !== 'string' || o.query.trim() === '') fail('query must be a non-empty string')
      const query = o.query.trim().replace(/;\s*$/, '')
      if (query.includes(';')) fail('takes a single query, without ";" between statements')
      this.relationSql = `(${query}\n)`
      this.what = `query ${query.length > 60 ? `${query.slice(0, 57)}...` : query}`
    }
    const t = o.timeoutMs
    if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0)) {
      fail(`timeoutMs must be a positive integer (ms), got ${String(t)}`)
    }
    this.timeoutMs = t as number | undefined
    if (o.label !== undefined && (typeof o.label !== 'string' || o.label === ''))
      fail('label must be a non-empty string')
    this.label = (o.label as string | undefined) ?? this.dialect.name
  }

  describe(): string {
    return `warehouse ${this.label} ${this.what}`
  }

  bind(_session: EngineSession, dataset: string): BoundSource {
    const relation = this.relationSql
    return {
      dialect: this.dialect,
      relation: () => relation,
      // The client returns rows, not a schema: the column names come from one row. Types stay
      // unknown (''), so the warehouse itself reports a metric on a column of the wrong type.
      describe: async (): Promise<ColumnInfo[] | undefined> => {
        const rows = await this.run(dataset, `SELECT * FROM ${relation} AS dqx_src LIMIT 1`, [])
        const first = rows[0]
        return first === undefined ? undefined : Object.keys(first).map((name) => ({ name, type: '' }))
      },
      query: async (sql, params) => (await this.run(dataset, sql, params)).map(normaliseRow),
    }
  }

  private async run(
    dataset: string,
    sql: string,
    params: readonly SqlParam[],
  ): Promise<readonly WarehouseRow[]> {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout =
      this.timeoutMs === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              controller.abort()
              reject(
                new DqxError(
                  'SQL',
                  `dataset '${dataset}' (${this.describe()}): the query ran longer than timeoutMs (${this.timeoutMs} ms); raise timeoutMs, or scan less (a dateColumn limits the scan to one day)`,
                ),
              )
            }, this.timeoutMs)
          })
    try {
      const call = Promise.resolve().then(() => this.execute(sql, params, controller.signal))
      const rows = await (timeout === undefined ? call : Promise.race([call, timeout]))
      if (!Array.isArray(rows)) {
        throw new DqxError(
          'DATA_SOURCE',
          `dataset '${dataset}' (${this.describe()}): execute must resolve to an array of row objects, got ${rows === null ? 'null' : typeof rows}`,
        )
      }
      return rows
    } catch (err) {
      if (err instanceof DqxError) throw err
      const first = makeRedactor([])(toError(err).message.trim().split('\n', 1)[0] as string)
      throw new DqxError('SQL', `dataset '${dataset}' (${this.describe()}): ${first}`, { cause: err })
    } finally {
      clearTimeout(timer)
    }
  }
}

function isDialect(d: unknown): d is Dialect {
  if (d === null || typeof d !== 'object') return false
  const x = d as Partial<Record<keyof Dialect, unknown>>
  return (
    typeof x.name === 'string' &&
    typeof x.renderMetric === 'function' &&
    typeof x.quoteIdent === 'function' &&
    typeof x.placeholder === 'function' &&
    typeof x.renderDateFilter === 'function'
  )
}

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * Numbers as clients return them: pg gives bigint and numeric as strings, BigQuery NUMERIC as a
 * Big object, Trino DECIMAL as a string. A metric is a number, so such values are converted;
 * anything else passes through (the engine reports a non-numeric metric by name).
 */
function normaliseRow(row: WarehouseRow): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, v] of Object.entries(row)) {
    // Snowflake folds unquoted aliases to upper case: the scan's `AS m0` comes back as M0.
    const k = /^M\d+$/.test(name) ? name.toLowerCase() : name
    if (typeof v === 'string' && NUMERIC_TEXT.test(v.trim())) out[k] = Number(v)
    else if (typeof v === 'bigint') out[k] = Number(v)
    else if (v !== null && typeof v === 'object' && !(v instanceof Date) && Number.isFinite(Number(v)))
      out[k] = Number(v)
    else out[k] = v
  }
  return out
}
