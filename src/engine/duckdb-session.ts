import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api'
import type { SqlParam } from './sql.js'

export type Row = Record<string, unknown>

/**
 * The run's private in-memory DuckDB: it scans parquet/CSV/JSON files in place
 * and holds record sources as tables. Opened on first use, closed at the end
 * of the run so no native handle outlives it.
 */
export class DuckDBSession {
  private instance: DuckDBInstance | undefined
  private connection: Promise<DuckDBConnection> | undefined
  private tableSeq = 0

  connect(): Promise<DuckDBConnection> {
    this.connection ??= DuckDBInstance.create(':memory:').then((inst) => {
      this.instance = inst
      return inst.connect()
    })
    return this.connection
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const conn = await this.connect()
    const reader = await conn.runAndReadAll(sql, params as DuckDBValue[], paramTypes(params))
    return reader.getRowObjectsJS() as Row[]
  }

  /** A fresh table name for a record source. */
  nextTableName(): string {
    this.tableSeq += 1
    return `dqx_records_${this.tableSeq}`
  }

  async close(): Promise<void> {
    if (!this.connection) return
    const pending = this.connection
    this.connection = undefined
    try {
      const conn = await pending
      conn.closeSync()
    } finally {
      this.instance?.closeSync()
      this.instance = undefined
    }
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
