// dqx alerting: `npx tsx examples/alerts.ts`
//
// Wires three first-party plugins through one preset — email (SMTP), webhook (Slack Block Kit)
// and sqlWriter (a DuckDB file) — and runs a suite over generated orders in which some checks
// fail ON PURPOSE. Everything runs offline: the example starts its own SMTP server (with AUTH)
// and HTTP server on 127.0.0.1, prints what each sink received, then stops them and removes its
// temp dir. It exits 0 whatever the checks say; non-zero only if a sink did not receive anything.
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { check, DataSource, definePreset, ResultKey, VerificationSuite } from '../src/index.js'
import { email, sqlWriter, webhook } from '../src/plugins/index.js'

// ---------------------------------------------------------------------------------------------
// Local stand-ins for the real services: an SMTP server that requires a login, and a webhook
// endpoint that records what is posted to it.
// ---------------------------------------------------------------------------------------------
const SMTP_USER = 'dq-bot'
const SMTP_PASS = 'example-password' // in real life: process.env.SMTP_PASS

interface Mail {
  subject: string
  to: string
  text: string
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; stop(): Promise<void> }> {
  const mails: Mail[] = []
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true, // plain-text AUTH is fine on loopback; use TLS anywhere else
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, cb) =>
      auth.username === SMTP_USER && auth.password === SMTP_PASS
        ? cb(null, { user: auth.username })
        : cb(new Error('Invalid username or password')),
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          const to = Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : (m.to?.text ?? '')
          mails.push({ subject: m.subject ?? '', to, text: m.text ?? '' })
          cb()
        })
        .catch(cb)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function startWebhook(): Promise<{ url: string; posts: unknown[]; stop(): Promise<void> }> {
  const posts: unknown[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8')
    })
    req.on('end', () => {
      posts.push(JSON.parse(body))
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    // Slack-style URL: the token lives in the path, and never shows up in dqx's logs or errors.
    url: `http://127.0.0.1:${port}/services/T0000/B0000/XXXXXXXXXXXXXXXX`,
    posts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

// ---------------------------------------------------------------------------------------------
// A preset: the alerting plugins a team always wants together, configured in one place.
// ---------------------------------------------------------------------------------------------
interface AlertOptions {
  smtpPort: number
  oncall: string[]
  slackUrl: string
  resultsDb: string
}

const alerts = definePreset('alerts', (o: AlertOptions) => [
  email({
    smtp: {
      host: '127.0.0.1',
      port: o.smtpPort,
      secure: false,
      ignoreTLS: true,
      auth: { user: SMTP_USER, pass: SMTP_PASS },
    },
    from: 'dqx@example.com',
    to: o.oncall,
    // notifyOn defaults to 'failure' for alerting sinks: a clean run sends nothing.
  }),
  webhook({ url: o.slackUrl, format: 'slack' }),
  // Writers default to notifyOn 'always': every run is recorded.
  sqlWriter({ db: { duckdb: o.resultsDb } }),
])

// ---------------------------------------------------------------------------------------------
// Data and checks: 500 generated orders; two checks fail on purpose.
// ---------------------------------------------------------------------------------------------
const orders = Array.from({ length: 500 }, (_, i) => ({
  id: i,
  price: 5 + (i % 40) * 2.5, // average 52.75: 'avg price' (<= 50) FAILS
  email: i % 9 === 0 ? null : `customer${i}@example.com`, // 56 nulls (11.2%): 'email null rate' FAILS
  quantity: 1 + (i % 5),
}))

const orderChecks = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.nullCount('email').div(mp.numRows()))
    .where({ name: 'email null rate', severity: 'P0', tags: ['pii'] })
    .isLt(0.05)
  ctx.assertThat(mp.average('price')).where({ name: 'avg price', severity: 'P2' }).isLeq(50)
  ctx.assertThat(mp.minimum('quantity')).where({ name: 'quantity positive' }).isGeq(1)
})

async function readBack(file: string, runId: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file)
  try {
    const conn = await instance.connect()
    try {
      const reader = await conn.runAndReadAll(
        `SELECT check_name, assertion, severity, status, value FROM dqx_assertion_results WHERE run_id = $1 ORDER BY seq`,
        [runId],
      )
      return reader.getRowObjectsJS()
    } finally {
      conn.closeSync()
    }
  } finally {
    instance.closeSync()
  }
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'dqx-alerts-'))
  const smtp = await startSmtp()
  const hook = await startWebhook()
  try {
    const resultsDb = join(dir, 'results.duckdb')
    const suite = new VerificationSuite({
      name: 'nightly-orders',
      checks: [orderChecks],
      audit: false,
      plugins: [
        alerts({ smtpPort: smtp.port, oncall: ['oncall@example.com'], slackUrl: hook.url, resultsDb }),
      ],
    })
    const report = await suite.run(
      { orders: DataSource.fromRecords(orders) },
      new ResultKey('2026-11-25', { env: 'example' }),
    )

    console.log(
      `suite '${report.suiteName}': ${report.summary.passed} passed, ${report.summary.failed} failed`,
    )
    console.log(
      `plugin runs: ${report.pluginRuns.map((r) => `${r.plugin}@${r.hook}${r.error ? ' FAILED' : ''}`).join(', ')}`,
    )
    for (const r of report.pluginErrors) console.log(`  plugin error: ${r.plugin}: ${r.error?.message}`)

    console.log('\n--- email (SMTP) ---')
    for (const m of smtp.mails) console.log(`To: ${m.to}\nSubject: ${m.subject}\n\n${m.text}`)

    console.log('--- webhook (Slack Block Kit) ---')
    for (const p of hook.posts) {
      const msg = p as { text: string; blocks: { type: string; text?: { text: string } }[] }
      console.log(msg.text)
      // Slack mrkdwn escapes &, < and >: unescaped here for the terminal.
      const plain = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
      for (const b of msg.blocks)
        if (b.type === 'section' && b.text) console.log(`  ${plain(b.text.text).replace(/\n/g, '\n  ')}`)
    }

    console.log('\n--- sqlWriter (DuckDB) ---')
    const stored = await readBack(resultsDb, report.runId)
    console.table(stored)

    const ok = smtp.mails.length === 1 && hook.posts.length === 1 && stored.length === report.results.length
    if (!ok) console.error('a sink did not receive the run')
    return ok && report.pluginErrors.length === 0 ? 0 : 1
  } finally {
    await Promise.all([smtp.stop(), hook.stop()])
    await rm(dir, { recursive: true, force: true })
  }
}

process.exitCode = await main()
