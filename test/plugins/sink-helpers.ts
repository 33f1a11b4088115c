// Real local peers for the first-party sink tests: a recording HTTP server, an SMTP server with AUTH
// and a silent TCP server, all on 127.0.0.1,
// plus the records and checks the suites run over.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { check } from '../../src/index.js'

export interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

export type Reply =
  | { status: number; reason?: string; body?: string; headers?: Record<string, string> }
  | 'hang'

export interface HttpSink {
  /** http://127.0.0.1:<port> */
  origin: string
  /** Requests whose body arrived completely, in order. */
  received: Received[]
  /** Requests the client gave up on (connection closed before we answered). */
  aborted: number
  /** Resolves when `aborted` next grows. */
  nextAbort(): Promise<void>
  close(): Promise<void>
}

/** A loopback HTTP server that records every request and answers with `reply(req, n)` (n from 1). */
export async function httpSink(
  reply: (req: Received, n: number) => Reply = () => ({ status: 200, body: 'ok' }),
): Promise<HttpSink> {
  const received: Received[] = []
  let onAbort: (() => void) | undefined
  const sink: HttpSink = {
    origin: '',
    received,
    aborted: 0,
    nextAbort: () =>
      new Promise<void>((resolve) => {
        onAbort = resolve
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      received.push(r)
      const answer = reply(r, received.length)
      if (answer === 'hang') {
        res.on('close', () => {
          sink.aborted += 1
          onAbort?.()
        })
        return
      }
      const headers = { 'content-type': 'text/plain', ...answer.headers }
      if (answer.reason === undefined) res.writeHead(answer.status, headers)
      else res.writeHead(answer.status, answer.reason, headers)
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  sink.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return sink
}

/** 40 orders: 10 null emails, prices 1..10 (average 5.5). */
export const rows = Array.from({ length: 40 }, (_, i) => ({
  id: i,
  price: (i % 10) + 1,
  email: i % 4 === 0 ? null : `u${i}@x.io`,
  qty: i,
}))

/** Two passing and two failing assertions (P0 and P2), in one check over the dataset 'data'. */
export const ordersCheck = check({ name: 'orders', datasets: ['data'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.nullCount('email'))
    .where({ name: 'few null emails', severity: 'P0', tags: ['pii'] })
    .isLt(5)
  ctx.assertThat(mp.average('price')).where({ name: 'avg price', severity: 'P2' }).isBetween(1, 5)
  ctx.assertThat(mp.maximum('qty')).where({ name: 'max qty' }).isLeq(100)
})

/** All assertions pass. */
export const passingCheck = check({ name: 'healthy', datasets: ['data'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})

/** Reads a column that does not exist: the run itself fails (a DqxError) before processResults. */
export const brokenCheck = check({ name: 'broken', datasets: ['data'] }, (mp, ctx) => {
  ctx.assertThat(mp.sum('no_such_column')).where({ name: 'sum' }).isPositive()
})

/** A check on a dataset the run does not provide: its assertion is SKIPPED. */
export const skippedCheck = check({ name: 'elsewhere', datasets: ['missing'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows elsewhere' }).isPositive()
})

export interface SmtpSinkOptions {
  user: string
  pass: string
  /** Called for each message (n from 1): a response code to refuse it with (e.g. 451, 550), or undefined to accept. */
  refuse?: (n: number) => number | undefined
}

export interface SmtpSink {
  port: number
  /** Accepted messages, parsed. */
  messages: ParsedMail[]
  /** Authentication attempts (with the password given). */
  logins: { user: string; ok: boolean }[]
  /** DATA commands seen (accepted or refused). */
  deliveries: number
  close(): Promise<void>
}

/** A real SMTP server on 127.0.0.1 that requires AUTH (PLAIN/LOGIN over plain text) and parses what arrives. */
export async function smtpSink(o: SmtpSinkOptions): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, messages: [], logins: [], deliveries: 0, close: async () => {} }
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.username === o.user && auth.password === o.pass
      sink.logins.push({ user: auth.username ?? '', ok })
      if (!ok) return cb(new Error('Invalid username or password'))
      cb(null, { user: auth.username })
    },
    onData(stream, _session, cb) {
      sink.deliveries += 1
      const code = o.refuse?.(sink.deliveries)
      simpleParser(stream)
        .then((mail) => {
          if (code !== undefined)
            return cb(Object.assign(new Error(`refused with ${code}`), { responseCode: code }))
          sink.messages.push(mail)
          cb()
        })
        .catch(cb)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  sink.port = (server.server.address() as AddressInfo).port
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return sink
}

/** A TCP server that accepts connections and never says a word (an SMTP server that hangs before its greeting). */
export async function silentServer(): Promise<{
  port: number
  closed: () => number
  nextClose(): Promise<void>
  close(): Promise<void>
}> {
  let closed = 0
  let onClose: (() => void) | undefined
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    sockets.add(socket)
    socket.resume() // read and drop what the client sends, so that its close is seen
    socket.on('close', () => {
      closed += 1
      sockets.delete(socket)
      onClose?.()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    closed: () => closed,
    nextClose: () =>
      new Promise<void>((resolve) => {
        onClose = resolve
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
