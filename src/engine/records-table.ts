import { type DuckDBAppender, timestampValue } from '@duckdb/node-api'
import { DqxError } from '../core/errors.js'
import type { DuckDBSession, Row } from './duckdb-session.js'
import { quoteIdent } from './sql.js'

export type RecordColumnType = 'number' | 'string' | 'boolean' | 'bigint' | 'date'
export type RecordSchema = Record<string, RecordColumnType>

const SQL_TYPE: Record<RecordColumnType, string> = {
  number: 'DOUBLE',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  bigint: 'HUGEINT',
  date: 'TIMESTAMP',
}

/** The empty table of a record source with no rows and no schema: zero rows, no user columns. */
export const PLACEHOLDER_COLUMN = '__dqx_no_columns'

function kindOf(v: unknown): RecordColumnType | 'null' | 'other' {
  if (v === null || v === undefined) return 'null'
  if (v instanceof Date) return 'date'
  const t = typeof v
  if (t === 'number' || t === 'string' || t === 'boolean' || t === 'bigint') return t
  return 'other'
}

/** Infers one SQL type per column from the values present; mixed types are an error naming the column. */
function inferSchema(
  rows: readonly Row[],
  given: RecordSchema | undefined,
  dataset: string,
): Map<string, RecordColumnType> {
  const types = new Map<string, RecordColumnType>()
  for (const [col, t] of Object.entries(given ?? {})) {
    // Checked before any row (a bad schema type would otherwise surface as a "mixes" error), and
    // with hasOwn: `'toString' in SQL_TYPE` is true and would reach the DDL as SQL text.
    if (!Object.hasOwn(SQL_TYPE, t)) {
      throw new DqxError(
        'DATA_SOURCE',
        `dataset '${dataset}': schema type '${t}' for column '${col}' is not one of ${Object.keys(SQL_TYPE).join(', ')}`,
      )
    }
    types.set(col, t)
  }
  const nullOnly = new Set<string>()
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object') {
      throw new DqxError('DATA_SOURCE', `dataset '${dataset}': record ${i} is not an object`)
    }
    for (const [col, v] of Object.entries(row)) {
      const k = kindOf(v)
      if (k === 'null') {
        if (!types.has(col)) nullOnly.add(col)
        continue
      }
      if (k === 'date' && Number.isNaN((v as Date).getTime())) {
        throw new DqxError(
          'DATA_SOURCE',
          `dataset '${dataset}': record ${i}, column '${col}' holds an Invalid Date; fix or drop the value (use null for a missing date)`,
        )
      }
      if (k === 'other') {
        throw new DqxError(
          'DATA_SOURCE',
          `dataset '${dataset}': record ${i}, column '${col}' holds a ${Array.isArray(v) ? 'array' : typeof v}; records take numbers, strings, booleans, bigints, Dates or null`,
        )
      }
      const seen = types.get(col)
      if (seen === undefined) types.set(col, k)
      else if (seen !== k) {
        throw new DqxError(
          'DATA_SOURCE',
          `dataset '${dataset}': column '${col}' mixes ${seen} and ${k} values (record ${i}); convert them to one type or declare it in schema`,
        )
      }
    }
  })
  // A column that is null everywhere still exists; VARCHAR holds NULLs and counts them.
  for (const col of nullOnly) if (!types.has(col)) types.set(col, 'string')
  return types
}

function append(app: DuckDBAppender, type: RecordColumnType, v: unknown): void {
  if (v === null || v === undefined) app.appendNull()
  else if (type === 'number') app.appendDouble(v as number)
  else if (type === 'string') app.appendVarchar(v as string)
  else if (type === 'boolean') app.appendBoolean(v as boolean)
  else if (type === 'bigint') app.appendHugeInt(v as bigint)
  else app.appendTimestamp(timestampValue(BigInt((v as Date).getTime()) * 1000n))
}

/** Creates a table in the run's DuckDB and appends the rows through DuckDB's appender. */
export async function loadRecords(
  session: DuckDBSession,
  table: string,
  rows: readonly Row[],
  schema: RecordSchema | undefined,
  dataset: string,
): Promise<void> {
  const types = inferSchema(rows, schema, dataset)
  const cols = [...types.entries()]
  const ddl =
    cols.length === 0
      ? `${quoteIdent(PLACEHOLDER_COLUMN)} INTEGER`
      : cols.map(([c, t]) => `${quoteIdent(c)} ${SQL_TYPE[t]}`).join(', ')
  await session.query(`CREATE TABLE ${quoteIdent(table)} (${ddl})`)
  if (rows.length === 0) return
  if (cols.length === 0) {
    // Rows without any keys still count as rows.
    await session.query(`INSERT INTO ${quoteIdent(table)} SELECT NULL FROM range(${rows.length})`)
    return
  }
  const conn = await session.connect()
  const app = await conn.createAppender(table)
  try {
    for (const row of rows) {
      for (const [c, t] of cols) append(app, t, row[c])
      app.endRow()
    }
    app.flushSync()
  } finally {
    app.closeSync()
  }
}
