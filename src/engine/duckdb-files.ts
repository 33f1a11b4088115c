import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { DqxError, type DqxErrorCode } from '../core/errors.js'
import { engineConnection } from './duckdb-engine.js'
import { sqlLiteral } from './sql.js'
import { transaction } from './transaction.js'

/**
 * DuckDB database files, opened the one way the engine allows: ATTACHed to
 * the process's shared DuckDB (duckdb-engine.ts) under one alias per file, so
 * one process never holds two instances of a file (two instances of one file
 * would not see each other's writes, and writes could be lost on close).
 *
 * A file is attached only while work on it is in flight and detached as soon
 * as the last piece of work ends, which releases DuckDB's file lock: another
 * process (a second `dqx run`, a DuckDB CLI) can then read and write it.
 * Attaching waits for a lock held elsewhere, retrying with backoff for up to
 * `lockTimeoutMs`. Used by MetricDB.duckdb() and the sqlWriter plugin.
 */

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000

export interface DuckDBFileOptions {
  /** How long to wait for another process's lock on the file (default 30 000 ms). */
  lockTimeoutMs?: number
  /** Error code of the DqxErrors raised (default METRIC_DB). */
  code?: DqxErrorCode
  /** Who opens the file, for messages (default 'the DuckDB file'). */
  what?: string
  /** Aborting interrupts the statement in flight on the connection. */
  signal?: AbortSignal
}

interface OpenFile {
  alias: string
  /** Work items holding or waiting for the attachment. */
  refs: number
  /** Resolves once the file is attached; undefined while detached. */
  attached: Promise<void> | undefined
  /** Resolves once the previous detach has finished (an ATTACH must not overtake it). */
  detached: Promise<void>
  /** The tail of the write queue: one write transaction at a time per file in this process. */
  writes: Promise<void>
}

/** One entry per file path the process has used (a few small objects; never removed, so queues stay whole). */
const files = new Map<string, OpenFile>()
let aliasSeq = 0

function entryOf(path: string): OpenFile {
  let entry = files.get(path)
  if (!entry) {
    entry = {
      alias: '',
      refs: 0,
      attached: undefined,
      detached: Promise.resolve(),
      writes: Promise.resolve(),
    }
    files.set(path, entry)
  }
  return entry
}

const LOCKED = /Could not set lock|Conflicting lock|database is locked/i
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** True when `err` is DuckDB refusing a file because another process holds its lock. */
export function isLockError(err: unknown): boolean {
  return LOCKED.test(err instanceof Error ? err.message : String(err))
}

async function attach(
  path: string,
  alias: string,
  o: Required<Pick<DuckDBFileOptions, 'lockTimeoutMs' | 'code' | 'what'>>,
): Promise<void> {
  try {
    // A first run should not fail because '.dqx/' does not exist yet.
    await mkdir(dirname(path), { recursive: true })
  } catch (err) {
    throw new DqxError(o.code, `cannot open ${o.what} ${path}: ${(err as Error).message}`, { cause: err })
  }
  const conn = await engineConnection()
  const deadline = Date.now() + o.lockTimeoutMs
  try {
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        await conn.run(`ATTACH ${sqlLiteral(path)} AS "${alias}"`)
        return
      } catch (err) {
        const message = (err as Error).message.split('\n', 1)[0] as string
        if (!isLockError(err)) {
          throw new DqxError(o.code, `cannot open ${o.what} ${path}: ${message}`, { cause: err })
        }
        if (Date.now() >= deadline) {
          const holder = /\(PID (\d+)\)/.exec(message)?.[1]
          throw new DqxError(
            o.code,
            `${o.what} ${path} is locked by another process${holder ? ` (PID ${holder})` : ''} and stayed locked for lockTimeoutMs (${o.lockTimeoutMs} ms); wait for that run or DuckDB client to finish, raise lockTimeoutMs (MetricDB.duckdb(file, { lockTimeoutMs })), or use MetricDB.postgres() for many concurrent writers`,
            { cause: err },
          )
        }
        // Jitter: two waiting processes should not retry in lockstep.
        await sleep(Math.min(delay * (0.5 + Math.random()), Math.max(1, deadline - Date.now())))
      }
    }
  } finally {
    conn.closeSync()
  }
}

/** DETACH checkpoints the file (its WAL is folded in), so the next ATTACH, here or elsewhere, starts clean. */
async function detach(alias: string): Promise<void> {
  const conn = await engineConnection()
  try {
    await conn.run(`DETACH "${alias}"`)
  } finally {
    conn.closeSync()
  }
}

/**
 * Runs `work` with a connection whose default database is the file (`USE`),
 * attaching it first when no other work holds it. The connection is closed
 * afterwards and the file detached when this was the last work on it.
 */
export async function withDuckDBFile<T>(
  file: string,
  work: (conn: DuckDBConnection) => Promise<T>,
  options: DuckDBFileOptions = {},
): Promise<T> {
  const path = resolve(file)
  const o = {
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    code: options.code ?? ('METRIC_DB' as const),
    what: options.what ?? 'the DuckDB file',
  }
  const e = entryOf(path)
  e.refs += 1
  if (!e.attached) {
    aliasSeq += 1
    e.alias = `dqx_file_${aliasSeq}`
    const alias = e.alias
    const attached = e.detached.then(() => attach(path, alias, o))
    e.attached = attached
    // A failed attach is not cached: the next work item tries again.
    attached.catch(() => {
      if (e.attached === attached) e.attached = undefined
    })
  }
  let conn: DuckDBConnection | undefined
  try {
    await e.attached
    conn = await engineConnection()
    await conn.run(`USE "${e.alias}"`)
    const c = conn
    const onAbort = (): void => c.interrupt()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      options.signal?.throwIfAborted()
      return await work(conn)
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  } finally {
    conn?.closeSync()
    e.refs -= 1
    if (e.refs === 0 && e.attached) {
      const attached = e.attached
      const alias = e.alias
      e.attached = undefined
      e.detached = attached.then(
        () => detach(alias),
        () => undefined,
      )
      // A detach that fails leaves the alias attached under a name no one uses again: harmless.
      e.detached = e.detached.catch(() => undefined)
    }
  }
}

/**
 * Like withDuckDBFile, inside one transaction, one writer at a time per file in
 * this process (two open transactions writing the same keys would conflict).
 */
export function writeDuckDBFile<T>(
  file: string,
  work: (conn: DuckDBConnection) => Promise<T>,
  options: DuckDBFileOptions = {},
): Promise<T> {
  const path = resolve(file)
  const entry = entryOf(path)
  const run = entry.writes.then(() =>
    withDuckDBFile(
      path,
      (conn) =>
        transaction(
          async () => ({ exec: (sql: string) => conn.run(sql) }),
          () => undefined,
          () => work(conn),
          { begin: 'BEGIN TRANSACTION' },
        ),
      options,
    ),
  )
  entry.writes = run.then(
    () => undefined,
    () => undefined,
  )
  return run
}

/** Paths of the files attached right now (for tests and diagnostics). */
export function attachedFiles(): string[] {
  return [...files].filter(([, e]) => e.attached !== undefined).map(([p]) => p)
}
