import { createTransport } from 'nodemailer'
import { z } from 'zod'
import type { AssertionResult } from '../core/types.js'
import {
  DeliveryError,
  deliver,
  describeError,
  makeRedactor,
  resolveRetry,
  retrySchema,
  urlSecrets,
} from './delivery.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView } from './first-party.js'
import { redactUrl } from './redact.js'
import {
  countsText,
  failureCounts,
  failuresBySeverity,
  formatTags,
  formatValue,
  headline,
  oneLine,
  runLabel,
  statusWord,
  truncate,
} from './render.js'

const address = z.string().trim().regex(/@/, 'expected an e-mail address')

export const emailSchema = z.strictObject({
  /** Plugin name (default 'email'). */
  name: nameSchema,
  /** nodemailer transport options (host, port, secure, auth …) or a connection URL (smtps://user:pass@host). */
  smtp: z.union(
    [
      z.string().min(1),
      z.looseObject({
        host: z.string().min(1).optional(),
        port: z.int().min(1).max(65_535).optional(),
        secure: z.boolean().optional(),
        auth: z.looseObject({ user: z.string().optional(), pass: z.string().optional() }).optional(),
      }),
    ],
    { error: 'expected nodemailer transport options ({ host, port, auth … }) or a connection URL' },
  ),
  from: address,
  to: z.union([address, z.array(address).min(1)]),
  /** Default 'failure'. */
  notifyOn: notifyOnSchema,
  /** Prepended to the subject (default '[dqx]'). */
  subjectPrefix: z.string().optional(),
  /** Failed assertions listed per severity before '…and N more' (default 100). */
  maxFailures: z.int().min(1).optional(),
  retry: retrySchema,
})

export type EmailOptions = z.input<typeof emailSchema>

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential/i

/** Every string under a secret-looking key of the transport options (auth.pass, oauth2 tokens …). */
function transportSecrets(value: unknown, key = '', depth = 0): string[] {
  if (typeof value === 'string') return SECRET_KEY.test(key) ? [value] : []
  if (value === null || typeof value !== 'object' || depth > 6) return []
  return Object.entries(value).flatMap(([k, v]) => transportSecrets(v, k, depth + 1))
}

/** SMTP failures that retrying cannot fix: authentication, configuration, permanent (5xx) replies. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG'])

export function classifySmtpError(err: unknown): DeliveryError {
  const e = err as { code?: unknown; responseCode?: unknown }
  const code = typeof e?.code === 'string' ? e.code : undefined
  const reply = typeof e?.responseCode === 'number' ? e.responseCode : undefined
  const permanent =
    (code !== undefined && PERMANENT_CODES.has(code)) ||
    (reply !== undefined && reply >= 500) ||
    (code === 'EENVELOPE' && reply === undefined)
  return new DeliveryError(`SMTP ${code ?? 'error'}: ${describeError(err)}`, { retryable: !permanent })
}

/** Where mail goes, for messages: `host:port`, or the connection URL without its secrets. */
export function smtpTarget(smtp: EmailOptions['smtp']): string {
  if (typeof smtp === 'string') return redactUrl(smtp)
  return `${smtp.host ?? 'localhost'}${smtp.port ? `:${smtp.port}` : ''}`
}

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')

export function emailSubject(view: RunView, prefix = '[dqx]'): string {
  const s = view.summary
  const detail =
    view.error !== undefined
      ? `run failed: ${truncate(oneLine(view.error.message), 120)}`
      : `${s.failed} failed, ${s.passed} passed${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}`
  return oneLine(`${prefix ? `${prefix} ` : ''}${runLabel(view)}: ${statusWord(view)} — ${detail}`)
}

function summaryLines(view: RunView): [string, string][] {
  const s = view.summary
  const rows: [string, string][] = [
    ['Suite', view.suiteName],
    ['Date', view.key.date],
    ['Tags', formatTags(view.key.tags) || 'none'],
    ['Run', view.runId],
    ['Assertions', `${s.total} total: ${countsText(view)} (pass rate ${s.passRate.toFixed(1)}%)`],
    ['Failures', failureCounts(view)],
    ['Duration', `${Math.round(view.durationMs)} ms`],
  ]
  if (view.error !== undefined) rows.push(['Run error', view.error.message])
  return rows
}

function limited(list: AssertionResult[], max: number): { shown: AssertionResult[]; more: number } {
  return { shown: list.slice(0, max), more: Math.max(0, list.length - max) }
}

export function emailText(view: RunView, maxFailures = 100): string {
  const out = [headline(view), '']
  for (const [k, v] of summaryLines(view)) out.push(`${`${k}:`.padEnd(12)}${v}`)
  for (const [sev, list] of failuresBySeverity(view.results)) {
    out.push('', `${sev} — ${list.length} failed`)
    const { shown, more } = limited(list, maxFailures)
    for (const r of shown) {
      out.push(`  - ${r.check} › ${r.assertion}`)
      out.push(`      value: ${formatValue(r.value)}   bound: ${r.bound ?? '-'}`)
      out.push(`      expression: ${r.expression}`)
      if (r.error !== undefined) out.push(`      error: ${r.error}`)
    }
    if (more > 0) out.push(`  … and ${more} more`)
  }
  return `${out.join('\n')}\n`
}

const CELL = 'style="border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top"'

export function emailHtml(view: RunView, maxFailures = 100): string {
  const word = statusWord(view)
  const color = word === 'PASSED' ? '#1a7f37' : '#cf222e'
  const parts = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:14px">',
    `<h2 style="color:${color}">${escapeHtml(runLabel(view))}: ${word}</h2>`,
    '<table style="border-collapse:collapse">',
    ...summaryLines(view).map(
      ([k, v]) => `<tr><th ${CELL}>${escapeHtml(k)}</th><td ${CELL}>${escapeHtml(v)}</td></tr>`,
    ),
    '</table>',
  ]
  for (const [sev, list] of failuresBySeverity(view.results)) {
    parts.push(`<h3>${sev} — ${list.length} failed</h3>`, '<table style="border-collapse:collapse">')
    parts.push(
      `<tr>${['Check', 'Assertion', 'Value', 'Bound', 'Expression', 'Error'].map((h) => `<th ${CELL}>${h}</th>`).join('')}</tr>`,
    )
    const { shown, more } = limited(list, maxFailures)
    for (const r of shown) {
      const cells = [r.check, r.assertion, formatValue(r.value), r.bound ?? '', r.expression, r.error ?? '']
      parts.push(`<tr>${cells.map((c) => `<td ${CELL}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    }
    parts.push('</table>')
    if (more > 0) parts.push(`<p>… and ${more} more</p>`)
  }
  parts.push('</body></html>')
  return parts.join('\n')
}

/**
 * Sends an e-mail summary of the run (plain text + HTML, failed assertions by
 * severity) through SMTP with nodemailer. Retried with backoff; authentication
 * failures and permanent (5xx) replies fail at once.
 */
export const email = defineFactory({
  kind: 'email',
  description: 'e-mails a run summary with the failed assertions by severity (nodemailer)',
  schema: emailSchema,
  on: 'results',
  defaultNotifyOn: 'failure',
  setup(o, name) {
    const to = typeof o.to === 'string' ? [o.to] : o.to
    const redact = makeRedactor(typeof o.smtp === 'string' ? urlSecrets(o.smtp) : transportSecrets(o.smtp))
    const retry = resolveRetry(o.retry)
    // Never nodemailer's own logger: it writes to the console, and its debug output carries the AUTH exchange.
    const transportOptions = typeof o.smtp === 'string' ? o.smtp : { ...o.smtp, logger: false, debug: false }
    const what = `email '${name}' via ${smtpTarget(o.smtp)}`
    return async (view) => {
      const message = {
        from: o.from,
        to,
        subject: emailSubject(view, o.subjectPrefix),
        text: emailText(view, o.maxFailures),
        html: emailHtml(view, o.maxFailures),
      }
      const transport = createTransport(transportOptions as Parameters<typeof createTransport>[0])
      try {
        const { value, attempts } = await deliver(
          async (signal) => {
            try {
              return await transport.sendMail({ ...message, signal })
            } catch (err) {
              throw classifySmtpError(err)
            }
          },
          { what, signal: view.signal, logger: view.logger, retry, redact },
        )
        const rejected = (value.rejected ?? []).length
        view.logger.info({ recipients: to.length, rejected, attempts }, 'email sent')
      } finally {
        transport.close()
      }
    }
  },
})
