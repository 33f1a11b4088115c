/**
 * The one transaction helper of the persistence layer (DuckDB files, the
 * PostgreSQL MetricDB, the sqlWriter plugin): BEGIN, the work, COMMIT; ROLLBACK
 * when anything fails; and the whole transaction again when the database says
 * it lost a race that a retry wins (deadlock, serialization failure, write
 * conflict), a few times with a short growing pause.
 */
export interface TransactionRunner {
  /** Runs one statement without parameters (BEGIN, COMMIT, ROLLBACK). */
  exec(sql: string): Promise<unknown>
  /**
   * Whether the connection can still run ROLLBACK after `err`: false after a
   * broken connection, where the server drops the transaction on its own.
   */
  canRollback?(err: unknown): boolean
}

export interface TransactionOptions {
  /** Errors after which the whole transaction is run again. Default: none. */
  retryable?: (err: unknown) => boolean
  /** Most attempts in all (default 5). */
  attempts?: number
  /** BEGIN statement (default 'BEGIN'). */
  begin?: string
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `work` in a transaction on the runner `open()` gives for each attempt
 * (a pooled client, say, that `close(err?)` then returns).
 */
export async function transaction<R extends TransactionRunner, T>(
  open: () => Promise<R>,
  close: (runner: R, err?: unknown) => void | Promise<void>,
  work: (runner: R) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5
  for (let attempt = 1; ; attempt++) {
    const runner = await open()
    let failure: unknown
    try {
      await runner.exec(options.begin ?? 'BEGIN')
      const out = await work(runner)
      await runner.exec('COMMIT')
      return out
    } catch (err) {
      failure = err
      if (runner.canRollback?.(err) ?? true) await runner.exec('ROLLBACK').catch(() => undefined)
      if (attempt >= attempts || !(options.retryable?.(err) ?? false)) throw err
    } finally {
      await close(runner, failure)
    }
    await sleep(5 * 2 ** attempt * Math.random())
  }
}
