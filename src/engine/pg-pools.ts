import { createHash } from 'node:crypto'
import type pg from 'pg'
import { createPool, errorCode, isServerError, type PoolOptions } from './postgres-connection.js'
import { transaction } from './transaction.js'

/**
 * The process's PostgreSQL connection pools, one per connection string and
 * pool options, shared by everything that talks to that server: the
 * PostgreSQL MetricDB, `DataSource.postgres()` sources and the sqlWriter
 * plugin. A lease keeps its pool open; the pool ends when the last lease is
 * released, so no connection outlives its users.
 */
export interface PoolLease {
  readonly pool: pg.Pool
  /** Gives the pool back; the last release ends it. Safe to call more than once. */
  release(): Promise<void>
}

interface SharedPool {
  pool: pg.Pool
  refs: number
}

const pools = new Map<string, SharedPool>()

export function leasePool(connectionString: string, options: PoolOptions): PoolLease {
  const key = createHash('sha256')
    .update(`${connectionString}\u0000${options.max}\u0000${options.connectTimeoutMs}`)
    .digest('hex')
  let shared = pools.get(key)
  if (!shared) {
    shared = { pool: createPool(connectionString, options), refs: 0 }
    pools.set(key, shared)
  }
  const s = shared
  s.refs += 1
  let released = false
  return {
    pool: s.pool,
    async release() {
      if (released) return
      released = true
      s.refs -= 1
      if (s.refs > 0) return
      if (pools.get(key) === s) pools.delete(key)
      await s.pool.end()
    },
  }
}

/** Pools open right now (for tests and diagnostics). */
export function openPoolCount(): number {
  return pools.size
}

/** Deadlock and serialization failures: PostgreSQL rolled the transaction back; running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001'])
export const isRetryablePgError = (err: unknown): boolean => RETRYABLE.has(errorCode(err))

export interface PgTransactionOptions {
  /** Turns a failed checkout into the caller's error (naming the server, never the password). */
  connectError: (err: unknown) => Error
  /**
   * Aborting stops the transaction at once: the connection is closed (a statement in
   * flight fails) and its server session, which may be waiting on a lock a closed
   * socket does not interrupt, is terminated from a second connection.
   */
  signal?: AbortSignal
}

type PgRunner = {
  client: pg.PoolClient
  exec(sql: string): Promise<unknown>
  canRollback(err: unknown): boolean
}

/**
 * Runs `work` in one transaction on a pooled connection, again on a deadlock
 * or serialization failure (up to 5 attempts). A connection that broke is
 * destroyed, never returned to the pool.
 */
export function pgTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: PgTransactionOptions,
): Promise<T> {
  const { signal } = options
  const stops = new Map<PgRunner, () => void>()
  return transaction<PgRunner, T>(
    async () => {
      signal?.throwIfAborted()
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (err) {
        throw options.connectError(err)
      }
      // A connection that dies while checked out also emits 'error': the awaiting query reports it.
      client.on('error', ignore)
      const runner: PgRunner = {
        client,
        exec: (sql) => {
          signal?.throwIfAborted()
          return client.query(sql)
        },
        canRollback: (err) => isServerError(err) && !signal?.aborted,
      }
      if (signal) {
        try {
          signal.throwIfAborted()
          const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
          const stop = (): void => {
            void client.end().catch(ignore)
            if (pid !== undefined) void pool.query('SELECT pg_terminate_backend($1)', [pid]).catch(ignore)
          }
          signal.addEventListener('abort', stop, { once: true })
          stops.set(runner, stop)
        } catch (err) {
          client.off('error', ignore)
          client.release(err instanceof Error ? err : true)
          throw err
        }
      }
      return runner
    },
    (runner, err) => {
      const stop = stops.get(runner)
      if (stop) signal?.removeEventListener('abort', stop)
      stops.delete(runner)
      runner.client.off('error', ignore)
      // Destroy connections that broke or were aborted; keep those that only saw an SQL error.
      const broken = err !== undefined && (!isServerError(err) || signal?.aborted === true)
      runner.client.release(broken ? (err instanceof Error ? err : new Error(String(err))) : undefined)
    },
    (runner) => work(runner.client),
    { retryable: isRetryablePgError },
  )
}

const ignore = (): void => {}
