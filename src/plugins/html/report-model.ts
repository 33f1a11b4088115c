import { baselineStats } from '../../core/anomaly.js'
import { shiftDate } from '../../core/result-key.js'
import type { AnomalyDetail, AssertionResult, AssertionStatus, RunSummary } from '../../core/types.js'
import type { ColumnInfo } from '../../engine/data-source.js'
import type { MetricDB } from '../../engine/metric-db.js'

// What the HTML report shows, as plain data: the runs, their assertions, and one history series
// per assertion read from the MetricDB. Building it is the only part that does I/O; rendering
// (render-html.ts) is a pure function of it.

/** A finished run as the report needs it (a processResults/afterRun view, or stored results). */
export interface ReportRunInput {
  suiteName: string
  runId: string
  date: string
  tags: Readonly<Record<string, string>>
  startedAt?: Date | undefined
  durationMs?: number | undefined
  datasources: readonly string[]
  results: readonly AssertionResult[]
  summary: Readonly<RunSummary>
  error?: string | undefined
  /** Columns per dataset, when the run recorded or the caller described them. */
  schemas?: Readonly<Record<string, readonly ColumnInfo[]>> | undefined
}

/** Where the charts read history: one MetricDB, or each run's own (runs of suites with different DBs). */
export type HistorySource = MetricDB | ((run: ReportRunInput) => MetricDB)

/** One day of an assertion's history: the latest run's value and status on that date. */
export interface ChartPoint {
  date: string
  value: number | null
  status: AssertionStatus
}

/** What the assertion accepts, as lines on the chart (from its bound text). */
export interface ChartBounds {
  lo?: number
  hi?: number
  /** `isNotBetween`: the values between lo and hi fail. */
  outside?: boolean
}

/** The anomaly band of one day: the values its baseline would have accepted. */
export interface BandPoint {
  date: string
  lo: number
  hi: number
}

export interface ReportChart {
  check: string
  assertion: string
  expression: string
  bounds: ChartBounds
  points: ChartPoint[]
  band: BandPoint[]
}

export interface ReportRun extends ReportRunInput {
  charts: ReportChart[]
}

export interface ReportModel {
  title: string
  generatedAt: Date
  historyDays: number
  runs: ReportRun[]
}

const NUM = String.raw`(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|-?Infinity)`

/**
 * The lines a comparison assertion draws, read from its bound text (`>= 0`, `< 0.05`,
 * `in [1, 100]`, `not in [1, 2]`, `== 3`; tunables as `< 0.1 (max_null_rate)`). Bounds without a fixed value (`!= 3`, anomaly,
 * `(recorded)`) draw none.
 */
export function chartBounds(bound: string | undefined): ChartBounds {
  if (bound === undefined) return {}
  // A tunable bound names its tunable after the value: `< 0.1 (max_null_rate)`.
  const t = bound.trim().replace(/ \([A-Za-z_][\w.-]*\)/g, '')
  const range = new RegExp(`^(not )?in \\[${NUM}, ${NUM}\\]$`, 'i').exec(t)
  if (range) {
    const out: ChartBounds = { lo: Number(range[2]), hi: Number(range[3]) }
    return range[1] ? { ...out, outside: true } : out
  }
  const cmp = new RegExp(`^(>=|>|<=|<|==) ${NUM}$`, 'i').exec(t)
  if (!cmp) return {}
  const n = Number(cmp[2])
  const op = cmp[1] as string
  if (op === '==') return { lo: n, hi: n }
  return op.startsWith('>') ? { lo: n } : { hi: n }
}

const DAY_MS = 86_400_000
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS

/**
 * The anomaly band per day, recomputed from the chart's own history the way `isNotAnomalous`
 * judges: the window of days before each day (same weekday when weekly), FAILED days left out,
 * center ± threshold × scale of the method. Days with fewer baseline values than the assertion
 * needs get no band.
 */
export function anomalyBand(points: readonly ChartPoint[], detail: AnomalyDetail): BandPoint[] {
  if (detail.baseline === 'pinnedValue') {
    if (detail.center === null || detail.spread === null) return []
    const { center, spread } = detail
    const scale = detail.method === 'mad' ? 1.4826 * spread : spread
    return points.map((p) => ({
      date: p.date,
      lo: center - detail.threshold * scale,
      hi: center + detail.threshold * scale,
    }))
  }
  const window =
    detail.from !== null && detail.to !== null ? dayNumber(detail.to) - dayNumber(detail.from) + 1 : 14
  const needed = Math.max(detail.needed, detail.method === 'zscore' ? 2 : 1)
  const days = points.map((p) => dayNumber(p.date))
  const band: BandPoint[] = []
  let start = 0
  for (let i = 0; i < points.length; i += 1) {
    const today = days[i] as number
    while (start < i && (days[start] as number) < today - window) start += 1
    const values: number[] = []
    for (let j = start; j < i; j += 1) {
      const p = points[j] as ChartPoint
      if (p.value === null || p.status === 'FAILED' || !Number.isFinite(p.value)) continue
      if (detail.weekly && (((today - (days[j] as number)) % 7) + 7) % 7 !== 0) continue
      values.push(p.value)
    }
    if (values.length < needed) continue
    const s = baselineStats(detail.method, values)
    if (!Number.isFinite(s.scale)) continue
    band.push({
      date: (points[i] as ChartPoint).date,
      lo: s.center - detail.threshold * s.scale,
      hi: s.center + detail.threshold * s.scale,
    })
  }
  return band
}

/** The history of one assertion: value and status per date in the window, oldest first. */
async function chartOf(
  db: MetricDB,
  run: ReportRunInput,
  result: AssertionResult,
  historyDays: number,
): Promise<ReportChart> {
  const history = await db.getAssertionHistory({
    suite: run.suiteName,
    check: result.check,
    assertion: result.assertion,
    tags: run.tags,
    from: shiftDate(run.date, -historyDays),
    to: run.date,
  })
  const points: ChartPoint[] = history.map((h) => ({ date: h.date, value: h.value, status: h.status }))
  // The run being reported may not be stored yet (a MetricDB that failed to persist): show it anyway.
  const last = points.at(-1)
  if (last === undefined || last.date < run.date) {
    points.push({ date: run.date, value: result.value, status: result.status })
  }
  return {
    check: result.check,
    assertion: result.assertion,
    expression: result.expression,
    bounds: result.anomaly ? {} : chartBounds(result.bound),
    points,
    band: result.anomaly ? anomalyBand(points, result.anomaly) : [],
  }
}

/**
 * Reads each assertion's history from the MetricDB (`historyDays` days back from its run's date)
 * and returns what the HTML report renders. Assertions that never had a value (skipped, or
 * always failing to compute) get no chart.
 */
export async function buildReportModel(
  runs: readonly ReportRunInput[],
  db: HistorySource,
  options: { title?: string; historyDays: number; now?: Date },
): Promise<ReportModel> {
  const out: ReportRun[] = []
  for (const run of runs) {
    const charts: ReportChart[] = []
    for (const r of run.results) {
      const chart = await chartOf(typeof db === 'function' ? db(run) : db, run, r, options.historyDays)
      if (chart.points.some((p) => p.value !== null)) charts.push(chart)
    }
    out.push({ ...run, charts })
  }
  const first = runs[0]
  return {
    title: options.title ?? (first ? `dqx report — ${first.suiteName} ${first.date}` : 'dqx report'),
    generatedAt: options.now ?? new Date(),
    historyDays: options.historyDays,
    runs: out,
  }
}
