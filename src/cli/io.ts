import picocolors from 'picocolors'

/** A stream the CLI writes to: process.stdout/stderr, or anything with write() in tests. */
export interface OutStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

/** Everything the CLI touches of its process, injectable so the CLI can run in-process in tests. */
export interface CliIO {
  stdout: OutStream
  stderr: OutStream
  /** Where relative paths (`--config`) and the config lookup start. */
  cwd: string
  env: Readonly<Record<string, string | undefined>>
}

export type Colors = ReturnType<typeof picocolors.createColors>

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v !== 'false'

/** Colors on a TTY unless NO_COLOR is set or TERM=dumb; FORCE_COLOR=1/0 overrides either way. */
export function colorsFor(stream: OutStream, env: CliIO['env']): Colors {
  const force = env.FORCE_COLOR
  const enabled =
    force !== undefined
      ? truthy(force)
      : stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb'
  return picocolors.createColors(enabled)
}

/** Spinners and in-place updates only on a real terminal outside CI; plain lines otherwise. */
export function isInteractive(stream: OutStream, env: CliIO['env']): boolean {
  return stream.isTTY === true && !truthy(env.CI) && env.TERM !== 'dumb'
}

/** The width tables are laid out for: the terminal's, else $COLUMNS, else 80; kept within 60..160. */
export function outputWidth(stream: OutStream, env: CliIO['env']): number {
  const cols = stream.isTTY === true && stream.columns ? stream.columns : Number(env.COLUMNS) || 80
  return Math.min(160, Math.max(60, cols))
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * stderr with an optional one-line spinner: anything written while the spinner
 * shows clears it first and redraws it after, so log lines and the audit
 * summary never land in the middle of it.
 */
export class StatusLine implements OutStream {
  private text: string | undefined
  private frame = 0
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly stream: OutStream,
    private readonly interactive: boolean,
    private readonly colors: Colors,
  ) {}

  get isTTY(): boolean {
    return this.stream.isTTY === true
  }

  private draw(): void {
    if (this.text === undefined) return
    const frame = FRAMES[this.frame % FRAMES.length] as string
    this.stream.write(`\r\x1b[2K${this.colors.cyan(frame)} ${this.text}`)
  }

  private clear(): void {
    if (this.text !== undefined) this.stream.write('\r\x1b[2K')
  }

  /** Shows (or updates) the status. Without a terminal each status is one plain line. */
  update(text: string): void {
    if (!this.interactive) {
      this.stream.write(`${text}\n`)
      return
    }
    this.text = text
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.frame += 1
        this.draw()
      }, 80)
      this.timer.unref()
    }
    this.draw()
  }

  /** Replaces the spinner by a final line (or just removes it). */
  done(text?: string): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.clear()
    this.text = undefined
    if (text !== undefined) this.stream.write(`${text}\n`)
  }

  write(text: string): boolean {
    this.clear()
    this.stream.write(text)
    this.draw()
    return true
  }
}
