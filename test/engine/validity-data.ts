// Shared by the validity tests: rows with NULLs, unicode and hostile column names, written to
// parquet and CSV by DuckDB and to a PostgreSQL table, and plain-JS reference values of every
// validity metric computed from the same rows.
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { VALID_FORMATS } from '../../src/core/metric-spec.js'
import { rng } from '../helpers/data.js'
import { withClient } from './pg-helpers.js'

/** Hostile column names: quotes, semicolons, comment markers, spaces, unicode. */
export const COL = {
  amount: 'Amount ($) "net"; --',
  email: 'e-mail adresse ü',
  status: "status'",
  seen: 'seen at',
  customer: 'customer id',
  code: 'code',
} as const

export type Row = Record<string, number | string | Date | null>

const STATUSES = ['paid', 'new', "it's", 'a"b', 'x;y', 'ünïcödé', '漢字']
const CODES = [
  '2026-11-25',
  '2026-13-01',
  '123e4567-e89b-12d3-a456-426614174000',
  'not-a-uuid',
  'https://example.com/a?b=c',
  'ftp://example.com',
  '2026-11-25T10:20:30Z',
  '2026-11-25 10:20',
  '2026-11-25T25:00:00',
]
const EMAILS = [
  'ann@example.com',
  'bob@例え.jp',
  'no-at-sign',
  'two@@x.com',
  'sp ace@x.com',
  'ok.name+tag@mail.co',
]

/** `n` rows; the customer key takes 0…24 of which customers hold 0…19, so 20…24 are orphans. */
export function makeRows(n: number, seed = 7): Row[] {
  const r = rng(seed)
  return Array.from({ length: n }, () => {
    const day = 20 + Math.floor(r() * 6) // 2026-11-20 … 25
    const hour = Math.floor(r() * 24)
    return {
      [COL.amount]: r() < 0.1 ? null : Math.round((r() * 2000 - 500) * 100) / 100,
      [COL.email]: r() < 0.1 ? null : (EMAILS[Math.floor(r() * EMAILS.length)] as string),
      [COL.status]: r() < 0.05 ? null : (STATUSES[Math.floor(r() * STATUSES.length)] as string),
      [COL.seen]: r() < 0.1 ? null : new Date(Date.UTC(2026, 10, day, hour, 15, 0)),
      [COL.customer]: r() < 0.1 ? null : Math.floor(r() * 25),
      [COL.code]: r() < 0.1 ? null : (CODES[Math.floor(r() * CODES.length)] as string),
    }
  })
}

export const CUSTOMERS = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `customer ${i}` }))

const TYPES: Record<string, { duckdb: string; pg: string }> = {
  [COL.amount]: { duckdb: 'DOUBLE', pg: 'double precision' },
  [COL.email]: { duckdb: 'VARCHAR', pg: 'text' },
  [COL.status]: { duckdb: 'VARCHAR', pg: 'text' },
  [COL.seen]: { duckdb: 'TIMESTAMP', pg: 'timestamp' },
  [COL.customer]: { duckdb: 'BIGINT', pg: 'bigint' },
  [COL.code]: { duckdb: 'VARCHAR', pg: 'text' },
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`
const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`

function sqlValue(v: Row[string]): string {
  if (v === null) return 'NULL'
  if (v instanceof Date) return `TIMESTAMP ${lit(v.toISOString().replace('T', ' ').replace('Z', ''))}`
  return typeof v === 'number' ? String(v) : lit(v)
}

/** Writes the rows (and the customers) to parquet and CSV with DuckDB. */
export async function writeFiles(
  dir: string,
  rows: readonly Row[],
  name = 'orders',
): Promise<{ parquet: string; csv: string; customersParquet: string; customersCsv: string }> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    const cols = Object.keys(TYPES)
    await conn.run(`CREATE TABLE t (${cols.map((c) => `${q(c)} ${TYPES[c]?.duckdb}`).join(', ')})`)
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500)
      await conn.run(
        `INSERT INTO t VALUES ${chunk.map((r) => `(${cols.map((c) => sqlValue(r[c] ?? null)).join(', ')})`).join(', ')}`,
      )
    }
    await conn.run(
      `CREATE TABLE c AS SELECT i AS id, 'customer ' || i AS name FROM range(${CUSTOMERS.length}) r(i)`,
    )
    const out = {
      parquet: join(dir, `${name}.parquet`),
      csv: join(dir, `${name}.csv`),
      customersParquet: join(dir, `${name}-customers.parquet`),
      customersCsv: join(dir, `${name}-customers.csv`),
    }
    await conn.run(`COPY t TO ${lit(out.parquet)} (FORMAT parquet)`)
    await conn.run(`COPY t TO ${lit(out.csv)} (FORMAT csv, HEADER)`)
    await conn.run(`COPY c TO ${lit(out.customersParquet)} (FORMAT parquet)`)
    await conn.run(`COPY c TO ${lit(out.customersCsv)} (FORMAT csv, HEADER)`)
    return out
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

/** Creates `table` (and `${table}_customers`) in PostgreSQL holding the rows. */
export async function writePgTables(url: string, table: string, rows: readonly Row[]): Promise<void> {
  await withClient(url, async (c) => {
    const cols = Object.keys(TYPES)
    await c.query(`CREATE TABLE ${q(table)} (${cols.map((col) => `${q(col)} ${TYPES[col]?.pg}`).join(', ')})`)
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200)
      const values: unknown[] = []
      const tuples = chunk.map((r) => {
        const ph = cols.map((col) => {
          const v = r[col] ?? null
          values.push(v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v)
          return `$${values.length}`
        })
        return `(${ph.join(', ')})`
      })
      await c.query(`INSERT INTO ${q(table)} VALUES ${tuples.join(', ')}`, values)
    }
    await c.query(`CREATE TABLE ${q(`${table}_customers`)} (id bigint, name text)`)
    await c.query(
      `INSERT INTO ${q(`${table}_customers`)} SELECT i, 'customer ' || i FROM generate_series(0, ${CUSTOMERS.length - 1}) i`,
    )
  })
}

// ---------------------------------------------------------------------------------------------
// Plain-JS references

const present = <T>(rows: readonly Row[], col: string): T[] =>
  rows.map((r) => r[col]).filter((v) => v !== null && v !== undefined) as T[]

export const reference = {
  numRows: (rows: readonly Row[]) => rows.length,
  matchCount: (rows: readonly Row[], col: string, pattern: string, flags = '') =>
    present<unknown>(rows, col).filter((v) => new RegExp(pattern, flags).test(String(v))).length,
  validIn: (rows: readonly Row[], col: string, values: readonly unknown[]) =>
    present<unknown>(rows, col).filter((v) => values.includes(v)).length,
  validBetween: (rows: readonly Row[], col: string, lo: number, hi: number) =>
    present<number>(rows, col).filter((v) => v >= lo && v <= hi).length,
  validFormat: (rows: readonly Row[], col: string, format: keyof typeof VALID_FORMATS) =>
    reference.matchCount(rows, col, VALID_FORMATS[format]),
  /** Linear interpolation between closest ranks (numpy's default, quantile_cont). */
  quantile: (rows: readonly Row[], col: string, q: number): number | null => {
    const v = present<number>(rows, col).sort((a, b) => a - b)
    if (v.length === 0) return null
    const pos = q * (v.length - 1)
    const lo = Math.floor(pos)
    const hi = Math.ceil(pos)
    return (v[lo] as number) + (pos - lo) * ((v[hi] as number) - (v[lo] as number))
  },
  /** Hours from the latest timestamp to 24:00 UTC of `date`. */
  freshnessHours: (rows: readonly Row[], col: string, date: string): number | null => {
    const v = present<Date>(rows, col).map((d) => d.getTime())
    if (v.length === 0) return null
    return (Date.parse(`${date}T00:00:00Z`) + 86_400_000 - Math.max(...v)) / 3_600_000
  },
  orphanCount: (rows: readonly Row[], col: string, keys: readonly unknown[]) =>
    present<unknown>(rows, col).filter((v) => !keys.includes(v)).length,
}
