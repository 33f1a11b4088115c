import { type Logger, pino } from 'pino'
import { formatLogLine, isLogLevel, type LogLevel } from '../suite/log-format.js'
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
}

/** A valid pino level name, or undefined (`constructor` and other Object.prototype names included). */
export function parseLevel(name: string | undefined): LogLevel | undefined {
  return isLogLevel(name) ? name : undefined
}

/**
 * The suite's logger under the CLI: human-readable lines on stderr from
 * `level` up. Lines below the level are never built (pino drops them at the
 * call), so a quiet run pays nothing for debug logging.
 */
export function cliLogger(o: CliLoggerOptions): Logger {
  return pino(
    { name: 'dqx', level: o.level },
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
        o.sink.write(formatLogLine(line, o.colors, o.stacks))
      },
    },
  )
}
