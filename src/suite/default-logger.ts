// The logger a suite uses when none is passed: on a terminal, one readable line per message;
// elsewhere (CI, a log shipper) or when asked, pino's JSON lines.
import picocolors from 'picocolors'
import { type DestinationStream, type Logger, pino } from 'pino'
import { DqxError } from '../core/errors.js'
import { formatLogLine, LOG_LEVELS, type LogLevel, logLevelFromEnv } from './log-format.js'

export type LogFormat = 'json' | 'pretty'

export interface DefaultLoggerOptions {
  /** Where DQX_LOG_LEVEL and DQX_LOG_FORMAT are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>
  /** Where lines go (default process.stderr); its `isTTY` picks the format unless DQX_LOG_FORMAT says. */
  stream?: { write(text: string): unknown; isTTY?: boolean | undefined }
}

/** DQX_LOG_FORMAT: `json`, `pretty`, or unset (pretty on a terminal, JSON elsewhere). */
export function logFormatFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): LogFormat {
  const value = env.DQX_LOG_FORMAT
  if (value === undefined || value === '') return isTTY ? 'pretty' : 'json'
  if (value === 'json' || value === 'pretty') return value
  throw new DqxError(
    'INVALID_ARGUMENT',
    `DQX_LOG_FORMAT=${JSON.stringify(value)} is not a log format; use json or pretty (default: pretty on a terminal, json elsewhere)`,
  )
}

/**
 * Warnings and errors (DQX_LOG_LEVEL overrides the level) to stderr. On a terminal each line is
 * rendered for people — a failed plugin is one line naming plugin, hook and message, its stack
 * shown from the debug level down; JSON otherwise or with DQX_LOG_FORMAT=json. An unknown
 * DQX_LOG_LEVEL or DQX_LOG_FORMAT is a DqxError here, at suite construction.
 */
export function defaultLogger(options: DefaultLoggerOptions = {}): Logger {
  const env = options.env ?? process.env
  const stream = options.stream ?? process.stderr
  const level: LogLevel = logLevelFromEnv(env, 'warn')
  const format = logFormatFromEnv(env, stream.isTTY === true)
  const base = { name: 'dqx', level }
  if (format === 'json') {
    return options.stream === undefined
      ? pino(base, pino.destination(2))
      : pino(base, stream as DestinationStream)
  }
  const stacks = LOG_LEVELS[level] <= LOG_LEVELS.debug
  const paint = picocolors.createColors(stream.isTTY === true && env.NO_COLOR === undefined)
  return pino(base, {
    write(text: string) {
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        stream.write(text)
        return
      }
      stream.write(formatLogLine(line, paint, stacks))
    },
  })
}
