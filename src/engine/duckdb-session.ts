import { DOUBLE, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api'
import { engineConnection } from './duckdb-engine.js'
import type { SqlParam } from './sql.js'

export type Row = Record<string, unknown>

let sessionSeq = 0

/**
 * A run's view of the process's shared in-memory DuckDB (duckdb-engine.ts): it
 * scans parquet/CSV/JSON files in place and holds record sources as tables
 * named for this session alone. Queries run on connections of their own, so
 * datasets of one run are scanned concurrently; `close()` drops the run's
 * tables and closes its connections, leaving the shared instance warm for the
 * next run.
 */
export class DuckDBSession {
  private readonly id: number
  private primary: Promise<DuckDBConnection> | undefined
  /** Connections not running a query right now, reused by the next query. */
  private readonly idle: DuckDBConnection[] = []
  private readonly open = new Set<DuckDBConnection>()
  private readonly tables: string[] = []

  constructor() {
    sessionSeq += 1
    this.id = sessionSeq
  }

  /** The session's own connection (for the appender that loads record sources). */
  connect(): Promise<DuckDBConnection> {
    this.primary ??= this.openConnection()
    return this.primary
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const conn = this.idle.pop() ?? (await this.openConnection())
    try {
      // Without parameters, a plain query: the prepared-statement path costs an extract, a
      // prepare and a bind per statement (a third of a small file's scan).
      const reader =
        params.length === 0
          ? await conn.runAndReadAll(sql)
          : await conn.runAndReadAll(sql, params as DuckDBValue[], paramTypes(params))
      return reader.getRowObjectsJS() as Row[]
    } finally {
      if (this.open.has(conn)) this.idle.push(conn)
    }
  }

  /** A fresh table name for a record source, unique in the process; dropped by close(). */
  nextTableName(): string {
    const name = `dqx_records_${this.id}_${this.tables.length + 1}`
    this.tables.push(name)
    return name
  }

  private async openConnection(): Promise<DuckDBConnection> {
    const conn = await engineConnection()
    this.open.add(conn)
    return conn
  }

  /** Drops the session's tables and closes its connections. The session can be used again. */
  async close(): Promise<void> {
    const tables = this.tables.splice(0)
    if (tables.length > 0 && this.open.size > 0) {
      const conn = this.idle[0] ?? (await this.connect())
      for (const t of tables) await conn.run(`DROP TABLE IF EXISTS "${t}"`).catch(() => {})
    }
    this.primary = undefined
    this.idle.length = 0
    for (const conn of this.open) conn.closeSync()
    this.open.clear()
  }
}

/**
 * Explicit DOUBLE for numbers that are not safe integers: the client infers
 * BIGINT for any integral number, so 1e19 or 1e300 would not bind ("bigint
 * out of int64 range"). Other values keep the client's inference.
 */
export function paramTypes(params: readonly unknown[]): DuckDBType[] {
  return params.map((p) =>
    typeof p === 'number' && !Number.isSafeInteger(p) ? DOUBLE : undefined,
  ) as DuckDBType[]
}
