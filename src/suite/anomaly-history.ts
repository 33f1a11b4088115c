// Reads what `isNotAnomalous` assertions judge against, before evaluation: pinned baselines, the
// assertion's own outcomes (failed days leave the baseline) and the metric history, fetched once
// per metric series for all anomaly assertions of the run.

import {
  type AnomalyBaseline,
  type AnomalyConfig,
  type AnomalyJudgement,
  baselineDates,
  datesBetween,
  judgeAnomaly,
  weekdayOf,
} from '../core/anomaly.js'
import type { AssertionSpec } from '../core/assertion.js'
import type { PlannedCheck } from '../core/evaluate.js'
import type { EvalResult, Expr, MetricRef } from '../core/expression.js'
import { metricName } from '../core/metric-spec.js'
import { formatTags, type ResultKey, shiftDate } from '../core/result-key.js'
import type { SkipCause } from '../core/types.js'
import type { StoredBaselinePin } from '../engine/baselines.js'
import type { MetricDB } from '../engine/metric-db.js'

export interface AnomalyHistoryOptions {
  db: MetricDB
  suite: string
  key: ResultKey
  checks: readonly PlannedCheck[]
  /**
   * Data availability (docs/operations.md): days declared unavailable for a dataset leave the
   * rolling baseline; with a threshold, a baseline with less than that share of its window's days
   * available is SKIPPED naming the missing days.
   */
  availability?: {
    skipDates(dataset: string): ReadonlySet<string>
    threshold: number | undefined
  }
}

/** Judges an anomaly assertion's value; undefined for every other assertion. */
export type AnomalyJudge = (
  check: string,
  assertion: AssertionSpec,
  value: number,
) => (AnomalyJudgement & { skipCause?: SkipCause }) | undefined

/** The datasets an expression reads, in order of first use. */
function datasetsOf(expr: Expr): string[] {
  return [...new Set(expr.refs().map((r) => r.dataset as string))]
}

/**
 * The key a baseline of this expression is pinned under: the expression text (for a single
 * metric, its metric text such as `sum(revenue)`) and its dataset(s), joined with ','.
 */
export function pinTarget(
  expr: Expr,
  tags: Readonly<Record<string, string>>,
): { metric: string; dataset: string; tags: Readonly<Record<string, string>> } {
  return { metric: expr.toString(), dataset: datasetsOf(expr).join(','), tags }
}

const seriesKey = (dataset: string, metric: string): string => `${dataset}\u0000${metric}`
const itemKey = (check: string, assertion: string): string => `${check}\u0000${assertion}`

interface Item {
  check: string
  spec: AssertionSpec
  config: AnomalyConfig
}

interface Plan {
  item: Item
  kind: 'history' | 'pinnedRange'
  /** Baseline dates still in play (failed days removed), oldest first. */
  dates: string[]
  from: string
  to: string
  excluded: string[]
  /** Window days declared unavailable (skipDates) and the window's length. */
  declared: string[]
  windowDays: number
}

const NEEDED = ['getAssertionHistory', 'getPinnedBaseline'] as const

/** Why a rolling baseline is too incomplete to judge against, or undefined (dataAvThreshold). */
function unavailableBaseline(
  p: Plan,
  missing: readonly string[],
  threshold: number | undefined,
): string | undefined {
  const available = p.windowDays - p.declared.length - missing.length
  if (threshold === undefined || available / p.windowDays >= threshold) return undefined
  const parts: string[] = []
  if (p.declared.length > 0) parts.push(`${p.declared.join(', ')} declared in skipDates`)
  if (missing.length > 0) parts.push(`no stored value for ${missing.join(', ')}`)
  return `data unavailable: ${parts.join('; ')} (${available} of ${p.windowDays} baseline days available, below dataAvThreshold ${threshold})`
}

/**
 * Prepares the baseline of every `isNotAnomalous` assertion of the run and returns the judge
 * `evaluate()` calls with each value. Issues no query at all when there is no such assertion.
 */
export async function loadAnomalyBaselines(o: AnomalyHistoryOptions): Promise<AnomalyJudge> {
  const items: Item[] = []
  for (const pc of o.checks) {
    if (pc.skipReason !== undefined) continue
    for (const spec of pc.assertions) {
      if (spec.anomaly) items.push({ check: pc.collected.check.name, spec, config: spec.anomaly })
    }
  }
  const baselines = new Map<string, AnomalyBaseline>()
  const unavailable = new Map<string, string>()
  const judge: AnomalyJudge = (check, spec, value) => {
    if (!spec.anomaly) return undefined
    const judged = judgeAnomaly(
      value,
      spec.anomaly,
      baselines.get(itemKey(check, spec.name)) as AnomalyBaseline,
    )
    const reason = unavailable.get(itemKey(check, spec.name))
    // Too little of the window is available: not judged, whatever the score (the detail stays).
    return reason === undefined
      ? judged
      : { ...judged, status: 'SKIPPED', error: reason, skipCause: 'data-unavailable' }
  }
  if (items.length === 0) return judge

  const db = o.db as unknown as Record<string, unknown>
  const lacking = NEEDED.filter((m) => typeof db[m] !== 'function')
  if (lacking.length > 0) {
    const error = `the MetricDB (${o.db.description}) has no ${lacking.join('/')} method, which isNotAnomalous needs; use MetricDB.memory(), MetricDB.duckdb(file) or MetricDB.postgres(url)`
    for (const it of items) baselines.set(itemKey(it.check, it.spec.name), { kind: 'unavailable', error })
    return judge
  }

  const { key } = o
  const weekday = weekdayOf(key.date)
  const plans: Plan[] = []
  for (const item of items) {
    const { spec, config } = item
    const pin: StoredBaselinePin | undefined = await o.db.getPinnedBaseline(pinTarget(spec.expr, key.tags))
    if (pin && 'value' in pin) {
      const b: AnomalyBaseline = { kind: 'pinnedValue', value: pin.value }
      if (pin.spread !== undefined) b.spread = pin.spread
      baselines.set(itemKey(item.check, spec.name), b)
      continue
    }
    if (pin) {
      const dates = datesBetween(pin.from, pin.to, config.weekly ? weekday : undefined)
      plans.push({
        item,
        kind: 'pinnedRange',
        dates,
        from: pin.from,
        to: pin.to,
        excluded: [],
        declared: [],
        windowDays: dates.length,
      })
      continue
    }
    const window = baselineDates(key.date, config)
    const from = window[0] as string
    const to = window[window.length - 1] as string
    const history = await o.db.getAssertionHistory({
      suite: o.suite,
      check: item.check,
      assertion: spec.name,
      tags: key.tags,
      from,
      to,
    })
    // A day is left out when its latest run judged the value and rejected it (FAILED without an
    // error). FAILED with an error (too little history, missing value) says nothing about the value.
    const bad = new Set(
      history.filter((e) => e.status === 'FAILED' && e.error === undefined).map((e) => e.date),
    )
    const skip = o.availability?.skipDates
    const readFrom = datasetsOf(spec.expr)
    const declared = skip ? window.filter((d) => readFrom.some((ds) => skip(ds).has(d))) : []
    plans.push({
      item,
      kind: 'history',
      dates: window.filter((d) => !bad.has(d) && !declared.includes(d)),
      from,
      to,
      excluded: window.filter((d) => bad.has(d)),
      declared,
      windowDays: window.length,
    })
  }

  // One read per metric series, over the union of every date any plan needs from it.
  const ranges = new Map<string, { dataset: string; metric: string; from: string; to: string }>()
  for (const p of plans) {
    if (p.dates.length === 0) continue
    for (const ref of p.item.spec.expr.refs()) {
      const dataset = ref.dataset as string
      const metric = metricName(ref.spec)
      const from = shiftDate(p.dates[0] as string, -ref.lag)
      const to = shiftDate(p.dates[p.dates.length - 1] as string, -ref.lag)
      const k = seriesKey(dataset, metric)
      const r = ranges.get(k)
      if (!r) ranges.set(k, { dataset, metric, from, to })
      else {
        if (from < r.from) r.from = from
        if (to > r.to) r.to = to
      }
    }
  }
  const series = new Map<string, Map<string, number | null>>()
  for (const [k, r] of ranges) {
    const rows = await o.db.getHistory({
      metric: r.metric,
      dataset: r.dataset,
      tags: key.tags,
      from: r.from,
      to: r.to,
    })
    series.set(k, new Map(rows.map((m) => [m.date, m.value])))
  }

  const tags = formatTags(key.tags)
  for (const p of plans) {
    const { spec, check, config } = p.item
    const values: number[] = []
    const missing: string[] = []
    for (const date of p.dates) {
      const lookup = (ref: MetricRef): EvalResult => {
        const v = series
          .get(seriesKey(ref.dataset as string, metricName(ref.spec)))
          ?.get(shiftDate(date, -ref.lag))
        return typeof v === 'number' && Number.isFinite(v)
          ? { ok: true, value: v }
          : { ok: false, error: 'missing' }
      }
      const r = spec.expr.evaluate(lookup)
      if (r.ok && Number.isFinite(r.value)) values.push(r.value)
      else missing.push(date)
    }
    const reason =
      p.kind === 'history' ? unavailableBaseline(p, missing, o.availability?.threshold) : undefined
    if (reason !== undefined) unavailable.set(itemKey(check, spec.name), reason)
    const datasets = datasetsOf(spec.expr)
      .map((d) => `'${d}'`)
      .join(', ')
    const b: AnomalyBaseline = {
      kind: p.kind,
      values,
      from: p.from,
      to: p.to,
      excluded: p.excluded,
      subject: `${spec.expr.toString()} on ${datasets}${tags ? ` [${tags}]` : ''}`,
    }
    if (config.weekly) b.weekday = weekday
    baselines.set(itemKey(check, spec.name), b)
  }
  return judge
}
