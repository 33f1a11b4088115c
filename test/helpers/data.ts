// Test data for the core and engine tests: deterministic records, files written by DuckDB itself,
// plain-JS reference implementations of every metric, temp dirs and a log-capturing pino logger.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { type Logger, pino } from 'pino'
import { expect } from 'vitest'
import type { Check } from '../../src/core/check.js'
import type { SuiteOptions } from '../../src/suite/verification-suite.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'

// ---------------------------------------------------------------------------------------------
// Temp dirs

export interface TempDir {
  readonly path: string
  file(name: string): string
  cleanup(): void
}

/** A fresh directory under the OS temp dir; `cleanup()` removes it with everything in it. */
export function tempDir(prefix = 'dqx-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {
    path,
    file: (name) => join(path, name),
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  }
}

// ---------------------------------------------------------------------------------------------
// Records

// A type alias, not an interface: it must be assignable to Record<string, unknown>.
export type Order = {
  id: number
  /** Has NULLs and repeats: duplicate combinations with `status`. */
  grp: number | null
  price: number | null
  qty: number
  email: string | null
  name: string
  status: string
}

const NAMES = [
  'ab',
  'héllo',
  'naïve café',
  '漢字テスト',
  'x',
  '👍🏽 ok',
  'emoji 🎉🎉',
  'Ωmega',
  'plain ascii name',
]
const STATUSES = ['new', 'paid', 'shipped', "it's", 'a"b', 'x;y']

/** A small deterministic PRNG (mulberry32), so every run sees the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` orders with nulls, repeats, unicode names and quote-laden statuses. */
export function makeOrders(n: number, seed = 42): Order[] {
  const r = rng(seed)
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    grp: r() < 0.1 ? null : Math.floor(r() * 20),
    price: r() < 0.05 ? null : Math.round(r() * 10_000) / 100,
    qty: Math.floor(r() * 50) - 10,
    email: r() < 0.08 ? null : `user${Math.floor(r() * (n / 2))}@example.com`,
    name: NAMES[Math.floor(r() * NAMES.length)] as string,
    status: STATUSES[Math.floor(r() * STATUSES.length)] as string,
  }))
}

/** The DuckDB column types of `Order`, for writing files with stable types. */
export const ORDER_COLUMNS = {
  id: 'BIGINT',
  grp: 'INTEGER',
  price: 'DOUBLE',
  qty: 'BIGINT',
  email: 'VARCHAR',
  name: 'VARCHAR',
  status: 'VARCHAR',
} as const

// ---------------------------------------------------------------------------------------------
// Reference implementations (plain JS, independent of the engine)

type Rec = Record<string, unknown>
const nonNull = (rows: readonly Rec[], col: string): unknown[] =>
  rows.map((r) => r[col]).filter((v) => v !== null && v !== undefined)
const nums = (rows: readonly Rec[], col: string): number[] => nonNull(rows, col) as number[]

export const expected = {
  numRows: (rows: readonly Rec[]) => rows.length,
  sum: (rows: readonly Rec[], col: string) => {
    const v = nums(rows, col)
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0)
  },
  average: (rows: readonly Rec[], col: string) => {
    const v = nums(rows, col)
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length
  },
  minimum: (rows: readonly Rec[], col: string) => {
    const v = nums(rows, col)
    return v.length === 0 ? null : Math.min(...v)
  },
  maximum: (rows: readonly Rec[], col: string) => {
    const v = nums(rows, col)
    return v.length === 0 ? null : Math.max(...v)
  },
  nullCount: (rows: readonly Rec[], col: string) => rows.length - nonNull(rows, col).length,
  /** Sample variance (n - 1), two-pass. */
  variance: (rows: readonly Rec[], col: string) => {
    const v = nums(rows, col)
    if (v.length < 2) return null
    const mean = v.reduce((a, b) => a + b, 0) / v.length
    return v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)
  },
  stddev: (rows: readonly Rec[], col: string) => {
    const v = expected.variance(rows, col)
    return v === null ? null : Math.sqrt(v)
  },
  /** Distinct non-null values. */
  uniqueCount: (rows: readonly Rec[], col: string) => new Set(nonNull(rows, col)).size,
  /** Rows minus distinct combinations, NULL counting as a value. */
  duplicateCount: (rows: readonly Rec[], cols: readonly string[]) =>
    rows.length - new Set(rows.map((r) => JSON.stringify(cols.map((c) => r[c] ?? null)))).size,
  countValues: (rows: readonly Rec[], col: string, values: readonly unknown[]) =>
    rows.filter((r) => values.includes(r[col])).length,
  /** Lengths in code points. */
  minLength: (rows: readonly Rec[], col: string) => {
    const v = nonNull(rows, col).map((s) => [...String(s)].length)
    return v.length === 0 ? null : Math.min(...v)
  },
  maxLength: (rows: readonly Rec[], col: string) => {
    const v = nonNull(rows, col).map((s) => [...String(s)].length)
    return v.length === 0 ? null : Math.max(...v)
  },
}

/** Floating-point equality relative to the magnitude (sums in a different order differ in the last bits). */
export function expectClose(actual: number | null | undefined, want: number | null, rel = 1e-9): void {
  if (want === null) {
    expect(actual).toBeNull()
    return
  }
  expect(actual).toBeTypeOf('number')
  const diff = Math.abs((actual as number) - want)
  expect(diff, `${actual} vs ${want}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want)))
}

// ---------------------------------------------------------------------------------------------
// Files written by DuckDB from the same records

export interface OrderFiles {
  parquet: string
  /** Glob over `parts` parquet files that together hold every row. */
  parquetGlob: string
  csv: string
  json: string
}

/** Writes `rows` to parquet (one file and a split set), CSV and JSON with DuckDB's COPY. */
export async function writeOrderFiles(dir: string, rows: readonly Order[], parts = 3): Promise<OrderFiles> {
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  try {
    const cols = Object.entries(ORDER_COLUMNS)
    await conn.run(`CREATE TABLE t (${cols.map(([c, t]) => `"${c}" ${t}`).join(', ')})`)
    const app = await conn.createAppender('t')
    for (const r of rows) {
      app.appendBigInt(BigInt(r.id))
      if (r.grp === null) app.appendNull()
      else app.appendInteger(r.grp)
      if (r.price === null) app.appendNull()
      else app.appendDouble(r.price)
      app.appendBigInt(BigInt(r.qty))
      if (r.email === null) app.appendNull()
      else app.appendVarchar(r.email)
      app.appendVarchar(r.name)
      app.appendVarchar(r.status)
      app.endRow()
    }
    app.closeSync()
    const out: OrderFiles = {
      parquet: join(dir, 'orders.parquet'),
      parquetGlob: join(dir, 'parts', 'orders-*.parquet'),
      csv: join(dir, 'orders.csv'),
      json: join(dir, 'orders.json'),
    }
    await conn.run(`COPY (SELECT * FROM t ORDER BY id) TO '${out.parquet}' (FORMAT parquet)`)
    await conn.run(`COPY (SELECT * FROM t ORDER BY id) TO '${out.csv}' (FORMAT csv, HEADER)`)
    await conn.run(`COPY (SELECT * FROM t ORDER BY id) TO '${out.json}' (FORMAT json)`)
    mkdirSync(join(dir, 'parts'))
    for (let k = 0; k < parts; k++) {
      await conn.run(
        `COPY (SELECT * FROM t WHERE id % ${parts} = ${k}) TO '${join(dir, 'parts', `orders-${k}.parquet`)}' (FORMAT parquet)`,
      )
    }
    return out
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}

/** Runs one SQL statement in a throwaway DuckDB (for writing odd files in tests). */
export async function duckdbRun(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const conn = await instance.connect()
  try {
    await conn.run(sql)
  } finally {
    conn.closeSync()
    instance.closeSync()
  }
}

// ---------------------------------------------------------------------------------------------
// Suites and logs

export const silentLogger = (): Logger => pino({ level: 'silent' })

export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

/** A debug-level pino logger whose lines are collected (parsed) in `lines`. */
export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) })
  return { logger, lines }
}

/** A suite with a silent logger and no audit output, unless the options say otherwise. */
export function quietSuite(checks: Check[], options: Partial<SuiteOptions> = {}): VerificationSuite {
  return new VerificationSuite({ name: 'test', logger: silentLogger(), audit: false, ...options, checks })
}
