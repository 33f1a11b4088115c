// Shared by the PostgreSQL tests. They need a real server: vitest's globalSetup starts one and sets
// DQX_TEST_PG_URL (CI always does). Without it the tests FAIL, loudly, rather than skip.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import pg from 'pg'
import { pino } from 'pino'

export function requirePgUrl(): string {
  const url = process.env.DQX_TEST_PG_URL
  if (!url) {
    throw new Error(
      'DQX_TEST_PG_URL is not set: the PostgreSQL tests need a server. vitest globalSetup (test/setup/global.ts) starts one; CI sets it. These tests fail rather than skip.',
    )
  }
  return url
}

/** Runs `fn` with a connected client and closes it afterwards. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A unique lowercase name: test files run in parallel against one server. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

/** A brand-new database on the test server; `drop()` removes it (and any open sessions). */
export async function freshDatabase(
  baseUrl: string,
  prefix = 'dqx_t',
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix)
  await withClient(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`))
  const u = new URL(baseUrl)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    name,
    drop: () =>
      withClient(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res))
  const { port } = srv.address() as { port: number }
  await new Promise<void>((res) => srv.close(() => res()))
  return port
}

export const silentLogger = pino({ level: 'silent' })
