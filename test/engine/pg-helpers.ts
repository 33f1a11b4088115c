// Shared by the PostgreSQL tests. They need a real server: vitest's globalSetup starts one and sets
// DQX_TEST_PG_URL (CI's .ci/run starts one for the whole run). Without PostgreSQL binaries the
// tests skip with one printed line saying how to get them; under DQX_REQUIRE_SERVERS=1 (CI) they fail.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import pg from 'pg'
import { pino } from 'pino'
import { serverAvailable } from '../helpers/servers.js'

/** Why there is no test server (set by test/setup/global.ts), or undefined when there is one. */
export function pgMissing(): string | undefined {
  if (process.env.DQX_TEST_PG_URL) return undefined
  return (
    process.env.DQX_TEST_PG_MISSING ??
    'DQX_TEST_PG_URL is not set and vitest globalSetup (test/setup/global.ts) did not start a server'
  )
}

/**
 * True when the PostgreSQL tests can run: `describe.skipIf(!hasPg())`. Prints the skip line once
 * per file; throws under DQX_REQUIRE_SERVERS=1.
 */
export function hasPg(): boolean {
  return serverAvailable('PostgreSQL', pgMissing())
}

/** The test server's URL; '' when there is none (every use sits behind hasPg()). */
export function pgUrl(): string {
  return process.env.DQX_TEST_PG_URL ?? ''
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
