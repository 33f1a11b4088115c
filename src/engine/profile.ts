import { DqxError } from '../core/errors.js'
import type { ColumnInfo, DataSource, EngineSession } from './data-source.js'
import { createEngineSession } from './engine-session.js'
import { Params, quoteIdent } from './sql.js'

// `profile(dataSource)`: what a dataset looks like, from ONE aggregate query: per column its
// type, nulls, distinct count, min/max, quantiles, string lengths and most frequent values.
// The statistics are the ones DuckDB's SUMMARIZE computes (distinct counts and quantiles are
// sketches: HyperLogLog and t-digest, so a 20M-row file is one pass with bounded memory), plus
// string lengths and approx_top_k for the frequent values.

/** How dqx treats a column's engine type. */
export type ColumnKind = 'integer' | 'number' | 'string' | 'boolean' | 'temporal' | 'other'

/** A column value as the profile reports it: numbers, strings (dates as ISO text), booleans. */
export type ProfileValue = number | string | boolean

export const PROFILE_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const

export interface ColumnProfile {
  name: string
  /** The engine's type name (BIGINT, VARCHAR, DECIMAL(10,2) …). */
  type: string
  kind: ColumnKind
  nullCount: number
  /** nullCount / rows (0 for an empty dataset). */
  nullRate: number
  /**
   * Distinct non-null values: exact when fewer than `topK` (the frequent-values sketch saw them
   * all), else a HyperLogLog estimate (within a few percent).
   */
  distinct: number
  /** Smallest and largest value (null when every value is null, or for nested types). */
  min: ProfileValue | null
  max: ProfileValue | null
  /** Numeric columns: approximate quantiles at PROFILE_QUANTILES, and the mean. */
  quantiles?: Record<`p${number}`, number>
  mean?: number
  /** String columns: shortest and longest value, in characters. */
  minLength?: number
  maxLength?: number
  /** The most frequent values, most frequent first (approximate for high-cardinality columns). */
  topValues: ProfileValue[]
}

export interface DatasetProfile {
  dataset: string
  /** The source's description (`parquet data/orders.parquet`). */
  source: string
  rows: number
  columns: ColumnProfile[]
  durationMs: number
}

/** Progress of the scan, from DuckDB's query progress (only DuckDB-read sources report it). */
export interface ProfileProgress {
  /** 0..100. */
  percentage: number
  rowsProcessed: number
  totalRows: number
}

export interface ProfileOptions {
  /** The dataset's name in the profile and in suggested checks (default 'data'). */
  dataset?: string
  /** How many frequent values to keep per column (default 10, at most 100). */
  topK?: number
  /** Called while the scan runs (about every `progressIntervalMs`). */
  onProgress?: (p: ProfileProgress) => void
  progressIntervalMs?: number
  /** Run in this engine session (its DuckDB) instead of a private one. */
  session?: EngineSession
}

/** Classifies an engine type name. */
export function columnKind(type: string): ColumnKind {
  const t = type.toUpperCase()
  if (/[[\]]|^(STRUCT|MAP|UNION|LIST)\b/.test(t)) return 'other'
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|INT[1248]|LONG|SHORT)$/.test(t)) return 'integer'
  if (/^(DOUBLE|FLOAT[48]?|REAL|DECIMAL|NUMERIC)/.test(t)) return 'number'
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)/.test(t)) return 'string'
  if (t === 'BOOLEAN' || t === 'BOOL') return 'boolean'
  if (/^(DATE|TIMESTAMP|TIME|DATETIME)/.test(t)) return 'temporal'
  return 'other'
}

interface Planned {
  col: ColumnInfo
  kind: ColumnKind
}

/** The one profiling query: `count(*)` and, per column i, aggregates aliased `c<i>_<stat>`. */
export function profileSql(columns: readonly ColumnInfo[], relation: string, topK: number): string {
  const parts = ['count(*) AS n']
  columns.forEach((col, i) => {
    const kind = columnKind(col.type)
    const q = quoteIdent(col.name)
    const a = (stat: string): string => `c${i}_${stat}`
    parts.push(`count(${q}) AS ${a('nn')}`)
    if (kind === 'other') return
    parts.push(
      `approx_count_distinct(${q}) AS ${a('d')}`,
      `min(${q}) AS ${a('min')}`,
      `max(${q}) AS ${a('max')}`,
    )
    if (kind === 'integer' || kind === 'number') {
      parts.push(
        `approx_quantile(${q}::DOUBLE, [${PROFILE_QUANTILES.join(', ')}]) AS ${a('q')}`,
        `avg(${q}::DOUBLE) AS ${a('avg')}`,
      )
    }
    if (kind === 'string')
      parts.push(`min(length(${q})) AS ${a('lmin')}`, `max(length(${q})) AS ${a('lmax')}`)
    // Frequent values of a continuous column say nothing: doubles get none.
    if (kind !== 'number') parts.push(`approx_top_k(${q}, ${topK}) AS ${a('top')}`)
  })
  return `SELECT ${parts.join(', ')} FROM ${relation} AS dqx_src`
}

function num(v: unknown): number {
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number') return v
  if (v === null || v === undefined) return 0
  return Number(v)
}

/** A scalar from DuckDB as a report value: bigints as numbers, dates as ISO text. */
export function profileValue(v: unknown, type: string): ProfileValue | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v
  if (v instanceof Date) {
    const iso = v.toISOString()
    return type.toUpperCase() === 'DATE' ? iso.slice(0, 10) : iso
  }
  return String(v)
}

function columnProfile(
  p: Planned,
  i: number,
  row: Record<string, unknown>,
  rows: number,
  topK: number,
): ColumnProfile {
  const g = (stat: string): unknown => row[`c${i}_${stat}`]
  const nullCount = rows - num(g('nn'))
  const topValues = Array.isArray(g('top'))
    ? (g('top') as unknown[])
        .map((v) => profileValue(v, p.col.type))
        .filter((v): v is ProfileValue => v !== null)
    : []
  // HyperLogLog is off by a few even for tiny sets (9 for 8 values) and can overshoot the rows.
  // When top-k found fewer than k values it saw every value: that count is exact.
  const estimate = Math.min(num(g('d')), rows - nullCount)
  const distinct =
    p.kind === 'other' ? 0 : Array.isArray(g('top')) && topValues.length < topK ? topValues.length : estimate
  const out: ColumnProfile = {
    name: p.col.name,
    type: p.col.type,
    kind: p.kind,
    nullCount,
    nullRate: rows === 0 ? 0 : nullCount / rows,
    distinct,
    min: profileValue(g('min'), p.col.type),
    max: profileValue(g('max'), p.col.type),
    topValues,
  }
  if (p.kind === 'integer' || p.kind === 'number') {
    const qs = g('q')
    if (Array.isArray(qs) && qs.every((v) => v !== null)) {
      out.quantiles = Object.fromEntries(PROFILE_QUANTILES.map((q, k) => [`p${q * 100}`, num(qs[k])]))
    }
    if (g('avg') !== null && g('avg') !== undefined) out.mean = num(g('avg'))
  }
  if (p.kind === 'string' && g('lmin') !== null && g('lmin') !== undefined) {
    out.minLength = num(g('lmin'))
    out.maxLength = num(g('lmax'))
  }
  return out
}

/**
 * Profiles a data source in one scan: row count and, per column, type, null count and rate,
 * distinct count, min/max, quantiles and mean (numbers), length range (strings) and the most
 * frequent values. Reads files, records and DuckDB SQL sources; see docs/profile.md.
 */
export async function profile(source: DataSource, options: ProfileOptions = {}): Promise<DatasetProfile> {
  const dataset = options.dataset ?? 'data'
  const topK = options.topK ?? 10
  if (!Number.isInteger(topK) || topK < 1 || topK > 100) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `profile(): topK must be a whole number from 1 to 100, got ${topK}`,
    )
  }
  const owned = options.session ? undefined : createEngineSession()
  const session = (options.session ?? owned) as EngineSession
  const started = performance.now()
  try {
    const bound = await source.bind(session, dataset)
    if (bound.dialect.name !== 'duckdb') {
      throw new DqxError(
        'DATA_SOURCE',
        `profile(): dataset '${dataset}' (${source.describe()}) is read by ${bound.dialect.name}; profiling runs on DuckDB-read sources (files, records, DataSource.sql)`,
      )
    }
    const columns = await bound.describe()
    if (columns === undefined) {
      throw new DqxError(
        'DATA_SOURCE',
        `profile(): dataset '${dataset}' (${source.describe()}) does not report its columns`,
      )
    }
    const params = new Params()
    const sql = profileSql(columns, bound.relation(params), topK)
    const stop = options.onProgress
      ? await watchProgress(session, options.onProgress, options.progressIntervalMs ?? 200)
      : undefined
    let row: Record<string, unknown>
    try {
      row = (await bound.query(sql, params.values))[0] as Record<string, unknown>
    } finally {
      stop?.()
    }
    const rows = num(row.n)
    return {
      dataset,
      source: source.describe(),
      rows,
      columns: columns.map((col, i) =>
        columnProfile({ col, kind: columnKind(col.type) }, i, row, rows, topK),
      ),
      durationMs: performance.now() - started,
    }
  } finally {
    await owned?.close()
  }
}

/** Polls DuckDB's query progress while the profiling query runs; returns the stop function. */
async function watchProgress(
  session: EngineSession,
  onProgress: (p: ProfileProgress) => void,
  intervalMs: number,
): Promise<() => void> {
  const conn = await session.duckdb.connect()
  // DuckDB tracks query progress only with its progress bar on; printing it stays off.
  await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false')
  const timer = setInterval(() => {
    const p = conn.progress
    // -1 while DuckDB has no estimate yet (the query is planning, or reads a source of unknown size).
    if (p.percentage < 0) return
    onProgress({
      percentage: p.percentage,
      rowsProcessed: Number(p.rows_processed),
      totalRows: Number(p.total_rows_to_process),
    })
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

/**
 * Which of `columns` hold no duplicate (exact `count(DISTINCT col) = count(col)` with no NULLs),
 * in one query. The profile's distinct counts are estimates; this confirms the key candidates
 * (`keyCandidates(profile)`) before a uniqueness check is suggested.
 */
export async function uniqueColumns(
  source: DataSource,
  columns: readonly string[],
  options: { dataset?: string; session?: EngineSession } = {},
): Promise<string[]> {
  if (columns.length === 0) return []
  const owned = options.session ? undefined : createEngineSession()
  const session = (options.session ?? owned) as EngineSession
  try {
    const bound = await source.bind(session, options.dataset ?? 'data')
    const params = new Params()
    const rel = bound.relation(params)
    const parts = columns.map((c, i) => `count(DISTINCT ${quoteIdent(c)}) = count(*) AS u${i}`)
    const row =
      (await bound.query(`SELECT ${parts.join(', ')} FROM ${rel} AS dqx_src`, params.values))[0] ?? {}
    return columns.filter((_, i) => row[`u${i}`] === true)
  } finally {
    await owned?.close()
  }
}
