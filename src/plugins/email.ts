import { createTransport } from 'nodemailer'
import { z } from 'zod'
import { redactUrl, secretStrings } from '../core/redact.js'
import { formatTags } from '../core/result-key.js'
import { DeliveryError, deliver, describeError, makeRedactor, resolveRetry, retrySchema } from './delivery.js'
import {
  alertNotifyOnSchema,
  defineFactory,
  type ExactlyOne,
  type Factory,
  nameSchema,
  type RunView,
} from './first-party.js'
import {
  changeLine,
  countsText,
  DEFAULT_SAMPLE_ROWS,
  failureCounts,
  failuresBySeverity,
  formatSampleValue,
  formatValue,
  headline,
  oneLine,
  runLabel,
  SAMPLE_COLUMNS_MAX,
  sampleCaption,
  samplePairs,
  sampleTable,
  scopeText,
  statusWord,
  truncate,
} from './render.js'
import {
  ALERTING,
  changeCounts,
  deliveryName,
  destinationsOf,
  planMessages,
  routeFields,
  scopeLabel,
  sendAll,
  severitySchema,
} from './routing.js'

const address = z.string().trim().regex(/@/, 'expected an e-mail address')
const recipients = z.union([address, z.array(address).min(1)])

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
  /** Recipients of every message. Give either `to` or `routes`. */
  to: recipients.optional(),
  /**
   * Recipients by severity: each route gets one message with only the failures from P0 down to
   * its minSeverity, and none when it has nothing to say. Give either `to` or `routes`.
   */
  routes: z
    .array(z.strictObject({ minSeverity: severitySchema, to: recipients }))
    .min(1)
    .optional(),
  /** Default 'failure'; 'change': only when some assertion's status changed since its previous run. */
  notifyOn: alertNotifyOnSchema,
  /** Prepended to the subject (default '[dqx]'). */
  subjectPrefix: z.string().optional(),
  /** Failed assertions listed per severity before '…and N more' (default 100). */
  maxFailures: z.int().min(1).optional(),
  /** Failed-row sample rows shown per failure (default 3; 0 = none). */
  maxSampleRows: z.int().min(0).max(10).optional(),
  retry: retrySchema,
})

type EmailInput = z.input<typeof emailSchema>
/** email() options: `to` (every message to the same recipients) or `routes` (recipients by severity). */
export type EmailOptions = ExactlyOne<EmailInput, 'to', 'routes'>

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
  const counts = `${s.failed} failed, ${s.passed} passed${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}`
  const detail =
    view.error !== undefined
      ? `run failed: ${truncate(oneLine(view.error.message), 120)}`
      : view.changes !== undefined
        ? `${changeCounts(view.changes)} (${counts})`
        : counts
  const scope = view.route === undefined ? '' : ` (${scopeLabel(view.route.minSeverity)})`
  const replay = view.replay ? '[replay] ' : ''
  return oneLine(
    `${prefix ? `${prefix} ` : ''}${replay}${runLabel(view)}: ${statusWord(view)}${scope} — ${detail}`,
  )
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
  const scope = scopeText(view)
  if (scope !== undefined) rows.splice(1, 0, ['Scope', scope])
  if (view.changes !== undefined) rows.push(['Changes', changeCounts(view.changes) || 'none'])
  if (view.error !== undefined) rows.push(['Run error', view.error.message])
  return rows
}

function limited<T>(list: readonly T[], max: number): { shown: T[]; more: number } {
  return { shown: list.slice(0, max), more: Math.max(0, list.length - max) }
}

export function emailText(view: RunView, maxFailures = 100, maxSampleRows = DEFAULT_SAMPLE_ROWS): string {
  const out = [headline(view), '']
  if (view.replay) out.push(`Replay of run ${view.runId} (started ${view.timestamp.toISOString()})`, '')
  for (const [k, v] of summaryLines(view)) out.push(`${`${k}:`.padEnd(12)}${v}`)
  if (view.changes !== undefined && view.changes.length > 0) {
    out.push('', 'Changes since the previous run')
    const { shown, more } = limited(view.changes, maxFailures)
    for (const c of shown) out.push(`  - ${changeLine(c)}`)
    if (more > 0) out.push(`  … and ${more} more`)
  }
  for (const [sev, list] of failuresBySeverity(view.results)) {
    out.push('', `${sev} — ${list.length} failed`)
    const { shown, more } = limited(list, maxFailures)
    for (const r of shown) {
      out.push(`  - ${r.check} › ${r.assertion}`)
      out.push(`      value: ${formatValue(r.value)}   bound: ${r.bound ?? '-'}`)
      out.push(`      expression: ${r.expression}`)
      if (r.error !== undefined) out.push(`      error: ${r.error}`)
      const samples = sampleTable(r, maxSampleRows)
      if (samples !== undefined) {
        out.push(`      sample rows (${sampleCaption(samples)}):`)
        for (const row of samples.rows) out.push(`        ${samplePairs(row)}`)
      }
    }
    if (more > 0) out.push(`  … and ${more} more`)
  }
  return `${out.join('\n')}\n`
}

const CELL = 'style="border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top"'

const SMALL = 'style="border:1px solid #eee;padding:2px 6px;text-align:left;font-family:monospace"'

/** A small table of sample rows, in one cell spanning the failure table. */
function sampleHtml(samples: NonNullable<ReturnType<typeof sampleTable>>): string {
  const columns = samples.columns.slice(0, SAMPLE_COLUMNS_MAX)
  const extra = samples.columns.length - columns.length
  const head = columns.map((c) => `<th ${SMALL}>${escapeHtml(formatSampleValue(c))}</th>`)
  if (extra > 0) head.push(`<th ${SMALL}>+${extra} more</th>`)
  const body = samples.rows.map(
    (row) =>
      `<tr>${columns.map((c) => `<td ${SMALL}>${escapeHtml(Object.hasOwn(row, c) ? formatSampleValue(row[c]) : '')}</td>`).join('')}${extra > 0 ? `<td ${SMALL}></td>` : ''}</tr>`,
  )
  return [
    `<tr><td ${CELL} colspan="6"><table style="border-collapse:collapse;font-size:12px">`,
    `<caption style="text-align:left;color:#57606a">Sample rows: ${sampleCaption(samples)}</caption>`,
    `<tr>${head.join('')}</tr>`,
    ...body,
    '</table></td></tr>',
  ].join('')
}

export function emailHtml(view: RunView, maxFailures = 100, maxSampleRows = DEFAULT_SAMPLE_ROWS): string {
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
  if (view.changes !== undefined && view.changes.length > 0) {
    const { shown, more } = limited(view.changes, maxFailures)
    parts.push('<h3>Changes since the previous run</h3>', '<ul>')
    for (const c of shown) parts.push(`<li>${escapeHtml(changeLine(c))}</li>`)
    if (more > 0) parts.push(`<li>… and ${more} more</li>`)
    parts.push('</ul>')
  }
  for (const [sev, list] of failuresBySeverity(view.results)) {
    parts.push(`<h3>${sev} — ${list.length} failed</h3>`, '<table style="border-collapse:collapse">')
    parts.push(
      `<tr>${['Check', 'Assertion', 'Value', 'Bound', 'Expression', 'Error'].map((h) => `<th ${CELL}>${h}</th>`).join('')}</tr>`,
    )
    const { shown, more } = limited(list, maxFailures)
    for (const r of shown) {
      const cells = [r.check, r.assertion, formatValue(r.value), r.bound ?? '', r.expression, r.error ?? '']
      parts.push(`<tr>${cells.map((c) => `<td ${CELL}>${escapeHtml(c)}</td>`).join('')}</tr>`)
      const samples = sampleTable(r, maxSampleRows)
      if (samples !== undefined) parts.push(sampleHtml(samples))
    }
    parts.push('</table>')
    if (more > 0) parts.push(`<p>… and ${more} more</p>`)
  }
  parts.push('</body></html>')
  return parts.join('\n')
}

/**
 * Sends an e-mail summary of the run (plain text + HTML, failed assertions by severity with
 * their sample rows) through SMTP with nodemailer: to `to`, or one message per route of `routes`.
 * Retried with backoff; authentication failures and permanent (5xx) replies fail at once.
 */
export const email: Factory<typeof emailSchema, EmailOptions> = defineFactory({
  kind: 'email',
  description: 'e-mails a run summary with the failed assertions by severity (nodemailer)',
  schema: emailSchema,
  ...ALERTING,
  oneOf: [['to', 'routes']],
  setup(o, name, { suite, notifyOn }) {
    const list = (to: string | string[]): string[] => (typeof to === 'string' ? [to] : to)
    const destinations = destinationsOf(
      o.routes,
      (r) => list(r.to),
      () => list(o.to as string | string[]),
    )
    // The transport's secrets by the library's one rule (auth.pass, oauth2 tokens, URL credentials).
    const redact = makeRedactor(secretStrings(o.smtp))
    const retry = resolveRetry(o.retry)
    // Never nodemailer's own logger: it writes to the console, and its debug output carries the AUTH exchange.
    const transportOptions = typeof o.smtp === 'string' ? o.smtp : { ...o.smtp, logger: false, debug: false }
    const via = `via ${smtpTarget(o.smtp)}`
    return async (view) => {
      const messages = await planMessages(view, { notifyOn, destinations, db: suite.db })
      if (messages.length === 0) return
      const transport = createTransport(transportOptions as Parameters<typeof createTransport>[0])
      try {
        await sendAll(messages, async ({ destination, view: v }) => {
          const to = destination.target
          const message = {
            from: o.from,
            to,
            subject: emailSubject(v, o.subjectPrefix),
            text: emailText(v, o.maxFailures, o.maxSampleRows),
            html: emailHtml(v, o.maxFailures, o.maxSampleRows),
          }
          const what = `${deliveryName('email', name, destination)} ${via}`
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
          view.logger.info(
            { ...routeFields(destination), recipients: to.length, rejected, attempts },
            'email sent',
          )
        })
      } finally {
        transport.close()
      }
    }
  },
})
