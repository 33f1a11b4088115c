import { z } from 'zod'
import type { AssertionResult } from '../core/types.js'
import { deliver, httpSend, makeRedactor, resolveRetry, retrySchema, urlSecrets } from './delivery.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView, runStatus } from './first-party.js'
import { redactUrl } from './redact.js'
import {
  countsText,
  failureCounts,
  failureReason,
  failuresBySeverity,
  formatTags,
  oneLine,
  plainKey,
  runLabel,
  statusWord,
  truncate,
} from './render.js'

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export const webhookSchema = z.strictObject({
  /** Plugin name (default 'webhook'); give each of several webhooks its own. */
  name: nameSchema,
  /** Where to POST. Tokens in its path or query never reach logs or error messages. */
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  /** 'slack': a Block Kit message; 'json': a JSON document (suite, runId, key, status, summary, failed results). */
  format: z.enum(['slack', 'json']),
  /** Default 'failure'. */
  notifyOn: notifyOnSchema,
  /** Extra request headers (e.g. Authorization); their values never reach logs or error messages. */
  headers: z
    .record(
      z.string().regex(HEADER_NAME, 'not a valid HTTP header name'),
      z.string().regex(/^[^\r\n\0]*$/, 'header values may not contain CR, LF or NUL'),
    )
    .optional(),
  /** Slack: failed assertions listed per severity before '…and N more' (default 10). */
  maxFailures: z.int().min(1).max(50).optional(),
  retry: retrySchema,
})

export type WebhookOptions = z.input<typeof webhookSchema>

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

function failureLine(r: AssertionResult): string {
  const line = `• *${mrkdwn(oneLine(r.check))}* › ${mrkdwn(oneLine(r.assertion))}: ${mrkdwn(oneLine(failureReason(r)))} ${code(truncate(r.expression, 120))}`
  return truncate(line, LINE_MAX)
}

/** A Slack Block Kit message: header, summary, run error, failed assertions by severity (truncated), context. */
export function slackMessage(view: RunView, maxFailures = 10): Record<string, unknown> {
  const word = statusWord(view)
  const s = view.summary
  const tags = formatTags(view.key.tags)
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${word}: ${oneLine(view.suiteName)}`, 150), emoji: true },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Date*\n${view.key.date}` },
        { type: 'mrkdwn', text: `*Tags*\n${tags ? mrkdwn(truncate(tags, 1900)) : 'none'}` },
        { type: 'mrkdwn', text: `*Assertions*\n${s.total} total: ${countsText(view)}` },
        { type: 'mrkdwn', text: `*Failures*\n${failureCounts(view)}` },
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
  for (const [sev, list] of failuresBySeverity(view.results)) {
    let text = `*${sev} — ${list.length} failed*`
    let shown = 0
    for (const r of list) {
      const line = failureLine(r)
      // Leave room for the '…and N more' line.
      if (shown >= maxFailures || text.length + line.length + 40 > SECTION_MAX) break
      text += `\n${line}`
      shown += 1
    }
    if (shown < list.length) text += `\n_…and ${list.length - shown} more_`
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } })
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `dqx · run ${view.runId} · ${Math.round(view.durationMs)} ms` }],
  })
  // `text` is the notification fallback (and what screen readers get).
  return {
    text: truncate(
      `${ICON[word]} ${runLabel(view)}: ${word} — ${view.error ? 'run error' : countsText(view)}`,
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
    key: plainKey(view),
    status: runStatus(view),
    timestamp: view.timestamp.toISOString(),
    durationMs: view.durationMs,
    datasources: [...view.datasources],
    summary: view.summary,
    failed: view.results.filter((r) => r.status === 'FAILED'),
  }
  if (view.error !== undefined) doc.error = view.error.message
  return doc
}

/**
 * Posts the run to a webhook: a Slack Block Kit message or a JSON document.
 * Retried with backoff (5xx, 408, 429, network errors); other 4xx fail at once.
 */
export const webhook = defineFactory({
  kind: 'webhook',
  description: 'posts run results to a webhook (Slack Block Kit or JSON), with retries',
  schema: webhookSchema,
  on: 'results',
  defaultNotifyOn: 'failure',
  setup(o, name) {
    const headers = o.headers ?? {}
    const redact = makeRedactor([...urlSecrets(o.url), ...Object.values(headers)])
    const retry = resolveRetry(o.retry)
    const what = `webhook '${name}' to ${redactUrl(o.url)}`
    return async (view) => {
      const payload = o.format === 'slack' ? slackMessage(view, o.maxFailures) : jsonMessage(view)
      const body = JSON.stringify(payload)
      const { value, attempts } = await deliver(
        (signal) =>
          httpSend({
            url: o.url,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'dqx', ...headers },
            body,
            signal,
          }),
        { what, signal: view.signal, logger: view.logger, retry, redact },
      )
      view.logger.info(
        { format: o.format, status: value.status, attempts, bytes: body.length },
        'webhook delivered',
      )
    }
  },
})
