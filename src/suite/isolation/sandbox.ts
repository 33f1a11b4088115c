import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { DqxError, type DqxErrorCode } from '../../core/errors.js'
import { scrubSecrets } from '../../core/redact.js'
import { ancestorManifests, disjoint, moduleReadable, packageRoot } from './readable-paths.js'

export type IsolationMode = 'worker' | 'process'

/** What a process-mode sandbox may touch; everything else is refused by Node's permission model. */
export interface IsolationPermissions {
  /** Paths the plugin may read (its own module and dqx are always readable). */
  fsRead?: readonly string[]
  /** Paths the plugin may write. */
  fsWrite?: readonly string[]
  /** May the plugin spawn child processes? (default false) */
  childProcess?: boolean
  /** May the plugin start worker threads? (default false) */
  worker?: boolean
}

export interface SandboxOptions {
  specifier: string
  name: string
  mode: IsolationMode
  memoryMb: number
  loadTimeoutMs: number
  permissions: IsolationPermissions
  /** The plugin's raw pluginConfig entry, validated inside the sandbox. */
  rawConfig: unknown
  /** Where the plugin's lines go outside calls: the suite's logger bound to the plugin's name. */
  logger: Logger
  /** The sandbox died while no call was running (a stray timer's throw …). */
  onStrayFailure(error: Error): void
  /** The sandbox died (any cause but close()): the owner starts the next one. */
  onDeath?: () => void
}

/** One tap the plugin registered inside the sandbox. */
export interface SandboxTap {
  id: number
  hook: string
  options: Record<string, unknown>
}

interface SerializedError {
  name: string
  message: string
  stack?: string
  code?: string
}

type FromSandbox =
  | { type: 'ready' }
  | { type: 'loaded'; taps: SandboxTap[] }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; callId: number; value?: unknown; error?: SerializedError }
  | { type: 'fatal'; what: string; error: SerializedError }
  | {
      type: 'log'
      callId: number | undefined
      level: string
      obj: Record<string, unknown>
      msg: string | undefined
    }

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])

/** Node's permission model: `--permission` where it is stable (Node ≥ 22.13), else Node 20's experimental flag. */
/* v8 ignore next 3 -- one side per Node version */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission'

/** The runner file: next to this module in the sources, at the dist root once bundled. */
function runnerPath(): string {
  for (const rel of [
    './sandbox-runner.mjs',
    './isolation-runner.js',
    './suite/isolation/sandbox-runner.mjs',
  ]) {
    const path = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(path)) return path
  }
  throw new DqxError(
    'ISOLATION',
    'the isolated-plugin runner file is missing from the dqx installation; reinstall dqx',
  )
}

/**
 * The file a specifier names: a file URL as is; a package name resolved as the sandbox will
 * from dqx's own location, as the runner next to it resolves it; undefined if it cannot be.
 */
function resolvedModulePath(specifier: string): string | undefined {
  if (specifier.startsWith('file:')) return fileURLToPath(specifier)
  try {
    const url = import.meta.resolve(specifier)
    return url.startsWith('file:') ? fileURLToPath(url) : undefined
  } catch {
    return undefined // the sandbox's import fails and says why
  }
}

function revive(e: SerializedError): Error {
  // Node's own message ("Access to this API has been restricted") does not say what to change.
  const message =
    e.code === 'ERR_ACCESS_DENIED'
      ? `${e.message} (ERR_ACCESS_DENIED: not allowed by the plugin's isolated({ permissions }))`
      : e.message
  const err = new Error(message)
  err.name = e.name
  if (e.stack !== undefined) err.stack = e.stack
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code
  return err
}

/** The transport of one sandbox: a worker thread or a forked child, both speaking structured clone. */
interface Channel {
  send(msg: unknown): void
  kill(): void
  /** Idle sandboxes do not keep the process alive; a running call does. */
  ref(): void
  unref(): void
}

/**
 * One running sandbox of an isolated plugin: it loads the module, validates its config, applies
 * it, and runs its taps on request. When it dies (deadline, crash, memory cap) every pending call
 * is rejected with an error naming what happened; the owner starts a fresh one for the next call.
 */
export class Sandbox {
  taps: SandboxTap[] = []
  private channel: Channel | undefined
  private nextCall = 1
  private readonly loggers = new Map<number, Logger>()
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  private fatal: string | undefined
  private loading: { resolve(t: SandboxTap[]): void; reject(e: Error): void } | undefined
  dead = false

  constructor(private readonly o: SandboxOptions) {}

  /** Starts the sandbox and loads the plugin; rejects with a DqxError naming the specifier and reason. */
  start(): Promise<SandboxTap[]> {
    const loaded = new Promise<SandboxTap[]>((resolve, reject) => {
      this.loading = { resolve, reject }
    })
    this.channel = this.o.mode === 'worker' ? this.startWorker() : this.startProcess()
    this.channel.send({
      type: 'load',
      specifier: this.o.specifier,
      name: this.o.name,
      rawConfig: this.o.rawConfig,
    })
    const timer = setTimeout(() => {
      this.failLoad(
        `it did not finish loading within ${this.o.loadTimeoutMs} ms (a loop or a slow import at module level?)`,
      )
    }, this.o.loadTimeoutMs)
    return loaded.then(
      (taps) => {
        clearTimeout(timer)
        this.taps = taps
        return taps
      },
      (err: unknown) => {
        clearTimeout(timer)
        throw err
      },
    )
  }

  private failLoad(reason: string, cause?: Error, as?: { code: DqxErrorCode; message: string }): void {
    const loading = this.loading
    if (!loading) return
    this.loading = undefined
    this.kill()
    loading.reject(
      new DqxError(
        as?.code ?? 'ISOLATION',
        as?.message ??
          `isolated plugin '${this.o.name}' (${this.o.specifier}) could not be loaded in its ${this.o.mode} sandbox: ${reason}`,
        cause ? { cause } : undefined,
      ),
    )
  }

  private startWorker(): Channel {
    const worker = new Worker(runnerPath(), {
      // Not the parent's flags: a loader such as tsx would be set up again in every sandbox (≈ 250 ms).
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.o.memoryMb },
      stdout: false,
      stderr: false,
    })
    worker.on('message', (m: FromSandbox) => this.onMessage(m))
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY')
        this.fatal ??= `it exceeded its memory limit of ${this.o.memoryMb} MB (memoryMb)`
      else this.fatal ??= `${err.message}`
    })
    worker.on('exit', (code) => this.onExit(`its worker exited with code ${code}`))
    return {
      send: (msg) => worker.postMessage(msg),
      kill: () => void worker.terminate(),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    }
  }

  private startProcess(): Channel {
    const p = this.o.permissions
    const runner = runnerPath()
    const modulePath = resolvedModulePath(this.o.specifier)
    const readable = [
      runner,
      // dqx itself (for `import … from 'dqx/plugin'`) and every package.json module resolution reads.
      ...[packageRoot(runner) ?? dirname(runner)],
      ...(modulePath ? moduleReadable(modulePath) : []),
      ...ancestorManifests(runner),
      ...(p.fsRead ?? []),
    ]
    const execArgv = [
      PERMISSION_FLAG,
      // One flag per path: Node 20.20 no longer splits a comma-separated list.
      ...disjoint(readable).map((path) => `--allow-fs-read=${path}`),
      ...disjoint(p.fsWrite ?? []).map((path) => `--allow-fs-write=${path}`),
      ...(p.childProcess ? ['--allow-child-process'] : []),
      ...(p.worker ? ['--allow-worker'] : []),
      `--max-old-space-size=${this.o.memoryMb}`,
      '--no-warnings',
    ]
    const child: ChildProcess = fork(runner, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    child.on('message', (m: FromSandbox) => this.onMessage(m))
    child.on('exit', (code, signal) => {
      if (/heap out of memory|Allocation failed/i.test(stderr)) {
        this.fatal ??= `it exceeded its memory limit of ${this.o.memoryMb} MB (memoryMb)`
      }
      this.onExit(`its process exited with ${signal ? `signal ${signal}` : `code ${code}`}`)
    })
    return {
      send: (msg) => {
        if (child.connected) child.send(msg as never)
      },
      kill: () => void child.kill('SIGKILL'),
      ref: () => {
        child.ref()
        const ch = child.channel as { ref?: () => void } | undefined
        ch?.ref?.()
      },
      unref: () => {
        child.unref()
        const ch = child.channel as { unref?: () => void } | undefined
        ch?.unref?.()
        ;(child.stderr as { unref?: () => void } | null)?.unref?.()
      },
    }
  }

  private onMessage(m: FromSandbox): void {
    switch (m.type) {
      case 'loaded':
        this.loading?.resolve(m.taps)
        this.loading = undefined
        this.channel?.unref()
        break
      case 'load-failed':
        if (m.error.code === 'INVALID_PLUGIN_CONFIG') {
          // The same error as for an in-process plugin's invalid config, scrubbed of its secrets.
          this.failLoad(m.error.message, revive(m.error), {
            code: 'INVALID_PLUGIN_CONFIG',
            message: scrubSecrets(m.error.message, this.o.rawConfig),
          })
        } else this.failLoad(m.error.message, revive(m.error))
        break
      case 'result': {
        const call = this.pending.get(m.callId)
        this.pending.delete(m.callId)
        if (this.pending.size === 0) this.channel?.unref()
        if (m.error) call?.reject(revive(m.error))
        else call?.resolve(m.value)
        break
      }
      case 'fatal':
        this.fatal ??= m.what.startsWith('process.exit')
          ? `it called ${m.what}`
          : `${m.what}: ${m.error.message}`
        break
      case 'log': {
        const logger = (m.callId === undefined ? undefined : this.loggers.get(m.callId)) ?? this.o.logger
        const level = LEVELS.has(m.level) ? (m.level as 'info') : 'info'
        logger[level](m.obj, m.msg)
        break
      }
      default:
        break
    }
  }

  private onExit(how: string): void {
    if (this.dead) return
    this.die(this.fatal ?? how)
  }

  /** Marks the sandbox dead at once (a call made from now on gets a fresh one) and fails what was pending. */
  private die(what: string): void {
    this.dead = true
    if (this.loading) {
      this.failLoad(what)
      return
    }
    const err = new DqxError('ISOLATION', `isolated plugin '${this.o.name}' sandbox died: ${what}`)
    if (this.pending.size === 0) {
      if (!this.closing) this.o.onStrayFailure(err)
    } else {
      for (const call of this.pending.values()) call.reject(err)
      this.pending.clear()
    }
    this.o.onDeath?.()
  }

  private closing = false

  /** Runs one tap in the sandbox; `signal` aborting ends the sandbox (the only way to stop sync code). */
  call(tapId: number, ctx: unknown, signal: AbortSignal, logger: Logger): Promise<unknown> {
    if (this.dead || !this.channel)
      return Promise.reject(new Error(`isolated plugin '${this.o.name}' sandbox is not running`))
    const callId = this.nextCall++
    const channel = this.channel
    return new Promise<unknown>((resolve, reject) => {
      this.loggers.set(callId, logger)
      const onAbort = (): void => {
        channel.send({ type: 'abort', callId })
        this.kill()
        if (!this.dead) {
          this.die(
            `its call was abandoned (${String((signal.reason as Error | undefined)?.message ?? 'aborted')}); the sandbox was ended`,
          )
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.pending.set(callId, {
        resolve: (v) => {
          this.loggers.delete(callId)
          signal.removeEventListener('abort', onAbort)
          resolve(v)
        },
        reject: (e) => {
          this.loggers.delete(callId)
          signal.removeEventListener('abort', onAbort)
          reject(e)
        },
      })
      channel.ref()
      channel.send({ type: 'call', callId, tapId, ctx })
    })
  }

  kill(): void {
    this.channel?.kill()
  }

  /** Ends the sandbox; a death from here on is not a failure. A load still running rejects. */
  close(): void {
    this.closing = true
    this.dead = true
    this.failLoad('it was closed while it was loading')
    this.kill()
  }
}
