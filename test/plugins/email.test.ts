import { afterEach, describe, expect, it } from 'vitest'
import { check, DqxError, ResultKey } from '../../src/index.js'
import { classifySmtpError, emailHtml, emailText, smtpTarget } from '../../src/plugins/email.js'
import { email } from '../../src/plugins/index.js'
import { captureLogger, createResultsContext, makeResult, runPlugin } from '../../src/testing/index.js'
import {
  brokenCheck,
  ordersCheck,
  passingCheck,
  rows,
  type SmtpSink,
  silentServer,
  skippedCheck,
  smtpSink,
} from './sink-helpers.js'

const USER = 'dq-bot'
const PASS = 'hunter2-Sup3rSecret!'
const fast = { baseDelayMs: 1, maxDelayMs: 5 }
let sink: SmtpSink | undefined

afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const smtp = (port: number, pass = PASS) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  ignoreTLS: true,
  auth: { user: USER, pass },
})
const key = new ResultKey('2026-11-25', { env: 'prod' })

describe('email', () => {
  it('sends a summary with the failed assertions by severity (text and HTML)', async () => {
    sink = await smtpSink({ user: USER, pass: PASS })
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(
      email({
        smtp: smtp(sink.port),
        from: 'dqx@example.com',
        to: ['oncall@example.com', 'data@example.com'],
      }),
      { records: rows, checks: [ordersCheck, skippedCheck], key, logger, name: 'nightly' },
    )
    expect(report.pluginErrors).toEqual([])
    expect(sink.logins).toEqual([{ user: USER, ok: true }])
    expect(sink.messages).toHaveLength(1)
    const mail = sink.messages[0]!
    expect(mail.subject).toBe('[dqx] nightly 2026-11-25 (env=prod): FAILED — 2 failed, 2 passed, 1 skipped')
    expect(mail.from?.text).toBe('dqx@example.com')
    expect(Array.isArray(mail.to) ? mail.to.map((a) => a.text) : mail.to?.text).toBe(
      'oncall@example.com, data@example.com',
    )
    const text = mail.text ?? ''
    expect(text).toContain('nightly 2026-11-25 (env=prod): FAILED — 2 failed, 2 passed, 1 skipped')
    expect(text).toContain(`Run:        ${report.runId}`)
    expect(text).toContain('Assertions: 5 total: 2 failed, 2 passed, 1 skipped (pass rate 40.0%)')
    expect(text).toContain('Failures:   P0: 1, P2: 1')
    const p0 = text.indexOf('P0 — 1 failed')
    const p2 = text.indexOf('P2 — 1 failed')
    expect(p0).toBeGreaterThan(0)
    expect(p2).toBeGreaterThan(p0)
    expect(text.slice(p0, p2)).toContain(
      '  - orders › few null emails\n      value: 10   bound: < 5\n      expression: nullCount(email)',
    )
    expect(text.slice(p2)).toContain(
      '  - orders › avg price\n      value: 5.5   bound: in [1, 5]\n      expression: average(price)',
    )
    expect(text).not.toContain('has rows') // passed assertions are not listed
    const html = mail.html || ''
    expect(html).toContain('<h3>P0 — 1 failed</h3>')
    expect(html).toMatch(
      /<td[^>]*>few null emails<\/td><td[^>]*>10<\/td><td[^>]*>&lt; 5<\/td><td[^>]*>nullCount\(email\)<\/td>/,
    )
    expect(lines.find((l) => l.msg === 'email sent')).toMatchObject({
      plugin: 'email',
      recipients: 2,
      rejected: 0,
      attempts: 1,
    })
  })

  it('escapes HTML, lists evaluation errors and cuts long lists', async () => {
    sink = await smtpSink({ user: USER, pass: PASS })
    const nasty = check({ name: '<script>&"checks"', datasets: ['data'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.numRows().div(mp.nullCount('id')))
        .where({ name: "ratio <b>'x'</b>", severity: 'P1' })
        .isGt(0)
      for (let i = 0; i < 5; i++)
        ctx
          .assertThat(mp.numRows())
          .where({ name: `small ${i}`, severity: 'P3' })
          .isLt(1)
    })
    await runPlugin(
      email({
        smtp: smtp(sink.port),
        from: 'dqx@example.com',
        to: 'oncall@example.com',
        maxFailures: 2,
        subjectPrefix: '',
      }),
      {
        records: rows,
        checks: [nasty],
      },
    )
    const mail = sink.messages[0]!
    expect(mail.subject).toBe('plugin-test 2026-11-25: FAILED — 6 failed, 0 passed')
    const html = mail.html || ''
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;&amp;&quot;checks&quot;')
    expect(html).toContain('ratio &lt;b&gt;&#39;x&#39;&lt;/b&gt;')
    expect(html).toContain('<p>… and 3 more</p>')
    const text = mail.text ?? ''
    expect(text).toMatch(
      /value: null {3}bound: > 0\n {6}expression: numRows\(\) \/ nullCount\(id\)\n {6}error: .*zero/i,
    )
    expect(text).toContain('  … and 3 more')
  })

  it('accepts a connection URL and a single recipient', async () => {
    sink = await smtpSink({ user: USER, pass: PASS })
    const url = `smtp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${sink.port}/?ignoreTLS=true`
    const report = await runPlugin(email({ smtp: url, from: 'dqx@example.com', to: 'oncall@example.com' }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(report.pluginErrors).toEqual([])
    expect(sink.messages).toHaveLength(1)
  })

  it('honours notifyOn and reports run-level errors', async () => {
    sink = await smtpSink({ user: USER, pass: PASS })
    const base = { smtp: smtp(sink.port), from: 'dqx@example.com', to: ['oncall@example.com'] }
    await runPlugin([email(base), email({ ...base, name: 'good-news', notifyOn: 'success' })], {
      records: rows,
      checks: [passingCheck],
    })
    expect(sink.messages.map((m) => m.subject)).toEqual([
      '[dqx] plugin-test 2026-11-25: PASSED — 0 failed, 1 passed',
    ])
    await expect(runPlugin(email(base), { records: rows, checks: [brokenCheck] })).rejects.toThrow(DqxError)
    expect(sink.messages).toHaveLength(2)
    const mail = sink.messages[1]!
    expect(mail.subject).toMatch(/^\[dqx\] plugin-test 2026-11-25: ERROR — run failed: .*no_such_column/)
    expect(mail.text).toMatch(/Run error: {2}.*no_such_column/)
    expect(mail.html).toContain(
      '<th style="border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top">Run error</th>',
    )
  })

  it('fails fast on an authentication failure, and the password never appears', async () => {
    sink = await smtpSink({ user: USER, pass: PASS })
    const wrong = 'Wr0ng-Pa55word-XYZ'
    const { logger, text } = captureLogger('debug')
    const report = await runPlugin(
      [
        email({
          smtp: smtp(sink.port, wrong),
          from: 'dqx@example.com',
          to: ['oncall@example.com'],
          retry: fast,
        }),
        email({
          name: 'by-url',
          smtp: `smtp://${USER}:${wrong}@127.0.0.1:${sink.port}/?ignoreTLS=true`,
          from: 'dqx@example.com',
          to: ['oncall@example.com'],
          retry: fast,
        }),
      ],
      {
        records: rows,
        checks: [ordersCheck],
        logger,
        pluginConfig: { email: { to: ['other@example.com'] } },
      },
    )
    expect(sink.logins).toEqual([
      { user: USER, ok: false },
      { user: USER, ok: false },
    ])
    expect(sink.messages).toEqual([])
    const messages = report.pluginErrors.map((r) => r.error?.message ?? '')
    expect(messages).toHaveLength(2)
    expect(messages.find((m) => m.startsWith("email 'email'"))).toMatch(
      /^email 'email' via 127\.0\.0\.1:\d+ failed after 1 attempt \(not retryable\): SMTP EAUTH: Invalid login: 535/,
    )
    expect(messages.find((m) => m.startsWith("email 'by-url'"))).toMatch(
      /^email 'by-url' via smtp:\/\/\[redacted\]@127\.0\.0\.1:\d+\/\[redacted\] failed after 1 attempt \(not retryable\): SMTP EAUTH/,
    )
    const everything = `${text()}\n${messages.join('\n')}\n${JSON.stringify(report.pluginErrors.map((r) => r.error))}`
    expect(everything).not.toContain(wrong)
    expect(everything).not.toContain(PASS)
  })

  it('retries a temporary refusal (451) and delivers once after 3 attempts', async () => {
    sink = await smtpSink({ user: USER, pass: PASS, refuse: (n) => (n <= 2 ? 451 : undefined) })
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(
      email({ smtp: smtp(sink.port), from: 'dqx@example.com', to: ['oncall@example.com'], retry: fast }),
      {
        records: rows,
        checks: [ordersCheck],
        logger,
      },
    )
    expect(report.pluginErrors).toEqual([])
    expect(sink.deliveries).toBe(3)
    expect(sink.messages).toHaveLength(1)
    expect(
      lines.filter((l) => String(l.msg).endsWith('attempt failed, retrying')).map((l) => l.error),
    ).toEqual([
      expect.stringMatching(/^SMTP EMESSAGE: .*451/),
      expect.stringMatching(/^SMTP EMESSAGE: .*451/),
    ])
    expect(lines.find((l) => l.msg === 'email sent')).toMatchObject({ attempts: 3 })
  })

  it('fails fast on a permanent refusal (550)', async () => {
    sink = await smtpSink({ user: USER, pass: PASS, refuse: () => 550 })
    const report = await runPlugin(
      email({ smtp: smtp(sink.port), from: 'dqx@example.com', to: ['oncall@example.com'], retry: fast }),
      {
        records: rows,
        checks: [ordersCheck],
      },
    )
    expect(sink.deliveries).toBe(1)
    expect(report.pluginErrors[0]?.error?.message).toMatch(
      /failed after 1 attempt \(not retryable\): SMTP EMESSAGE: .*550/,
    )
  })

  it("stops at the tap's timeout when the server never greets, and closes the connection", async () => {
    const silent = await silentServer()
    try {
      const closed = silent.nextClose()
      const report = await runPlugin(
        email({ smtp: smtp(silent.port), from: 'dqx@example.com', to: ['oncall@example.com'] }),
        {
          records: rows,
          checks: [ordersCheck],
          pluginTimeoutMs: 200,
        },
      )
      expect(report.pluginErrors[0]).toMatchObject({
        plugin: 'email',
        hook: 'processResults',
        timedOut: true,
      })
      await closed
      expect(silent.closed()).toBe(1)
    } finally {
      await silent.close()
    }
  })

  it('validates its options when called', () => {
    expect(() => email({ smtp: 42 as unknown as string, from: 'a@b.c', to: ['x@y.z'] })).toThrow(
      "invalid options for plugin 'email': smtp: expected nodemailer transport options ({ host, port, auth … }) or a connection URL",
    )
    expect(() => email({ smtp: { host: 'h' }, from: 'nobody', to: [] })).toThrow(
      /^invalid options for plugin 'email': from: expected an e-mail address; to: /,
    )
    expect(() =>
      email({ smtp: { host: 'h', port: 0 }, from: 'a@b.c', to: 'x@y.z', extra: 1 } as never),
    ).toThrow(/smtp\.port: Too small: expected number to be >=1; \(options\): Unrecognized key: "extra"/)
    expect(() =>
      email({
        smtp: { host: 'h', auth: { user: 'u', pass: 'p' } },
        from: 'a@b.c',
        to: 'x@y.z',
        retry: { attempts: 0 },
      }),
    ).toThrow(/retry\.attempts: Too small/)
  })

  it('classifies SMTP errors', () => {
    const c = (e: object) => classifySmtpError(Object.assign(new Error('x'), e)).retryable
    expect(c({ code: 'EAUTH', responseCode: 454 })).toBe(false)
    expect(c({ code: 'ENOAUTH' })).toBe(false)
    expect(c({ code: 'EENVELOPE' })).toBe(false)
    expect(c({ code: 'EENVELOPE', responseCode: 450 })).toBe(true)
    expect(c({ code: 'EMESSAGE', responseCode: 552 })).toBe(false)
    expect(c({ code: 'ECONNECTION' })).toBe(true)
    expect(c({})).toBe(true)
    expect(classifySmtpError('plain').message).toBe('SMTP error: plain')
  })

  it('describes its target without secrets', () => {
    expect(smtpTarget({ host: 'mail.example.com', port: 465 })).toBe('mail.example.com:465')
    expect(smtpTarget({})).toBe('localhost')
    expect(smtpTarget('smtps://bot:pw-123@mail.example.com:465')).toBe(
      'smtps://[redacted]@mail.example.com:465',
    )
  })

  it('works with any nodemailer transport (jsonTransport: a dry run that logs what it would send)', async () => {
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(
      email({ smtp: { jsonTransport: true }, from: 'dqx@example.com', to: 'oncall@example.com' }),
      {
        records: rows,
        checks: [ordersCheck],
        logger,
      },
    )
    expect(report.pluginErrors).toEqual([])
    expect(lines.find((l) => l.msg === 'email sent')).toMatchObject({
      recipients: 1,
      rejected: 0,
      attempts: 1,
    })
  })

  it('renders results without a bound', () => {
    const { bound: _b, ...noBound } = makeResult({
      status: 'FAILED',
      value: 3,
      assertion: 'no bound',
      severity: 'P0',
    })
    const ctx = createResultsContext({ results: [noBound] })
    expect(emailText(ctx)).toContain('      value: 3   bound: -\n')
    expect(emailHtml(ctx)).toMatch(/<td[^>]*>no bound<\/td><td[^>]*>3<\/td><td[^>]*><\/td>/)
  })
})
