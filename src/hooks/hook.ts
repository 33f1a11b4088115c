import { DqxError } from '../core/errors.js'
import { checkTapInfo, createTapInfo, resolveHookOptions } from './options.js'
import { orderTaps } from './tap-order.js'
import { type CompiledTap, HookRuntime } from './tap-runner.js'
import type { AsyncTapFn, HookInterceptor, SyncTapFn, TapInfo, TapOptions, TapType } from './types.js'

/** A registration; `info` is replaced when a later `register` interceptor returns a new TapInfo. */
interface Registration<T extends unknown[]> {
  info: TapInfo<T>
}

const INTERCEPTOR_KEYS = ['register', 'call', 'tap', 'error', 'done']

/**
 * What every hook kind shares: registration, unregistration, interceptors and
 * the cached tap order. A subclass only adds its call method (`call` or
 * `promise`), which starts with `begin()`.
 */
export abstract class Hook<T extends unknown[]> {
  /** The hook's name, as reported in PluginRuns, logs and traces. */
  readonly name: string
  /** @internal options and interceptors as the runners read them. */
  protected readonly rt: HookRuntime<T>
  #registrations: Registration<T>[] = []
  #interceptors: HookInterceptor<T>[] = []
  /**
   * The taps in call order, computed at the first call after a change. A call
   * keeps the array it started with and changes replace (never mutate) it, so
   * taps added or removed during a call apply to the next one.
   */
  #ordered: readonly CompiledTap<T>[] | undefined = undefined
  /** Why the current taps cannot be ordered (cached like the order). */
  #orderError: string | undefined = undefined

  protected constructor(kind: string, options: unknown, extraOptionKeys?: readonly string[]) {
    const resolved = resolveHookOptions<T>(kind, options, extraOptionKeys)
    this.name = resolved.name
    this.rt = new HookRuntime(resolved)
  }

  /** Registers a sync tap; returns a function that unregisters it (idempotent). */
  tap(options: string | TapOptions, fn: SyncTapFn<T>): () => void {
    return this.register('sync', options, fn)
  }

  /** Registers an async tap; returns a function that unregisters it (idempotent). */
  tapPromise(options: string | TapOptions, fn: AsyncTapFn<T>): () => void {
    return this.register('promise', options, fn)
  }

  /**
   * Adds a tapable-style interceptor. `register` runs at once for every tap
   * already registered and later for each new one.
   */
  intercept(interceptor: HookInterceptor<T>): void {
    if (interceptor === null || typeof interceptor !== 'object') {
      throw new DqxError('HOOK_USAGE', `intercept() on hook '${this.name}' needs an object of callbacks`)
    }
    for (const [key, value] of Object.entries(interceptor)) {
      if (!INTERCEPTOR_KEYS.includes(key)) {
        throw new DqxError(
          'HOOK_USAGE',
          `intercept() on hook '${this.name}': unknown interceptor '${key}' (known: ${INTERCEPTOR_KEYS.join(', ')})`,
        )
      }
      if (value !== undefined && typeof value !== 'function') {
        throw new DqxError('HOOK_USAGE', `intercept() on hook '${this.name}': '${key}' must be a function`)
      }
    }
    if (interceptor.register) {
      // All or nothing: a register callback that throws leaves every tap as it was.
      const infos = this.#registrations.map((r) => this.registered(interceptor, r.info))
      this.#registrations.forEach((r, i) => {
        r.info = infos[i]!
      })
    }
    this.#interceptors = [...this.#interceptors, interceptor]
    this.rt.setInterceptors(this.#interceptors)
    this.#invalidate()
  }

  /** The registered taps, in registration order (after `register` interceptors). */
  get taps(): readonly TapInfo<T>[] {
    return this.#registrations.map((r) => r.info)
  }

  /** @internal `tap`/`tapPromise`; SyncHook refuses 'promise'. */
  protected register(type: TapType, options: unknown, fn: unknown): () => void {
    let info = createTapInfo<T>(this.name, type, options, fn)
    for (const interceptor of this.#interceptors) info = this.registered(interceptor, info)
    const registration: Registration<T> = { info }
    this.#registrations.push(registration)
    this.#invalidate()
    let registered = true
    return () => {
      if (!registered) return
      registered = false
      this.#registrations.splice(this.#registrations.indexOf(registration), 1)
      this.#invalidate()
    }
  }

  /**
   * Starts a call: the (cached) tap order, then the `call` interceptors.
   * Throws DqxError 'HOOK_ORDER' when the taps cannot be ordered.
   */
  protected begin(args: T): readonly CompiledTap<T>[] {
    const ordered = this.#ordered ?? this.#order()
    const interceptors = this.rt.callInterceptors
    if (interceptors) for (const i of interceptors) i.call(...args)
    return ordered
  }

  #order(): readonly CompiledTap<T>[] {
    if (this.#orderError === undefined) {
      try {
        const timeoutMs = this.rt.timeoutMs
        this.#ordered = orderTaps(
          this.name,
          this.#registrations.map((r) => r.info),
        ).map((info) => ({
          info,
          name: info.name,
          type: info.type,
          fn: info.fn as (...args: unknown[]) => unknown,
          timeoutMs: info.timeoutMs ?? timeoutMs,
        }))
        return this.#ordered
      } catch (e) {
        this.#orderError = (e as DqxError).message
      }
    }
    // A fresh error per call, so each has the caller's stack.
    throw new DqxError('HOOK_ORDER', this.#orderError)
  }

  #invalidate(): void {
    this.#ordered = undefined
    this.#orderError = undefined
  }

  private registered(interceptor: HookInterceptor<T>, info: TapInfo<T>): TapInfo<T> {
    const replaced = interceptor.register?.(info)
    return replaced === undefined ? info : checkTapInfo<T>(this.name, replaced)
  }
}
