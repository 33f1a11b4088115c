// Redaction never corrupts a log line and never leaks a secret: property tests over random objects
// and random secrets (every emitted line parses, no secret survives, no other value changes), the
// collection of a config's secrets, the composition with a caller's pino hooks, and the reported
// case — a plugin configured with `authTimeoutMs`/`sessionName` that logs 5000 and 'nightly' —
// through the library and through the built CLI.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import fc from 'fast-check'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { isSecretKey, REDACTED, SecretScrubber, safeDecode, secretStrings } from '../../src/core/redact.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { definePlugin } from '../../src/suite/plugin.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'
import {
  childEnv,
  configTs,
  distIsFresh,
  ORDERS_CSV,
  PASSING,
  project,
  REPO,
  spawnCli,
} from '../cli/helpers.js'

const KEY = new ResultKey('2026-11-25')
const rows = check({ name: 'rows', datasets: ['d'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
})
const data = () => ({ d: DataSource.fromRecords([{ a: 1 }]) })

// ---------------------------------------------------------------------------------------------
// Generators

const SECRET_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'x-api-key',
  'authorization',
  'credentials',
  'privateKey',
  'cookie',
  'sessionToken',
  'clientSecret',
  'DB_PASSWORD',
]
const PLAIN_KEYS = [
  'authTimeoutMs',
  'sessionName',
  'author',
  'passRate',
  'tokenUrl',
  'delayMs',
  'suite',
  'channel',
  'name',
  'count',
  'message',
  'note',
]

/** Every form a scrubber searches for. */
const forms = (s: string): string[] => [s, encodeURIComponent(s), safeDecode(s)]

/**
 * A random secret: any characters (quotes, backslashes, unicode, control characters), at least 4
 * long. Not made of '[redacted]' pieces (then "survives" would be ambiguous), not inside a key name.
 */
const secretArb = fc
  .string({ minLength: 4, maxLength: 24, unit: 'binary' })
  .filter(
    (s) =>
      !s.includes('[') &&
      !s.includes(']') &&
      !REDACTED.includes(s) &&
      forms(s).every((f) => f.length >= 4 && ![...SECRET_KEYS, ...PLAIN_KEYS].some((k) => k.includes(f))),
  )

/** A harmless string: no URL, no key=value pair, no HTTP credential scheme. */
const plainTextArb = fc
  .string({ maxLength: 20, unit: 'binary' })
  .filter((s) => !s.includes('://') && !s.includes('=') && !/\b(Bearer|Basic|Token)\s/.test(s))

const plainValueArb = fc.oneof(
  plainTextArb,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
)

interface Case {
  secrets: string[]
  /** The object a plugin logs: plain values under plain keys, secrets under secret keys and inside messages. */
  logged: Record<string, unknown>
  /** Paths (in `logged`) of plain values, which must come out unchanged. */
  plain: [string[], unknown][]
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    secrets: fc.uniqueArray(secretArb, { minLength: 1, maxLength: 4 }),
    plain: fc.array(fc.tuple(fc.constantFrom(...PLAIN_KEYS), plainValueArb), { maxLength: 8 }),
    secretKeys: fc.uniqueArray(fc.constantFrom(...SECRET_KEYS), { minLength: 1, maxLength: 4 }),
    nestedPlain: fc.array(fc.tuple(fc.constantFrom(...PLAIN_KEYS), plainValueArb), { maxLength: 4 }),
    prefix: plainTextArb,
  })
  .filter(({ secrets, plain, nestedPlain, prefix }) =>
    // A plain value that happens to contain a secret is not plain.
    [...plain, ...nestedPlain]
      .map(([, v]) => v)
      .concat(prefix)
      .every((v) => typeof v !== 'string' || secrets.every((s) => forms(s).every((f) => !v.includes(f)))),
  )
  .map(({ secrets, plain, secretKeys, nestedPlain, prefix }) => {
    const logged: Record<string, unknown> = {}
    const paths: [string[], unknown][] = []
    for (const [k, v] of plain) logged[k] = v
    for (const k of Object.keys(logged)) paths.push([[k], logged[k]])
    const nested: Record<string, unknown> = {}
    for (const [k, v] of nestedPlain) nested[k] = v
    for (const k of Object.keys(nested)) paths.push([['nested', k], nested[k]])
    secretKeys.forEach((k, i) => {
      nested[k] = secrets[i % secrets.length]
    })
    logged.nested = nested
    logged.list = secrets.map((s) => ({ text: `${prefix} ${s} ${prefix}` }))
    logged.text = `${prefix}${secrets.join(' and ')}${prefix}`
    return { secrets, logged, plain: paths }
  })

/** Every string value (not key) of a parsed line, at any depth. */
function stringsOf(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out)
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stringsOf(x, out)
  return out
}

const at = (v: unknown, path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v)

function expectScrubbed(line: string, c: Case): Record<string, unknown> {
  const parsed = JSON.parse(line) as Record<string, unknown> // every line parses
  for (const text of stringsOf(parsed)) {
    for (const s of c.secrets)
      expect(text.includes(s), `${JSON.stringify(s)} survives in ${JSON.stringify(text)}`).toBe(false)
  }
  // Compared as JSON carries them: -0 is written as 0 by JSON.stringify itself, not by the scrubber.
  for (const [path, value] of c.plain) expect(at(parsed, path)).toEqual(JSON.parse(JSON.stringify(value)))
  return parsed
}

// ---------------------------------------------------------------------------------------------

describe('properties: random objects and random secrets', () => {
  it('SecretScrubber.line: every line parses, no secret survives, no plain value changes', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const scrubber = new SecretScrubber(c.secrets)
        const line = `${JSON.stringify({ level: 30, time: 1, ...c.logged, msg: c.logged.text })}\n`
        const parsed = expectScrubbed(scrubber.line(line), c)
        // Secret-keyed values are hidden whole, whatever they were.
        for (const [k, v] of Object.entries(parsed.nested as Record<string, unknown>)) {
          if (isSecretKey(k)) expect(v).toBe(REDACTED)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('through a suite: a plugin logging its config and secrets every which way writes only valid, scrubbed JSON', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const { logger, text } = captureLogger('trace')
        const config: Record<string, unknown> = {
          ...Object.fromEntries(c.plain.map(([p, v]) => [p.join('.'), v])),
        }
        c.secrets.forEach((s, i) => {
          config[SECRET_KEYS[i % SECRET_KEYS.length] as string] = s
        })
        const logs = definePlugin({
          name: 'logs',
          apply(s) {
            s.hooks.processResults.tap('logs', (ctx) => {
              ctx.logger.info(c.logged, String(c.logged.text))
              ctx.logger.warn({ config: ctx.config }, 'my config')
              ctx.logger.child({ bound: c.logged }).debug('child')
            })
          },
        })
        const suite = new VerificationSuite({
          name: 'props',
          checks: [rows],
          audit: false,
          logger,
          plugins: [logs],
          pluginConfig: { logs: config },
        })
        const report = await suite.run(data(), KEY)
        expect(report.pluginErrors).toEqual([])
        const lines = text()
          .split('\n')
          .filter((l) => l !== '')
        const mine = lines.filter((l) => l.includes('"plugin":"logs"'))
        expect(mine.length).toBeGreaterThanOrEqual(3)
        for (const line of lines) {
          const parsed = JSON.parse(line) as Record<string, unknown>
          for (const t of stringsOf(parsed)) for (const s of c.secrets) expect(t.includes(s)).toBe(false)
        }
        const first = mine.find((l) => (JSON.parse(l) as { level: number }).level === 30) as string
        expectScrubbed(first, c)
      }),
      { numRuns: 25 },
    )
  })
})

// ---------------------------------------------------------------------------------------------

describe('the reported case: authTimeoutMs and sessionName are not secrets', () => {
  const noisy = definePlugin({
    name: 'noisy',
    apply(s) {
      s.hooks.processResults.tap('noisy', (ctx) => {
        ctx.logger.info({ delayMs: 5000, suite: 'nightly' }, 'noisy says')
      })
    },
  })

  it('through the library: the plugin succeeds, every line parses, 5000 and nightly are printed as they are', async () => {
    const { logger, text } = captureLogger('debug')
    const suite = new VerificationSuite({
      name: 'nightly',
      checks: [rows],
      audit: false,
      logger,
      plugins: [noisy],
      pluginConfig: { noisy: { authTimeoutMs: 5000, sessionName: 'nightly' } },
    })
    const report = await suite.run(data(), KEY)
    expect(report.pluginErrors).toEqual([])
    const lines = text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.find((l) => l.msg === 'noisy says')).toMatchObject({ delayMs: 5000, suite: 'nightly' })
    expect(lines.find((l) => l.msg === 'plugin applied')).toMatchObject({
      config: { authTimeoutMs: 5000, sessionName: 'nightly' },
    })
    expect(text()).not.toContain(REDACTED)
  })

  describe('through the built CLI', () => {
    let cli: string
    const cleanups: (() => void)[] = []
    beforeAll(() => {
      if (distIsFresh()) {
        cli = join(REPO, 'dist', 'cli.js')
        return
      }
      // Its own output directory: built.test.ts may be building into its own at the same time.
      const outDir = join(REPO, 'node_modules', '.cache', 'dqx-cli-build-redaction')
      const r = spawnSync(
        join(REPO, 'node_modules', '.bin', 'tsup'),
        ['--out-dir', outDir, '--no-dts', '--silent'],
        {
          cwd: REPO,
          encoding: 'utf8',
        },
      )
      if (r.status !== 0) throw new Error(`tsup failed: ${r.stderr}${r.stdout}`)
      cli = join(outDir, 'cli.js')
    }, 120_000)
    afterAll(() => {
      for (const c of cleanups) c()
    })

    it('the plugin succeeds and its line shows delayMs=5000 suite=nightly', async () => {
      const p = project({
        'dqx.config.ts': configTs(
          PASSING,
          `  plugins: [{
    name: 'noisy',
    apply(suite) {
      suite.hooks.processResults.tap('noisy', (ctx) => {
        ctx.logger.info({ delayMs: 5000, suite: 'nightly' }, 'noisy says')
      })
    },
  }],
  pluginConfig: { noisy: { authTimeoutMs: 5000, sessionName: 'nightly' } },`,
        ),
        'data/orders.csv': ORDERS_CSV,
      })
      cleanups.push(p.cleanup)
      const r = await spawnCli('node', [cli, 'run', '--json'], p.dir, {
        ...childEnv(),
        DQX_LOG_LEVEL: 'info',
      })
      expect(r.stderr).not.toContain('plugin failed')
      expect(r.stderr).toContain('dqx info: noisy says plugin=noisy delayMs=5000 suite=nightly\n')
      expect(r.code).toBe(0)
      const report = JSON.parse(r.stdout) as { pluginErrors: unknown[]; pluginRuns: { plugin: string }[] }
      expect(report.pluginErrors).toEqual([])
      expect(report.pluginRuns.map((x) => x.plugin)).toContain('noisy')
    })
  })
})

// ---------------------------------------------------------------------------------------------

describe('secretStrings', () => {
  it('takes strings under secret keys at any depth and in arrays; never numbers, never harmless keys', () => {
    const s = secretStrings({
      smtp: { auth: { user: 'bob', pass: 'hunter22' } },
      apiKey: 12345678,
      tokens: ['tok-one-1', 'tok-two-2'],
      deep: { a: { b: { c: { privateKey: 'pk-deep-1' } } } },
      headers: { Authorization: 'Bearer sk-live-1' },
      channel: '#data-quality',
      authTimeoutMs: 5000,
      sessionName: 'nightly',
    })
    expect(s.sort()).toEqual([
      'Bearer',
      'Bearer sk-live-1',
      'hunter22',
      'pk-deep-1',
      'sk-live-1',
      'tok-one-1',
      'tok-two-2',
    ])
  })

  it('takes the secret parts of URLs and connection strings, not harmless URLs', () => {
    expect(secretStrings({ url: 'https://example.com' })).toEqual([])
    expect(secretStrings({ target: 'https://example.com/' })).toEqual([])
    const s = secretStrings({
      db: 'postgres://dq:p%40ss-word@db:5432/metrics',
      hook: 'https://hooks.example.com/services/T0/B0/SECRETPATH9',
      push: 'https://push.example.com/?api_key=qk-123456&x=1',
      gh: 'https://ghp_tok3nonly@github.com',
      dsn: "host=db password='dsn pw 1' sslmode=require",
    })
    expect(s).toEqual(
      expect.arrayContaining([
        'p%40ss-word',
        'p@ss-word',
        'SECRETPATH9',
        'qk-123456',
        'ghp_tok3nonly',
        'dsn pw 1',
      ]),
    )
    expect(s).not.toContain('dq') // a user name next to a password is a name
    expect(s).not.toContain('1') // too short to search for
  })

  it('ignores secrets shorter than 4 characters and stops at a depth limit', () => {
    expect(secretStrings({ password: 'abc' })).toEqual([])
    let deep: Record<string, unknown> = { password: 'too-deep-secret' }
    for (let i = 0; i < 12; i++) deep = { d: deep }
    expect(secretStrings(deep)).toEqual([])
    expect(secretStrings(undefined)).toEqual([])
    expect(secretStrings('postgres://u:secret-pw@h/x')).toContain('secret-pw')
  })
})

describe('scrubbing loggers', () => {
  const leaky = definePlugin({
    name: 'leaky',
    apply(s) {
      s.hooks.processResults.tap('leaky', (ctx) => {
        ctx.logger.info(`using ${(ctx.config as { token: string }).token}`)
      })
    },
  })

  it("compose with the caller's own pino streamWrite hook", async () => {
    const lines: string[] = []
    const logger = pino(
      { level: 'info', hooks: { streamWrite: (s: string) => s.replace('using', 'USING') } },
      { write: (s: string) => void lines.push(s) },
    )
    const suite = new VerificationSuite({
      name: 'x',
      checks: [rows],
      audit: false,
      logger,
      plugins: [leaky],
      pluginConfig: { leaky: { token: 'tok-composed-1' } },
    })
    await suite.run(data(), KEY)
    const line = lines.find((l) => l.includes('USING'))
    expect(line).toContain(`USING ${REDACTED}`)
    expect(lines.join('')).not.toContain('tok-composed-1')
    for (const l of lines) JSON.parse(l)
  })

  it('step aside for a logger that is not pino (nothing breaks)', async () => {
    const seen: unknown[] = []
    const fake = {
      level: 'info',
      child() {
        return fake
      },
      trace() {},
      debug() {},
      info(...args: unknown[]) {
        seen.push(args)
      },
      warn() {},
      error() {},
      fatal() {},
    }
    const suite = new VerificationSuite({
      name: 'x',
      checks: [rows],
      audit: false,
      logger: fake as never,
      plugins: [leaky],
      pluginConfig: { leaky: { token: 'tok-fake-1' } },
    })
    const report = await suite.run(data(), KEY)
    expect(report.pluginErrors).toEqual([])
    expect(seen.length).toBeGreaterThan(0)
  })
})
