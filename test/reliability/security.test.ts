// Security: what discovery will load, where plugin secrets may appear, and what each plugin can see.
// See docs/security.md for the threat model these tests back.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import type { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { email, prometheus, sqlWriter, webhook } from '../../src/plugins/index.js'
import { PluginManager } from '../../src/suite/discovery.js'
import { definePlugin, type PluginOption, type ResultProcessor, type Suite } from '../../src/suite/plugin.js'
import { PluginFailureError } from '../../src/suite/plugin-failure-error.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'

const KEY = new ResultKey('2026-11-25', { env: 'security' })
const rows = check({ name: 'rows', datasets: ['d'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
  ctx.assertThat(mp.sum('v')).where({ name: 'sum' }).isGt(100) // FAILED
})
const data = () => ({ d: DataSource.fromRecords([{ v: 1 }, { v: 2 }]) })

// ---------------------------------------------------------------------------------------------
// Discovery

describe('discovery loads only what the project declares', () => {
  let root: string
  const marker = (name: string) => join(root, `loaded-${name}`)
  /** A module whose import is observable: it writes a marker file and sets a global. */
  const sideEffect = (name: string, exported = `{ name: '${name}', apply() {} }`) =>
    `import { writeFileSync } from 'node:fs'\n` +
    `writeFileSync(${JSON.stringify(marker(name))}, 'imported')\n` +
    `globalThis.__dqxSecurity = [...(globalThis.__dqxSecurity ?? []), '${name}']\n` +
    `export default ${exported}\n`
  function pkg(
    at: string,
    name: string,
    manifest: Record<string, unknown>,
    files: Record<string, string>,
  ): void {
    const dir = join(at, 'node_modules', name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', type: 'module', ...manifest }),
    )
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, '..'), { recursive: true })
      writeFileSync(join(dir, f), text)
    }
  }

  beforeAll(() => {
    const outer = mkdtempSync(join(tmpdir(), 'dqx-security-'))
    root = join(outer, 'project')
    mkdirSync(root)
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'project', dependencies: { 'dqx-plugin-declared': '1', 'plain-dep': '1' } }),
    )
    // Declared, with a plugin: its plugin module is imported — and only that module.
    pkg(
      root,
      'dqx-plugin-declared',
      { main: 'index.js', dqx: { plugins: { declared: './plugin.js' } } },
      {
        'index.js': sideEffect('declared-main'),
        'plugin.js': sideEffect('declared'),
        // its own dependency, also declaring a plugin: transitive, never loaded
        'node_modules/dqx-plugin-transitive/package.json': JSON.stringify({
          name: 'dqx-plugin-transitive',
          type: 'module',
          dqx: { plugins: { transitive: './p.js' } },
        }),
        'node_modules/dqx-plugin-transitive/p.js': sideEffect('transitive'),
      },
    )
    // Declared, without plugins: never imported at all.
    pkg(root, 'plain-dep', { main: 'index.js' }, { 'index.js': sideEffect('plain-dep') })
    // Planted: valid plugins that nobody declared, in the project's node_modules …
    pkg(
      root,
      'dqx-plugin-planted',
      { main: 'index.js', dqx: { plugins: { planted: './p.js' } } },
      {
        'index.js': sideEffect('planted-main'),
        'p.js': sideEffect('planted'),
      },
    )
    pkg(
      root,
      '@evil/dqx-plugin',
      { dqx: { plugins: { scoped: './p.js' } } },
      { 'p.js': sideEffect('scoped') },
    )
    // … and in a parent directory's node_modules (a shared /tmp, a monorepo root).
    pkg(
      outer,
      'dqx-plugin-parent',
      { dqx: { plugins: { parent: './p.js' } } },
      { 'p.js': sideEffect('parent') },
    )
  })
  afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }))

  it('imports the declared plugin module and nothing planted, transitive or undeclared', async () => {
    const manager = await PluginManager.discover({ cwd: root })
    expect([...manager.plugins.keys()]).toEqual(['declared'])
    expect(manager.failures).toEqual([])
    expect(existsSync(marker('declared'))).toBe(true)
    for (const never of [
      'declared-main',
      'plain-dep',
      'transitive',
      'planted',
      'planted-main',
      'scoped',
      'parent',
    ]) {
      expect(existsSync(marker(never)), `${never} was imported`).toBe(false)
    }
    expect((globalThis as { __dqxSecurity?: string[] }).__dqxSecurity).toEqual(['declared'])
    // What was loaded works in a suite.
    const suite = new VerificationSuite({
      name: 'discovered',
      checks: [rows],
      audit: false,
      plugins: [manager.plugins],
    })
    expect(suite.plugins.map((p) => p.name)).toEqual(['declared'])
  })
})

// ---------------------------------------------------------------------------------------------
// Secrets

const SECRETS = {
  smtpPass: 'hunter2-Sm7p-pass',
  token: 'xoxb-0000-SECRET-token',
  webhook: 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX',
  connection: 'postgres://dq_user:pg-S3cret-pw@db.internal:5432/metrics',
  dsn: 'host=db.internal user=dq password=dsn-S3cret-pw',
  bearer: 'Bearer sk-live-ABCDEF123456',
  pushUrl: 'https://push.example.com/metrics?api_key=qk-S3cret-query',
  seedKey: 'sk-seed-SECRET-1',
}
/** Every string that must never appear in a log line or an error message of ours. */
const NEEDLES = [
  SECRETS.smtpPass,
  SECRETS.token,
  SECRETS.webhook,
  '/services/T000/B000/XXXXSECRETXXXX',
  'XXXXSECRETXXXX',
  SECRETS.connection,
  'pg-S3cret-pw',
  'dsn-S3cret-pw',
  'sk-live-ABCDEF123456',
  'qk-S3cret-query',
  SECRETS.seedKey,
]
const leaks = (text: string): string[] => NEEDLES.filter((n) => text.includes(n))

/** A plugin that logs its config every which way through ctx.logger, then fails as told. */
function chatty(
  name: string,
  fail: (config: Record<string, unknown>) => Promise<void> | void,
  hook: 'processResults' | 'afterRun' = 'processResults',
) {
  return definePlugin({
    name,
    apply(s: Suite) {
      ;(s.hooks[hook] as Suite['hooks']['afterRun']).tapPromise(name, async (ctx) => {
        const config = ctx.config as Record<string, unknown>
        ctx.logger.info({ config }, 'my config')
        ctx.logger.debug(config, 'my config, flat')
        ctx.logger.trace({ a: { b: { c: { d: { e: config } } } } }, 'my config, deep')
        ctx.logger.info(`my config as text: ${JSON.stringify(config)}`)
        ctx.logger.child({ config }).warn('from a child logger')
        await fail(config)
      })
    },
  })
}

describe('secrets in plugin config never reach a log line or one of our messages', () => {
  it('at trace level, across config logging, plugin failures, timeouts and the built-in lines', async () => {
    const { logger, text, lines } = captureLogger('trace')
    const seed: ResultProcessor = {
      name: 'seed',
      process(_results, _symbols, _suite, ctx) {
        ctx.logger.info({ cfg: ctx.config }, 'seed config')
        throw new Error(`seed failed with key ${(ctx.config as { apiKey: string }).apiKey}`)
      },
    }
    const plugins: PluginOption[] = [
      chatty('mailer', () => {
        throw new Error('SMTP login refused')
      }),
      chatty('slack', (c) => {
        // as node-fetch does: the error quotes the full URL
        throw new Error(`request to ${c.url as string} failed, reason: ECONNREFUSED`)
      }),
      chatty('warehouse', async (c) => {
        throw new Error(`connect failed: ${(c.db as { postgres: string }).postgres} (${c.dsn as string})`)
      }),
      chatty('pusher', () => new Promise(() => {})), // times out
      chatty(
        'reporter',
        () => {
          throw Object.assign(new Error('afterRun failed'), { config: SECRETS })
        },
        'afterRun',
      ),
      seed,
    ]
    const suite = new VerificationSuite({
      name: 'secrets',
      checks: [rows],
      logger,
      audit: false,
      pluginTimeoutMs: 200,
      failOnPluginError: true,
      plugins,
      pluginConfig: {
        mailer: {
          smtp: { host: 'mail.internal', port: 587, auth: { user: 'bob', pass: SECRETS.smtpPass } },
          to: ['oncall@example.com'],
        },
        slack: { url: SECRETS.webhook, token: SECRETS.token, channel: '#dq' },
        warehouse: { db: { postgres: SECRETS.connection }, dsn: SECRETS.dsn },
        pusher: { pushgatewayUrl: SECRETS.pushUrl, headers: { Authorization: SECRETS.bearer } },
        reporter: { webhookUrl: SECRETS.webhook },
        seed: { apiKey: SECRETS.seedKey },
      },
    })
    const err = await suite.run(data(), KEY).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PluginFailureError)
    const failure = err as PluginFailureError
    expect(failure.failures.map((f) => f.plugin).sort()).toEqual([
      'mailer',
      'pusher',
      'reporter',
      'seed',
      'slack',
      'warehouse',
    ])
    // Our own message names plugins, never their config.
    expect(leaks(failure.message)).toEqual([])

    const all = text()
    expect(lines.length).toBeGreaterThan(30)
    expect(lines.filter((l) => l.msg === 'my config')).toHaveLength(5)
    expect(lines.some((l) => l.msg === 'plugin applied')).toBe(true) // debug: the applied config, redacted
    expect(lines.filter((l) => l.msg === 'plugin failed')).toHaveLength(6)
    expect(leaks(all)).toEqual([])
    // Redacted, not dropped: the lines still say what they were about.
    expect(all).toContain('[redacted]')
    expect(all).toContain('hooks.slack.com')
    expect(all).toContain('mail.internal')
    expect(all).toContain('request to https://hooks.slack.com/[redacted] failed, reason: ECONNREFUSED')
  })

  it('our error messages: a failing apply() and a validator that quotes the bad value', async () => {
    const exploding = definePlugin({
      name: 'exploding',
      apply(_s, config) {
        throw new Error(`cannot reach ${(config as { url: string }).url}`)
      },
    })
    const applyErr = (() => {
      try {
        new VerificationSuite({
          name: 'x',
          checks: [rows],
          audit: false,
          plugins: [exploding],
          pluginConfig: { exploding: { url: SECRETS.webhook } },
        })
      } catch (e) {
        return e as DqxError
      }
      throw new Error('expected a DqxError')
    })()
    expect(applyErr.code).toBe('INVALID_PLUGIN')
    expect(applyErr.message).toContain("plugin 'exploding'")
    expect(leaks(applyErr.message)).toEqual([])

    // Like valibot/arktype messages: the received value is quoted.
    const quoting: StandardSchemaV1<unknown, unknown> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (v) => {
          const c = v as { url: unknown; password: unknown }
          return {
            issues: [
              { message: `must be an https URL (was "${String(c.url)}")`, path: ['url'] },
              { message: `must be 16+ characters (was "${String(c.password)}")`, path: ['password'] },
            ],
          }
        },
      },
    }
    const strict = definePlugin({ name: 'strict', configSchema: quoting, apply() {} })
    const configErr = (() => {
      try {
        new VerificationSuite({
          name: 'x',
          checks: [rows],
          audit: false,
          plugins: [strict],
          pluginConfig: { strict: { url: SECRETS.connection, password: SECRETS.smtpPass } },
        })
      } catch (e) {
        return e as DqxError
      }
      throw new Error('expected a DqxError')
    })()
    expect(configErr.code).toBe('INVALID_PLUGIN_CONFIG')
    expect(configErr.message).toContain("plugin 'strict': url: must be an https URL")
    expect(configErr.message).toContain('password: must be 16+ characters (was "[redacted]")')
    expect(leaks(configErr.message)).toEqual([])
  })
})

describe('output that prints plugin errors', () => {
  // The audit summary prints each failed PluginRun's message; a plugin error quoting its own config
  // (node-fetch quotes the full URL) is scrubbed before any output sees it.
  it('audit: the summary does not echo a secret quoted by a plugin error', async () => {
    const { audit } = await import('../../src/suite/audit.js')
    let out = ''
    const slack = definePlugin({
      name: 'slack',
      apply(s) {
        s.hooks.processResults.tap('slack', (ctx) => {
          throw new Error(`request to ${(ctx.config as { url: string }).url} failed, reason: ECONNREFUSED`)
        })
      },
    })
    const suite = new VerificationSuite({
      name: 'audited',
      checks: [rows],
      plugins: [audit({ stream: { write: (t: string) => (out += t) } }), slack],
      pluginConfig: { slack: { url: SECRETS.webhook } },
    })
    await suite.run(data(), KEY)
    expect(out).toContain('slack@processResults')
    expect(leaks(out)).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Config isolation

/** Every string reachable from `root` through own properties (enumerable or not, symbols too), prototypes, Maps and Sets. */
function reachableStrings(root: unknown, limit = 200_000): Set<string> {
  const out = new Set<string>()
  const seen = new Set<unknown>()
  const builtins = new Set<unknown>(
    [Object, Function, Array, Map, Set, WeakMap, Promise, Error, Date, RegExp, EventTarget, AbortSignal].map(
      (c) => c.prototype,
    ),
  )
  const stack: unknown[] = [root]
  while (stack.length > 0 && seen.size < limit) {
    const v = stack.pop()
    if (typeof v === 'string') {
      out.add(v)
      continue
    }
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v) || builtins.has(v))
      continue
    seen.add(v)
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x)
    if (v instanceof Set) for (const x of v) stack.push(x)
    stack.push(Object.getPrototypeOf(v))
    for (const k of Reflect.ownKeys(v as object)) {
      if (typeof k === 'string') out.add(k)
      try {
        stack.push((v as Record<PropertyKey, unknown>)[k])
      } catch {
        // a throwing getter
      }
    }
  }
  return out
}

describe('each plugin sees only its own config', () => {
  it('through its ctx, the suite object, late or async registrations, and ResultProcessor.initialize', async () => {
    const A = 'plugin-A-secret-9f3b'
    const B = 'plugin-B-secret-77c1'
    const seen: Record<string, unknown> = {}
    const reachable: Record<string, boolean> = {}
    let suiteRef: Suite | undefined
    const a = definePlugin({
      name: 'a',
      apply(s) {
        s.hooks.processResults.tap('a', (ctx) => {
          seen.a = ctx.config
        })
      },
    })
    const b = definePlugin({
      name: 'b',
      async apply(s, config) {
        suiteRef = s
        seen.bApply = config
        await new Promise((r) => setTimeout(r, 5))
        // registered after an await: still b's tap, with b's config
        s.hooks.processResults.tap('b-late', (ctx) => {
          seen.bLate = ctx.config
          reachable.fromCtx = reachableStrings(ctx).has(A)
          reachable.fromSuite = reachableStrings(s).has(A)
          // a tap b registers during a run, named like the other plugin: still b's, with b's config
          s.hooks.afterRun.tap('a', (c) => {
            seen.impostor = c.config
          })
        })
      },
    })
    const init: unknown[] = []
    const rp: ResultProcessor = {
      name: 'rp',
      initialize(config) {
        init.push(config)
      },
      process(_r, _s, _n, ctx) {
        seen.rp = ctx.config
      },
    }
    const suite = new VerificationSuite({
      name: 'isolation',
      checks: [rows],
      audit: false,
      plugins: [a, b, rp],
      pluginConfig: { a: { secret: A }, b: { secret: B }, rp: { n: 1 } },
    })
    const report = await suite.run(data(), KEY)
    expect(report.pluginErrors).toEqual([])
    expect(seen).toEqual({
      a: { secret: A },
      bApply: { secret: B },
      bLate: { secret: B },
      rp: { n: 1 },
      impostor: { secret: B },
    })
    expect(init).toEqual([{ n: 1 }])
    expect(suiteRef?.name).toBe('b')
    expect(suiteRef?.config).toEqual({ secret: B })
    // Not just "not handed over": not reachable by walking the objects b was given.
    expect(reachable).toEqual({ fromCtx: false, fromSuite: false })
  })
})

// ---------------------------------------------------------------------------------------------
// Targets: every place that shows a URL keeps scheme, host and port only

/** A port on 127.0.0.1 that nothing listens on (connection refused at once). */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

/** The URL shapes of issue #23, each with the secrets it carries and how it must be shown. */
function shapes(scheme: string, port: number) {
  const host = `127.0.0.1:${port}`
  return [
    { label: 'user-only', url: `${scheme}://ghp_tok3n1234@${host}`, shown: `${scheme}://[redacted]@${host}` },
    {
      label: 'user-pass',
      url: `${scheme}://dq-user:pw-S3cret-1@${host}`,
      shown: `${scheme}://[redacted]@${host}`,
    },
    {
      label: 'path-token',
      url: `${scheme}://${host}/services/T0123/B0456/XXXXSECRETXXXX`,
      shown: `${scheme}://${host}/[redacted]`,
    },
    {
      label: 'query',
      url: `${scheme}://${host}/hook?token=qk-S3cret-query`,
      shown: `${scheme}://${host}/[redacted]`,
    },
  ]
}
const URL_SECRETS = [
  'ghp_tok3n1234',
  'pw-S3cret-1',
  'dq-user',
  'XXXXSECRETXXXX',
  'T0123',
  'B0456',
  'qk-S3cret-query',
]

describe('targets in messages and logs: scheme, host and port only, for every URL shape', () => {
  const failing = check({ name: 'failing', datasets: ['d'] }, (mp, ctx) => {
    ctx.assertThat(mp.sum('v')).where({ name: 'sum' }).isGt(100)
  })
  const once = { attempts: 1 }

  it.each([
    [
      'webhook',
      'http',
      (name: string, url: string) => webhook({ name, url, format: 'json', retry: once }),
      'to',
    ],
    [
      'prometheus',
      'http',
      (name: string, url: string) => prometheus({ name, pushgatewayUrl: url, retry: once }),
      'push to',
    ],
    [
      'email',
      'smtp',
      (name: string, url: string) =>
        email({ name, smtp: url, from: 'dq@example.com', to: 'oncall@example.com', retry: once }),
      'via',
    ],
    [
      'sqlWriter',
      'postgres',
      (name: string, url: string) => sqlWriter({ name, db: { postgres: url.replace(/\/hook\?/, '/db?') } }),
      'to',
    ],
  ] as const)('%s', async (_kind, scheme, make, preposition) => {
    const port = await closedPort()
    const list = shapes(scheme, port)
    const { logger, text } = captureLogger('debug')
    const suite = new VerificationSuite({
      name: 'targets',
      checks: [failing],
      audit: false,
      logger,
      plugins: list.map((s) => make(s.label, s.url)),
    })
    const report = await suite.run(data(), KEY)
    expect(report.pluginErrors.map((r) => r.plugin).sort()).toEqual(list.map((s) => s.label).sort())
    const messages = report.pluginErrors.map((r) => r.error?.message ?? '')
    for (const s of list) {
      const message = report.pluginErrors.find((r) => r.plugin === s.label)?.error?.message ?? ''
      const shown = s.shown
      expect(message).toContain(` ${preposition} ${shown}`)
      // The URL ends where it ends: the next character of the message is our own punctuation or space.
      expect(message).toMatch(new RegExp(`${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[: ]`))
    }
    const everything = `${text()}\n${messages.join('\n')}`
    expect(URL_SECRETS.filter((n) => everything.includes(n))).toEqual([])
    for (const line of text().split('\n').filter(Boolean)) JSON.parse(line)
  })

  it('in logs and error messages: a URL followed by JSON punctuation keeps the punctuation', async () => {
    const { logger, text } = captureLogger('info')
    const quoting = definePlugin({
      name: 'quoting',
      apply(s) {
        s.hooks.processResults.tap('quoting', (ctx) => {
          const body = '{"target":"https://ghp_tok3n1234@h.example/x/XXXXSECRETXXXX","ok":false} see logs'
          ctx.logger.warn({ body }, `server said ${body}`)
          throw new Error(`server said ${body}`)
        })
      },
    })
    const report = await new VerificationSuite({
      name: 'punct',
      checks: [rows],
      audit: false,
      logger,
      plugins: [quoting],
    }).run(data(), KEY)
    const expected = '{"target":"https://[redacted]@h.example/[redacted]","ok":false} see logs'
    expect(report.pluginErrors[0]?.error?.message).toBe(`server said ${expected}`)
    const warn = text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.level === 40)
    expect(warn).toMatchObject({ body: expected, msg: `server said ${expected}` })
    expect(URL_SECRETS.filter((n) => text().includes(n))).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Names that JavaScript objects reserve, and environment variables that must name real things

describe('reserved tag names and unknown log levels are usage errors everywhere', () => {
  const reserved = ['__proto__', 'constructor', 'prototype']

  it.each(reserved)('ResultKey refuses the tag name %s, however the object was made', (name) => {
    const message = `ResultKey tag name "${name}" is not allowed: __proto__, constructor and prototype are reserved by JavaScript objects; choose another name, e.g. 'env'`
    expect(() => new ResultKey('2026-11-25', JSON.parse(`{"${name}":"x"}`))).toThrow(message)
    expect(() => new ResultKey('2026-11-25', Object.fromEntries([[name, 'x']]))).toThrow(message)
  })

  it.each(reserved)('dqx run --tag %s=x exits 2 with the ResultKey error', async (name) => {
    const { cliInProcess, configTs, ORDERS_CSV, PASSING, project } = await import('../cli/helpers.js')
    const p = project({ 'dqx.config.ts': configTs(PASSING), 'data/orders.csv': ORDERS_CSV })
    try {
      const r = await cliInProcess(['run', '--tag', 'env=ci', '--tag', `${name}=x`], p.dir)
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`dqx error: ResultKey tag name "${name}" is not allowed`)
      expect(r.stdout).toBe('')
    } finally {
      p.cleanup()
    }
  })

  it.each(['constructor', 'toString', 'verbose'])(
    'dqx run with DQX_LOG_LEVEL=%s exits 2 naming the variable and the levels',
    async (level) => {
      const { cliInProcess, configTs, ORDERS_CSV, PASSING, project } = await import('../cli/helpers.js')
      const p = project({ 'dqx.config.ts': configTs(PASSING), 'data/orders.csv': ORDERS_CSV })
      try {
        const r = await cliInProcess(['run'], p.dir, { DQX_LOG_LEVEL: level })
        expect(r.code).toBe(2)
        expect(r.stderr).toContain(
          `dqx error: DQX_LOG_LEVEL="${level}" is not a log level; use one of trace, debug, info, warn, error, fatal, silent`,
        )
        const ok = await cliInProcess(['run'], p.dir, { DQX_LOG_LEVEL: 'error' })
        expect(ok.code).toBe(0)
      } finally {
        p.cleanup()
      }
    },
  )
})
