import { type CliIO, type Colors, colorsFor, isInteractive, outputWidth, StatusLine } from './io.js'

/** What every command gets: the process's streams and how to paint on them. */
export interface Ui {
  io: CliIO
  out: Colors
  err: Colors
  /** stderr, spinner-aware. */
  status: StatusLine
  width: number
  verbose: boolean
}

export function makeUi(io: CliIO, verbose: boolean): Ui {
  const err = colorsFor(io.stderr, io.env)
  return {
    io,
    out: colorsFor(io.stdout, io.env),
    err,
    status: new StatusLine(io.stderr, isInteractive(io.stderr, io.env), err),
    width: outputWidth(io.stdout, io.env),
    verbose,
  }
}

/** Runs `fn` with the process's working directory set to `dir`, restoring it afterwards. */
export async function withCwd<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const prev = process.cwd()
  process.chdir(dir)
  try {
    return await fn()
  } finally {
    process.chdir(prev)
  }
}

/** Writes an error to stderr: its message; with --verbose its stack and causes too. */
export function printError(ui: Ui, err: unknown, prefix = ''): void {
  const e = err instanceof Error ? err : new Error(String(err))
  ui.status.write(`${ui.err.red(ui.err.bold('dqx error:'))} ${prefix}${e.message}\n`)
  if (ui.verbose) {
    let cur: unknown = e
    let depth = 0
    while (cur instanceof Error && depth < 5) {
      if (cur.stack) ui.status.write(`${ui.err.dim(depth === 0 ? cur.stack : `caused by: ${cur.stack}`)}\n`)
      cur = cur.cause
      depth += 1
    }
  } else if (e.name !== 'DqxError') {
    ui.status.write(`${ui.err.dim('(run with --verbose for the stack trace)')}\n`)
  }
}
