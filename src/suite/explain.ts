// suite.trace(report) / suite.explain(report): per assertion, where each of its metric values came
// from — the statement (and its column) that computed it, or the MetricDB — the value the run used
// next to the one stored now, and, for anomaly assertions, the stored history of the baseline window.
// Documented in docs/getting-started.md, "Explaining a report".
import type { CollectedCheck } from '../core/check.js'
import type { MetricRef } from '../core/expression.js'
import { metricName } from '../core/metric-spec.js'
import { formatTags } from '../core/result-key.js'
import type { AssertionResult, RunReport, SymbolInfo } from '../core/types.js'
import type { MetricQuery } from '../engine/metric-computer.js'
import type { MetricDB } from '../engine/metric-db.js'

/** Where the run got a symbol's value. */
export type SymbolSource =
  /** Computed by the dataset's batched scan (`query` holds it). */
  | 'scan'
  /** Computed by an orphanCount anti-join (`query` holds it). */
  | 'orphanCount'
  /** Read from the MetricDB (a lagged value stored by an earlier run). */
  | 'metricdb'
  /** Not available to the run: `error` says why. */
  | 'unavailable'
  /** The report was not produced by this suite object's run(), so its statements were not recorded. */
  | 'unrecorded'

export interface SymbolTrace {
  name: string
  metric: string
  dataset: string
  date: string
  /** The value the run used. */
  value: number | null
  error?: string
  source: SymbolSource
  /** The statement that computed the value, the column holding it (`m3`) and its bound parameters. */
  query?: { id: string; sql: string; params: readonly unknown[]; column: string }
  /** The MetricDB's value now (it can differ: a later run of the same day, a backfill); null when it holds none (never written, expired or deleted). */
  stored: { value: number | null } | null
}

/** An anomaly assertion's baseline window: a metric's values as stored now, failed days marked. */
export interface HistoryTrace {
  metric: string
  dataset: string
  from: string
  to: string
  values: { date: string; value: number | null; excluded: boolean }[]
}

export interface AssertionTrace {
  check: string
  assertion: string
  status: AssertionResult['status']
  severity: AssertionResult['severity']
  expression: string
  value: number | null
  bound?: string
  error?: string
  symbols: SymbolTrace[]
  history?: HistoryTrace[]
}

export interface RunTrace {
  suite: string
  runId: string
  date: string
  tags: Record<string, string>
  /** The MetricDB the stored values were read from. */
  db: string
  /** False for a report this suite object did not run (sources then read 'unrecorded'). */
  queriesRecorded: boolean
  /** Every statement that computed values, `q1` … in the order they ran. */
  queries: (MetricQuery & { id: string })[]
  assertions: AssertionTrace[]
}

const refName = (ref: MetricRef): string =>
  ref.lag === 0 ? metricName(ref.spec) : `lag(${ref.lag}, ${metricName(ref.spec)})`

/** The symbols an assertion reads, as `evaluate()` named them (dataset bound as the run bound it). */
function refsOf(collected: readonly CollectedCheck[], r: AssertionResult, report: RunReport): MetricRef[] {
  const spec = collected.find((c) => c.check.name === r.check)?.assertions.find((a) => a.name === r.assertion)
  if (!spec || spec.schema) return []
  // A check naming no dataset reads the run's only datasource (VerificationSuite.plan).
  const only = report.datasources.length === 1 ? report.datasources[0] : undefined
  const expr = only !== undefined ? spec.expr.withDataset(only) : spec.expr
  return expr.refs()
}

export interface TraceInput {
  report: RunReport
  collected: readonly CollectedCheck[]
  db: MetricDB
  /** The statements the run issued, when this suite object ran it. */
  queries: readonly MetricQuery[] | undefined
}

/** Builds the trace of a report: reads stored values (one getMetric per symbol) and anomaly windows. */
export async function traceRun({ report, collected, db, queries }: TraceInput): Promise<RunTrace> {
  const numbered = (queries ?? []).map((q, i) => ({ ...q, id: `q${i + 1}` }))
  const tags = { ...report.key.tags }
  const symbolOf = new Map<string, SymbolInfo>(
    report.symbols.map((s) => [`${s.dataset}\u0000${s.metric}`, s]),
  )
  const traced = new Map<string, SymbolTrace>()

  const traceSymbol = async (ref: MetricRef): Promise<SymbolTrace | undefined> => {
    const dataset = ref.dataset as string
    const k = `${dataset}\u0000${refName(ref)}`
    const known = traced.get(k)
    if (known) return known
    const sym = symbolOf.get(k)
    if (!sym) return undefined
    const metric = metricName(ref.spec)
    const stored = await db.getMetric({ metric, dataset, date: sym.date, tags })
    const t: SymbolTrace = {
      name: sym.name,
      metric: sym.metric,
      dataset,
      date: sym.date,
      value: sym.value,
      source: 'unrecorded',
      stored: stored ? { value: stored.value } : null,
    }
    if (sym.error !== undefined) t.error = sym.error
    const q = numbered.find((x) => x.dataset === dataset && x.date === sym.date && x.metrics.includes(metric))
    if (q) {
      t.source = q.kind === 'scan' ? 'scan' : 'orphanCount'
      t.query = { id: q.id, sql: q.sql, params: q.params, column: `m${q.metrics.indexOf(metric)}` }
    } else if (sym.error !== undefined) t.source = 'unavailable'
    else if (queries !== undefined) t.source = 'metricdb'
    traced.set(k, t)
    return t
  }

  const assertions: AssertionTrace[] = []
  for (const r of report.results) {
    const a: AssertionTrace = {
      check: r.check,
      assertion: r.assertion,
      status: r.status,
      severity: r.severity,
      expression: r.expression,
      value: r.value,
      symbols: [],
    }
    if (r.bound !== undefined) a.bound = r.bound
    if (r.error !== undefined) a.error = r.error
    const refs = r.status === 'SKIPPED' ? [] : refsOf(collected, r, report)
    for (const ref of refs) {
      const t = await traceSymbol(ref)
      if (t && !a.symbols.includes(t)) a.symbols.push(t)
    }
    const anomaly = r.anomaly
    if (anomaly?.from && anomaly.to) {
      a.history = []
      for (const ref of refs.filter((x) => x.lag === 0)) {
        const rows = await db.getHistory({
          metric: metricName(ref.spec),
          dataset: ref.dataset as string,
          tags,
          from: anomaly.from,
          to: anomaly.to,
        })
        a.history.push({
          metric: metricName(ref.spec),
          dataset: ref.dataset as string,
          from: anomaly.from,
          to: anomaly.to,
          values: rows.map((m) => ({
            date: m.date,
            value: m.value,
            excluded: anomaly.excluded.includes(m.date),
          })),
        })
      }
    }
    assertions.push(a)
  }
  return {
    suite: report.suiteName,
    runId: report.runId,
    date: report.key.date,
    tags,
    db: db.description,
    queriesRecorded: queries !== undefined,
    queries: numbered,
    assertions,
  }
}

const num = (v: number | null): string => (v === null ? 'NULL' : String(v))

function storedText(t: SymbolTrace): string {
  if (t.stored === null) return 'not in the MetricDB now (never written, expired or deleted)'
  if (Object.is(t.stored.value, t.value)) return `stored: ${num(t.stored.value)}`
  return `stored now: ${num(t.stored.value)} (differs from the value this run used)`
}

function sourceText(t: SymbolTrace, db: string): string {
  switch (t.source) {
    case 'scan':
    case 'orphanCount': {
      const q = t.query as NonNullable<SymbolTrace['query']>
      return `computed by ${q.id} (${t.source === 'scan' ? 'the scan' : 'the orphanCount query'}, column ${q.column})`
    }
    case 'metricdb':
      return `read from the MetricDB (${db})`
    case 'unavailable':
      return `unavailable: ${t.error}`
    case 'unrecorded':
      return 'source not recorded (this report was not produced by this suite object)'
  }
}

/** The trace as text: one block per assertion, then the statements once each. */
export function renderTrace(trace: RunTrace): string {
  const tagText = formatTags(trace.tags)
  const out = [
    `Explain: suite '${trace.suite}', run ${trace.runId}, ${trace.date}${tagText ? ` [${tagText}]` : ''}`,
  ]
  for (const a of trace.assertions) {
    out.push('')
    const value = a.value === null ? '' : ` = ${a.value}`
    const bound = a.bound ? `, expected ${a.bound}` : ''
    out.push(`${a.status}  ${a.check} › ${a.assertion} (${a.severity}): ${a.expression}${value}${bound}`)
    if (a.error !== undefined) out.push(`  error: ${a.error}`)
    for (const s of a.symbols) {
      out.push(`  ${s.name}  ${s.metric} on '${s.dataset}' for ${s.date} = ${num(s.value)}`)
      out.push(`      ${sourceText(s, trace.db)}`, `      ${storedText(s)}`)
    }
    for (const h of a.history ?? []) {
      const values = h.values.map((v) => `${v.date} ${num(v.value)}${v.excluded ? ' (excluded)' : ''}`)
      out.push(
        `  history of ${h.metric} on '${h.dataset}', ${h.from}..${h.to} (as stored now): ${values.join(', ') || 'none'}`,
      )
    }
  }
  if (trace.queries.length > 0) {
    out.push('', 'Queries')
    for (const q of trace.queries) {
      const what = q.kind === 'scan' ? 'scan' : 'orphanCount query'
      out.push(`  ${q.id}  ${what} of '${q.dataset}' for ${q.date} (${q.metrics.length} metric(s))`)
      out.push(`      ${q.sql}`)
      if (q.params.length > 0) out.push(`      params: ${JSON.stringify(q.params, jsonSafe)}`)
    }
  } else if (!trace.queriesRecorded) {
    out.push('', 'Queries: not recorded (explain a report returned by this suite object’s run())')
  }
  return out.join('\n')
}

/** bigint parameters (large integers) as text: JSON has no bigint. */
function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v
}
