import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError, toError } from '../core/errors.js'
import { type MetricSpec, metricColumns, metricName } from '../core/metric-spec.js'
import { formatTags, type ResultKey } from '../core/result-key.js'
import type { BoundSource, ColumnInfo, DataSource, EngineSession } from './data-source.js'
import { compileScan } from './dialect.js'
import type { MetricDB, StoredMetric } from './metric-db.js'
import { publishScan, type ScanEvent, type ScanListener } from './scan-events.js'
import { Params } from './sql.js'

/** One metric a check needs, with the check that needs it (for error messages). */
export interface MetricNeed {
  dataset: string
  spec: MetricSpec
  lag: number
  check: string
}

/** A metric's value for the run: a number, NULL (no non-null input), or why it is unavailable. */
export interface MetricValue {
  value: number | null
  date: string
  error?: string
}

export function valueKey(dataset: string, spec: MetricSpec, lag: number): string {
  return `${dataset}\u0000${metricName(spec)}\u0000${lag}`
}

export interface ComputeOptions {
  needs: readonly MetricNeed[]
  sources: Readonly<Record<string, DataSource>>
  key: ResultKey
  db: MetricDB
  session: EngineSession
  logger: Logger
  suite: string
  runId: string
  /**
   * Called with each dataset once it is bound and its columns are validated, before its scan
   * (failed-row samples reuse the binding; throwing fails the run like a missing column).
   */
  onBound?: (dataset: string, bound: BoundSource, columns: ColumnInfo[]) => void
  /** Called at the start and end of every scan (besides the `dqx:scan` diagnostics channel). */
  onScan?: ScanListener
  /** Datasets bound and scanned at once (default: the number of CPUs). */
  scanConcurrency?: number
}

/** Default of `scanConcurrency`: one dataset per CPU. */
export const DEFAULT_SCAN_CONCURRENCY = availableParallelism()

/**
 * Runs `work` for every item with at most `limit` at once. Once one fails no
 * new item starts; the error thrown is that of the first failing item in
 * input order, so a run with several broken datasets always reports the same one.
 */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const errors = new Map<number, unknown>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.size === 0) {
      const i = next++
      try {
        await work(items[i] as T)
      } catch (err) {
        errors.set(i, err)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()))
}

// The whole type name, optionally with a precision: `INTEGER[]` (a list) and BOOLEAN are not
// numbers to avg()/var_samp() (DuckDB and PostgreSQL both refuse them with a raw binder error).
// ClickHouse spells UInt64, Decimal64(2); its Nullable(…) wrapper is removed by the source.
const NUMERIC =
  /^(TINYINT|SMALLINT|UINT\d*|DECIMAL\d*|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT\d*|FLOAT\d*|SMALLSERIAL|SERIAL|BIGSERIAL|DOUBLE PRECISION)(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i
const NEEDS_NUMBER = new Set<MetricSpec['kind']>([
  'sum',
  'average',
  'minimum',
  'maximum',
  'variance',
  'stddev',
])

function closest(name: string, options: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  return options.find((o) => o.toLowerCase() === lower) ?? didYouMean(name, options)
}

/** Fails the run before any scan when a check reads a column the dataset lacks or cannot aggregate. */
function validateColumns(
  dataset: string,
  source: DataSource,
  columns: ColumnInfo[],
  needs: readonly MetricNeed[],
): void {
  const byName = new Map(columns.map((c) => [c.name, c]))
  const names = columns.map((c) => c.name)
  for (const need of needs) {
    for (const col of metricColumns(need.spec)) {
      const info = byName.get(col)
      if (!info) {
        const hint = closest(col, names)
        throw new DqxError(
          'MISSING_COLUMN',
          `check '${need.check}': column '${col}' (in ${metricName(need.spec)}) does not exist in dataset '${dataset}' (${source.describe()})${hint ? ` — did you mean '${hint}'?` : ''}; columns are: ${names.join(', ') || `(none${source.kind === 'records' ? ' — for empty records declare columns with fromRecords([], { schema })' : ''})`}`,
        )
      }
      if (NEEDS_NUMBER.has(need.spec.kind) && info.type !== '' && !NUMERIC.test(info.type)) {
        throw new DqxError(
          'CHECK_DEFINITION',
          `check '${need.check}': ${metricName(need.spec)} needs a numeric column, but '${col}' in dataset '${dataset}' is ${info.type}`,
        )
      }
    }
    if (source.dateColumn !== undefined && !byName.has(source.dateColumn)) {
      throw new DqxError(
        'MISSING_COLUMN',
        `dataset '${dataset}': dateColumn '${source.dateColumn}' does not exist (${source.describe()}); columns are: ${names.join(', ')}`,
      )
    }
  }
}

function toNumber(v: unknown, what: string): { value: number | null; error?: string } {
  if (v === null || v === undefined) return { value: null }
  if (typeof v === 'number') return { value: v }
  if (typeof v === 'bigint') return { value: Number(v) }
  if (typeof v === 'boolean') return { value: v ? 1 : 0 }
  return {
    value: null,
    error: `${what} returned ${typeof v === 'object' ? 'a non-numeric value' : typeof v} (${String(v)}), expected a number`,
  }
}

/**
 * Computes every metric the checks need. Per dataset and per date it issues
 * exactly one batched SELECT; lagged values come from the MetricDB first and,
 * when the source has a dateColumn, from a scan of that day otherwise.
 */
export async function computeMetrics(opts: ComputeOptions): Promise<Map<string, MetricValue>> {
  const { needs, sources, key, db, session, logger } = opts
  const byDataset = new Map<string, MetricNeed[]>()
  for (const n of needs) {
    const list = byDataset.get(n.dataset)
    if (list) list.push(n)
    else byDataset.set(n.dataset, [n])
  }
  const datasets = [...byDataset.keys()]
  const freshOf = new Map<string, StoredMetric[]>()
  // Per dataset, merged in dataset order afterwards: the result does not depend on which scan ended first.
  const valuesOf = new Map<string, Map<string, MetricValue>>()
  const notify = (event: ScanEvent): void => {
    try {
      publishScan(event, opts.onScan)
    } catch (err) {
      // A progress display must never fail a run.
      logger.warn({ err: toError(err), dataset: event.dataset }, 'scan listener threw')
    }
  }

  await eachLimited(datasets, opts.scanConcurrency ?? DEFAULT_SCAN_CONCURRENCY, async (dataset) => {
    const list = byDataset.get(dataset) as MetricNeed[]
    const fresh: StoredMetric[] = []
    freshOf.set(dataset, fresh)
    const out = new Map<string, MetricValue>()
    valuesOf.set(dataset, out)
    const source = sources[dataset] as DataSource
    const bound = await source.bind(session, dataset)
    const columns = await bound.describe()
    if (columns !== undefined) validateColumns(dataset, source, columns, list)
    opts.onBound?.(dataset, bound, columns ?? [])
    const checksOf = new Map<string, Set<string>>()
    for (const n of list) {
      const name = metricName(n.spec)
      const set = checksOf.get(name) ?? new Set<string>()
      set.add(n.check)
      checksOf.set(name, set)
    }

    // Group distinct specs by lag; lag 0 is always computed fresh.
    const perDate = new Map<string, Map<string, { spec: MetricSpec; lags: Set<number> }>>()
    const want = (date: string, spec: MetricSpec, lag: number): void => {
      let specs = perDate.get(date)
      if (!specs) {
        specs = new Map()
        perDate.set(date, specs)
      }
      const name = metricName(spec)
      const entry = specs.get(name)
      if (entry) entry.lags.add(lag)
      else specs.set(name, { spec, lags: new Set([lag]) })
    }
    for (const n of list) {
      const date = key.lag(n.lag).date
      if (n.lag === 0) {
        want(date, n.spec, 0)
        continue
      }
      const k = valueKey(dataset, n.spec, n.lag)
      if (out.has(k)) continue
      const stored = await db.getMetric({ metric: metricName(n.spec), dataset, date, tags: key.tags })
      if (stored) out.set(k, { value: stored.value, date })
      else if (source.dateColumn !== undefined) want(date, n.spec, n.lag)
      else {
        const tags = formatTags(key.tags)
        out.set(k, {
          value: null,
          date,
          error: `no value of ${metricName(n.spec)} on '${dataset}' for ${date}${tags ? ` [${tags}]` : ''} in the MetricDB (${db.description}); run the suite for that day first, or give the data source a dateColumn`,
        })
      }
    }

    for (const [date, specs] of perDate) {
      const entries = [...specs.values()]
      const values = await scan(
        bound,
        source,
        dataset,
        date,
        entries.map((e) => e.spec),
        logger,
        (spec) => [...(checksOf.get(metricName(spec)) as Set<string>)],
        (event) => notify({ suite: opts.suite, runId: opts.runId, ...event }),
      )
      entries.forEach((e, i) => {
        const r = toNumber(values[`m${i}`], `${metricName(e.spec)} on '${dataset}'`)
        for (const lag of e.lags) {
          const v: MetricValue = { value: r.value, date }
          if (r.error !== undefined) v.error = r.error
          out.set(valueKey(dataset, e.spec, lag), v)
        }
        if (r.error === undefined) {
          fresh.push({
            metric: metricName(e.spec),
            dataset,
            date,
            tags: { ...key.tags },
            value: r.value,
            suite: opts.suite,
            runId: opts.runId,
          })
        }
      })
    }
  })
  const fresh = datasets.flatMap((d) => freshOf.get(d) ?? [])
  const out = new Map(datasets.flatMap((d) => [...(valuesOf.get(d) ?? [])]))
  if (fresh.length > 0) await db.putMetrics(fresh)
  return out
}

async function scan(
  bound: BoundSource,
  source: DataSource,
  dataset: string,
  date: string,
  specs: MetricSpec[],
  logger: Logger,
  checksOf: (spec: MetricSpec) => string[],
  notify: (event: Omit<ScanEvent, 'suite' | 'runId'>) => void,
): Promise<Record<string, unknown>> {
  const params = new Params(bound.dialect)
  const plan =
    source.dateColumn === undefined
      ? { relation: bound.relation, metrics: specs }
      : { relation: bound.relation, metrics: specs, dateFilter: { column: source.dateColumn, date } }
  const sql = compileScan(bound.dialect, plan, params)
  logger.debug({ dataset, date, metrics: specs.length, sql }, 'scan')
  const base = { dataset, date, metrics: specs.length, sql }
  notify({ ...base, phase: 'start', statements: 1 })
  const t0 = performance.now()
  let statements = 1
  const rowsIndex = specs.findIndex((s) => s.kind === 'numRows')
  const end = (row: Record<string, unknown> | undefined, error?: unknown): void => {
    const event: Omit<ScanEvent, 'suite' | 'runId'> = {
      ...base,
      phase: 'end',
      statements,
      durationMs: performance.now() - t0,
    }
    const n = rowsIndex >= 0 ? row?.[`m${rowsIndex}`] : undefined
    if (typeof n === 'number' || typeof n === 'bigint') event.rows = Number(n)
    if (error !== undefined) event.error = toError(error)
    notify(event)
  }
  try {
    const row = await scanOnce()
    end(row)
    return row
  } catch (err) {
    end(undefined, err)
    throw err
  }

  async function scanOnce(): Promise<Record<string, unknown>> {
    let rows: Record<string, unknown>[]
    try {
      rows = await bound.query(sql, params.values)
    } catch (err) {
      // Sources raise DqxErrors; only SQL ones (not unreadable files) are about a metric.
      if ((err as DqxError).code !== 'SQL') throw err
      if (
        /out of range/i.test((err as Error).message) &&
        specs.some((s) => s.kind === 'variance' || s.kind === 'stddev')
      ) {
        // NaN/±Infinity in the data: scan again with statistics that yield NaN rather than an error.
        const safeParams = new Params(bound.dialect)
        const safeSql = compileScan(bound.dialect, { ...plan, nonFiniteSafe: true }, safeParams)
        logger.debug({ dataset, date, metrics: specs.length, sql: safeSql }, 'scan (non-finite safe)')
        statements = 2
        try {
          return (await bound.query(safeSql, safeParams.values))[0] as Record<string, unknown>
        } catch (again) {
          if ((again as DqxError).code !== 'SQL') throw again
          throw await explainScanError(bound, specs, checksOf, again as DqxError)
        }
      }
      throw await explainScanError(bound, specs, checksOf, err as DqxError)
    }
    // An aggregate SELECT without GROUP BY always returns exactly one row.
    return rows[0] as Record<string, unknown>
  }
}

const checkList = (checks: readonly string[]): string =>
  `check${checks.length === 1 ? '' : 's'} ${checks.map((c) => `'${c}'`).join(', ')}`

/**
 * The batched scan failed and its error names only the dataset. Finds the metric (and so the
 * check) that breaks it by compiling each metric alone over zero rows (parser and binder errors
 * show without reading data); otherwise names every check the scan served. Error path only.
 */
async function explainScanError(
  bound: BoundSource,
  specs: readonly MetricSpec[],
  checksOf: (spec: MetricSpec) => string[],
  err: DqxError,
): Promise<DqxError> {
  for (const spec of specs) {
    const params = new Params(bound.dialect)
    const relation = (p: Params) => `(SELECT * FROM ${bound.relation(p)} AS dqx_probe LIMIT 0)`
    const sql = compileScan(bound.dialect, { relation, metrics: [spec] }, params)
    try {
      await bound.query(sql, params.values)
    } catch (probe) {
      // The source's own error already names the dataset and source: `dataset 'd' (csv …): …`.
      return new DqxError(
        'SQL',
        `${checkList(checksOf(spec))}: ${metricName(spec)} failed in ${toError(probe).message}`,
        {
          cause: probe,
        },
      )
    }
  }
  const all = [...new Set(specs.flatMap(checksOf))]
  return new DqxError('SQL', `${err.message} (scanning for ${checkList(all)})`, { cause: err.cause })
}
