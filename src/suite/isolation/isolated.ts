import { basename, extname, isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DqxError } from '../../core/errors.js'
import type { SuiteHooks } from '../lifecycle.js'
import type { ObjectPlugin, Suite } from '../plugin.js'
import { type IsolationMode, type IsolationPermissions, Sandbox, type SandboxTap } from './sandbox.js'

export interface IsolatedOptions {
  /** The plugin's name (default: the module's file name without extension). */
  name?: string
  /** 'worker' (a worker thread, default) or 'process' (a child process under Node's permission model). */
  mode?: IsolationMode
  /** Each call's deadline in ms: past it the sandbox is ended and restarted (default: the suite's pluginTimeoutMs). */
  timeoutMs?: number
  /** The sandbox's JS heap cap in MB (worker resourceLimits / --max-old-space-size; default 256). */
  memoryMb?: number
  /** Process mode only: what the plugin may touch (default: read its own module, nothing else). */
  permissions?: IsolationPermissions
  /** How long loading the module, validating its config and applying it may take (default 10 000 ms). */
  loadTimeoutMs?: number
}

/** Ends the sandboxes started by calling the plugin's own apply(). */
export const CLOSE_SANDBOX: unique symbol = Symbol.for('dqx.closeSandbox')

/**
 * A fresh set of sandboxes for one suite: `apply` starts one per call, `close` ends them. A suite
 * takes its own, so two suites sharing one isolated() plugin never share a sandbox (nor a config).
 */
export const SANDBOX_GROUP: unique symbol = Symbol.for('dqx.sandboxGroup')

/** How an isolated plugin runs, for `dqx plugins` and the suite's plugin list. */
export const ISOLATION_INFO: unique symbol = Symbol.for('dqx.isolation')

export interface SandboxGroup {
  apply(suite: Suite, rawConfig: unknown): Promise<void>
  close(): Promise<void>
}

export interface IsolatedPlugin extends ObjectPlugin {
  readonly [CLOSE_SANDBOX]: () => Promise<void>
  readonly [SANDBOX_GROUP]: () => SandboxGroup
  readonly [ISOLATION_INFO]: { mode: IsolationMode; specifier: string }
}

/** Is `value` an isolated() plugin? */
export function isIsolatedPlugin(value: unknown): value is IsolatedPlugin {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Partial<IsolatedPlugin>)[SANDBOX_GROUP] === 'function'
  )
}

const DEFAULT_LOAD_TIMEOUT_MS = 10_000
const DEFAULT_MEMORY_MB = 256

function toSpecifier(specifier: string): string {
  if (specifier.startsWith('file:') || specifier.startsWith('node:')) return specifier
  if (isAbsolute(specifier) || specifier.startsWith('.')) return pathToFileURL(resolve(specifier)).href
  return specifier
}

function positive(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `isolated(): ${what} must be a positive whole number, got ${String(v)}`,
    )
  }
  return v
}

/** A context as it crosses into the sandbox: the per-tap signal, logger and config stay here. */
function portable(ctx: Record<string, unknown>): Record<string, unknown> {
  const { signal: _signal, logger: _logger, config: _config, ...rest } = ctx
  return rest
}

/** The path of the first value in `value` that structured clone refuses (a function, a symbol …). */
function uncloneable(value: unknown, path: string): { path: string; what: string } | undefined {
  if (typeof value === 'function') return { path, what: 'a function' }
  if (typeof value === 'symbol') return { path, what: 'a symbol' }
  if (value === null || typeof value !== 'object') return undefined
  const proto = Object.getPrototypeOf(value) as unknown
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = uncloneable(v, `${path}[${i}]`)
      if (bad) return bad
    }
    return undefined
  }
  if (proto === Object.prototype || proto === null) {
    for (const [k, v] of Object.entries(value)) {
      const bad = uncloneable(v, `${path}.${k}`)
      if (bad) return bad
    }
    return undefined
  }
  try {
    structuredClone(value)
    return undefined
  } catch {
    return { path, what: `a ${Object.prototype.toString.call(value).slice(8, -1)}` }
  }
}

/** The config crosses into the sandbox by structured clone: refuse, by key, what cannot. */
function checkCloneable(name: string, rawConfig: unknown): void {
  const bad = uncloneable(rawConfig, `pluginConfig['${name}']`)
  if (!bad) return
  throw new DqxError(
    'INVALID_PLUGIN_CONFIG',
    `${bad.path} is ${bad.what}, which cannot be sent to isolated plugin '${name}' (its config crosses into the sandbox by structured clone); use plain data: strings, numbers, booleans, arrays, objects, Dates`,
  )
}

/**
 * Runs a plugin module in a sandbox: a worker thread (`mode: 'worker'`) or a child process under
 * Node's permission model (`mode: 'process'`). Its taps are mirrored on the suite's hooks with the
 * same names and order options; contexts cross by structured clone; a call past its deadline ends
 * the sandbox (even a synchronous loop) and the next call gets a fresh one. See docs/isolation.md.
 */
export function isolated(specifier: string, options: IsolatedOptions = {}): IsolatedPlugin {
  if (typeof specifier !== 'string' || specifier === '') {
    throw new DqxError(
      'INVALID_ARGUMENT',
      "isolated() needs a module specifier, e.g. isolated('./plugins/slack.js')",
    )
  }
  const mode = options.mode ?? 'worker'
  if (mode !== 'worker' && mode !== 'process') {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `isolated(): mode must be 'worker' or 'process', got ${String(mode)}`,
    )
  }
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs')
  const memoryMb = positive(options.memoryMb, 'memoryMb') ?? DEFAULT_MEMORY_MB
  const loadTimeoutMs = positive(options.loadTimeoutMs, 'loadTimeoutMs') ?? DEFAULT_LOAD_TIMEOUT_MS
  const resolved = toSpecifier(specifier)
  const name = options.name ?? basename(specifier, extname(specifier))

  /** One apply(): its sandbox, restarted after each death until the group is closed. */
  const applyOnce = async (
    suite: Suite,
    rawConfig: unknown,
    group: { closed: boolean; live: Set<() => void> },
  ): Promise<void> => {
    checkCloneable(name, rawConfig)
    let sandbox: Sandbox | undefined
    let starting: Promise<Sandbox> | undefined
    group.live.add(() => sandbox?.close())
    const start = (): Promise<Sandbox> => {
      const s = new Sandbox({
        specifier: resolved,
        name,
        mode,
        memoryMb,
        loadTimeoutMs,
        permissions: options.permissions ?? {},
        rawConfig,
        logger: suite.logger,
        onStrayFailure: (err) => {
          suite.logger.error(
            { err },
            `isolated plugin '${name}' failed between calls; its sandbox is restarted`,
          )
        },
        // Restarted at once, so the next call does not pay for the start-up.
        onDeath: () => {
          if (!group.closed) void ensure().catch(() => {})
        },
      })
      sandbox = s
      return s.start().then(() => s)
    }
    // A dead sandbox (deadline, crash) is replaced for the next call, with the plugin re-applied.
    const ensure = (): Promise<Sandbox> => {
      if (sandbox && !sandbox.dead) return starting ?? Promise.resolve(sandbox)
      starting = start().finally(() => {
        starting = undefined
      })
      return starting
    }
    starting = start()
    let taps: SandboxTap[]
    try {
      taps = (await starting).taps
    } catch (err) {
      // Closed before it finished loading: nothing to mirror, and nothing left running.
      if (group.closed) return
      throw err
    } finally {
      starting = undefined
    }
    for (const tap of taps) {
      // The runner records taps of the suite's hooks only (its HOOK_NAMES).
      const hook = suite.hooks[tap.hook as keyof SuiteHooks] as unknown as {
        tapPromise(
          options: Record<string, unknown>,
          fn: (ctx: Record<string, unknown>) => Promise<unknown>,
        ): unknown
      }
      const tapOptions: Record<string, unknown> = { ...tap.options, name: tap.options.name ?? name }
      if (timeoutMs !== undefined && tapOptions.timeoutMs === undefined) tapOptions.timeoutMs = timeoutMs
      hook.tapPromise(tapOptions, async (ctx) => {
        const s = await ensure()
        return s.call(tap.id, portable(ctx), ctx.signal as AbortSignal, ctx.logger as Suite['logger'])
      })
    }
  }

  const newGroup = (): SandboxGroup => {
    const group = { closed: false, live: new Set<() => void>() }
    return {
      apply: (suite, rawConfig) => applyOnce(suite, rawConfig, group),
      async close() {
        group.closed = true
        for (const end of group.live) end()
      },
    }
  }
  const own = newGroup()

  return {
    name,
    description: `isolated (${mode}) ${specifier}`,
    [ISOLATION_INFO]: { mode, specifier },
    [SANDBOX_GROUP]: newGroup,
    [CLOSE_SANDBOX]: () => own.close(),
    apply: (suite: Suite, rawConfig: unknown) => own.apply(suite, rawConfig),
  }
}
