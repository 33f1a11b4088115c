// Unit tests for the value-based secret scrubbing behind security.test.ts: which strings of a config
// count as secrets, how they are found in serialized log lines, and how the scrubbing composes with
// a logger's own pino hooks (or steps aside for a logger that is not pino).
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { definePlugin } from '../../src/suite/plugin.js'
import { REDACTED, SecretScrubber, scrubSecrets, secretStrings } from '../../src/suite/redact.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'

describe('secretStrings', () => {
  it('takes values under secret-looking keys at any depth, numbers and arrays included', () => {
    const s = secretStrings({
      smtp: { auth: { user: 'bob', pass: 'hunter22' } },
      apiKey: 12345678,
      tokens: ['tok-one-1', 'tok-two-2'],
      deep: { a: { b: { c: { privateKey: 'pk-deep-1' } } } },
      channel: '#data-quality',
    })
    expect(s.sort()).toEqual(['12345678', 'hunter22', 'pk-deep-1', 'tok-one-1', 'tok-two-2'])
  })

  it('takes the secret parts of URLs and connection strings, not harmless URLs', () => {
    expect(secretStrings({ url: 'https://example.com' })).toEqual([]) // key 'url' is not a secret name; no secret parts
    expect(secretStrings({ target: 'https://example.com/' })).toEqual([])
    const s = secretStrings({
      db: 'postgres://dq:p%40ss-word@db:5432/metrics',
      hook: 'https://hooks.example.com/services/T0/B0/SECRETPATH',
      push: 'https://push.example.com/?api_key=qk-123456&x=1',
      gh: 'https://ghp_tokenonly@github.com',
      dsn: "host=db password='dsn pw 1' sslmode=require",
    })
    expect(s).toEqual(
      expect.arrayContaining([
        'postgres://dq:p%40ss-word@db:5432/metrics',
        'p%40ss-word',
        'p@ss-word', // decoded too: error messages may show either
        '/metrics',
        'https://hooks.example.com/services/T0/B0/SECRETPATH',
        '/services/T0/B0/SECRETPATH',
        'api_key=qk-123456&x=1',
        'qk-123456',
        'ghp_tokenonly',
        'dsn pw 1',
      ]),
    )
    expect(s).not.toContain('1') // too short to scrub from free text
    expect(s).not.toContain('db')
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

describe('SecretScrubber', () => {
  it('replaces raw, JSON-escaped and URL-encoded forms, longest first', () => {
    const s = new SecretScrubber()
    expect(s.size).toBe(0)
    s.add([])
    expect(s.size).toBe(0)
    const secret = 'pa"ss\\word/ü'
    s.add(['https://h/x?token=abcd', 'abcd', secret])
    const line = JSON.stringify({
      msg: `calling https://h/x?token=abcd with ${secret}`,
      enc: encodeURIComponent(secret),
    })
    const out = s.scrub(line)
    expect(out).toBe(JSON.stringify({ msg: `calling ${REDACTED} with ${REDACTED}`, enc: REDACTED }))
    expect(scrubSecrets('nothing to hide', { channel: '#x' })).toBe('nothing to hide')
    expect(scrubSecrets('token is tok-123456', { token: 'tok-123456' })).toBe(`token is ${REDACTED}`)
  })
})

describe('scrubbing loggers', () => {
  const rows = check({ name: 'rows', datasets: ['d'] }, (mp, ctx) => {
    ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
  })
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
    await suite.run({ d: DataSource.fromRecords([{ a: 1 }]) }, new ResultKey('2026-11-25'))
    const line = lines.find((l) => l.includes('USING'))
    expect(line).toContain(`USING ${REDACTED}`)
    expect(lines.join('')).not.toContain('tok-composed-1')
  })

  it('step aside for a logger that is not pino (key-path redaction is pino’s; nothing breaks)', async () => {
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
    const report = await suite.run({ d: DataSource.fromRecords([{ a: 1 }]) }, new ResultKey('2026-11-25'))
    expect(report.pluginErrors).toEqual([])
    expect(seen.length).toBeGreaterThan(0)
  })
})
