// Log levels and the one-line rendering of a pino JSON line for people, shared by the default
// logger of a suite on a terminal and the CLI's logger.
import { DqxError } from '../core/errors.js'

/** pino's level names and numbers; `silent` shows nothing. */
export const LOG_LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
} as const

export type LogLevel = keyof typeof LOG_LEVELS

/** Own names only: `constructor` or `toString` are not levels, whatever a plain object's prototype says. */
export function isLogLevel(name: unknown): name is LogLevel {
  return typeof name === 'string' && Object.hasOwn(LOG_LEVELS, name)
}

/**
 * The level named by the environment variable `variable` (DQX_LOG_LEVEL), or `fallback` when it is
 * unset or empty. Anything else is a DqxError naming the variable and the valid levels.
 */
export function logLevelFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  fallback: LogLevel,
  variable = 'DQX_LOG_LEVEL',
): LogLevel {
  const value = env[variable]
  if (value === undefined || value === '') return fallback
  if (isLogLevel(value)) return value
  throw new DqxError(
    'INVALID_ARGUMENT',
    `${variable}=${JSON.stringify(value)} is not a log level; use one of ${Object.keys(LOG_LEVELS).join(', ')}`,
  )
}

/** How a line is painted (the CLI's colors; identity without). */
export interface Paint {
  red(text: string): string
  yellow(text: string): string
  dim(text: string): string
}

const NO_PAINT: Paint = { red: (s) => s, yellow: (s) => s, dim: (s) => s }

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}
/** pino's own fields, shown elsewhere in the line or not at all. */
const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg'])

function show(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v
  if (v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
    return JSON.stringify((v as { message: string }).message)
  }
  return JSON.stringify(v)
}

/**
 * One pino JSON line for people: `dqx warn: message key=value …`. A failed plugin reads as a
 * sentence — `dqx error: plugin 'slack' failed in processResults: connect ECONNREFUSED` — and the
 * stack of a logged error follows only when `stacks` is set.
 */
export function formatLogLine(
  line: Record<string, unknown>,
  paint: Paint = NO_PAINT,
  stacks = false,
): string {
  const level = typeof line.level === 'number' ? line.level : 30
  const name = LEVEL_NAMES[level] ?? String(line.level)
  const color = level >= 50 ? paint.red : level >= 40 ? paint.yellow : paint.dim
  const err = line.err as { message?: unknown; stack?: unknown } | undefined
  let text: string
  if (
    typeof line.msg === 'string' &&
    line.msg.startsWith('plugin failed') &&
    typeof line.plugin === 'string' &&
    typeof line.hook === 'string'
  ) {
    const why =
      line.timedOut === true
        ? `timed out after ${typeof line.durationMs === 'number' ? Math.round(line.durationMs) : String(line.durationMs)} ms`
        : typeof err?.message === 'string'
          ? err.message
          : line.msg.slice('plugin failed'.length).trim() || 'unknown error'
    text = `${color(`dqx ${name}:`)} plugin '${line.plugin}' failed in ${line.hook}: ${why}\n`
  } else {
    const fields = Object.entries(line)
      .filter(([k]) => !PINO_FIELDS.has(k))
      .map(([k, v]) => `${k}=${show(v)}`)
    text = `${color(`dqx ${name}:`)} ${String(line.msg ?? '')}${fields.length > 0 ? ` ${paint.dim(fields.join(' '))}` : ''}\n`
  }
  if (stacks && err && typeof err.stack === 'string') text += `${paint.dim(err.stack)}\n`
  return text
}
