import Table from 'cli-table3'
import { formatValue, truncate } from '../core/format.js'
import { type AssertionResult, type RunReport, SEVERITIES, type Severity } from '../core/types.js'
import type { Colors } from './io.js'

/** Assertion failures whose severity is `failOn` or worse (P0 is the worst). */
export function failuresAtOrAbove(report: Pick<RunReport, 'results'>, failOn: Severity): number {
  const limit = SEVERITIES.indexOf(failOn)
  return report.results.filter((r) => r.status === 'FAILED' && SEVERITIES.indexOf(r.severity) <= limit).length
}

/** Values in the table and failure lines: compact, a dash for none. */
const CELL = { style: 'short', nullText: '—' } as const

/** Assertions of severity `failOn` or worse SKIPPED because the run did not provide their dataset. */
export function missingAtOrAbove(report: Pick<RunReport, 'results'>, failOn: Severity): number {
  const limit = SEVERITIES.indexOf(failOn)
  return report.results.filter(
    (r) =>
      r.status === 'SKIPPED' &&
      r.skipCause === 'dataset-not-provided' &&
      SEVERITIES.indexOf(r.severity) <= limit,
  ).length
}

/** What fails a run in the verdict and the exit code: failures, and missing datasets unless allowed. */
export interface Verdict {
  failOn: Severity
  /** --allow-skipped: an assertion skipped for a missing dataset does not fail the run. */
  allowSkipped?: boolean
}

/** The blocking assertions of a run: FAILED ones and (unless allowed) ones whose dataset is missing, at or above failOn. */
export function blockingCounts(
  report: Pick<RunReport, 'results'>,
  v: Verdict,
): { failed: number; missing: number } {
  return {
    failed: failuresAtOrAbove(report, v.failOn),
    missing: v.allowSkipped === true ? 0 : missingAtOrAbove(report, v.failOn),
  }
}

/** Word-wraps `text` into lines of at most `width` characters (longer words are split). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = []
  for (const para of text.split('\n')) {
    let line = ''
    for (let word of para.split(' ')) {
      while (word.length > width) {
        if (line !== '') out.push(line)
        line = ''
        out.push(word.slice(0, width))
        word = word.slice(width)
      }
      if (line === '') line = word
      else if (line.length + 1 + word.length <= width) line += ` ${word}`
      else {
        out.push(line)
        line = word
      }
    }
    out.push(line)
  }
  return out
}

function statusCell(r: AssertionResult, c: Colors): string {
  if (r.status === 'PASSED') return c.green('PASS')
  if (r.status === 'SKIPPED') return c.yellow('SKIP')
  return c.red(c.bold('FAIL'))
}

function severityCell(s: Severity, failed: boolean, c: Colors): string {
  if (!failed) return c.dim(s)
  return s === 'P0' ? c.red(s) : s === 'P1' ? c.yellow(s) : s
}

export interface FormatOptions extends Verdict {
  /** Total width the table may take (it never exceeds it). */
  width: number
  colors: Colors
}

/**
 * The results of one run as a table that fits `width` columns — names and
 * expressions are truncated — followed by the full text of every failure and
 * skip reason, and one summary line.
 */
export function formatReport(report: RunReport, o: FormatOptions): string {
  const c = o.colors
  // 5 columns: 6 border characters; status (4+2) and severity ('Sev' 3+2) are fixed.
  const valueWidth =
    Math.min(12, Math.max(5, ...report.results.map((r) => formatValue(r.value, CELL).length))) + 2
  const free = Math.max(30, o.width - 6 - 6 - 5 - valueWidth)
  const assertionW = Math.floor(free * 0.48)
  const exprW = free - assertionW
  const table = new Table({
    head: ['', 'Sev', 'Assertion', 'Value', 'Expression'].map((h) => c.bold(h)),
    colWidths: [6, 5, assertionW, valueWidth, exprW],
    colAligns: ['left', 'left', 'left', 'right', 'left'],
    style: { head: [], border: [], compact: true },
    wordWrap: false,
  })
  let check: string | undefined
  for (const r of report.results) {
    if (r.check !== check) {
      check = r.check
      table.push(['', '', c.bold(c.cyan(truncate(r.check, assertionW - 2))), '', ''])
    }
    const failed = r.status === 'FAILED'
    const expr = r.bound ? `${r.expression} ${r.bound}` : r.expression
    table.push([
      statusCell(r, c),
      severityCell(r.severity, failed, c),
      truncate(r.assertion, assertionW - 2),
      r.value === null ? c.dim('—') : formatValue(r.value, CELL),
      c.dim(truncate(expr, exprW - 2)),
    ])
  }
  const lines: string[] = []
  const tagText = Object.entries(report.key.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  lines.push(`${c.bold(report.suiteName)} ${c.dim(`${report.key.date}${tagText ? ` ${tagText}` : ''}`)}`)
  if (report.results.length > 0) lines.push(table.toString())
  else lines.push(c.dim('  (no assertions)'))

  const notes = report.results.filter((r) => r.status !== 'PASSED')
  if (notes.length > 0) {
    lines.push('')
    for (const r of notes) {
      const mark = r.status === 'FAILED' ? c.red('✖') : c.yellow('○')
      const why =
        r.error ??
        `${r.expression} = ${formatValue(r.value, CELL)}, expected ${r.bound ?? 'the assertion to hold'}`
      lines.push(`${mark} ${r.severity} ${truncate(`${r.check} › ${r.assertion}`, o.width - 5)}`)
      for (const l of wrap(why, o.width - 4)) lines.push(`    ${c.dim(l)}`)
    }
  }
  lines.push(...profileLines(report, o))
  lines.push('')
  lines.push(summaryLine(report, o))
  return `${lines.join('\n')}\n`
}

/** The profiles active on the run's date and what each changed, one line per assertion and profile. */
function profileLines(report: RunReport, o: FormatOptions): string[] {
  if (report.profiles === undefined) return []
  const c = o.colors
  const lines = [
    '',
    `Profiles active: ${report.profiles.length > 0 ? report.profiles.join(', ') : c.dim('none')}`,
  ]
  for (const r of report.results) {
    for (const e of r.profiles ?? []) {
      const what = [
        e.disabled ? 'disabled' : '',
        e.scale !== undefined ? `value ×${formatValue(e.scale, CELL)}` : '',
        e.severity !== undefined ? `severity ${e.severity}` : '',
      ].filter((x) => x !== '')
      const line = `${e.profile} › ${r.check} › ${r.assertion}: ${what.join(', ')}`
      lines.push(`  ${c.dim(truncate(line, o.width - 2))}`)
    }
  }
  return lines
}

/**
 * `✔ nightly: 5 passed, 1 failed (P2: 1), 0 skipped in 85 ms — none at or above P1`: the
 * verdict against --fail-on; the part after the dash goes on its own line when `width` is too small.
 * A green tick means every assertion passed; skipped ones get their own colour and a yellow tick
 * at best, and a red cross when their dataset is missing at or above --fail-on (unless allowed).
 */
export function summaryLine(
  report: RunReport,
  o: Pick<FormatOptions, 'colors' | 'failOn' | 'allowSkipped'> & { width?: number },
): string {
  const c = o.colors
  const s = report.summary
  const bySev = SEVERITIES.filter((sev) => s.failuresBySeverity[sev] > 0)
    .map((sev) => `${sev}: ${s.failuresBySeverity[sev]}`)
    .join(', ')
  const blocking = blockingCounts(report, o)
  const blocked = blocking.failed + blocking.missing > 0
  const mark = blocked ? c.red('✖') : s.failed + s.skipped > 0 ? c.yellow('✔') : c.green('✔')
  const failed = `${s.failed} failed${bySev ? ` (${bySev})` : ''}`
  const skipped = `${s.skipped} skipped`
  const head = `${mark} ${c.bold(report.suiteName)}: ${s.passed} passed, ${s.failed > 0 ? c.red(failed) : failed}, ${s.skipped > 0 ? c.yellow(skipped) : skipped}`
  const missing = `${blocking.missing} skipped (dataset not provided)`
  const verdict =
    blocking.missing > 0
      ? `— ${blocking.failed > 0 ? `${blocking.failed} failed, ${missing}` : missing} at or above ${o.failOn}`
      : blocking.failed > 0
        ? `— ${blocking.failed} at or above ${o.failOn}`
        : s.failed > 0
          ? `— none at or above ${o.failOn}`
          : ''
  // [plain text, painted text]; pieces that would overflow `width` start a new, indented line.
  const pieces: [string, string][] = [
    [`✔ ${report.suiteName}: ${s.passed} passed, ${failed}, ${skipped}`, head],
    [`in ${Math.round(report.durationMs)} ms`, `in ${Math.round(report.durationMs)} ms`],
  ]
  if (verdict !== '') pieces.push([verdict, blocked ? c.red(verdict) : c.dim(verdict)])
  let out = ''
  let lineLength = 0
  for (const [text, painted] of pieces) {
    if (out === '') {
      out = painted
      lineLength = text.length
    } else if (o.width === undefined || lineLength + 1 + text.length <= o.width) {
      out += ` ${painted}`
      lineLength += 1 + text.length
    } else {
      out += `\n  ${painted}`
      lineLength = 2 + text.length
    }
  }
  return out
}

/** An Error as JSON: name, message, code (DqxError) — never the stack. */
export function errorToJson(err: Error): { name: string; message: string; code?: string } {
  const out: { name: string; message: string; code?: string } = { name: err.name, message: err.message }
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') out.code = code
  return out
}

/** A RunReport as plain JSON: the key as { date, tags }, dates as ISO strings, errors as { name, message, code }. */
export function reportToJson(report: RunReport): Record<string, unknown> {
  const run = (p: RunReport['pluginRuns'][number]): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      plugin: p.plugin,
      hook: p.hook,
      durationMs: p.durationMs,
      timedOut: p.timedOut,
    }
    if (p.error) out.error = errorToJson(p.error)
    return out
  }
  const out: Record<string, unknown> = {
    suiteName: report.suiteName,
    runId: report.runId,
    key: { date: report.key.date, tags: { ...report.key.tags } },
    startedAt: report.startedAt.toISOString(),
    durationMs: report.durationMs,
    datasources: report.datasources,
    results: report.results,
    symbols: report.symbols,
    summary: report.summary,
    pluginRuns: report.pluginRuns.map(run),
    pluginErrors: report.pluginErrors.map(run),
  }
  if (report.profiles) out.profiles = report.profiles
  if (report.reevaluatedFrom) out.reevaluatedFrom = report.reevaluatedFrom
  if (report.error) out.error = errorToJson(report.error)
  return out
}
