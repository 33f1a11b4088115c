// Alert routing for email and webhook against real loopback peers: one message per run (per
// route), routes by severity, notifyOn 'change' over consecutive runs with a DuckDB MetricDB,
// failed-row samples in the message, and secrets kept out of logs and errors.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ParsedMail } from 'mailparser'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { check, DqxError, MetricDB, ResultKey, VerificationSuite } from '../../src/index.js'
import { emailHtml, emailText } from '../../src/plugins/email.js'
import { email, webhook } from '../../src/plugins/index.js'
import { slackMessage } from '../../src/plugins/webhook.js'
import { captureLogger, createResultsContext, makeResult, runPlugin } from '../../src/testing/index.js'
import {
  brokenCheck,
  type HttpSink,
  httpSink,
  ordersCheck,
  rows,
  type SmtpSink,
  smtpSink,
} from './sink-helpers.js'

const USER = 'dq-bot'
const PASS = 'hunter2-Sup3rSecret!'
const fast = { baseDelayMs: 1, maxDelayMs: 5 }
const dir = mkdtempSync(join(tmpdir(), 'dqx-alert-routing-'))
let smtpServer: SmtpSink | undefined
let http: HttpSink | undefined

afterEach(async () => {
  await smtpServer?.close()
  await http?.close()
  smtpServer = undefined
  http = undefined
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const smtp = (port: number, pass = PASS) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  ignoreTLS: true,
  auth: { user: USER, pass },
})

/** ordersCheck: P0 'few null emails' fails on `rows` (10 nulls), P2 'avg price' fails (5.5 > 5). */
const fixedEmails = rows.map((r) => ({ ...r, email: r.email ?? `fixed${r.id}@x.io` }))
/** Both pass: no null emails, prices 1..5 (average 3). */
const clean = fixedEmails.map((r) => ({ ...r, price: (r.id % 5) + 1 }))

const recipients = (m: ParsedMail): string =>
  (Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : m.to?.text) ?? ''
const mailTo = (sink: SmtpSink, to: string): ParsedMail[] => sink.messages.filter((m) => recipients(m) === to)

/** 30 failing assertions over every severity. */
const manyFailures = check({ name: 'many', datasets: ['data'] }, (mp, ctx) => {
  for (let i = 0; i < 30; i++) {
    ctx
      .assertThat(mp.numRows())
      .where({ name: `rule ${i}`, severity: (['P0', 'P1', 'P2', 'P3'] as const)[i % 4]! })
      .isLt(i)
  }
})

describe('email routing', () => {
  it('sends exactly one message per run (and one per route), however many assertions fail', async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    const base = { smtp: smtp(smtpServer.port), from: 'dqx@example.com' }
    const report = await runPlugin(
      [
        email({ ...base, to: 'all@example.com' }),
        email({
          ...base,
          name: 'routed',
          routes: [
            { minSeverity: 'P0', to: 'oncall@example.com' },
            { minSeverity: 'P3', to: ['team@example.com', 'lead@example.com'] },
          ],
        }),
      ],
      { records: rows, checks: [manyFailures] },
    )
    expect(report.pluginErrors).toEqual([])
    expect(report.summary.failed).toBe(30)
    expect(smtpServer.deliveries).toBe(3)
    expect(smtpServer.messages.map(recipients).sort()).toEqual([
      'all@example.com',
      'oncall@example.com',
      'team@example.com, lead@example.com',
    ])
    expect(mailTo(smtpServer, 'all@example.com')[0]?.subject).toBe(
      '[dqx] plugin-test 2026-11-25: FAILED — 30 failed, 0 passed',
    )
    const oncall = mailTo(smtpServer, 'oncall@example.com')[0]!
    expect(oncall.subject).toBe('[dqx] plugin-test 2026-11-25: FAILED (P0) — 8 failed, 0 passed')
    // P3 is the least severe: that route takes everything.
    expect(mailTo(smtpServer, 'team@example.com, lead@example.com')[0]?.subject).toBe(
      '[dqx] plugin-test 2026-11-25: FAILED (P0–P3) — 30 failed, 0 passed',
    )
  })

  it('splits failures by severity; a route with nothing to say sends nothing', async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    const { logger, lines } = captureLogger('debug')
    const plugin = email({
      smtp: smtp(smtpServer.port),
      from: 'dqx@example.com',
      routes: [
        { minSeverity: 'P0', to: 'oncall@example.com' },
        { minSeverity: 'P2', to: 'team@example.com' },
      ],
    })
    const key = new ResultKey('2026-11-25', { env: 'prod' })
    await runPlugin(plugin, { records: rows, checks: [ordersCheck], key, logger, name: 'nightly' })
    expect(smtpServer.messages).toHaveLength(2)
    const oncall = mailTo(smtpServer, 'oncall@example.com')[0]!
    expect(oncall.subject).toBe('[dqx] nightly 2026-11-25 (env=prod): FAILED (P0) — 1 failed, 1 passed')
    const text = oncall.text ?? ''
    expect(text).toContain('Scope:      P0; failures below not listed: P2: 1\n')
    expect(text).toContain('Assertions: 2 total: 1 failed, 1 passed, 0 skipped (pass rate 50.0%)')
    expect(text).toContain('P0 — 1 failed')
    expect(text).toContain('few null emails')
    expect(text).not.toContain('avg price')
    expect(oncall.html).toContain(
      '<th style="border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top">Scope</th>',
    )
    const team = mailTo(smtpServer, 'team@example.com')[0]!
    expect(team.subject).toBe('[dqx] nightly 2026-11-25 (env=prod): FAILED (P0–P2) — 2 failed, 2 passed')
    expect(team.text).toContain('Scope:      P0–P2\n')
    expect(team.text).toMatch(/P0 — 1 failed[\s\S]*few null emails[\s\S]*P2 — 1 failed[\s\S]*avg price/)
    expect(
      lines
        .filter((l) => l.msg === 'email sent')
        .map((l) => l.route)
        .sort(),
    ).toEqual(['routes[0] (P0)', 'routes[1] (P0–P2)'])

    // Only the P2 failure left: the P0 route has nothing to say.
    smtpServer.messages.length = 0
    lines.length = 0
    await runPlugin(plugin, { records: fixedEmails, checks: [ordersCheck], key, logger, name: 'nightly' })
    expect(smtpServer.messages.map(recipients)).toEqual(['team@example.com'])
    expect(lines.find((l) => l.msg === 'nothing to send for this run')).toMatchObject({
      plugin: 'email',
      route: 'routes[0] (P0)',
      notifyOn: 'failure',
      status: 'passed',
    })
  })

  it("notifyOn 'change' over three runs with a DuckDB MetricDB: fail → fail (quiet) → pass (recovered)", async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    const file = join(dir, 'email-change.duckdb')
    const plugin = email({
      smtp: smtp(smtpServer.port),
      from: 'dqx@example.com',
      to: 'oncall@example.com',
      notifyOn: 'change',
    })
    // Each run opens the file anew, as separate nightly processes would.
    const nightly = async (date: string, records: Record<string, unknown>[]) => {
      const db = MetricDB.duckdb(file)
      try {
        const report = await runPlugin(plugin, {
          records,
          checks: [ordersCheck],
          key: new ResultKey(date),
          db,
          name: 'nightly',
        })
        expect(report.pluginErrors).toEqual([])
      } finally {
        await db.close()
      }
    }
    await nightly('2026-11-25', rows)
    expect(smtpServer.messages).toHaveLength(1)
    const first = smtpServer.messages[0]!
    expect(first.subject).toBe('[dqx] nightly 2026-11-25: FAILED — 2 newly failing (2 failed, 2 passed)')
    expect(first.text).toContain('Changes:    2 newly failing\n')
    expect(first.text).toContain(
      'Changes since the previous run\n' +
        '  - newly failing: P0 orders › few null emails (new → FAILED)\n' +
        '  - newly failing: P2 orders › avg price (new → FAILED)\n',
    )
    expect(first.html).toContain('<li>newly failing: P0 orders › few null emails (new → FAILED)</li>')

    await nightly('2026-11-26', rows)
    expect(smtpServer.messages).toHaveLength(1) // still failing: nothing changed, no message

    await nightly('2026-11-27', clean)
    expect(smtpServer.messages).toHaveLength(2)
    const third = smtpServer.messages[1]!
    expect(third.subject).toBe('[dqx] nightly 2026-11-27: PASSED — 2 recovered (0 failed, 4 passed)')
    expect(third.text).toContain('  - recovered: P0 orders › few null emails (FAILED → PASSED)\n')
    expect(third.text).toContain('  - recovered: P2 orders › avg price (FAILED → PASSED)\n')
    expect(third.text).not.toMatch(/P\d — \d+ failed/)

    // A re-run of the same day with the same outcome: its previous run is that day's first.
    await nightly('2026-11-27', clean)
    expect(smtpServer.messages).toHaveLength(2)
  })

  it('renders failed-row samples: at most maxSampleRows rows, long values cut, HTML escaped', async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    const records = rows.map((r) => ({ ...r, note: `<b>${'n'.repeat(80)}</b>` }))
    const base = { smtp: smtp(smtpServer.port), from: 'dqx@example.com' }
    await runPlugin(
      [
        email({ ...base, to: 'three@example.com' }),
        email({ ...base, name: 'one', to: 'one@example.com', maxSampleRows: 1 }),
        email({ ...base, name: 'none', to: 'none@example.com', maxSampleRows: 0 }),
      ],
      { records, checks: [ordersCheck], sampleColumns: ['id', 'note'] },
    )
    const three = mailTo(smtpServer, 'three@example.com')[0]!
    const note = `note=<b>${'n'.repeat(36)}…`
    expect(three.text).toContain(
      '      expression: nullCount(email)\n' +
        '      sample rows (3 of 10 rows):\n' +
        `        email=null, id=0, ${note}\n` +
        `        email=null, id=4, ${note}\n` +
        `        email=null, id=8, ${note}\n`,
    )
    const html = three.html || ''
    expect(html).toContain('Sample rows: 3 of 10 rows</caption>')
    expect(html).toMatch(/<th[^>]*>email<\/th><th[^>]*>id<\/th><th[^>]*>note<\/th>/)
    expect(html).toContain(
      `<td ${'style="border:1px solid #eee;padding:2px 6px;text-align:left;font-family:monospace"'}>&lt;b&gt;${'n'.repeat(36)}…</td>`,
    )
    expect(html).not.toContain('<b>n')
    expect(mailTo(smtpServer, 'one@example.com')[0]?.text).toContain(
      `      sample rows (1 of 10 rows):\n        email=null, id=0, ${note}\n\n`,
    )
    const none = mailTo(smtpServer, 'none@example.com')[0]!
    expect(none.text).not.toContain('sample rows')
    expect(none.html).not.toContain('Sample rows')
  })

  it('renders a sample table of many columns with a "+N more" header', () => {
    const row = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, i]))
    const r = makeResult({ status: 'FAILED', samples: { rows: [row, { c0: 'only' }], total: 2 } })
    const html = emailHtml(createResultsContext({ results: [r] }))
    expect(html).toContain(
      '<th style="border:1px solid #eee;padding:2px 6px;text-align:left;font-family:monospace">+2 more</th>',
    )
    expect(html.match(/<th[^>]*>c\d<\/th>/g)).toHaveLength(8)
    // A row without a column leaves its cell empty.
    expect(html).toMatch(/<td[^>]*>only<\/td>(<td[^>]*><\/td>){8}<\/tr>/)
    expect(emailText(createResultsContext({ results: [r] }))).toContain('sample rows (2 of 2 rows)')
  })

  it('lists at most maxFailures changes', () => {
    const results = Array.from({ length: 4 }, (_, i) => makeResult({ assertion: `a${i}`, status: 'FAILED' }))
    const view = {
      ...createResultsContext({ results }),
      changes: results.map((result) => ({
        kind: 'newly failing' as const,
        result,
        previous: 'PASSED' as const,
      })),
    }
    expect(emailText(view, 3)).toContain(
      '  - newly failing: P1 test-check › a2 (PASSED → FAILED)\n  … and 1 more\n',
    )
    expect(emailHtml(view, 3)).toContain('<li>… and 1 more</li>')
    expect(emailText({ ...view, changes: [] })).toContain('Changes:    none\n')
  })

  it('keeps the SMTP password out of logs and errors when several routes fail', async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    const wrong = 'Wr0ng-Pa55word-XYZ'
    const { logger, text } = captureLogger('debug')
    const report = await runPlugin(
      email({
        smtp: smtp(smtpServer.port, wrong),
        from: 'dqx@example.com',
        routes: [
          { minSeverity: 'P0', to: 'oncall@example.com' },
          { minSeverity: 'P2', to: 'team@example.com' },
        ],
        retry: fast,
      }),
      { records: rows, checks: [ordersCheck], logger },
    )
    expect(smtpServer.logins).toHaveLength(2)
    expect(report.pluginErrors).toHaveLength(1)
    const message = report.pluginErrors[0]?.error?.message ?? ''
    expect(message).toMatch(
      /email 'email' routes\[\d\] \(P0(–P2)?\) via 127\.0\.0\.1:\d+ failed after 1 attempt \(not retryable\): SMTP EAUTH.*; email 'email' routes\[\d\]/,
    )
    expect(message).toContain('routes[0] (P0)')
    expect(message).toContain('routes[1] (P0–P2)')
    expect(`${text()}\n${message}`).not.toContain(wrong)
  })

  it('sends one message when a hook error also marks the run as failed (no second one from afterRun)', async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    // A throwing `call` interceptor makes run() reject after the plugins ran; afterRun sees ctx.error.
    const breakBeforeRun = (suite: VerificationSuite) =>
      suite.hooks.beforeRun.intercept({
        call() {
          throw new Error('interceptor boom')
        },
      })
    await expect(
      runPlugin(
        [
          breakBeforeRun,
          email({ smtp: smtp(smtpServer.port), from: 'dqx@example.com', to: 'x@example.com' }),
        ],
        { records: rows, checks: [ordersCheck] },
      ),
    ).rejects.toThrow('interceptor boom')
    expect(smtpServer.messages.map((m) => m.subject)).toEqual([
      '[dqx] plugin-test 2026-11-25: FAILED — 2 failed, 2 passed',
    ])
  })

  it("sends a run error to every route, also under notifyOn 'change'", async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    await expect(
      runPlugin(
        email({
          smtp: smtp(smtpServer.port),
          from: 'dqx@example.com',
          notifyOn: 'change',
          routes: [
            { minSeverity: 'P0', to: 'oncall@example.com' },
            { minSeverity: 'P3', to: 'team@example.com' },
          ],
        }),
        { records: rows, checks: [brokenCheck] },
      ),
    ).rejects.toThrow(DqxError)
    expect(smtpServer.messages.map(recipients).sort()).toEqual(['oncall@example.com', 'team@example.com'])
    for (const m of smtpServer.messages)
      expect(m.subject).toMatch(/: ERROR \(P0(–P3)?\) — run failed: .*no_such_column/)
  })

  it('validates routes, naming the plugin and field', () => {
    const base = { smtp: { host: 'h' }, from: 'a@b.c' }
    expect(() =>
      email({ ...base, to: 'x@y.z', routes: [{ minSeverity: 'P0', to: 'o@y.z' }] } as never),
    ).toThrow("invalid options for plugin 'email': routes: give either 'to' or 'routes', not both")
    expect(() => email({ ...base, name: 'ops' } as never)).toThrow(
      "invalid options for plugin 'ops': to: required (or give 'routes')",
    )
    expect(() => email({ ...base, routes: [] })).toThrow(
      /^invalid options for plugin 'email': routes: Too small/,
    )
    expect(() => email({ ...base, routes: [{ minSeverity: 'P5' as 'P0', to: 'nobody' }] })).toThrow(
      "invalid options for plugin 'email': routes[0].minSeverity: expected a severity: P0, P1, P2 or P3; routes[0].to: expected an e-mail address",
    )
    expect(() => email({ ...base, to: 'x@y.z', notifyOn: 'sometimes' as 'change' })).toThrow(
      /notifyOn: Invalid option: expected one of "always"\|"failure"\|"success"\|"change"/,
    )
  })

  it('lets pluginConfig replace `to` with `routes` (and the other way round)', async () => {
    smtpServer = await smtpSink({ user: USER, pass: PASS })
    const base = { smtp: smtp(smtpServer.port), from: 'dqx@example.com' }
    await runPlugin(
      [
        email({ ...base, to: 'everyone@example.com' }),
        email({ ...base, name: 'routed', routes: [{ minSeverity: 'P0', to: 'oncall@example.com' }] }),
      ],
      {
        records: rows,
        checks: [ordersCheck],
        pluginConfig: {
          email: { routes: [{ minSeverity: 'P2', to: 'team@example.com' }] },
          routed: { to: 'all@example.com' },
        },
      },
    )
    expect(smtpServer.messages.map(recipients).sort()).toEqual(['all@example.com', 'team@example.com'])
    expect(
      () =>
        new VerificationSuite({
          name: 's',
          checks: [ordersCheck],
          plugins: [email({ ...base, to: 'x@example.com' })],
          pluginConfig: {
            email: { to: 'y@example.com', routes: [{ minSeverity: 'P0', to: 'z@example.com' }] },
          },
        }),
    ).toThrow("invalid options for plugin 'email': routes: give either 'to' or 'routes', not both")
  })
})

interface JsonDoc {
  status: string
  summary: { total: number; failed: number }
  failed: { assertion: string; samples?: { rows: unknown[]; total: number } }[]
  route?: { minSeverity: string; omitted: Record<string, number> }
  changes?: {
    kind: string
    check: string
    assertion: string
    severity: string
    previous: string | null
    status: string
  }[]
}

describe('webhook routing', () => {
  const TOKEN = 'T0123ABCD/B0456EFGH/s3cr3tWebhookToken'
  const AUTH = 'Bearer sk-live-9f8e7d6c5b4a'
  const ROUTE_KEY = 'route-k3y-VALUE-42'
  const byPath = (sink: HttpSink, path: string) => sink.received.filter((r) => r.url === path)
  const doc = (sink: HttpSink, path: string): JsonDoc => JSON.parse(byPath(sink, path)[0]!.body) as JsonDoc

  it('posts one document per route with its failures only; headers are shared and per route', async () => {
    http = await httpSink()
    const report = await runPlugin(
      webhook({
        format: 'json',
        headers: { Authorization: AUTH },
        routes: [
          { minSeverity: 'P0', url: `${http.origin}/p0`, headers: { 'X-Route': 'pager' } },
          { minSeverity: 'P2', url: `${http.origin}/p2`, headers: { authorization: 'Bearer other' } },
          { minSeverity: 'P1', url: `${http.origin}/p1` },
        ],
      }),
      { records: rows, checks: [ordersCheck] },
    )
    expect(report.pluginErrors).toEqual([])
    expect(http.received.map((r) => r.url).sort()).toEqual(['/p0', '/p1', '/p2'])
    const [p0] = byPath(http, '/p0')
    expect([p0?.headers.authorization, p0?.headers['x-route']]).toEqual([AUTH, 'pager'])
    expect(byPath(http, '/p2')[0]?.headers.authorization).toBe('Bearer other')
    const d0 = doc(http, '/p0')
    expect(d0.route).toEqual({ minSeverity: 'P0', omitted: { P2: 1 } })
    expect(d0.summary).toMatchObject({ total: 2, failed: 1 })
    expect(d0.failed.map((r) => r.assertion)).toEqual(['few null emails'])
    expect(d0.failed[0]?.samples).toEqual({ rows: expect.any(Array), total: 10 })
    expect(d0.changes).toBeUndefined()
    expect(doc(http, '/p1').failed.map((r) => r.assertion)).toEqual(['few null emails'])
    const d2 = doc(http, '/p2')
    expect(d2.route).toEqual({ minSeverity: 'P2', omitted: {} })
    expect(d2.failed.map((r) => r.assertion)).toEqual(['few null emails', 'avg price'])
  })

  it('says which severities a routed Slack message covers', async () => {
    http = await httpSink()
    await runPlugin(webhook({ format: 'slack', routes: [{ minSeverity: 'P1', url: `${http.origin}/s` }] }), {
      records: rows,
      checks: [ordersCheck],
    })
    const msg = JSON.parse(http.received[0]!.body) as {
      text: string
      blocks: { text?: { text: string }; fields?: { text: string }[] }[]
    }
    expect(msg.text).toBe(':x: plugin-test 2026-11-25: FAILED (P0–P1) — 1 failed, 2 passed, 0 skipped')
    expect(msg.blocks[0]?.text?.text).toBe('FAILED: plugin-test (P0–P1)')
    expect(msg.blocks[1]?.fields?.at(-1)?.text).toBe('*Scope*\nP0–P1; failures below not listed: P2: 1')
    expect(msg.blocks.map((b) => b.text?.text ?? '').join('\n')).not.toContain('avg price')
  })

  it("notifyOn 'change' with routes over consecutive runs (DuckDB MetricDB)", async () => {
    http = await httpSink()
    const file = join(dir, 'webhook-change.duckdb')
    const plugin = webhook({
      format: 'json',
      notifyOn: 'change',
      routes: [
        { minSeverity: 'P0', url: `${http.origin}/p0` },
        { minSeverity: 'P2', url: `${http.origin}/p2` },
      ],
    })
    const nightly = async (date: string, records: Record<string, unknown>[]) => {
      http!.received.length = 0
      const db = MetricDB.duckdb(file)
      try {
        await runPlugin(plugin, {
          records,
          checks: [ordersCheck],
          key: new ResultKey(date, { env: 'prod' }),
          db,
        })
      } finally {
        await db.close()
      }
      return http!.received.map((r) => r.url).sort()
    }
    const moves = (d: JsonDoc) =>
      d.changes?.map((c) => `${c.assertion}: ${c.previous} → ${c.status} (${c.kind})`)

    expect(await nightly('2026-11-25', rows)).toEqual(['/p0', '/p2'])
    expect(moves(doc(http, '/p0'))).toEqual(['few null emails: null → FAILED (newly failing)'])
    expect(moves(doc(http, '/p2'))).toEqual([
      'few null emails: null → FAILED (newly failing)',
      'avg price: null → FAILED (newly failing)',
    ])

    expect(await nightly('2026-11-26', rows)).toEqual([])

    // The emails are fixed, the prices are not: the P2 route still lists 'avg price' as failing.
    expect(await nightly('2026-11-27', fixedEmails)).toEqual(['/p0', '/p2'])
    expect(moves(doc(http, '/p0'))).toEqual(['few null emails: FAILED → PASSED (recovered)'])
    expect(doc(http, '/p0').status).toBe('passed')
    const d2 = doc(http, '/p2')
    expect(moves(d2)).toEqual(['few null emails: FAILED → PASSED (recovered)'])
    expect(d2.failed.map((r) => r.assertion)).toEqual(['avg price'])
    expect(d2.changes?.[0]).toEqual({
      kind: 'recovered',
      check: 'orders',
      assertion: 'few null emails',
      severity: 'P0',
      previous: 'FAILED',
      status: 'PASSED',
    })

    // Only a P2 assertion changes: the P0 route has nothing to say.
    expect(await nightly('2026-11-28', clean)).toEqual(['/p2'])
    expect(moves(doc(http, '/p2'))).toEqual(['avg price: FAILED → PASSED (recovered)'])
  })

  it('renders changes and sample rows in Slack, cut to fit', async () => {
    http = await httpSink()
    const records = rows.map((r) => ({ ...r, note: `${'&'.repeat(3)}${'v'.repeat(200)}` }))
    await runPlugin(webhook({ url: `${http.origin}/s`, format: 'slack', notifyOn: 'change' }), {
      records,
      checks: [ordersCheck],
      sampleColumns: ['note'],
    })
    const msg = JSON.parse(http.received[0]!.body) as { text: string; blocks: { text?: { text: string } }[] }
    expect(msg.text).toBe(
      ':x: plugin-test 2026-11-25: FAILED — 2 newly failing; 2 failed, 2 passed, 0 skipped',
    )
    expect(msg.blocks[2]?.text?.text).toBe(
      '*Changes since the previous run*\n' +
        ':red_circle: newly failing: P0 orders › few null emails (new → FAILED)\n' +
        ':red_circle: newly failing: P2 orders › avg price (new → FAILED)',
    )
    const p0 = msg.blocks[3]?.text?.text ?? ''
    const cell = `\`email=null, note=&amp;&amp;&amp;${'v'.repeat(36)}…\``
    expect(p0.split('\n')[2]).toBe(`      _3 of 10 rows:_ ${cell}  ${cell}  ${cell}`)
  })

  it('renders every change kind in Slack, within maxFailures', () => {
    const results = [
      makeResult({ assertion: 'a', status: 'PASSED' }),
      makeResult({ assertion: 'b', status: 'SKIPPED' }),
      makeResult({ assertion: 'c', status: 'FAILED' }),
    ]
    const view = {
      ...createResultsContext({ results }),
      changes: [
        { kind: 'recovered' as const, result: results[0]!, previous: 'FAILED' as const },
        { kind: 'changed' as const, result: results[1]!, previous: 'PASSED' as const },
        { kind: 'newly failing' as const, result: results[2]!, previous: 'PASSED' as const },
      ],
    }
    const msg = slackMessage(view, 2) as { blocks: { text?: { text: string } }[] }
    expect(msg.blocks[2]?.text?.text).toBe(
      '*Changes since the previous run*\n' +
        ':large_green_circle: recovered: P1 test-check › a (FAILED → PASSED)\n' +
        ':white_circle: changed: P1 test-check › b (PASSED → SKIPPED)\n' +
        '_…and 1 more_',
    )
  })

  it('delivers the other routes when one fails, naming it without its secrets', async () => {
    http = await httpSink((req) =>
      req.url.startsWith('/down')
        ? { status: 401, body: `bad token ${req.url} key=${String(req.headers['x-api-key'])}` }
        : { status: 200 },
    )
    const { logger, text } = captureLogger('debug')
    const report = await runPlugin(
      webhook({
        format: 'json',
        headers: { authorization: AUTH },
        routes: [
          {
            minSeverity: 'P0',
            url: `${http.origin}/down/${TOKEN}?sig=Zm9vYmFyYmF6`,
            headers: { 'x-api-key': ROUTE_KEY },
          },
          { minSeverity: 'P3', url: `${http.origin}/up` },
        ],
        retry: fast,
      }),
      { records: rows, checks: [ordersCheck], logger },
    )
    expect(http.received.map((r) => r.url.split('/')[1]).sort()).toEqual(['down', 'up'])
    expect(report.pluginErrors).toHaveLength(1)
    const message = report.pluginErrors[0]?.error?.message ?? ''
    expect(message).toBe(
      `webhook 'webhook' routes[0] (P0) to ${http.origin}/[redacted] failed after 1 attempt (not retryable): HTTP 401 Unauthorized: bad token [redacted]?[redacted] key=[redacted]`,
    )
    const everything = `${text()}\n${message}`
    for (const secret of [
      's3cr3tWebhookToken',
      'T0123ABCD',
      'Zm9vYmFyYmF6',
      'sk-live-9f8e7d6c5b4a',
      ROUTE_KEY,
    ]) {
      expect(everything).not.toContain(secret)
    }
  })

  it('validates url and routes, naming the plugin and field', () => {
    expect(() => webhook({ format: 'json' } as never)).toThrow(
      "invalid options for plugin 'webhook': url: required (or give 'routes')",
    )
    expect(() =>
      webhook({
        name: 'ops',
        format: 'json',
        url: 'http://x',
        routes: [{ minSeverity: 'P0', url: 'http://y' }],
      } as never),
    ).toThrow("invalid options for plugin 'ops': routes: give either 'url' or 'routes', not both")
    expect(() =>
      webhook({
        format: 'slack',
        routes: [{ minSeverity: 'P0', url: 'ftp://y', headers: { 'bad header': 'v' } }],
      }),
    ).toThrow(
      "invalid options for plugin 'webhook': routes[0].url: expected an http(s) URL; routes[0].headers.bad header: Invalid key in record",
    )
    expect(() =>
      webhook({ format: 'slack', routes: [{ minSeverity: 'P1', url: 'http://y', extra: 1 } as never] }),
    ).toThrow(/routes\[0\]: Unrecognized key: "extra"/)
  })
})
