import { DqxError } from '../core/errors.js'
import { checkTapInfo, createTapInfo, resolveHookOptions } from './options.js'
import { runSeries, type SeriesOutcome } from './series-call.js'
import { type IgnoredConstraint, orderTaps } from './tap-order.js'
import { type CompiledTap, compileTap, type Flow, HookRuntime } from './tap-runner.js'
import type { HookInterceptor, TapCallback, TapInfo, TapOptions, TapType } from './types.js'

/** A registration; `info` is replaced when a later `register` interceptor returns a new TapInfo. */
interface Registration<T extends unknown[]> {
  info: TapInfo<T>
}

const INTERCEPTOR_KEYS = ['register', 'call', 'tap', 'error', 'done']

/**
 * What every hook kind shares: registration, unregistration, interceptors and
 * the cached tap order. A subclass adds its call method (`call` or
 * `promise`), which starts with `begin()` or is a `series()`.
 *
 * `R` is what a tap may return: ignored by the plain hooks, the result of a
 * bail hook, the next value of a waterfall hook.
 */
export abstract class Hook<T extends unknown[], R = unknown> {
  /** The hook's name, as reported in PluginRuns, logs and traces. */
  readonly name: string
  /** @internal options and interceptors as the runners read them. */
  protected readonly rt: HookRuntime<T>
  #registrations: Registration<T>[] = []
  #interceptors: HookInterceptor<T>[] = []
  /**
   * The taps in call order, computed when taps change. A call keeps the
   * array it started with and changes replace (never mutate) it, so taps
   * added or removed during a call apply to the next one.
   */
  #ordered: readonly CompiledTap<T>[] | undefined = undefined
  /** Order hints of the current taps that name no tap, not yet warned about. */
  #unwarned: readonly IgnoredConstraint<TapInfo<T>>[] = []
  /** Hints already warned about, so each is warned about once per hook. */
  readonly #warned = new Set<string>()

  /** The class name, for messages. */
  readonly #kind: string

  protected constructor(kind: string, options: unknown, extraOptionKeys?: readonly string[]) {
    const resolved = resolveHookOptions<T>(kind, options, extraOptionKeys)
    this.#kind = kind
    this.name = resolved.name
    this.rt = new HookRuntime(resolved)
  }

  /**
   * Registers a sync tap; returns a function that unregisters it (idempotent).
   * Throws DqxError 'HOOK_ORDER' when its before/after constraints close a cycle.
   */
  tap(options: string | TapOptions, fn: (...args: T) => R | undefined): () => void {
    return this.register('sync', options, fn)
  }

  /** Registers a tap returning a promise; otherwise as `tap()`. */
  tapPromise(options: string | TapOptions, fn: (...args: T) => Promise<R | undefined>): () => void {
    return this.register('promise', options, fn)
  }

  /**
   * Registers a tapable-style callback tap: it receives the call's arguments
   * and then `callback(error?, result?)`, to be called once. Same isolation and
   * timeouts as `tapPromise`; otherwise as `tap()`.
   */
  tapAsync(options: string | TapOptions, fn: (...args: [...T, TapCallback<R>]) => void): () => void {
    return this.register('async', options, fn)
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
      // All or nothing: a register callback that throws, or replacements that
      // cannot be ordered, leave every tap as it was.
      const infos = this.#registrations.map((r) => this.registered(interceptor, r.info))
      const order = orderTaps(this.name, infos)
      this.#registrations.forEach((r, i) => {
        r.info = infos[i]!
      })
      this.#setOrder(order.ordered, order.ignored)
    }
    this.#interceptors = [...this.#interceptors, interceptor]
    this.rt.setInterceptors(this.#interceptors)
  }

  /** The registered taps, in registration order (after `register` interceptors). */
  get taps(): readonly TapInfo<T>[] {
    return this.#registrations.map((r) => r.info)
  }

  /** @internal `tap`/`tapPromise`/`tapAsync`; a sync hook refuses the async kinds. */
  protected register(type: TapType, options: unknown, fn: unknown): () => void {
    if (type !== 'sync' && this.#kind.startsWith('Sync')) {
      const name = typeof options === 'string' ? options : (options as TapOptions | null)?.name
      const method = type === 'promise' ? 'tapPromise' : 'tapAsync'
      throw new DqxError(
        'HOOK_USAGE',
        `${method}('${name}') on ${this.#kind} '${this.name}': a ${this.#kind} cannot wait for a tap — use tap() with a sync function, or an async hook`,
      )
    }
    let info = createTapInfo<T>(this.name, type, options, fn)
    for (const interceptor of this.#interceptors) info = this.registered(interceptor, info)
    // Ordered before it is added: a cycle is the registering code's error, raised here and
    // never at call time; the hook keeps the taps it had.
    const order = orderTaps(this.name, [...this.taps, info])
    const registration: Registration<T> = { info }
    this.#registrations.push(registration)
    this.#setOrder(order.ordered, order.ignored)
    let registered = true
    return () => {
      if (!registered) return
      registered = false
      this.#registrations.splice(this.#registrations.indexOf(registration), 1)
      this.#ordered = undefined
    }
  }

  /**
   * Starts a call: the tap order (warning once about each order hint that
   * names no tap), then the `call` interceptors.
   */
  protected begin(args: T): readonly CompiledTap<T>[] {
    let ordered = this.#ordered
    if (ordered === undefined) {
      // Removing taps cannot close a cycle, so this never throws.
      const order = orderTaps(this.name, this.taps)
      ordered = this.#setOrder(order.ordered, order.ignored)
    }
    if (this.#unwarned.length > 0) this.#warnIgnored()
    const interceptors = this.rt.callInterceptors
    if (interceptors) for (const i of interceptors) i.call(...args)
    return ordered
  }

  /** @internal An async series call; rejects only when a `call` interceptor throws. */
  protected series(args: T, flow: Flow): Promise<SeriesOutcome> {
    let taps: readonly CompiledTap<T>[]
    try {
      taps = this.begin(args)
    } catch (e) {
      return Promise.reject(e)
    }
    return runSeries(this.rt, args, taps, flow)
  }

  #setOrder(
    infos: readonly TapInfo<T>[],
    ignored: readonly IgnoredConstraint<TapInfo<T>>[],
  ): readonly CompiledTap<T>[] {
    const ordered = infos.map((info) => compileTap(this.rt, info))
    this.#ordered = ordered
    this.#unwarned = ignored
    return ordered
  }

  /**
   * A before/after naming no tap on this hook is a hint that does not apply
   * (that plugin may be disabled or absent): it is ignored, with one warning.
   * It is only known to be missing when the hook is called, since taps may be
   * registered in any order.
   */
  #warnIgnored(): void {
    for (const { tap, relation, missing } of this.#unwarned) {
      const key = `${tap.plugin ?? ''}\0${tap.name}\0${relation}\0${missing}`
      if (this.#warned.has(key)) continue
      this.#warned.add(key)
      const who = tap.plugin === undefined ? `tap '${tap.name}'` : `plugin '${tap.plugin}' tap '${tap.name}'`
      this.rt.warn(
        `${who} on hook '${this.name}': ${relation} '${missing}' names no tap on this hook, so that order constraint is ignored (is '${missing}' disabled, not installed, or misspelled?)`,
        { plugin: tap.plugin ?? tap.name, tap: tap.name, [relation]: missing },
      )
    }
    this.#unwarned = []
  }

  private registered(interceptor: HookInterceptor<T>, info: TapInfo<T>): TapInfo<T> {
    const replaced = interceptor.register?.(info)
    return replaced === undefined ? info : checkTapInfo<T>(this.name, replaced)
  }
}
