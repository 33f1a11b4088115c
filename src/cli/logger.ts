import { type Logger, pino } from 'pino'
import { formatLogLine, isLogLevel, LOG_LEVELS, type LogLevel } from '../suite/log-format.js'
import type { Colors, OutStream } from './io.js'

export { formatLogLine }

export interface CliLoggerOptions {
  /** Where shown lines go (stderr). */
  sink: OutStream
  /** Lowest level shown: trace … fatal, or silent. */
  level: LogLevel
  colors: Colors
  /** Print error stacks of logged errors (`--verbose`). */
  stacks: boolean
  /** Called for every `scan` line the engine logs (at debug), shown or not. */
  onScan(dataset: string, date: string): void
}

/** A valid pino level name, or undefined (`constructor` and other Object.prototype names included). */
export function parseLevel(name: string | undefined): LogLevel | undefined {
  return isLogLevel(name) ? name : undefined
}

/**
 * The suite's logger under the CLI: human-readable lines on stderr from
 * `level` up, and every engine `scan` line (at debug) fed to the progress
 * display whatever the shown level.
 */
export function cliLogger(o: CliLoggerOptions): Logger {
  const threshold = LOG_LEVELS[o.level]
  return pino(
    { name: 'dqx', level: threshold < LOG_LEVELS.debug ? 'trace' : 'debug' },
    {
      write(text: string) {
        let line: Record<string, unknown>
        try {
          line = JSON.parse(text) as Record<string, unknown>
        } catch {
          // Not JSON (a logger hook of the user's): shown as it is rather than failing the caller's log call.
          o.sink.write(text)
          return
        }
        if (line.msg === 'scan' && typeof line.dataset === 'string') o.onScan(line.dataset, String(line.date))
        if (typeof line.level === 'number' && line.level >= threshold)
          o.sink.write(formatLogLine(line, o.colors, o.stacks))
      },
    },
  )
}
