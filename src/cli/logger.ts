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
 * `level` up. Lines below the level are never built (pino drops them at the
 * call), so a quiet run pays nothing for debug logging.
 */
export function cliLogger(o: CliLoggerOptions): Logger {
  const level = Object.hasOwn(LEVELS, o.level) ? o.level : 'warn'
  return pino(
    { name: 'dqx', level },
    {
      write(text: string) {
        o.sink.write(formatLogLine(JSON.parse(text) as Record<string, unknown>, o.colors, o.stacks))
      },
    },
  )
}
