import { type Logger, pino } from 'pino'
import type { Colors, OutStream } from './io.js'

const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
}
const NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg'])

export interface CliLoggerOptions {
  /** Where shown lines go (stderr). */
  sink: OutStream
  /** Lowest level shown: trace … fatal, or silent. */
  level: string
  colors: Colors
  /** Print error stacks of logged errors (`--verbose`). */
  stacks: boolean
  /** Called for every `scan` line the engine logs (at debug), shown or not. */
  onScan(dataset: string, date: string): void
}

/** A valid pino level name, or undefined. */
export function parseLevel(name: string | undefined): string | undefined {
  return name !== undefined && name in LEVELS ? name : undefined
}

function show(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v
  if (v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
    return JSON.stringify((v as { message: string }).message)
  }
  return JSON.stringify(v)
}

/** Renders one pino JSON line as `dqx warn: message key=value …` (plus the stack of an `err` when asked). */
export function formatLogLine(line: Record<string, unknown>, colors: Colors, stacks: boolean): string {
  const level = NAMES[line.level as number] ?? String(line.level)
  const paint =
    (line.level as number) >= 50 ? colors.red : (line.level as number) >= 40 ? colors.yellow : colors.dim
  const fields = Object.entries(line)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${show(v)}`)
  let text = `${paint(`dqx ${level}:`)} ${String(line.msg ?? '')}${fields.length > 0 ? ` ${colors.dim(fields.join(' '))}` : ''}\n`
  const err = line.err as { stack?: unknown } | undefined
  if (stacks && err && typeof err.stack === 'string') text += `${colors.dim(err.stack)}\n`
  return text
}

/**
 * The suite's logger under the CLI: human-readable lines on stderr from
 * `level` up, and every engine `scan` line (at debug) fed to the progress
 * display whatever the shown level.
 */
export function cliLogger(o: CliLoggerOptions): Logger {
  const threshold = LEVELS[o.level] ?? LEVELS.warn
  return pino(
    { name: 'dqx', level: (threshold as number) < 20 ? 'trace' : 'debug' },
    {
      write(text: string) {
        const line = JSON.parse(text) as Record<string, unknown>
        if (line.msg === 'scan' && typeof line.dataset === 'string') o.onScan(line.dataset, String(line.date))
        if ((line.level as number) >= (threshold as number))
          o.sink.write(formatLogLine(line, o.colors, o.stacks))
      },
    },
  )
}
