// The code that runs INSIDE an isolated plugin's sandbox (a worker thread or a child process).
// Plain JavaScript that imports nothing of dqx but the plain module of config messages: it must
// start without TypeScript, without DuckDB's native addon (the permission model refuses native
// addons) and wherever npm hoisted dqx.
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { invalidConfigMessage } from '../config-issues.mjs'

const HOOK_NAMES = new Set(['beforeRun', 'afterEvaluate', 'processResults', 'onPluginError', 'afterRun'])

/** Messages to the parent: a worker's port, or the IPC channel of a forked child. */
const post = isMainThread ? (msg) => process.send?.(msg) : (msg) => parentPort.postMessage(msg)
const onMessage = isMainThread ? (fn) => process.on('message', fn) : (fn) => parentPort.on('message', fn)

const describe = (err) =>
  err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack, code: err.code }
    : { name: 'Error', message: String(err) }

const realExit = process.exit.bind(process)

// What kills the sandbox is reported before it dies, so the parent can name it.
process.on('uncaughtException', (err) => {
  post({ type: 'fatal', what: 'an uncaught exception', error: describe(err) })
  realExit(70)
})
process.on('unhandledRejection', (reason) => {
  post({ type: 'fatal', what: 'an unhandled promise rejection', error: describe(reason) })
  realExit(70)
})
process.exit = (code) => {
  post({
    type: 'fatal',
    what: `process.exit(${code ?? ''})`,
    error: { name: 'Error', message: `the plugin called process.exit(${code ?? ''})` },
  })
  realExit(code)
}

/** The sandbox's pino-shaped logger: each line goes to the suite's logger bound to the plugin's name. */
function forwardingLogger(callId, bindings = {}) {
  const line =
    (level) =>
    (a, b, ...rest) => {
      let obj = {}
      let msg
      if (typeof a === 'string') msg = [a, b, ...rest].filter((x) => x !== undefined).join(' ')
      else {
        obj = a instanceof Error ? { err: describe(a) } : { ...(a ?? {}) }
        msg = typeof b === 'string' ? [b, ...rest].join(' ') : undefined
      }
      try {
        post({ type: 'log', callId, level, obj: { ...bindings, ...obj }, msg })
      } catch {
        post({ type: 'log', callId, level, obj: bindings, msg: `${msg ?? ''} (fields not cloneable)` })
      }
    }
  const logger = {
    level: 'trace',
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    fatal: line('fatal'),
    silent: () => {},
    child: (more) => forwardingLogger(callId, { ...bindings, ...more }),
    isLevelEnabled: () => true,
  }
  return Object.freeze(logger)
}

/** A ResultKey as plugins use it, behaving as dqx's own (src/core/result-key.ts): date, tags, lag(), tagsKey, toString(), toJSON(). */
class SandboxResultKey {
  constructor(date, tags) {
    this.date = date
    this.tags = Object.freeze({ ...tags })
    Object.freeze(this)
  }
  lag(days) {
    if (!Number.isInteger(days) || days < 0) {
      throw new Error(`lag must be a non-negative whole number of days, got ${days}`)
    }
    if (days === 0) return this
    const d = new Date(`${this.date}T00:00:00Z`)
    d.setUTCDate(d.getUTCDate() - days)
    return new SandboxResultKey(d.toISOString().slice(0, 10), this.tags)
  }
  get tagsKey() {
    return JSON.stringify(this.tags)
  }
  toString() {
    const t = Object.entries(this.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    return t ? `${this.date} [${t}]` : this.date
  }
  toJSON() {
    return { date: this.date, tags: { ...this.tags } }
  }
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

const taps = []
let config
let pluginName
const controllers = new Map()

/** The suite as the plugin sees it inside the sandbox: hooks record taps, nothing else is shared. */
function sandboxSuite(name) {
  const hook = (hookName) => {
    const tapWith = (kind) => (options, fn) => {
      const opts = typeof options === 'string' ? { name: options } : { ...options }
      if (typeof fn !== 'function') throw new TypeError(`${hookName}.${kind}() needs a function`)
      const id = taps.length
      taps.push({ id, hook: hookName, kind, options: opts, fn })
      return () => {}
    }
    return Object.freeze({
      tap: tapWith('tap'),
      tapPromise: tapWith('tapPromise'),
      tapAsync: tapWith('tapAsync'),
    })
  }
  const hooks = {}
  for (const h of HOOK_NAMES) hooks[h] = hook(h)
  return {
    name,
    hooks: Object.freeze(hooks),
    get db() {
      throw new Error(
        `plugin '${name}' runs isolated: the suite's MetricDB is not reachable from the sandbox; use the results in each hook's context`,
      )
    },
    logger: forwardingLogger(undefined, { plugin: name }),
    config,
  }
}

function findPlugin(mod) {
  const candidates = [mod.default, mod.plugin, mod]
  for (const c of candidates) {
    if (c === null || c === undefined) continue
    if (typeof c === 'function') return c
    if (typeof c === 'object' && (typeof c.apply === 'function' || typeof c.process === 'function')) return c
  }
  return undefined
}

async function validate(plugin, raw) {
  const schema = plugin.configSchema
  if (!schema || typeof schema !== 'object' || !schema['~standard']) return raw
  const out = await schema['~standard'].validate(raw)
  if (out.issues) {
    throw Object.assign(new Error(invalidConfigMessage(pluginName, out.issues)), {
      code: 'INVALID_PLUGIN_CONFIG',
    })
  }
  return out.value
}

async function load({ specifier, name, rawConfig }) {
  pluginName = name
  const mod = await import(specifier)
  const plugin = findPlugin(mod)
  if (!plugin) {
    throw Object.assign(
      new Error(
        `the module exports no plugin (expected a default export, or an export named 'plugin', that is a function or an object with apply() or process())`,
      ),
      { code: 'NO_PLUGIN' },
    )
  }
  config = await validate(plugin, rawConfig)
  const suite = sandboxSuite(name)
  if (typeof plugin === 'function') await plugin(suite)
  else if (typeof plugin.apply === 'function') await plugin.apply(suite, config)
  else {
    // A ResultProcessor: initialize once, process in processResults.
    await plugin.initialize?.(config)
    // As in-process: a run that failed has no results to process.
    suite.hooks.processResults.tapPromise({ name }, async (ctx) => {
      if (ctx.error !== undefined) return
      await plugin.process(ctx.results, ctx.symbols, ctx.suiteName, ctx)
    })
  }
  return taps.map((t) => ({ id: t.id, hook: t.hook, options: t.options }))
}

function rebuild(callId, ctx) {
  const controller = new AbortController()
  controllers.set(callId, controller)
  const out = {
    ...ctx,
    signal: controller.signal,
    logger: forwardingLogger(callId, { plugin: pluginName }),
    config,
  }
  if (ctx.key) out.key = new SandboxResultKey(ctx.key.date, ctx.key.tags)
  for (const k of Object.keys(out)) if (k !== 'signal' && k !== 'logger' && k !== 'config') deepFreeze(out[k])
  return Object.freeze(out)
}

async function call({ callId, tapId, ctx }) {
  const tap = taps[tapId]
  const args = rebuild(callId, ctx)
  if (tap.kind === 'tapAsync') {
    return await new Promise((resolve, reject) => {
      tap.fn(args, (err, value) => (err ? reject(err) : resolve(value)))
    })
  }
  return await tap.fn(args)
}

function cloneable(value) {
  try {
    structuredClone(value)
    return value
  } catch {
    return undefined
  }
}

onMessage(async (msg) => {
  if (msg.type === 'load') {
    try {
      post({ type: 'loaded', taps: await load(msg) })
    } catch (err) {
      post({ type: 'load-failed', error: describe(err) })
    }
  } else if (msg.type === 'call') {
    try {
      const value = await call(msg)
      post({ type: 'result', callId: msg.callId, value: cloneable(value) })
    } catch (err) {
      post({ type: 'result', callId: msg.callId, error: describe(err) })
    } finally {
      controllers.delete(msg.callId)
    }
  } else if (msg.type === 'abort') {
    controllers.get(msg.callId)?.abort(new Error('the suite aborted this call'))
  } else if (msg.type === 'close') {
    realExit(0)
  }
})

post({ type: 'ready', workerData: workerData === undefined ? undefined : null })
