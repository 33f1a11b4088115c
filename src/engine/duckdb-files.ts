import { statSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
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
 * A file is attached while work on it is in flight and for `keepOpenMs` after
 * the last piece of work ends (default 0), then detached, which releases
 * DuckDB's file lock: another process (a second `dqx run`, a DuckDB CLI) can
 * then read and write it. Detaching checkpoints the file, tens of ms that grow
 * with its size, so a store written by run after run keeps it open between
 * them. Attaching waits for a lock held elsewhere, retrying with backoff for up
 * to `lockTimeoutMs`; while it waits it renews a mark file beside the database
 * (`<file>.dqx-wait`), and a dqx process keeping the file open releases it as
 * soon as it sees a fresh mark, then lets the waiter go first. Used by
 * MetricDB.duckdb() and the sqlWriter plugin.
 */

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000
/** How often a file kept open looks for a waiting process's mark. */
const WAITER_POLL_MS = 50
/** A mark counts while renewed this recently: a waiter renews it at every retry, at most ~300 ms apart. */
const WAITER_FRESH_MS = 1_000

export interface DuckDBFileOptions {
  /** How long to wait for another process's lock on the file (default 30 000 ms). */
  lockTimeoutMs?: number
  /**
   * How long the file stays attached after its last work, in ms (default 0: detached at once).
   * Another dqx process waiting for the file gets it within ~50 ms regardless.
   */
  keepOpenMs?: number
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
  /** The idle check's timer while the file is kept open with no work. */
  idle: NodeJS.Timeout | undefined
  /** Released for another process's waiter: the next attach lets it go first. */
  yielded: boolean
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
      idle: undefined,
      yielded: false,
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

const waitMark = (path: string): string => `${path}.dqx-wait`

/** True when another process renewed its wait mark for `path` recently. */
function someoneWaits(path: string): boolean {
  const mark = statSync(waitMark(path), { throwIfNoEntry: false })
  return mark !== undefined && Date.now() - mark.mtimeMs < WAITER_FRESH_MS
}

/**
 * After releasing the file to a waiter: wait until the waiter has taken it (its mark is
 * gone) or gave up (the mark went stale), so this process does not win the lock straight back.
 */
async function letWaiterGoFirst(path: string): Promise<void> {
  const until = Date.now() + WAITER_FRESH_MS
  while (someoneWaits(path) && Date.now() < until) await sleep(10)
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
  let waited = false
  try {
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        await conn.run(`ATTACH ${sqlLiteral(path)} AS "${alias}"`)
        // Best effort: a mark left behind only goes stale; a holder then waits for it at most WAITER_FRESH_MS.
        if (waited) await rm(waitMark(path), { force: true }).catch(() => undefined)
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
        waited = true
        // Tells a dqx process keeping the file open to release it (a directory that is not writable only loses the hint).
        await writeFile(waitMark(path), String(process.pid)).catch(() => undefined)
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
  stopIdle(e)
  if (!e.attached) {
    aliasSeq += 1
    e.alias = `dqx_file_${aliasSeq}`
    const alias = e.alias
    const yielded = e.yielded
    e.yielded = false
    const attached = e.detached
      .then(() => (yielded ? letWaiterGoFirst(path) : undefined))
      .then(() => attach(path, alias, o))
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
    if (e.refs === 0 && e.attached !== undefined) {
      const keepOpenMs = options.keepOpenMs ?? 0
      if (keepOpenMs === 0) release(e, false)
      else if (someoneWaits(path)) release(e, true)
      else keepIdle(path, e, keepOpenMs)
    }
  }
}

/** Detaches the file (a checkpoint), after which its lock is free; `forWaiter` makes the next attach let the waiter go first. */
function release(e: OpenFile, forWaiter: boolean): void {
  stopIdle(e)
  const attached = e.attached
  if (!attached) return
  const alias = e.alias
  e.attached = undefined
  e.yielded = forWaiter
  // A detach that fails leaves the alias attached under a name no one uses again: harmless.
  e.detached = attached.then(
    () => detach(alias).catch(() => undefined),
    () => undefined,
  )
}

function stopIdle(e: OpenFile): void {
  if (e.idle !== undefined) clearTimeout(e.idle)
  e.idle = undefined
}

/** Keeps the idle file attached until keepOpenMs passes or another process waits for it. */
function keepIdle(path: string, e: OpenFile, keepOpenMs: number): void {
  const until = Date.now() + keepOpenMs
  const check = (): void => {
    e.idle = undefined
    const waiting = someoneWaits(path)
    if (waiting || Date.now() >= until) release(e, waiting)
    else arm()
  }
  const arm = (): void => {
    // Unref'd: an idle file never keeps the process alive; beforeExit releases it on the way out.
    e.idle = setTimeout(check, Math.min(WAITER_POLL_MS, keepOpenMs)).unref()
  }
  arm()
  releaseOnExit()
}

let exitHooked = false
/** At a natural exit, idle files are detached (checkpointed) rather than left to WAL replay by the next opener. */
function releaseOnExit(): void {
  if (exitHooked) return
  exitHooked = true
  process.on('beforeExit', () => {
    for (const e of files.values()) if (e.refs === 0) release(e, false)
  })
}

/**
 * Detaches `file` now if no work holds it (MetricDB close()): its lock is free and its WAL
 * folded in when the returned promise resolves. Work in flight keeps it; it is released after.
 */
export function releaseDuckDBFile(file: string): Promise<void> {
  const e = files.get(resolve(file))
  if (!e) return Promise.resolve()
  if (e.refs === 0) release(e, false)
  return e.detached
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
