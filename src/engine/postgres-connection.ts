import { createHash } from 'node:crypto'
import pg from 'pg'
import { DqxError, type DqxErrorCode } from '../core/errors.js'

/** Where a connection string points, without its password: for messages and descriptions. */
export interface PgTarget {
  host: string
  port: number
  database: string
  user: string | undefined
  /** `user@host:port/database`: never the password. */
  label: string
  /** A short hash of the connection string: a key that can be logged. */
  key: string
}

/** Parses a connection string into a PgTarget, or throws a DqxError that does not repeat the string (it may hold a password). */
export function pgTarget(connectionString: unknown, what: string, code: DqxErrorCode): PgTarget {
  if (typeof connectionString !== 'string' || !/^postgres(ql)?:\/\//i.test(connectionString.trim())) {
    throw new DqxError(
      code,
      `${what} needs a connection string of the form postgres://user:password@host:5432/database, got ${typeof connectionString === 'string' ? 'a string without the postgres:// scheme' : typeof connectionString}`,
    )
  }
  let client: pg.Client
  try {
    client = new pg.Client({ connectionString })
  } catch {
    // pg reports the bad URL with its input redacted; we do not pass it on at all.
    throw new DqxError(
      code,
      `${what}: the connection string is not a valid URL (check the port and that special characters in the password are percent-encoded)`,
    )
  }
  // pg fills in defaults (PGUSER, the OS user; the database defaults to the user) and leaves
  // them empty when there are none.
  const user = client.user ?? undefined
  const database = client.database ?? ''
  return {
    host: client.host,
    port: client.port,
    database,
    user,
    label: `${user ? `${user}@` : ''}${client.host}:${client.port}/${database}`,
    key: createHash('sha256').update(connectionString).digest('hex').slice(0, 16),
  }
}

export interface PoolOptions {
  max: number
  connectTimeoutMs: number
}

/**
 * A pg Pool that never keeps the process alive on its own (`allowExitOnIdle`)
 * and never crashes it: an idle connection the server drops emits 'error' on
 * the pool, which is ignored here (the next checkout opens a new connection).
 */
export function createPool(connectionString: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 5_000,
    allowExitOnIdle: true,
    application_name: 'dqx',
  })
  pool.on('error', () => {})
  return pool
}

/** Why a connection attempt failed, in words, with the server's message where it sent one. */
export function connectFailure(err: unknown, target: PgTarget, connectTimeoutMs: number): string {
  const code = errorCode(err)
  const msg = errorText(err)
  let reason: string
  if (code === 'ECONNREFUSED') reason = 'connection refused'
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = `host '${target.host}' not found`
  else if (code.startsWith('28')) reason = `authentication failed: ${msg}`
  else if (/timeout/i.test(msg)) reason = `no connection within ${connectTimeoutMs} ms`
  else reason = msg
  return `cannot connect to PostgreSQL at ${target.host}:${target.port} (database '${target.database}'${target.user ? `, user '${target.user}'` : ''}): ${reason}; check that the server is running and that the connection string's host, port, user and database are right`
}

/** An error's SQLSTATE or Node error code ('' when it has none). */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

/** The first line of an error's message, for anything thrown. */
export function errorText(err: unknown): string {
  const text = err instanceof Error && err.message !== '' ? err.message : String(err)
  return text.split('\n')[0] as string
}

/** True for errors the server reported (SQL errors): the connection itself is still fine. */
export function isServerError(err: unknown): boolean {
  return err instanceof pg.DatabaseError
}

const INT8_OID = 20
const NUMERIC_OID = 1700

/**
 * Result parsing for scans: bigint (count(*)) becomes a JS bigint and numeric a
 * JS number, instead of pg's default strings. Per query, so the user's own pg
 * type parsers are left alone.
 */
const DATE_OID = 1082

export const SCAN_RESULT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (text: string) => BigInt(text)
    if (oid === NUMERIC_OID) return (text: string) => Number(text)
    // A DATE is a calendar day: keep its text, not a local-midnight Date that shifts with TZ.
    if (oid === DATE_OID) return (text: string) => text
    return pg.types.getTypeParser(oid, format)
  }) as pg.CustomTypesConfig['getTypeParser'],
}
