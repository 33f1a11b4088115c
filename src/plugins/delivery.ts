import type { Logger } from 'pino'
import { z } from 'zod'
import { type Redactor, safeDecode } from '../core/redact.js'

// One redaction module for the whole library; re-exported here for the delivery API (dqx/plugins).
export { makeRedactor, type Redactor, safeDecode, urlSecrets } from '../core/redact.js'

// Delivery semantics shared by the network plugins (email, webhook, prometheus):
// bounded retries with exponential backoff and full jitter, a per-attempt time
// limit, fail-fast on non-retryable errors, abort on the tap's signal, and
// error messages with every known secret removed.

/** How a failed delivery is retried. */
export interface RetryOptions {
  /** Attempts in all, including the first (default 3). */
  attempts?: number | undefined
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs·2^(n-1))] (default 250). */
  baseDelayMs?: number | undefined
  /** Upper bound of one wait, also caps a server's Retry-After (default 5000). */
  maxDelayMs?: number | undefined
  /** Time limit of one attempt; a timed-out attempt is retried (default 10 000; 0 = none). */
  attemptTimeoutMs?: number | undefined
}

export const DEFAULT_RETRY: Required<{ [K in keyof RetryOptions]: number }> = {
  attempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5000,
  attemptTimeoutMs: 10_000,
}

export const retrySchema = z
  .strictObject({
    attempts: z.int().min(1).max(20).optional(),
    baseDelayMs: z.number().min(0).max(600_000).optional(),
    maxDelayMs: z.number().min(0).max(600_000).optional(),
    attemptTimeoutMs: z.int().min(0).optional(),
  })
  .optional()

export type ResolvedRetry = typeof DEFAULT_RETRY

export function resolveRetry(r: RetryOptions | undefined): ResolvedRetry {
  return {
    attempts: r?.attempts ?? DEFAULT_RETRY.attempts,
    baseDelayMs: r?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: r?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    attemptTimeoutMs: r?.attemptTimeoutMs ?? DEFAULT_RETRY.attemptTimeoutMs,
  }
}

/** One attempt's failure, classified: retry it or give up at once. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
  readonly retryable: boolean
  /** A server's Retry-After, in ms (capped by maxDelayMs when used). */
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number | undefined }) {
    super(message)
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}

/** The message of anything thrown, with its cause's message when that adds something (fetch's "fetch failed"). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = (err as { cause?: unknown }).cause
  const causeText = cause instanceof Error ? cause.message : undefined
  return causeText && !err.message.includes(causeText) ? `${err.message}: ${causeText}` : err.message
}

/**
 * A signal that aborts when the first of `signals` does, with its reason. `AbortSignal.any` does
 * this natively from Node 20.3; package.json admits every Node 20, so older ones get the same
 * behaviour from listeners (removed from the other signals once one fires).
 */
export function anySignal(
  signals: readonly AbortSignal[],
  native: ((signals: AbortSignal[]) => AbortSignal) | undefined = AbortSignal.any?.bind(AbortSignal),
): AbortSignal {
  if (native) return native([...signals])
  const controller = new AbortController()
  const already = signals.find((s) => s.aborted)
  if (already) {
    controller.abort(already.reason)
    return controller.signal
  }
  const listeners = signals.map((s) => {
    const onAbort = (): void => {
      for (const [other, l] of listeners) other.removeEventListener('abort', l)
      controller.abort(s.reason)
    }
    s.addEventListener('abort', onAbort, { once: true })
    return [s, onAbort] as const
  })
  return controller.signal
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** Full-jitter backoff: a random wait in [0, min(max, base·2^(attempt-1))], at least the server's Retry-After (capped). */
export function backoffDelay(
  attempt: number,
  retry: ResolvedRetry,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))
  const jitter = Math.floor(random() * ceiling)
  return retryAfterMs === undefined ? jitter : Math.min(retry.maxDelayMs, Math.max(jitter, retryAfterMs))
}

export interface DeliverOptions {
  /** What is delivered where, for messages: `webhook 'ops' to http://host/[redacted]` (already redacted). */
  what: string
  /** The tap's signal: aborting it stops at once and rejects with its reason. */
  signal: AbortSignal
  logger: Logger
  retry: ResolvedRetry
  redact: Redactor
  /** For tests: the jitter source (default Math.random). */
  random?: () => number
}

export interface Delivered<T> {
  value: T
  attempts: number
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or the
 * attempts are used up; then rejects with an Error naming the number of
 * attempts and the last cause (redacted). An abort of `signal` stops at once
 * (also during a backoff wait) and rejects with the signal's reason.
 */
export async function deliver<T>(
  attempt: (signal: AbortSignal, n: number) => Promise<T>,
  o: DeliverOptions,
): Promise<Delivered<T>> {
  const { retry, signal } = o
  let last = ''
  for (let n = 1; n <= retry.attempts; n++) {
    if (signal.aborted) throw signal.reason
    const limit = retry.attemptTimeoutMs > 0 ? AbortSignal.timeout(retry.attemptTimeoutMs) : undefined
    const attemptSignal = limit ? anySignal([signal, limit]) : signal
    let failure: DeliveryError
    try {
      return { value: await attempt(attemptSignal, n), attempts: n }
    } catch (err) {
      if (signal.aborted) throw signal.reason
      failure =
        limit?.aborted === true
          ? new DeliveryError(`attempt timed out after ${retry.attemptTimeoutMs} ms`, { retryable: true })
          : err instanceof DeliveryError
            ? err
            : new DeliveryError(describeError(err), { retryable: true })
    }
    last = o.redact(failure.message)
    if (!failure.retryable) {
      throw new Error(`${o.what} failed after ${n} attempt${n === 1 ? '' : 's'} (not retryable): ${last}`)
    }
    if (n === retry.attempts) break
    const delayMs = backoffDelay(n, retry, failure.retryAfterMs, o.random)
    o.logger.warn(
      { attempt: n, attempts: retry.attempts, delayMs, error: last },
      `${o.what}: attempt failed, retrying`,
    )
    await sleep(delayMs, signal)
  }
  throw new Error(
    `${o.what} failed after ${retry.attempts} attempt${retry.attempts === 1 ? '' : 's'}: ${last}`,
  )
}

/** HTTP statuses worth retrying: server errors, 408 Request Timeout and 429 Too Many Requests. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429
}

/**
 * Retry-After as ms: delta-seconds (whole, RFC 9110) or an HTTP date; undefined when absent or
 * unreadable. Anything else is ignored rather than guessed at: `Date.parse('1.5')` is a date in 2001,
 * which would have meant "retry at once".
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim() ?? ''
  if (text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // An HTTP date names its weekday or month in letters: IMF-fixdate, RFC 850 or asctime.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

export interface HttpRequest {
  url: string
  method: 'POST' | 'PUT'
  headers: Record<string, string>
  body: string
  signal: AbortSignal
}

/**
 * Moves credentials out of a URL into a Basic Authorization header (fetch refuses
 * URLs with credentials). Headers given by the user win.
 */
export function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url)
  if (u.username === '' && u.password === '') return { url, headers: {} }
  const basic = Buffer.from(`${safeDecode(u.username)}:${safeDecode(u.password)}`).toString('base64')
  u.username = ''
  u.password = ''
  return { url: u.toString(), headers: { authorization: `Basic ${basic}` } }
}

/**
 * One HTTP request with global fetch. Resolves on 2xx (the body drained);
 * rejects with a DeliveryError classified by status otherwise. Network errors
 * propagate (deliver() treats them as retryable).
 */
export async function httpSend(req: HttpRequest): Promise<{ status: number; body: string }> {
  const { url, headers: auth } = splitCredentials(req.url)
  // Later entries win, whatever their case: URL credentials, then the caller's headers in order.
  const headers = new Headers(auth)
  for (const [k, v] of Object.entries(req.headers)) headers.set(k, v)
  const res = await fetch(url, {
    method: req.method,
    headers,
    body: req.body,
    signal: req.signal,
    // A redirect is reported (3xx, not retried), never followed with the body and headers.
    redirect: 'manual',
  })
  const body = await res.text()
  if (res.ok) return { status: res.status, body }
  const snippet = body.trim().slice(0, 200)
  throw new DeliveryError(
    `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`,
    {
      retryable: isRetryableStatus(res.status),
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    },
  )
}
