import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError, toError } from '../core/errors.js'
import { type MetricSpec, metricColumns, metricName } from '../core/metric-spec.js'
import { formatTags, type ResultKey } from '../core/result-key.js'
import { logicalType } from '../core/schema.js'
import type { BoundSource, ColumnInfo, DataSource, EngineSession } from './data-source.js'
import { compileScan, type OrphanQueryPlan } from './dialect.js'
import type { MetricDB, StoredMetric } from './metric-db.js'
import { publishScan, type ScanEvent, type ScanListener } from './scan-events.js'
import { Params } from './sql.js'

/** One metric a check needs, with the check that needs it (for error messages). */
export interface MetricNeed {
  dataset: string
  spec: MetricSpec
  lag: number
  check: string
  /** The metric's `ttlDays` in this check (the longest of a metric's needs is stored with its values). */
  ttlDays?: number | undefined
}

/**
 * One statement that computed metric values: a dataset's batched scan (or its non-finite-safe
 * re-run) or an orphanCount anti-join. `metrics[i]` is the metric name of column `m<i>`.
 */
export interface MetricQuery {
  dataset: string
  date: string
  kind: 'scan' | 'orphanCount'
  sql: string
  /** The bound parameters, in placeholder order. */
  params: readonly unknown[]
  metrics: readonly string[]
}

/** A metric's value for the run: a number, NULL (no non-null input), or why it is unavailable. */
export interface MetricValue {
  value: number | null
  date: string
  error?: string
  /** A lagged value the MetricDB does not hold (data availability judges it). */
  missing?: true
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
  /**
   * Datasets a schema assertion (expectSchema) reads: bound and described even when no metric
   * reads them, and a metric reading a column they lack fails alone (its value carries the error)
   * instead of failing the run — the schema assertion reports the missing column.
   */
  schemaDatasets?: ReadonlySet<string>
  /** Called at the start and end of every scan (besides the `dqx:scan` diagnostics channel). */
  onScan?: ScanListener
  /** Datasets bound and scanned at once (default: the number of CPUs). */
  scanConcurrency?: number
  /** Called with each statement whose values the run used (suite.explain shows them). */
  onQuery?: (query: MetricQuery) => void
  /**
   * Where the freshly computed values go for the caller to store with the rest of the run (one
   * write per run, `MetricDB.writeRun`). Without it they are written to `db` before returning.
   */
  fresh?: StoredMetric[]
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

type OrphanSpec = Extract<MetricSpec, { kind: 'orphanCount' }>

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
  'quantile',
  'approxQuantile',
  'median',
])

/** True when `column` of the metric must be numeric (first(): its value column, not its orderBy). */
function needsNumber(spec: MetricSpec, column: string): boolean {
  if (spec.kind === 'first') return column === spec.column
  return NEEDS_NUMBER.has(spec.kind) || (spec.kind === 'validCount' && spec.rule.kind === 'between')
}

function closest(name: string, options: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  return options.find((o) => o.toLowerCase() === lower) ?? didYouMean(name, options)
}

/**
 * Fails the run before any scan when a check reads a column the dataset lacks or cannot aggregate.
 * With `lenient` (the dataset has a schema assertion) a missing column is returned instead, as
 * the error of each metric reading it (by metric name).
 */
function validateColumns(
  dataset: string,
  source: DataSource,
  columns: ColumnInfo[],
  needs: readonly MetricNeed[],
  lenient: boolean,
): Map<string, string> {
  const byName = new Map(columns.map((c) => [c.name, c]))
  const names = columns.map((c) => c.name)
  const missing = new Map<string, string>()
  for (const need of needs) {
    for (const col of metricColumns(need.spec)) {
      const info = byName.get(col)
      if (!info && lenient) {
        missing.set(
          metricName(need.spec),
          `column '${col}' (in ${metricName(need.spec)}) does not exist in dataset '${dataset}' (${source.describe()}); see its schema assertion`,
        )
        continue
      }
      if (!info) {
        const hint = closest(col, names)
        throw new DqxError(
          'MISSING_COLUMN',
          `check '${need.check}': column '${col}' (in ${metricName(need.spec)}) does not exist in dataset '${dataset}' (${source.describe()})${hint ? ` — did you mean '${hint}'?` : ''}; columns are: ${names.join(', ') || `(none${source.kind === 'records' ? ' — for empty records declare columns with fromRecords([], { schema })' : ''})`}`,
        )
      }
      // An empty type: the engine could not say (the check falls to the engine's own error).
      if (needsNumber(need.spec, col) && info.type !== '' && !NUMERIC.test(info.type)) {
        throw new DqxError(
          'CHECK_DEFINITION',
          `check '${need.check}': ${metricName(need.spec)} needs a numeric column, but '${col}' in dataset '${dataset}' is ${info.type}`,
        )
      }
      if (need.spec.kind === 'freshnessHours' && info.type !== '') {
        const logical = logicalType(info.type)
        if (logical !== 'date' && logical !== 'timestamp') {
          throw new DqxError(
            'CHECK_DEFINITION',
            `check '${need.check}': ${metricName(need.spec)} needs a DATE, TIMESTAMP or TIMESTAMPTZ column, but '${col}' in dataset '${dataset}' (${source.describe()}) is ${info.type}; convert it in the source, e.g. DataSource.sql("SELECT *, CAST(${col} AS TIMESTAMP) AS ${col}_ts FROM …")`,
          )
        }
      }
    }
    if (source.dateColumn !== undefined && !byName.has(source.dateColumn)) {
      throw new DqxError(
        'MISSING_COLUMN',
        `dataset '${dataset}': dateColumn '${source.dateColumn}' does not exist (${source.describe()}); columns are: ${names.join(', ')}`,
      )
    }
  }
  return missing
}

/** Seconds since the epoch that freshnessHours measures to: 24:00 UTC of `date`, or now. */
function freshnessReference(date: string, relativeTo: 'keyEnd' | 'now'): number {
  if (relativeTo === 'now') return Date.now() / 1000
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d + 1) / 1000
}

/** A raw scan value as the metric's value: freshnessHours scans the epoch of max(col). */
function finish(spec: MetricSpec, value: number | null, date: string): number | null {
  if (spec.kind !== 'freshnessHours' || value === null) return value
  return (freshnessReference(date, spec.relativeTo) - value) / 3600
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
  // Each dataset is bound once per run, also when it is only referenced by orphanCount.
  type Bound = { bound: BoundSource; columns: ColumnInfo[] | undefined }
  const binding = new Map<string, Promise<Bound>>()
  const bindOnce = (dataset: string): Promise<Bound> => {
    let found = binding.get(dataset)
    if (!found) {
      found = (async () => {
        const bound = await (sources[dataset] as DataSource).bind(session, dataset)
        return { bound, columns: await bound.describe() }
      })()
      binding.set(dataset, found)
    }
    return found
  }
  for (const dataset of opts.schemaDatasets ?? []) {
    if (!byDataset.has(dataset) && Object.hasOwn(sources, dataset)) byDataset.set(dataset, [])
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
    const { bound, columns } = await bindOnce(dataset)
    // Sources that cannot describe their columns (undefined) skip the checks before the scan.
    const broken =
      columns === undefined
        ? new Map<string, string>()
        : validateColumns(dataset, source, columns, list, opts.schemaDatasets?.has(dataset) ?? false)
    const orphanRefs = await validateReferences(dataset, bound, list, sources, bindOnce, opts.onBound)
    opts.onBound?.(dataset, bound, columns ?? [])
    const checksOf = new Map<string, Set<string>>()
    const ttlOf = new Map<string, number>()
    for (const n of list) {
      const name = metricName(n.spec)
      if (n.ttlDays !== undefined) ttlOf.set(name, Math.max(n.ttlDays, ttlOf.get(name) ?? 0))
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
      const error = broken.get(metricName(n.spec))
      if (error !== undefined) {
        out.set(valueKey(dataset, n.spec, n.lag), { value: null, date, error })
        continue
      }
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
          missing: true,
        })
      }
    }

    for (const [date, specs] of perDate) {
      const all = [...specs.values()]
      const entries = all.filter((e) => e.spec.kind !== 'orphanCount')
      const orphans = all.filter((e) => e.spec.kind === 'orphanCount')
      const record = (e: (typeof all)[number], raw: unknown): void => {
        const r = toNumber(raw, `${metricName(e.spec)} on '${dataset}'`)
        const value = finish(e.spec, r.value, date)
        for (const lag of e.lags) {
          const v: MetricValue = { value, date }
          if (r.error !== undefined) v.error = r.error
          out.set(valueKey(dataset, e.spec, lag), v)
        }
        if (r.error === undefined) {
          const row: StoredMetric = {
            metric: metricName(e.spec),
            dataset,
            date,
            tags: { ...key.tags },
            value,
            suite: opts.suite,
            runId: opts.runId,
          }
          const ttlDays = ttlOf.get(row.metric)
          if (ttlDays !== undefined) row.ttlDays = ttlDays
          fresh.push(row)
        }
      }
      // One query per referenced dataset: every orphanCount of the pair as one anti-join count each.
      const byReference = new Map<string, typeof all>()
      for (const e of orphans) {
        const ref = (e.spec as OrphanSpec).reference.dataset
        byReference.set(ref, [...(byReference.get(ref) ?? []), e])
      }
      // The one scan (unless the date needs only orphanCounts), then one query per referenced dataset.
      if (entries.length > 0) {
        const values = await scan(
          bound,
          source,
          dataset,
          date,
          entries.map((e) => e.spec),
          logger,
          (spec) => [...(checksOf.get(metricName(spec)) as Set<string>)],
          (event) => notify({ suite: opts.suite, runId: opts.runId, ...event }),
          opts.onQuery,
        )
        for (const [i, e] of entries.entries()) record(e, values[`m${i}`])
      }
      for (const [ref, group] of byReference) {
        const reference = { dataset: ref, bound: orphanRefs.get(ref) as BoundSource }
        const row = await orphanQuery(bound, source, dataset, date, reference, group, logger, opts.onQuery)
        for (const [i, e] of group.entries()) record(e, row[`m${i}`])
      }
    }
  })
  const fresh = datasets.flatMap((d) => freshOf.get(d) ?? [])
  const out = new Map(datasets.flatMap((d) => [...(valuesOf.get(d) ?? [])]))
  if (opts.fresh) opts.fresh.push(...fresh)
  else if (fresh.length > 0) await db.putMetrics(fresh)
  return out
}

/**
 * Checks every orphanCount of a dataset before its scan: the referenced dataset is among the
 * run's datasources, has the referenced column, and runs on the same engine (one statement must
 * read both). Returns each referenced dataset's binding.
 */
async function validateReferences(
  dataset: string,
  bound: BoundSource,
  needs: readonly MetricNeed[],
  sources: Readonly<Record<string, DataSource>>,
  bindOnce: (dataset: string) => Promise<{ bound: BoundSource; columns: ColumnInfo[] | undefined }>,
  onBound: ComputeOptions['onBound'],
): Promise<Map<string, BoundSource>> {
  const out = new Map<string, BoundSource>()
  for (const need of needs) {
    if (need.spec.kind !== 'orphanCount') continue
    const { dataset: ref, column } = need.spec.reference
    const what = `check '${need.check}': ${metricName(need.spec)} on '${dataset}'`
    if (!Object.hasOwn(sources, ref)) {
      const available = Object.keys(sources)
      const hint = didYouMean(ref, available)
      throw new DqxError(
        'DATA_SOURCE',
        `${what} references dataset '${ref}', which is not among the run's datasources (${available.map((d) => `'${d}'`).join(', ')})${hint ? ` — did you mean '${hint}'?` : ''}; pass it to run() (it need not be in the check's datasets)`,
      )
    }
    const target = await bindOnce(ref)
    const refColumns = target.columns
    if (refColumns !== undefined && !refColumns.some((c) => c.name === column)) {
      const hint = closest(
        column,
        refColumns.map((c) => c.name),
      )
      throw new DqxError(
        'MISSING_COLUMN',
        `${what}: column '${column}' does not exist in the referenced dataset '${ref}' (${(sources[ref] as DataSource).describe()})${hint ? ` — did you mean '${hint}'?` : ''}; columns are: ${refColumns.map((c) => c.name).join(', ')}`,
      )
    }
    if (bound.engine === undefined || bound.engine !== target.bound.engine) {
      throw new DqxError(
        'DATA_SOURCE',
        `${what}: '${dataset}' (${(sources[dataset] as DataSource).describe()}) and '${ref}' (${(sources[ref] as DataSource).describe()}) are on different engines, so no single query can anti-join them; put both on one engine (files and records are all read by DuckDB; PostgreSQL tables must be in the same database, ClickHouse tables on the same server, login and database)`,
      )
    }
    // Reported like a scanned dataset: failed-row samples of orphans read it, and its schema is stored.
    if (!out.has(ref)) onBound?.(ref, target.bound, refColumns ?? [])
    out.set(ref, target.bound)
  }
  return out
}

/** One statement for the orphanCounts of one (dataset, referenced dataset) pair and date. */
async function orphanQuery(
  bound: BoundSource,
  source: DataSource,
  dataset: string,
  date: string,
  reference: { dataset: string; bound: BoundSource },
  group: readonly { spec: MetricSpec }[],
  logger: Logger,
  onQuery: ComputeOptions['onQuery'],
): Promise<Record<string, unknown>> {
  const params = new Params(bound.dialect)
  const plan: OrphanQueryPlan = {
    relation: bound.relation,
    reference: reference.bound.relation,
    keys: group.map((e) => {
      const spec = e.spec as OrphanSpec
      return { column: spec.column, refColumn: spec.reference.column }
    }),
  }
  if (source.dateColumn !== undefined) plan.dateFilter = { column: source.dateColumn, date }
  const sql = bound.dialect.renderOrphanQuery(plan, params)
  logger.debug({ dataset, reference: reference.dataset, date, metrics: group.length, sql }, 'orphan query')
  const row = (await bound.query(sql, params.values))[0] as Record<string, unknown>
  onQuery?.({
    dataset,
    date,
    kind: 'orphanCount',
    sql,
    params: [...params.values],
    metrics: group.map((e) => metricName(e.spec)),
  })
  return row
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
  onQuery: ComputeOptions['onQuery'],
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
  const used = { sql, params: params.values }
  try {
    const row = await scanOnce()
    end(row)
    const metrics = specs.map(metricName)
    onQuery?.({ dataset, date, kind: 'scan', sql: used.sql, params: [...used.params], metrics })
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
          const row = (await bound.query(safeSql, safeParams.values))[0] as Record<string, unknown>
          used.sql = safeSql
          used.params = safeParams.values
          return row
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
