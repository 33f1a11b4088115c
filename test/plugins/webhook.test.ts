import { afterEach, describe, expect, it } from 'vitest'
import { check, DqxError, ResultKey } from '../../src/index.js'
import { webhook } from '../../src/plugins/index.js'
import { captureLogger, runPlugin } from '../../src/testing/index.js'
import {
  brokenCheck,
  type HttpSink,
  httpSink,
  ordersCheck,
  passingCheck,
  rows,
  skippedCheck,
} from './sink-helpers.js'

const fast = { baseDelayMs: 1, maxDelayMs: 5 }
const TOKEN = 'T0123ABCD/B0456EFGH/s3cr3tWebhookToken'
const AUTH = 'Bearer sk-live-9f8e7d6c5b4a'
let sink: HttpSink | undefined

afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const key = new ResultKey('2026-11-25', { env: 'test' })

describe('webhook', () => {
  it('posts a Slack Block Kit message on failure', async () => {
    sink = await httpSink()
    const report = await runPlugin(webhook({ url: `${sink.origin}/services/${TOKEN}`, format: 'slack' }), {
      records: rows,
      checks: [ordersCheck, skippedCheck],
      key,
    })
    expect(report.pluginErrors).toEqual([])
    expect(sink.received).toHaveLength(1)
    const req = sink.received[0]!
    expect(req.method).toBe('POST')
    expect(req.url).toBe(`/services/${TOKEN}`)
    expect(req.headers['content-type']).toBe('application/json')
    const msg = JSON.parse(req.body) as {
      text: string
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[]
    }
    expect(msg.text).toBe(':x: plugin-test 2026-11-25 (env=test): FAILED — 2 failed, 2 passed, 1 skipped')
    expect(msg.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context'])
    expect(msg.blocks[0]?.text?.text).toBe('FAILED: plugin-test')
    expect(msg.blocks[1]?.fields?.map((f) => f.text)).toEqual([
      '*Date*\n2026-11-25',
      '*Tags*\nenv=test',
      '*Assertions*\n5 total: 2 failed, 2 passed, 1 skipped',
      '*Failures*\nP0: 1, P2: 1',
    ])
    // nullCount has a row predicate: the failure carries sample rows (the column it reads).
    expect(msg.blocks[2]?.text?.text).toBe(
      '*P0 — 1 failed*\n• *orders* › few null emails: value 10, expected &lt; 5 `nullCount(email)`' +
        '\n      _3 of 10 rows:_ `email=null`  `email=null`  `email=null`',
    )
    expect(msg.blocks[3]?.text?.text).toMatch(
      /^\*P2 — 1 failed\*\n• \*orders\* › avg price: value 5\.5, expected in \[1, 5\] `average\(price\)`$/,
    )
    expect(msg.blocks[4]).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: expect.stringMatching(new RegExp(`^dqx · run ${report.runId} · \\d+ ms$`)) },
      ],
    })
  })

  it('posts a JSON document with the failed results', async () => {
    sink = await httpSink()
    const report = await runPlugin(
      webhook({
        url: `${sink.origin}/hook?token=abc123456`,
        format: 'json',
        headers: { Authorization: AUTH, 'X-Team': 'data' },
      }),
      { records: rows, checks: [ordersCheck], key },
    )
    expect(report.pluginErrors).toEqual([])
    const req = sink.received[0]!
    expect(req.headers.authorization).toBe(AUTH)
    expect(req.headers['x-team']).toBe('data')
    const doc = JSON.parse(req.body)
    expect(doc).toMatchObject({
      type: 'dqx.run',
      suite: 'plugin-test',
      runId: report.runId,
      key: { date: '2026-11-25', tags: { env: 'test' } },
      status: 'failed',
      datasources: ['data'],
      summary: {
        total: 4,
        passed: 2,
        failed: 2,
        skipped: 0,
        failuresBySeverity: { P0: 1, P1: 0, P2: 1, P3: 0 },
      },
    })
    expect(doc.timestamp).toBe(report.startedAt.toISOString())
    expect(
      doc.failed.map((r: { assertion: string; value: number; bound: string }) => [
        r.assertion,
        r.value,
        r.bound,
      ]),
    ).toEqual([
      ['few null emails', 10, '< 5'],
      ['avg price', 5.5, 'in [1, 5]'],
    ])
    expect(doc.error).toBeUndefined()
  })

  it('honours notifyOn', async () => {
    sink = await httpSink()
    const url = `${sink.origin}/h`
    const plugins = [
      webhook({ name: 'on-failure', url, format: 'json' }),
      webhook({ name: 'on-success', url, format: 'json', notifyOn: 'success' }),
      webhook({ name: 'always', url, format: 'json', notifyOn: 'always' }),
    ]
    await runPlugin(plugins, { records: rows, checks: [passingCheck] })
    expect(sink.received.map((r) => JSON.parse(r.body).status)).toEqual(['passed', 'passed'])
    sink.received.length = 0
    await runPlugin(plugins, { records: rows, checks: [ordersCheck] })
    expect(sink.received.map((r) => JSON.parse(r.body).status)).toEqual(['failed', 'failed'])
  })

  it('reports a run-level error (from afterRun) as a failure', async () => {
    sink = await httpSink()
    const url = `${sink.origin}/h`
    await expect(
      runPlugin(
        [
          webhook({ url, format: 'json' }),
          webhook({ name: 'slack', url, format: 'slack' }),
          webhook({ name: 'quiet', url, format: 'json', notifyOn: 'success' }),
        ],
        {
          records: rows,
          checks: [brokenCheck],
        },
      ),
    ).rejects.toThrow(DqxError)
    expect(sink.received).toHaveLength(2)
    const doc = JSON.parse(sink.received[0]!.body)
    expect(doc.status).toBe('error')
    expect(doc.error).toMatch(/no_such_column/)
    expect(doc.failed).toEqual([])
    const slack = JSON.parse(sink.received[1]!.body)
    expect(slack.text).toMatch(/: ERROR — run error$/)
    expect(slack.blocks[0].text.text).toBe('ERROR: plugin-test')
    expect(slack.blocks[2].text.text).toMatch(/^\*Run error\*\n.*no_such_column/)
  })

  it('retries a server that fails twice, then delivers once (3 attempts)', async () => {
    sink = await httpSink((_req, n) => (n <= 2 ? { status: 503, body: 'busy' } : { status: 200, body: 'ok' }))
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(webhook({ url: `${sink.origin}/h`, format: 'json', retry: fast }), {
      records: rows,
      checks: [ordersCheck],
      logger,
    })
    expect(report.pluginErrors).toEqual([])
    expect(sink.received).toHaveLength(3)
    expect(new Set(sink.received.map((r) => r.body)).size).toBe(1) // the same document each time
    const warns = lines.filter(
      (l) =>
        l.msg ===
        "webhook 'webhook' to http://127.0.0.1:" +
          sink!.origin.split(':')[2] +
          '/[redacted]: attempt failed, retrying',
    )
    expect(warns.map((l) => [l.attempt, l.error])).toEqual([
      [1, 'HTTP 503 Service Unavailable: busy'],
      [2, 'HTTP 503 Service Unavailable: busy'],
    ])
    expect(lines.find((l) => l.msg === 'webhook delivered')).toMatchObject({
      plugin: 'webhook',
      attempts: 3,
      status: 200,
    })
  })

  it('gives up after the configured attempts and records a PluginRun error', async () => {
    sink = await httpSink(() => ({ status: 500, body: 'down' }))
    const report = await runPlugin(
      webhook({ url: `${sink.origin}/h`, format: 'json', retry: { ...fast, attempts: 4 } }),
      {
        records: rows,
        checks: [ordersCheck],
      },
    )
    expect(sink.received).toHaveLength(4)
    expect(report.pluginErrors).toHaveLength(1)
    const run = report.pluginErrors[0]!
    expect([run.plugin, run.hook, run.timedOut]).toEqual(['webhook', 'processResults', false])
    expect(run.error?.message).toBe(
      `webhook 'webhook' to ${sink.origin}/[redacted] failed after 4 attempts: HTTP 500 Internal Server Error: down`,
    )
  })

  it('fails fast on a 400 (one attempt)', async () => {
    sink = await httpSink(() => ({ status: 400, body: 'invalid_payload' }))
    const report = await runPlugin(webhook({ url: `${sink.origin}/h`, format: 'slack', retry: fast }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(sink.received).toHaveLength(1)
    expect(report.pluginErrors[0]?.error?.message).toBe(
      `webhook 'webhook' to ${sink.origin}/[redacted] failed after 1 attempt (not retryable): HTTP 400 Bad Request: invalid_payload`,
    )
  })

  it('retries 429 after Retry-After, and 408', async () => {
    sink = await httpSink((_r, n) =>
      n === 1
        ? { status: 429, headers: { 'retry-after': '0' } }
        : n === 2
          ? { status: 408 }
          : { status: 204 },
    )
    const report = await runPlugin(webhook({ url: `${sink.origin}/h`, format: 'json', retry: fast }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(report.pluginErrors).toEqual([])
    expect(sink.received).toHaveLength(3)
  })

  it('does not follow redirects (a 3xx fails fast)', async () => {
    sink = await httpSink(() => ({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }))
    const report = await runPlugin(webhook({ url: `${sink.origin}/h`, format: 'json', retry: fast }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(sink.received).toHaveLength(1)
    expect(report.pluginErrors[0]?.error?.message).toMatch(
      /failed after 1 attempt \(not retryable\): HTTP 302 Found$/,
    )
  })

  it("stops at the tap's timeout against a server that never answers, and closes the connection", async () => {
    sink = await httpSink(() => 'hang')
    const aborted = sink.nextAbort()
    const t0 = performance.now()
    const report = await runPlugin(webhook({ url: `${sink.origin}/h`, format: 'json' }), {
      records: rows,
      checks: [ordersCheck],
      pluginTimeoutMs: 150,
    })
    expect(performance.now() - t0).toBeLessThan(5000)
    expect(report.pluginErrors).toHaveLength(1)
    expect(report.pluginErrors[0]).toMatchObject({
      plugin: 'webhook',
      hook: 'processResults',
      timedOut: true,
    })
    await aborted
    expect(sink.aborted).toBe(1)
    expect(sink.received).toHaveLength(1) // the abort stopped it: no retry
  })

  it('retries an attempt that exceeds attemptTimeoutMs', async () => {
    sink = await httpSink((_r, n) => (n === 1 ? 'hang' : { status: 200 }))
    const report = await runPlugin(
      webhook({ url: `${sink.origin}/h`, format: 'json', retry: { ...fast, attemptTimeoutMs: 100 } }),
      { records: rows, checks: [ordersCheck] },
    )
    expect(report.pluginErrors).toEqual([])
    expect(sink.received).toHaveLength(2)
    expect(sink.aborted).toBe(1)
  })

  it('retries network errors and names them', async () => {
    sink = await httpSink()
    const origin = sink.origin
    await sink.close()
    sink = undefined
    const report = await runPlugin(
      webhook({ url: `${origin}/h`, format: 'json', retry: { ...fast, attempts: 2 } }),
      {
        records: rows,
        checks: [ordersCheck],
      },
    )
    expect(report.pluginErrors[0]?.error?.message).toMatch(
      new RegExp(
        `^webhook 'webhook' to ${origin}/\\[redacted\\] failed after 2 attempts: fetch failed: .*ECONNREFUSED`,
      ),
    )
  })

  it('never lets the URL token or header values reach logs or error messages', async () => {
    // The server echoes what it got, including the secrets, in its error body.
    sink = await httpSink((req) => ({
      status: 401,
      body: `bad token ${req.url} auth=${String(req.headers.authorization)}`,
    }))
    const { logger, text } = captureLogger('debug')
    const url = `${sink.origin}/services/${TOKEN}?sig=Zm9vYmFyYmF6`
    const report = await runPlugin(
      [
        webhook({ url, format: 'slack', headers: { authorization: AUTH }, retry: fast }),
        webhook({
          name: 'retrying',
          url: url.replace('/services', '/retry'),
          format: 'json',
          headers: { 'x-api-key': 'k3y-VALUE-42' },
          retry: fast,
        }),
      ],
      { records: rows, checks: [ordersCheck], logger },
    )
    expect(sink.received).toHaveLength(2)
    const messages = report.pluginErrors.map((r) => r.error?.message ?? '')
    expect(messages).toHaveLength(2)
    const everything = `${text()}\n${messages.join('\n')}`
    for (const secret of [
      's3cr3tWebhookToken',
      'T0123ABCD',
      'B0456EFGH',
      'Zm9vYmFyYmF6',
      'sk-live-9f8e7d6c5b4a',
      'k3y-VALUE-42',
    ]) {
      expect(everything).not.toContain(secret)
    }
    expect(messages[0]).toContain('HTTP 401 Unauthorized: bad token [redacted]?[redacted] auth=[redacted]')
    expect(text()).toContain('plugin failed')
  })

  it('truncates long Slack sections and says how many are left out', async () => {
    sink = await httpSink()
    const many = check({ name: 'many <&> checks', datasets: ['data'] }, (mp, ctx) => {
      for (let i = 0; i < 30; i++) {
        ctx
          .assertThat(mp.numRows())
          .where({ name: `rule ${i} ${'x'.repeat(i % 2 ? 400 : 5)}`, severity: 'P3' })
          .isLt(i)
      }
    })
    await runPlugin(
      [
        webhook({ url: `${sink.origin}/a`, format: 'slack' }),
        webhook({ name: 'wide', url: `${sink.origin}/b`, format: 'slack', maxFailures: 50 }),
      ],
      {
        records: rows,
        checks: [many],
      },
    )
    const [a, b] = sink.received.map((r) => JSON.parse(r.body) as { blocks: { text?: { text: string } }[] })
    const sectionA = a!.blocks[2]!.text!.text
    expect(sectionA.split('\n')).toHaveLength(1 + 10 + 1)
    expect(sectionA).toContain('*many &lt;&amp;&gt; checks*')
    expect(sectionA.endsWith('_…and 20 more_')).toBe(true)
    const sectionB = b!.blocks[2]!.text!.text
    expect(sectionB.length).toBeLessThanOrEqual(3000)
    expect(sectionB).toMatch(/_…and \d+ more_$/)
    for (const block of b!.blocks) if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000)
  })

  it('validates its options when called, naming plugin and field', () => {
    expect(() => webhook({ url: 'not a url', format: 'slack' })).toThrow(
      "invalid options for plugin 'webhook': url: expected an http(s) URL",
    )
    expect(() => webhook({ name: 'ops', url: 'ftp://x', format: 'slack' })).toThrow(
      "plugin 'ops': url: expected an http(s) URL",
    )
    expect(() => webhook({ url: 'http://x', format: 'teams' as 'slack' })).toThrow(/format: Invalid option/)
    expect(() =>
      webhook({ url: 'http://x', format: 'json', headers: { Authorization: 'Bearer x\r\nX-Evil: 1' } }),
    ).toThrow('headers.Authorization: header values may not contain CR, LF or NUL')
    expect(() => webhook({ url: 'http://x', format: 'json', notifyOn: 'sometimes' as 'always' })).toThrow(
      /notifyOn: Invalid option/,
    )
    try {
      webhook({ url: 'http://x', format: 'json', headers: { 'bad header': 'v' } })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DqxError)
      expect((e as DqxError).code).toBe('INVALID_PLUGIN_CONFIG')
    }
    expect(
      webhook.configSchema.safeParse({ url: 'https://hooks.slack.com/x', format: 'slack' }).success,
    ).toBe(true)
  })
})
