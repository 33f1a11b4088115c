// The data and the checks the overhead and engine benches run, with the hand-written DuckDB SQL
// that computes the same values (the peer), and a check that both agree.
import { DuckDBInstance } from '@duckdb/node-api'
import { type Check, check, type Metric, MetricProvider, type SymbolInfo } from '../../src/index.js'

/** Escapes a file path for a SQL string literal (the hand-written peer inlines it, as a user would). */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/**
 * Writes `rows` synthetic order rows to a parquet file with DuckDB itself. Deterministic:
 * every value is a function of the row number. 5 % of emails are NULL; ids are unique;
 * customer_id takes ~1M distinct values; status takes 5.
 */
export async function generateParquet(file: string, rows: number): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    await conn.run(`COPY (
      SELECT
        i AS id,
        CAST(hash(i) % 100000 AS DOUBLE) / 100 AS price,
        CAST(hash(i * 7) % 1000 AS INTEGER) AS qty,
        CASE WHEN i % 20 = 0 THEN NULL ELSE 'user' || (i % 100000) || '@example.com' END AS email,
        ['new', 'paid', 'shipped', 'cancelled', 'refunded'][1 + CAST(i % 5 AS INTEGER)] AS status,
        'name_' || (hash(i) % 50000) AS name,
        CAST(hash(i * 3) % 1000000 AS BIGINT) AS customer_id
      FROM range(${Math.trunc(rows)}) t(i)
    ) TO ${sqlString(file)} (FORMAT parquet)`)
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

/** Reads a (small) parquet file back as plain JS records for DataSource.fromRecords. */
export async function readRecords(file: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY id`)
    // BIGINT arrives as bigint: records of plain numbers are what an application holds.
    return reader
      .getRowObjectsJS()
      .map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
      )
  } finally {
    conn.closeSync()
    inst.closeSync()
  }
}

/** One metric of a workload: how dqx asks for it and the aggregate a person would write. */
interface WorkloadMetric {
  metric: (mp: MetricProvider) => Metric
  /** The hand-written DuckDB aggregate computing the same value. */
  sql: string
}

/** The 10 one-pass metrics (no DISTINCT). */
export const BASIC: readonly WorkloadMetric[] = [
  { metric: (mp) => mp.numRows(), sql: 'count(*)' },
  { metric: (mp) => mp.sum('price'), sql: 'sum(price)' },
  { metric: (mp) => mp.average('price'), sql: 'avg(price)' },
  { metric: (mp) => mp.minimum('qty'), sql: 'min(qty)' },
  { metric: (mp) => mp.maximum('qty'), sql: 'max(qty)' },
  { metric: (mp) => mp.nullCount('email'), sql: 'count(*) - count(email)' },
  { metric: (mp) => mp.variance('price'), sql: 'var_samp(price)' },
  { metric: (mp) => mp.stddev('price'), sql: 'stddev_samp(price)' },
  { metric: (mp) => mp.minLength('name'), sql: 'min(length(name))' },
  {
    metric: (mp) => mp.countValues('status', ['paid', 'shipped']),
    sql: "count(*) FILTER (WHERE status IN ('paid', 'shipped'))",
  },
]

/**
 * The distinct-based metrics: a unique count and a primary-key duplicate count. The peer writes
 * `count(*) - count(DISTINCT id)`, which equals dqx's NULL-aware definition here (id is never NULL).
 */
export const DISTINCT: readonly WorkloadMetric[] = [
  { metric: (mp) => mp.uniqueCount('customer_id'), sql: 'count(DISTINCT customer_id)' },
  { metric: (mp) => mp.duplicateCount(['id']), sql: 'count(*) - count(DISTINCT id)' },
]

/** A check asserting something true of every metric (all PASS: no failure path, no samples). */
export function workloadCheck(name: string, dataset: string, metrics: readonly WorkloadMetric[]): Check {
  return check({ name, datasets: [dataset] }, (mp, ctx) => {
    metrics.forEach((m, i) => {
      ctx
        .assertThat(m.metric(mp))
        .where({ name: `m${i} ${m.metric(mp).toString()}` })
        .isGeq(0)
    })
  })
}

/** ONE hand-written query computing every metric of the workload over `from`. */
export function rawQuery(metrics: readonly WorkloadMetric[], from: string): string {
  return `SELECT ${metrics.map((m, i) => `${m.sql} AS m${i}`).join(', ')} FROM ${from}`
}

/** One hand-written query per metric. */
export function perMetricQueries(metrics: readonly WorkloadMetric[], from: string): string[] {
  return metrics.map((m) => `SELECT ${m.sql} AS m0 FROM ${from}`)
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/**
 * Throws unless dqx's values (the run's symbols, in metric order) equal the raw query's row.
 * Counts must match exactly; floating-point aggregates to 1e-9 relative (parallel sums add
 * in a different order from run to run).
 */
export function assertSameValues(
  label: string,
  metrics: readonly WorkloadMetric[],
  symbols: readonly SymbolInfo[],
  raw: Record<string, unknown>,
): void {
  const byMetric = new Map(symbols.map((s) => [s.metric, s.value]))
  if (byMetric.size !== metrics.length) {
    throw new Error(`${label}: dqx reported ${byMetric.size} metrics, expected ${metrics.length}`)
  }
  metrics.forEach((m, i) => {
    const name = m.metric(new MetricProvider()).toString()
    const ours = byMetric.get(name)
    const theirs = num(raw[`m${i}`])
    const same =
      ours === theirs ||
      (ours !== null &&
        ours !== undefined &&
        theirs !== null &&
        Math.abs(ours - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs)))
    if (!same) {
      throw new Error(`${label}: dqx computed ${name} = ${ours}, the raw query ${m.sql} = ${theirs}`)
    }
  })
}
