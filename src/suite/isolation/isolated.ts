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
  /** The sandbox's JS heap cap in MB (worker resourceLimits / --max-old-space-size). */
  memoryMb?: number
  /** Process mode only: what the plugin may touch (default: read its own module, nothing else). */
  permissions?: IsolationPermissions
  /** How long loading the module, validating its config and applying it may take (default 10 000 ms). */
  loadTimeoutMs?: number
}

/** Ends an isolated plugin's sandbox: called by `suite.close()`. */
export const CLOSE_SANDBOX: unique symbol = Symbol.for('dqx.closeSandbox')

/** How an isolated plugin runs, for `dqx plugins` and the suite's plugin list. */
export const ISOLATION_INFO: unique symbol = Symbol.for('dqx.isolation')

export interface IsolatedPlugin extends ObjectPlugin {
  readonly [CLOSE_SANDBOX]: () => Promise<void>
  readonly [ISOLATION_INFO]: { mode: IsolationMode; specifier: string }
}

const HOOKS: readonly (keyof SuiteHooks)[] = [
  'beforeRun',
  'afterEvaluate',
  'processResults',
  'onPluginError',
  'afterRun',
]
const DEFAULT_LOAD_TIMEOUT_MS = 10_000

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
  const memoryMb = positive(options.memoryMb, 'memoryMb')
  const loadTimeoutMs = positive(options.loadTimeoutMs, 'loadTimeoutMs') ?? DEFAULT_LOAD_TIMEOUT_MS
  const resolved = toSpecifier(specifier)
  const name = options.name ?? basename(specifier, extname(specifier))

  let sandbox: Sandbox | undefined
  let starting: Promise<Sandbox> | undefined
  let closed = false

  return {
    name,
    description: `isolated (${mode}) ${specifier}`,
    [ISOLATION_INFO]: { mode, specifier },
    async [CLOSE_SANDBOX]() {
      closed = true
      sandbox?.close()
      sandbox = undefined
    },
    async apply(suite: Suite, rawConfig: unknown) {
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
            if (!closed) void ensure().catch(() => {})
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
      } finally {
        starting = undefined
      }
      for (const tap of taps) {
        const hookName = tap.hook as keyof SuiteHooks
        if (!HOOKS.includes(hookName)) continue
        const hook = suite.hooks[hookName] as unknown as {
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
    },
  }
}
