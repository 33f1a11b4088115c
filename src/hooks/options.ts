import type { Logger } from 'pino'
import { DqxError } from '../core/errors.js'
import { describeValue as describe, positiveInteger } from '../core/validate.js'
import type { ArgsForTap, OnTapError, TapInfo, TapType } from './types.js'

// All validation happens here, at construction and registration (as pino does),
// so that the call path can trust what it reads and stay short.

export const DEFAULT_HOOK_NAME = 'hook'
export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_CONCURRENCY = 4
/** setTimeout's largest delay: a larger one fires at once (TimeoutOverflowWarning). */
export const MAX_TIMEOUT_MS = 2_147_483_647

/** Hook options after validation and defaults. */
export interface ResolvedHookOptions<T extends unknown[]> {
  readonly name: string
  readonly timeoutMs: number
  readonly logger: Logger | undefined
  readonly argsForTap: ArgsForTap<T> | undefined
  readonly onTapError: OnTapError<T> | undefined
  readonly runId: ((...args: T) => string | undefined) | undefined
}

const HOOK_KEYS = ['name', 'timeoutMs', 'logger', 'argsForTap', 'onTapError', 'runId']
const TAP_KEYS = ['name', 'plugin', 'enforce', 'stage', 'before', 'after', 'timeoutMs']
const TAP_METHODS: Record<TapType, string> = { sync: 'tap', promise: 'tapPromise', async: 'tapAsync' }

function usage(message: string): DqxError {
  return new DqxError('HOOK_USAGE', message)
}

function checkKeys(where: string, record: object, allowed: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw usage(`${where}: unknown option '${key}' (known options: ${allowed.join(', ')})`)
    }
  }
}

function isTimeout(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_TIMEOUT_MS
}

function optionalFunction<F>(where: string, key: string, value: unknown): F | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function')
    throw usage(`${where}: option '${key}' must be a function, got ${describe(value)}`)
  return value as F
}

/** Validates a hook's constructor options; `extraKeys` are the options only this kind accepts. */
export function resolveHookOptions<T extends unknown[]>(
  kind: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): ResolvedHookOptions<T> {
  if (options === undefined) options = {}
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw usage(`${kind}: options must be an object, got ${describe(options)}`)
  }
  const o = options as Record<string, unknown>
  checkKeys(kind, o, extraKeys.length === 0 ? HOOK_KEYS : [...HOOK_KEYS, ...extraKeys])
  const name = o.name ?? DEFAULT_HOOK_NAME
  if (typeof name !== 'string' || name === '') {
    throw usage(`${kind}: option 'name' must be a non-empty string, got ${describe(name)}`)
  }
  const where = `${kind} '${name}'`
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!isTimeout(timeoutMs)) {
    throw usage(
      `${where}: option 'timeoutMs' must be a number of ms from 0 (no timeout) to ${MAX_TIMEOUT_MS}, got ${describe(timeoutMs)}`,
    )
  }
  const logger = o.logger
  if (
    logger !== undefined &&
    (logger === null ||
      typeof logger !== 'object' ||
      typeof (logger as Partial<Logger>).info !== 'function' ||
      typeof (logger as Partial<Logger>).error !== 'function')
  ) {
    throw usage(`${where}: option 'logger' must be a pino logger, got ${describe(logger)}`)
  }
  return {
    name,
    timeoutMs,
    logger: logger as Logger | undefined,
    argsForTap: optionalFunction<ArgsForTap<T>>(where, 'argsForTap', o.argsForTap),
    onTapError: optionalFunction<OnTapError<T>>(where, 'onTapError', o.onTapError),
    runId: optionalFunction<(...args: T) => string | undefined>(where, 'runId', o.runId),
  }
}

/** Validates `concurrency` (a positive integer, default 4). */
export function resolveConcurrency(where: string, value: unknown): number {
  if (value === undefined) return DEFAULT_CONCURRENCY
  return positiveInteger(value, `${where}: option 'concurrency'`, 'HOOK_USAGE')
}

function nameList(where: string, key: string, value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([])
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || !list.every((n): n is string => typeof n === 'string' && n !== '')) {
    throw usage(
      `${where}: option '${key}' must be a tap name or an array of tap names, got ${describe(value)}`,
    )
  }
  return Object.freeze([...list])
}

/** Validates `tap()` / `tapPromise()` / `tapAsync()` arguments into a frozen TapInfo. */
export function createTapInfo<T extends unknown[]>(
  hook: string,
  type: TapType,
  options: unknown,
  fn: unknown,
): TapInfo<T> {
  const method = TAP_METHODS[type]
  const o: Record<string, unknown> =
    typeof options === 'string'
      ? { name: options }
      : options !== null && typeof options === 'object' && !Array.isArray(options)
        ? (options as Record<string, unknown>)
        : {}
  if (typeof o.name !== 'string' || o.name === '') {
    throw usage(`Missing name for tap: ${method}() on hook '${hook}' needs a name or { name }`)
  }
  const where = `${method}('${o.name}') on hook '${hook}'`
  checkKeys(where, o, TAP_KEYS)
  if (typeof fn !== 'function')
    throw usage(`${where}: the tap function must be a function, got ${describe(fn)}`)
  const stage = o.stage ?? 0
  if (typeof stage !== 'number' || Number.isNaN(stage)) {
    throw usage(`${where}: option 'stage' must be a number, got ${describe(stage)}`)
  }
  if (o.timeoutMs !== undefined && !isTimeout(o.timeoutMs)) {
    throw usage(
      `${where}: option 'timeoutMs' must be a number of ms from 0 (no timeout) to ${MAX_TIMEOUT_MS}, got ${describe(o.timeoutMs)}`,
    )
  }
  if (o.plugin !== undefined && (typeof o.plugin !== 'string' || o.plugin === '')) {
    throw usage(`${where}: option 'plugin' must be a non-empty string, got ${describe(o.plugin)}`)
  }
  if (o.enforce !== undefined && o.enforce !== 'pre' && o.enforce !== 'post') {
    throw usage(`${where}: option 'enforce' must be 'pre' or 'post', got ${describe(o.enforce)}`)
  }
  const info = {
    name: o.name,
    type,
    ...(o.plugin === undefined ? {} : { plugin: o.plugin }),
    ...(o.enforce === undefined ? {} : { enforce: o.enforce as 'pre' | 'post' }),
    stage,
    before: nameList(where, 'before', o.before),
    after: nameList(where, 'after', o.after),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
    fn: fn as TapInfo<T>['fn'],
  }
  return Object.freeze(info)
}

/** Checks what a `register` interceptor returned; the object itself is kept (its identity may be a map key). */
export function checkTapInfo<T extends unknown[]>(hook: string, value: unknown): TapInfo<T> {
  const where = `register interceptor of hook '${hook}'`
  if (value === null || typeof value !== 'object')
    throw usage(`${where} returned ${describe(value)}, not a TapInfo`)
  const t = value as Record<string, unknown>
  if (typeof t.name !== 'string' || t.name === '') throw usage(`${where} returned a TapInfo without a name`)
  const bad =
    typeof t.fn !== 'function'
      ? 'fn'
      : t.type !== 'sync' && t.type !== 'promise' && t.type !== 'async'
        ? 'type'
        : typeof t.stage !== 'number' || Number.isNaN(t.stage)
          ? 'stage'
          : !isNameArray(t.before)
            ? 'before'
            : !isNameArray(t.after)
              ? 'after'
              : t.timeoutMs !== undefined && !isTimeout(t.timeoutMs)
                ? 'timeoutMs'
                : t.enforce !== undefined && t.enforce !== 'pre' && t.enforce !== 'post'
                  ? 'enforce'
                  : t.plugin !== undefined && (typeof t.plugin !== 'string' || t.plugin === '')
                    ? 'plugin'
                    : undefined
  if (bad !== undefined)
    throw usage(`${where} returned TapInfo '${t.name}' with an invalid '${bad}': ${describe(t[bad])}`)
  return value as TapInfo<T>
}

function isNameArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((n) => typeof n === 'string' && n !== '')
}
