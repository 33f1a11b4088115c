/**
 * Every error dqx raises on purpose is a DqxError with a stable `code`, so that
 * callers (and the CLI) can branch on the code and show the message as is:
 * messages name the thing that is wrong and say how to fix it.
 */
export type DqxErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_DATE'
  | 'EMPTY_CHECKS'
  | 'DUPLICATE_CHECK'
  | 'DUPLICATE_PLUGIN'
  | 'INVALID_PLUGIN'
  | 'INVALID_PLUGIN_CONFIG'
  | 'UNKNOWN_PLUGIN_CONFIG'
  | 'CHECK_DEFINITION'
  | 'MISSING_COLUMN'
  | 'DATA_SOURCE'
  | 'SQL'
  | 'METRIC_DB'
  | 'HOOK_ORDER'
  | 'HOOK_USAGE'
  | 'PLUGIN_FAILURE'
  | 'CONFIG'
  | 'NO_STORED_RUN'
  | 'CONTRACT'
  | 'ISOLATION'
  | 'TUNABLE'
  | 'PROFILE'

export class DqxError extends Error {
  override readonly name: string = 'DqxError'
  readonly code: DqxErrorCode

  constructor(code: DqxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** Turns anything thrown (a string, undefined, an object) into an Error without losing it. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  return new Error(`non-Error thrown: ${describeThrown(thrown)}`, { cause: thrown })
}

/** Text for any thrown value, even one that JSON.stringify and String() both refuse (a revoked Proxy). */
export function describeThrown(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown
  for (const attempt of [
    () => JSON.stringify(thrown),
    () => String(thrown),
    () => Object.prototype.toString.call(thrown),
  ]) {
    try {
      const text = attempt()
      if (typeof text === 'string') return text
    } catch {
      // try the next way of printing it
    }
  }
  return `an unprintable ${typeof thrown}`
}
