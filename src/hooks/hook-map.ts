import { DqxError } from '../core/errors.js'
import { Hook } from './hook.js'

/** HookMap interceptor: `factory` may wrap or replace each hook the map creates. */
export interface HookMapInterceptor<K, H> {
  factory?(key: K, hook: H): H
}

/**
 * A lazily filled map of hooks of one kind, keyed by e.g. a dataset or file
 * type (tapable's HookMap): `map.for(key)` creates the key's hook with the
 * factory on first use, `map.get(key)` only reads.
 *
 * ```ts
 * const perDataset = new HookMap((dataset: string) => new AsyncSeriesHook<[Ctx]>({ name: `scan:${dataset}` }))
 * perDataset.for('orders').tapPromise('audit', async (ctx) => { … })
 * await perDataset.get('orders')?.promise(ctx)
 * ```
 */
export class HookMap<H extends object, K = string> {
  readonly #factory: (key: K) => H
  readonly #hooks = new Map<K, H>()
  #interceptors: HookMapInterceptor<K, H>[] = []

  constructor(factory: (key: K) => H) {
    if (typeof factory !== 'function') {
      throw new DqxError('HOOK_USAGE', 'new HookMap(factory): factory must be a function (key) => hook')
    }
    this.#factory = factory
  }

  /** The hook of `key`, if `for(key)` created it. */
  get(key: K): H | undefined {
    return this.#hooks.get(key)
  }

  /** The hook of `key`, created with the factory (and `factory` interceptors) on first use. */
  for(key: K): H {
    const existing = this.#hooks.get(key)
    if (existing !== undefined) return existing
    let hook = this.#factory(key)
    for (const interceptor of this.#interceptors)
      if (interceptor.factory) hook = interceptor.factory(key, hook)
    if (!(hook instanceof Hook)) {
      throw new DqxError(
        'HOOK_USAGE',
        `HookMap.for(${String(key)}): the factory returned ${hook === null ? 'null' : typeof hook}, not a hook — return e.g. new AsyncSeriesHook()`,
      )
    }
    this.#hooks.set(key, hook)
    return hook
  }

  /** Adds an interceptor; `factory` applies to hooks created from now on. */
  intercept(interceptor: HookMapInterceptor<K, H>): void {
    if (interceptor === null || typeof interceptor !== 'object') {
      throw new DqxError('HOOK_USAGE', 'HookMap.intercept() needs an object such as { factory(key, hook) }')
    }
    this.#interceptors = [...this.#interceptors, interceptor]
  }

  /** The keys with a hook, in creation order. */
  keys(): IterableIterator<K> {
    return this.#hooks.keys()
  }

  /** `[key, hook]` pairs, in creation order. */
  entries(): IterableIterator<[K, H]> {
    return this.#hooks.entries()
  }

  [Symbol.iterator](): IterableIterator<[K, H]> {
    return this.#hooks.entries()
  }
}
