import { appendFile } from 'node:fs/promises'
import { type AssertionResult, type RunReport, SEVERITIES, type Severity } from '../core/types.js'
import { formatValue } from '../plugins/render.js'
import type { OutStream } from './io.js'

// GitHub Actions conventions for `dqx run`: a Markdown summary appended to the file named by
// GITHUB_STEP_SUMMARY (shown on the workflow run's page), and with `--reporter github` one
// `::error` / `::warning` workflow command per failed assertion, which GitHub turns into
// annotations. Both are plain text formats; everything from the data is escaped for them.

/** `--reporter` values. */
export const REPORTERS = ['default', 'github'] as const
export type Reporter = (typeof REPORTERS)[number]

/** Text for a Markdown table cell: no line breaks, pipes and HTML escaped. */
export function markdownCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ')
}

const worse = (a: Severity, failOn: Severity): boolean => SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(failOn)

/** One run's Markdown: a headline and a table of the FAILED and SKIPPED assertions (at most `maxRows`). */
function runMarkdown(r: RunReport, failOn: Severity, maxRows: number): string {
  const s = r.summary
  const blocking = r.results.filter((x) => x.status === 'FAILED' && worse(x.severity, failOn)).length
  const icon = r.error !== undefined || blocking > 0 ? '❌' : s.failed > 0 ? '⚠️' : '✅'
  const tags = Object.entries(r.key.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
  const lines = [
    `### ${icon} dqx: ${markdownCell(r.suiteName)} — ${r.key.date}${tags ? ` (${markdownCell(tags)})` : ''}`,
    '',
    `**${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped** of ${s.total} assertions (${Number(s.passRate.toFixed(1))}% pass rate) in ${Math.round(r.durationMs)} ms`,
  ]
  if (r.error !== undefined) lines.push('', `Run failed: ${markdownCell(r.error.message)}`)
  const rank = (x: AssertionResult): number =>
    (x.status === 'FAILED' ? 0 : 1) * 10 + SEVERITIES.indexOf(x.severity)
  const shown = r.results.filter((x) => x.status !== 'PASSED').sort((a, b) => rank(a) - rank(b))
  if (shown.length > 0) {
    lines.push(
      '',
      '| Status | Severity | Check | Assertion | Value | Bound | Detail |',
      '|---|---|---|---|---:|---|---|',
      ...shown
        .slice(0, maxRows)
        .map(
          (x) =>
            `| ${x.status === 'FAILED' ? '❌ FAILED' : '⏭️ SKIPPED'} | ${x.severity} | ${markdownCell(x.check)} | ${markdownCell(x.assertion)} | ${markdownCell(formatValue(x.value))} | ${markdownCell(x.bound ?? '')} | ${markdownCell(x.error ?? x.expression)} |`,
        ),
    )
    if (shown.length > maxRows) lines.push('', `…and ${shown.length - maxRows} more.`)
  }
  return lines.join('\n')
}

/** The step summary for the runs of one `dqx run`. */
export function stepSummary(
  reports: readonly RunReport[],
  options: { failOn: Severity; maxRows?: number },
): string {
  return `${reports.map((r) => runMarkdown(r, options.failOn, options.maxRows ?? 50)).join('\n\n')}\n\n`
}

/** Escapes the message of a workflow command. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Escapes a property value of a workflow command (also `:` and `,`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/**
 * One workflow command per FAILED assertion: `::error` at or above `--fail-on` (they fail the
 * step), `::warning` below it; a run that failed outright is one `::error`. `file` is the
 * config that declares the checks, so annotations point at it.
 */
export function annotations(
  reports: readonly RunReport[],
  options: { failOn: Severity; file?: string },
): string[] {
  const out: string[] = []
  const fileProp = options.file !== undefined ? `file=${escapeProperty(options.file)},` : ''
  for (const r of reports) {
    if (r.error !== undefined) {
      out.push(
        `::error ${fileProp}title=${escapeProperty(`dqx: ${r.suiteName} run failed`)}::${escapeData(r.error.message)}`,
      )
    }
    for (const x of r.results) {
      if (x.status !== 'FAILED') continue
      const level = worse(x.severity, options.failOn) ? 'error' : 'warning'
      const title = escapeProperty(`dqx ${x.severity}: ${x.check} › ${x.assertion}`)
      const detail =
        x.error ?? `${x.expression} = ${formatValue(x.value)}, expected ${x.bound ?? '(no bound)'}`
      out.push(
        `::${level} ${fileProp}title=${title}::${escapeData(`${r.suiteName} ${r.key.date}: ${detail}`)}`,
      )
    }
  }
  return out
}

/**
 * What `dqx run` does for GitHub Actions after all suites ran: appends the step summary when
 * GITHUB_STEP_SUMMARY names a file, and writes annotations with `--reporter github`.
 */
export async function publishToGitHub(
  reports: readonly RunReport[],
  options: {
    env: Readonly<Record<string, string | undefined>>
    reporter: Reporter
    failOn: Severity
    /** Where annotations go (stdout; stderr when stdout carries --json). */
    out: OutStream
    file?: string
  },
): Promise<void> {
  if (reports.length === 0) return
  if (options.reporter === 'github') {
    const lines = annotations(reports, {
      failOn: options.failOn,
      ...(options.file ? { file: options.file } : {}),
    })
    for (const line of lines) options.out.write(`${line}\n`)
  }
  const summaryFile = options.env.GITHUB_STEP_SUMMARY
  if (summaryFile) await appendFile(summaryFile, stepSummary(reports, { failOn: options.failOn }), 'utf8')
}
