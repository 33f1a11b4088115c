import { formatValue, truncate } from '../core/format.js'
import { formatTags } from '../core/result-key.js'
import { type AssertionResult, SEVERITIES, type Severity } from '../core/types.js'
import { type RunView, runStatus } from './first-party.js'
import { type StatusChange, scopeLabel } from './routing.js'

// Text shared by the alerting plugins (email, webhook): headlines, failed
// assertions grouped by severity, values and bounds, tags.

export { formatValue, truncate }

/** One line: no CR/LF (header injection), runs of whitespace collapsed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** FAILED results by severity, worst first; severities without failures are left out. */
export function failuresBySeverity(results: readonly AssertionResult[]): [Severity, AssertionResult[]][] {
  const out: [Severity, AssertionResult[]][] = []
  for (const sev of SEVERITIES) {
    const list = results.filter((r) => r.status === 'FAILED' && r.severity === sev)
    if (list.length > 0) out.push([sev, list])
  }
  return out
}

/** Why a result failed, in one line: `value 10, expected < 5` or the evaluation error. */
export function failureReason(r: AssertionResult): string {
  if (r.error !== undefined) return r.value === null ? r.error : `value ${formatValue(r.value)}: ${r.error}`
  return r.bound === undefined
    ? `value ${formatValue(r.value)}`
    : `value ${formatValue(r.value)}, expected ${r.bound}`
}

const STATUS_WORD = { passed: 'PASSED', failed: 'FAILED', error: 'ERROR' } as const

export function statusWord(view: Pick<RunView, 'summary' | 'error'>): 'PASSED' | 'FAILED' | 'ERROR' {
  return STATUS_WORD[runStatus(view)]
}

/** `2 failed, 3 passed, 0 skipped` */
export function countsText(view: Pick<RunView, 'summary'>): string {
  const s = view.summary
  return `${s.failed} failed, ${s.passed} passed, ${s.skipped} skipped`
}

/** `nightly 2026-11-25 (env=prod)` */
export function runLabel(view: Pick<RunView, 'suiteName' | 'key'>): string {
  const tags = formatTags(view.key.tags)
  return `${view.suiteName} ${view.key.date}${tags ? ` (${tags})` : ''}`
}

/** `nightly 2026-11-25 (env=prod): FAILED — 2 failed, 3 passed, 0 skipped` (or the run error). */
export function headline(view: Pick<RunView, 'suiteName' | 'key' | 'summary' | 'error'>): string {
  const word = statusWord(view)
  const detail = view.error !== undefined ? `run failed: ${oneLine(view.error.message)}` : countsText(view)
  return `${runLabel(view)}: ${word} — ${detail}`
}

/** `P0: 1, P1: 2` for the severities with failures, or 'none'. */
export function failureCounts(view: Pick<RunView, 'summary'>): string {
  const parts = SEVERITIES.filter((s) => view.summary.failuresBySeverity[s] > 0).map(
    (s) => `${s}: ${view.summary.failuresBySeverity[s]}`,
  )
  return parts.length === 0 ? 'none' : parts.join(', ')
}

/** Plain data for a report or a JSON payload: ResultKey, Dates and Errors made JSON-friendly. */
export function plainKey(view: Pick<RunView, 'key'>): { date: string; tags: Record<string, string> } {
  return { date: view.key.date, tags: { ...view.key.tags } }
}

/** Sample rows shown per failure in messages (email, Slack) unless `maxSampleRows` says otherwise. */
export const DEFAULT_SAMPLE_ROWS = 3
/** A sample value in a message: longer ones end with '…'. */
export const SAMPLE_VALUE_MAX = 40
/** Columns of one sample row shown in the HTML table (the text form is cut by length instead). */
export const SAMPLE_COLUMNS_MAX = 8

/** A sample cell for people: one line, at most SAMPLE_VALUE_MAX characters; null as 'null', objects as JSON. */
export function formatSampleValue(v: unknown): string {
  const text = v === null || v === undefined || typeof v !== 'object' ? String(v) : JSON.stringify(v)
  return truncate(oneLine(text), SAMPLE_VALUE_MAX)
}

/** The first `max` sample rows of a result, with their columns (first seen first), or undefined without any. */
export function sampleTable(
  r: AssertionResult,
  max: number,
): { columns: string[]; rows: Record<string, unknown>[]; total: number } | undefined {
  if (r.samples === undefined) return undefined
  const rows = r.samples.rows.slice(0, Math.max(0, max))
  if (rows.length === 0) return undefined
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  return { columns, rows, total: Math.max(r.samples.total, rows.length) }
}

/** `id=4, email=null`: one sample row as key=value pairs, cut at `max` characters. */
export function samplePairs(row: Record<string, unknown>, max = 160): string {
  const text = Object.entries(row)
    .map(([k, v]) => `${truncate(oneLine(k), SAMPLE_VALUE_MAX)}=${formatSampleValue(v)}`)
    .join(', ')
  return truncate(text, max)
}

/** `3 of 412 rows`. */
export function sampleCaption(t: { rows: readonly unknown[]; total: number }): string {
  return `${t.rows.length} of ${t.total} row${t.total === 1 ? '' : 's'}`
}

/** `newly failing: P0 orders › few null emails (PASSED → FAILED)`; a new assertion shows `new →`. */
export function changeLine(c: StatusChange): string {
  const r = c.result
  return `${c.kind}: ${r.severity} ${oneLine(r.check)} › ${oneLine(r.assertion)} (${c.previous ?? 'new'} → ${r.status})`
}

/** `P0–P1; failures below not listed: P2: 1, P3: 4` for a routed message, or undefined for the whole run. */
export function scopeText(view: Pick<RunView, 'route'>): string | undefined {
  if (view.route === undefined) return undefined
  const { minSeverity, omitted } = view.route
  const below = omitted.map(([s, n]) => `${s}: ${n}`).join(', ')
  return `${scopeLabel(minSeverity)}${below ? `; failures below not listed: ${below}` : ''}`
}
