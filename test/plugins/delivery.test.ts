import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import {
  backoffDelay,
  DEFAULT_RETRY,
  DeliveryError,
  deliver,
  describeError,
  httpSend,
  makeRedactor,
  parseRetryAfter,
  resolveRetry,
  sleep,
  splitCredentials,
  urlSecrets,
} from '../../src/plugins/delivery.js'
import { captureLogger } from '../../src/testing/index.js'
import { type HttpSink, httpSink } from './sink-helpers.js'

const silent = pino({ level: 'silent' })
const retry = resolveRetry({ baseDelayMs: 1, maxDelayMs: 4 })
const base = { what: 'test sink', logger: silent, retry, redact: (t: string) => t }

let sink: HttpSink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

describe('deliver', () => {
  it('returns the value and the number of attempts', async () => {
    let n = 0
    const out = await deliver(
      async () => {
        n += 1
        if (n < 3) throw new Error(`flaky ${n}`)
        return 'done'
      },
      { ...base, signal: new AbortController().signal },
    )
    expect(out).toEqual({ value: 'done', attempts: 3 })
  })

  it('gives up after the attempts with the last cause, redacted, and logs each retry', async () => {
    const { logger, lines } = captureLogger('warn')
    const attempts: number[] = []
    await expect(
      deliver(
        async (_s, n) => {
          attempts.push(n)
          throw new Error(`token=abcd1234 try ${n}`)
        },
        {
          ...base,
          logger,
          retry: { ...retry, attempts: 2 },
          redact: makeRedactor(['abcd1234']),
          signal: new AbortController().signal,
        },
      ),
    ).rejects.toThrow('test sink failed after 2 attempts: token=[redacted] try 2')
    expect(attempts).toEqual([1, 2])
    expect(lines.map((l) => [l.msg, l.attempt, l.error])).toEqual([
      ['test sink: attempt failed, retrying', 1, 'token=[redacted] try 1'],
    ])
  })

  it('says "1 attempt" for a single attempt and fails fast on non-retryable errors', async () => {
    await expect(
      deliver(
        async () => {
          throw new Error('x')
        },
        { ...base, retry: { ...retry, attempts: 1 }, signal: new AbortController().signal },
      ),
    ).rejects.toThrow('test sink failed after 1 attempt: x')
    let n = 0
    await expect(
      deliver(
        async () => {
          n += 1
          throw new DeliveryError('HTTP 404', { retryable: false })
        },
        { ...base, signal: new AbortController().signal },
      ),
    ).rejects.toThrow('test sink failed after 1 attempt (not retryable): HTTP 404')
    expect(n).toBe(1)
  })

  it('stops at once on abort, also while waiting, with the abort reason', async () => {
    const before = new AbortController()
    before.abort(new Error('cancelled before'))
    await expect(deliver(async () => 1, { ...base, signal: before.signal })).rejects.toThrow(
      'cancelled before',
    )

    const during = new AbortController()
    let calls = 0
    const p = deliver(
      async () => {
        calls += 1
        throw new DeliveryError('busy', { retryable: true, retryAfterMs: 60_000 })
      },
      { ...base, retry: { ...retry, maxDelayMs: 60_000 }, signal: during.signal },
    )
    setTimeout(() => during.abort(new Error('tap timed out')), 20)
    const t0 = performance.now()
    await expect(p).rejects.toThrow('tap timed out')
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(calls).toBe(1)

    const inFlight = new AbortController()
    const q = deliver(
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('socket closed')))
        }),
      { ...base, retry: { ...retry, attemptTimeoutMs: 0 }, signal: inFlight.signal },
    )
    inFlight.abort(new Error('stop now'))
    await expect(q).rejects.toThrow('stop now')
  })

  it('retries an attempt that outlives attemptTimeoutMs', async () => {
    let n = 0
    const out = await deliver(
      (signal) => {
        n += 1
        if (n === 1)
          return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
        return Promise.resolve('second')
      },
      { ...base, retry: { ...retry, attemptTimeoutMs: 20 }, signal: new AbortController().signal },
    )
    expect(out).toEqual({ value: 'second', attempts: 2 })
  })

  it('reports the attempt timeout as the last cause', async () => {
    await expect(
      deliver(
        (signal) =>
          new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        {
          ...base,
          retry: { ...retry, attempts: 1, attemptTimeoutMs: 10 },
          signal: new AbortController().signal,
        },
      ),
    ).rejects.toThrow('test sink failed after 1 attempt: attempt timed out after 10 ms')
  })
})

describe('backoff and helpers', () => {
  it('uses full jitter, capped, and honours Retry-After up to the cap', () => {
    const r = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 }
    expect(backoffDelay(1, r, undefined, () => 0.999)).toBe(99)
    expect(backoffDelay(3, r, undefined, () => 0.5)).toBe(200)
    expect(backoffDelay(10, r, undefined, () => 0.999)).toBe(999)
    expect(backoffDelay(1, r, undefined, () => 0)).toBe(0)
    expect(backoffDelay(1, r, 500, () => 0)).toBe(500)
    expect(backoffDelay(1, r, 50_000, () => 0)).toBe(1000)
    const samples = Array.from({ length: 200 }, () => backoffDelay(2, r))
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...samples)).toBeLessThan(200)
    expect(new Set(samples).size).toBeGreaterThan(20)
  })

  it('parses Retry-After', () => {
    const now = Date.parse('2026-11-25T10:00:00Z')
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter(' ')).toBeUndefined()
    expect(parseRetryAfter('7')).toBe(7000)
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })

  it('resolves retry options with defaults', () => {
    expect(resolveRetry(undefined)).toEqual({
      attempts: 3,
      baseDelayMs: 250,
      maxDelayMs: 5000,
      attemptTimeoutMs: 10_000,
    })
    expect(resolveRetry({ attempts: 5, attemptTimeoutMs: 0 })).toMatchObject({
      attempts: 5,
      attemptTimeoutMs: 0,
    })
  })

  it('redacts secrets, their encoded forms and URL parts', () => {
    const redact = makeRedactor(['p@ss word!', undefined, null, 'abc'])
    expect(redact('x p@ss word! y p%40ss%20word! z abc')).toBe('x [redacted] y [redacted] z abc')
    expect(redact('see https://u:pw@h.io/hook/xyz?t=1')).toBe('see https://[redacted]@h.io/[redacted]')
    const secrets = urlSecrets(
      'https://user:p%40ss@hooks.example.com/services/T0001/B0002/averyveryverylongtoken?sig=abc123&x=1',
    )
    expect(secrets).toEqual(
      expect.arrayContaining([
        'p%40ss',
        'p@ss',
        'T0001',
        'B0002',
        'averyveryverylongtoken',
        'abc123',
        'sig=abc123&x=1',
      ]),
    )
    expect(secrets).not.toContain('services')
    expect(urlSecrets('not a url')).toEqual(['not a url'])
    expect(urlSecrets('http://h/%E0%A4%A')).toContain('/%E0%A4%A') // undecodable: kept as is
  })

  it('describes errors with their cause', () => {
    expect(describeError('plain')).toBe('plain')
    expect(describeError(new Error('fetch failed', { cause: new Error('connect ECONNREFUSED') }))).toBe(
      'fetch failed: connect ECONNREFUSED',
    )
    expect(describeError(new Error('boom: inner', { cause: new Error('inner') }))).toBe('boom: inner')
    expect(describeError(new Error('x', { cause: 'not an error' }))).toBe('x')
  })

  it('sleeps, or rejects with the reason when aborted', async () => {
    const ac = new AbortController()
    await sleep(1, ac.signal)
    ac.abort(new Error('gone'))
    await expect(sleep(1000, ac.signal)).rejects.toThrow('gone')
  })

  it('moves URL credentials into a Basic header', () => {
    expect(splitCredentials('http://h/x')).toEqual({ url: 'http://h/x', headers: {} })
    expect(splitCredentials('http://a%20b:c%3Ad@h/x')).toEqual({
      url: 'http://h/x',
      headers: { authorization: `Basic ${Buffer.from('a b:c:d').toString('base64')}` },
    })
    expect(splitCredentials('http://only-user@h/')).toEqual({
      url: 'http://h/',
      headers: { authorization: `Basic ${Buffer.from('only-user:').toString('base64')}` },
    })
  })

  it('sends one HTTP request and classifies the status', async () => {
    sink = await httpSink((_r, n) =>
      n === 1
        ? { status: 201, body: 'made' }
        : n === 2
          ? { status: 418, body: '' }
          : { status: 599, reason: '', body: 'odd' },
    )
    const signal = new AbortController().signal
    const req = {
      url: `${sink.origin}/p`,
      method: 'PUT' as const,
      headers: { 'x-a': 'b' },
      body: 'hello',
      signal,
    }
    expect(await httpSend(req)).toEqual({ status: 201, body: 'made' })
    expect(sink.received[0]).toMatchObject({ method: 'PUT', body: 'hello', headers: { 'x-a': 'b' } })
    const err = await httpSend(req).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DeliveryError)
    expect(err).toMatchObject({ message: "HTTP 418 I'm a Teapot", retryable: false })
    expect(await httpSend(req).catch((e: unknown) => e)).toMatchObject({
      message: 'HTTP 599: odd',
      retryable: true,
    })
  })

  it("lets the caller's headers win over URL credentials and defaults, whatever their case", async () => {
    sink = await httpSink()
    const signal = new AbortController().signal
    await httpSend({
      url: `http://u:p@${sink.origin.slice(7)}/h`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'Content-Type': 'text/x-custom',
        Authorization: 'Bearer mine',
      },
      body: '{}',
      signal,
    })
    expect(sink.received[0]?.headers).toMatchObject({
      'content-type': 'text/x-custom',
      authorization: 'Bearer mine',
    })
  })
})
