import { DqxError, type DqxErrorCode } from './errors.js'

/** A short description of a value for an error message: `'text'`, `42`, `null`, `an array`, `a function`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null)
    return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * Returns `value` when it is a positive safe integer, else throws a DqxError
 * with `code`: "`what` must be a positive integer, got …".
 */
export function positiveInteger(value: unknown, what: string, code: DqxErrorCode): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new DqxError(code, `${what} must be a positive integer, got ${describeValue(value)}`)
  }
  return value
}
