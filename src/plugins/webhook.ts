import { z } from 'zod'
import { redactUrl } from '../core/redact.js'
import { formatTags } from '../core/result-key.js'
import type { AssertionResult } from '../core/types.js'
import { deliver, httpSend, makeRedactor, resolveRetry, retrySchema, urlSecrets } from './delivery.js'
import {
  alertNotifyOnSchema,
  defineFactory,
  type ExactlyOne,
  type Factory,
  nameSchema,
  type RunView,
  runStatus,
} from './first-party.js'
import {
  changeLine,
  countsText,
  DEFAULT_SAMPLE_ROWS,
  failureCounts,
  failureReason,
  failuresBySeverity,
  oneLine,
  plainKey,
  runLabel,
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

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const urlSchema = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
const headersSchema = z
  .record(
    z.string().regex(HEADER_NAME, 'not a valid HTTP header name'),
    z.string().regex(/^[^\r\n\0]*$/, 'header values may not contain CR, LF or NUL'),
  )
  .optional()

export const webhookSchema = z.strictObject({
  /** Plugin name (default 'webhook'); give each of several webhooks its own. */
  name: nameSchema,
  /** Where to POST. Tokens in its path or query never reach logs or error messages. Give either `url` or `routes`. */
  url: urlSchema.optional(),
  /**
   * Destinations by severity: each route gets one POST with only the failures from P0 down to its
   * minSeverity, and none when it has nothing to say. A route's headers are added to `headers`.
   */
  routes: z
    .array(z.strictObject({ minSeverity: severitySchema, url: urlSchema, headers: headersSchema }))
    .min(1)
    .optional(),
  /** 'slack': a Block Kit message; 'json': a JSON document (suite, runId, key, status, summary, failed results). */
  format: z.enum(['slack', 'json']),
  /** Default 'failure'; 'change': only when some assertion's status changed since its previous run. */
  notifyOn: alertNotifyOnSchema,
  /** Extra request headers (e.g. Authorization); their values never reach logs or error messages. */
  headers: headersSchema,
  /** Slack: failed assertions listed per severity before '…and N more' (default 10). */
  maxFailures: z.int().min(1).max(50).optional(),
  /** Slack: failed-row sample rows shown per failure (default 3; 0 = none). The JSON document carries all of them. */
  maxSampleRows: z.int().min(0).max(10).optional(),
  retry: retrySchema,
})

type WebhookInput = z.input<typeof webhookSchema>
/** webhook() options: `url` (every POST to one place) or `routes` (destinations by severity). */
export type WebhookOptions = ExactlyOne<WebhookInput, 'url', 'routes'>

const ICON = { PASSED: ':white_check_mark:', FAILED: ':x:', ERROR: ':rotating_light:' } as const

/** Slack mrkdwn: &, < and > are control characters. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Inline code: a backtick inside would end the span. */
function code(text: string): string {
  return `\`${mrkdwn(oneLine(text).replace(/`/g, "'"))}\``
}

/** Slack's limits: header text 150, section text 3000, 50 blocks. We stay well inside them. */
const SECTION_MAX = 2900
const LINE_MAX = 400

/** One failure: check › assertion, value and bound (or error), expression; then up to `maxSampleRows` sample rows. */
function failureLine(r: AssertionResult, maxSampleRows: number): string {
  const line = `• *${mrkdwn(oneLine(r.check))}* › ${mrkdwn(oneLine(r.assertion))}: ${mrkdwn(oneLine(failureReason(r)))} ${code(truncate(r.expression, 120))}`
  const samples = sampleTable(r, maxSampleRows)
  if (samples === undefined) return truncate(line, LINE_MAX)
  const rows = samples.rows.map((row) => code(samplePairs(row, SAMPLE_MAX))).join('  ')
  return `${truncate(line, LINE_MAX)}\n      _${sampleCaption(samples)}:_ ${rows}`
}

/** A sample row in Slack: key=value pairs cut at this many characters. */
const SAMPLE_MAX = 120

/** `:red_circle: newly failing: P0 orders › few null emails (PASSED → FAILED)` */
function changeItem(c: Parameters<typeof changeLine>[0]): string {
  const icon = {
    'newly failing': ':red_circle:',
    recovered: ':large_green_circle:',
    changed: ':white_circle:',
  }
  return truncate(`${icon[c.kind]} ${mrkdwn(changeLine(c))}`, LINE_MAX)
}

/** Lines under a title, as many as fit in one section, then '…and N more'. */
function section(title: string, lines: string[], max: number): Record<string, unknown> {
  let text = title
  let shown = 0
  for (const line of lines) {
    // Leave room for the '…and N more' line.
    if (shown >= max || text.length + line.length + 40 > SECTION_MAX) break
    text += `\n${line}`
    shown += 1
  }
  if (shown < lines.length) text += `\n_…and ${lines.length - shown} more_`
  return { type: 'section', text: { type: 'mrkdwn', text } }
}

/**
 * A Slack Block Kit message: header, summary, run error, changes (notifyOn 'change'), failed
 * assertions by severity with their sample rows (truncated), context.
 */
export function slackMessage(
  view: RunView,
  maxFailures = 10,
  maxSampleRows = DEFAULT_SAMPLE_ROWS,
): Record<string, unknown> {
  const word = statusWord(view)
  const s = view.summary
  const tags = formatTags(view.key.tags)
  const scope = scopeText(view)
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(
          `${view.replay ? 'Replay · ' : ''}${word}: ${oneLine(view.suiteName)}${view.route ? ` (${scopeLabel(view.route.minSeverity)})` : ''}`,
          150,
        ),
        emoji: true,
      },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Date*\n${view.key.date}` },
        { type: 'mrkdwn', text: `*Tags*\n${tags ? mrkdwn(truncate(tags, 1900)) : 'none'}` },
        { type: 'mrkdwn', text: `*Assertions*\n${s.total} total: ${countsText(view)}` },
        { type: 'mrkdwn', text: `*Failures*\n${failureCounts(view)}` },
        ...(scope === undefined ? [] : [{ type: 'mrkdwn', text: `*Scope*\n${scope}` }]),
      ],
    },
  ]
  if (view.error !== undefined) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*Run error*\n${mrkdwn(oneLine(view.error.message))}`, SECTION_MAX),
      },
    })
  }
  if (view.changes !== undefined && view.changes.length > 0) {
    blocks.push(section('*Changes since the previous run*', view.changes.map(changeItem), maxFailures))
  }
  for (const [sev, list] of failuresBySeverity(view.results)) {
    const lines = list.map((r) => failureLine(r, maxSampleRows))
    blocks.push(section(`*${sev} — ${list.length} failed*`, lines, maxFailures))
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `dqx · ${view.replay ? 'replay of run' : 'run'} ${view.runId} · ${Math.round(view.durationMs)} ms`,
      },
    ],
  })
  // `text` is the notification fallback (and what screen readers get).
  const changes = view.changes === undefined ? '' : `${changeCounts(view.changes)}; `
  return {
    text: truncate(
      `${ICON[word]} ${view.replay ? '[replay] ' : ''}${runLabel(view)}: ${word}${view.route ? ` (${scopeLabel(view.route.minSeverity)})` : ''} — ${view.error ? 'run error' : `${changes}${countsText(view)}`}`,
      3000,
    ),
    blocks,
  }
}

/** The 'json' format: a self-describing document of the run and its failed results. */
export function jsonMessage(view: RunView): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    type: 'dqx.run',
    suite: view.suiteName,
    runId: view.runId,
    // A receiver that dedupes by runId can tell a replayed delivery from a new failure.
    ...(view.replay ? { replay: true } : {}),
    key: plainKey(view),
    status: runStatus(view),
    timestamp: view.timestamp.toISOString(),
    durationMs: view.durationMs,
    datasources: [...view.datasources],
    summary: view.summary,
    failed: view.results.filter((r) => r.status === 'FAILED'),
  }
  if (view.route !== undefined) {
    doc.route = { minSeverity: view.route.minSeverity, omitted: Object.fromEntries(view.route.omitted) }
  }
  if (view.changes !== undefined) {
    doc.changes = view.changes.map((c) => ({
      kind: c.kind,
      check: c.result.check,
      assertion: c.result.assertion,
      severity: c.result.severity,
      previous: c.previous ?? null,
      status: c.result.status,
    }))
  }
  if (view.error !== undefined) doc.error = view.error.message
  return doc
}

/**
 * Posts the run to a webhook: a Slack Block Kit message or a JSON document; to `url`, or one POST
 * per route of `routes`. Retried with backoff (5xx, 408, 429, network errors); other 4xx fail at once.
 */
export const webhook: Factory<typeof webhookSchema, WebhookOptions> = defineFactory({
  kind: 'webhook',
  description: 'posts run results to a webhook (Slack Block Kit or JSON), with retries',
  schema: webhookSchema,
  ...ALERTING,
  oneOf: [['url', 'routes']],
  setup(o, name, { suite, notifyOn }) {
    const shared = o.headers ?? {}
    const destinations = destinationsOf(
      o.routes,
      (r) => ({ url: r.url, headers: { ...shared, ...r.headers } }),
      () => ({ url: o.url as string, headers: shared }),
    )
    const redact = makeRedactor(
      destinations.flatMap((d) => [...urlSecrets(d.target.url), ...Object.values(d.target.headers)]),
    )
    const retry = resolveRetry(o.retry)
    return async (view) => {
      const messages = await planMessages(view, { notifyOn, destinations, db: suite.db })
      await sendAll(messages, async ({ destination, view: v }) => {
        const { url, headers } = destination.target
        const payload =
          o.format === 'slack' ? slackMessage(v, o.maxFailures, o.maxSampleRows) : jsonMessage(v)
        const body = JSON.stringify(payload)
        const what = `${deliveryName('webhook', name, destination)} to ${redactUrl(url)}`
        const { value, attempts } = await deliver(
          (signal) =>
            httpSend({
              url,
              method: 'POST',
              headers: { 'content-type': 'application/json', 'user-agent': 'dqx', ...headers },
              body,
              signal,
            }),
          { what, signal: view.signal, logger: view.logger, retry, redact },
        )
        view.logger.info(
          {
            ...routeFields(destination),
            format: o.format,
            status: value.status,
            attempts,
            bytes: body.length,
          },
          'webhook delivered',
        )
      })
    }
  },
})
