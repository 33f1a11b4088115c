// The redaction rules one by one: which keys are secret, how every shape of URL is reduced to its
// host, how a JSON line is scrubbed without losing its structure. Property tests over random
// objects and secrets are in test/reliability/redaction.test.ts.
import { describe, expect, it } from 'vitest'
import {
  isSecretKey,
  keyWords,
  makeRedactor,
  REDACTED,
  redactSecrets,
  redactUrl,
  SecretScrubber,
  scrubSecrets,
  urlSecrets,
} from '../../src/core/redact.js'

describe('isSecretKey', () => {
  it('splits keys into words whatever their case style', () => {
    expect(keyWords('smtpPassword')).toEqual(['smtp', 'password'])
    expect(keyWords('X-API-Key')).toEqual(['x', 'api', 'key'])
    expect(keyWords('AWS_SECRET_ACCESS_KEY')).toEqual(['aws', 'secret', 'access', 'key'])
    expect(keyWords('HTTPPassword2')).toEqual(['http', 'password'])
    expect(keyWords('db.auth.pass')).toEqual(['db', 'auth', 'pass'])
    expect(keyWords('--')).toEqual([])
  })

  it.each([
    'password',
    'passwd',
    'pwd',
    'pass',
    'secret',
    'clientSecret',
    'token',
    'tokens',
    'sessionToken',
    'access_token',
    'x-auth-token',
    'apiKey',
    'api_key',
    'x-api-key',
    'apikey',
    'APIKey',
    'AWS_SECRET_ACCESS_KEY',
    'authorization',
    'Authorization',
    'auth',
    'basicAuth',
    'credentials',
    'privateKey',
    'private_key',
    'cookie',
    'cookies',
    'sessionId',
    'DB_PASSWORD',
    'passphrase',
  ])('%s is a secret key', (key) => {
    expect(isSecretKey(key)).toBe(true)
  })

  it.each([
    'authTimeoutMs',
    'sessionName',
    'author',
    'passRate',
    'tokenUrl',
    'passwordFile',
    'secretName',
    'sortKey',
    'primaryKey',
    'keys',
    'bypass',
    'url',
    'channel',
    'delayMs',
    'suite',
    '',
    '123',
  ])('%s is not a secret key', (key) => {
    expect(isSecretKey(key)).toBe(false)
  })
})

describe('redactUrl keeps scheme, host and port only', () => {
  it.each([
    [
      'user only (a token as user name)',
      'https://ghp_abc123@github.com/x',
      'https://[redacted]@github.com/[redacted]',
    ],
    ['user and password', 'postgres://dq:s3cret@db:5432/metrics', 'postgres://[redacted]@db:5432/[redacted]'],
    ['a password with an @', 'postgres://dq:p@ss@db/x', 'postgres://[redacted]@db/[redacted]'],
    [
      'a token in the path',
      'https://hooks.slack.com/services/T0/B0/XXXX',
      'https://hooks.slack.com/[redacted]',
    ],
    ['a query', 'https://push.example.com?api_key=abc', 'https://push.example.com/[redacted]'],
    ['a path and a query', 'https://example.com/api?token=abc#frag', 'https://example.com/[redacted]'],
    ['host only', 'https://example.com', 'https://example.com'],
    ['host and slash', 'postgres://db:5432/', 'postgres://db:5432/'],
    ['IPv6 host', 'http://u:p@[::1]:9091/metrics', 'http://[redacted]@[::1]:9091/[redacted]'],
  ])('%s', (_shape, url, expected) => {
    expect(redactUrl(url)).toBe(expected)
    expect(redactUrl(expected)).toBe(expected) // idempotent
  })

  it('ends where the URL ends: at JSON punctuation, quotes, whitespace, and before sentence punctuation', () => {
    expect(redactUrl('{"u":"https://h/x","ok":false} see')).toBe(
      '{"u":"https://h/[redacted]","ok":false} see',
    )
    expect(redactUrl('request to https://u:p@h/x failed')).toBe(
      'request to https://[redacted]@h/[redacted] failed',
    )
    expect(redactUrl("cannot reach 'https://h/tok3n'.")).toBe("cannot reach 'https://h/[redacted]'.")
    expect(redactUrl('see https://h/a/b.')).toBe('see https://h/[redacted].')
    expect(redactUrl('(at https://h:8080)')).toBe('(at https://h:8080)')
    expect(redactUrl('<https://h/x>')).toBe('<https://h/[redacted]>')
    expect(redactUrl('a https://h/x\tb')).toBe('a https://h/[redacted]\tb')
  })

  it('leaves text without URLs, and local file URLs (stack frames), as they are', () => {
    expect(redactUrl('see http://example.com for more')).toBe('see http://example.com for more')
    expect(redactUrl('mail a@b.com; ratio 5000/3')).toBe('mail a@b.com; ratio 5000/3')
    expect(redactUrl('at f (file:///app/dist/index.js:10:5)')).toBe('at f (file:///app/dist/index.js:10:5)')
  })
})

describe('urlSecrets', () => {
  it('takes the password, query values, token-like path segments — and a user name only when it is a token', () => {
    const s = urlSecrets(
      'https://user:p%40ss@hooks.example.com/services/T0001/B0002/averyveryverylongtoken?sig=abc123&x=1',
    )
    expect(s).toEqual(
      expect.arrayContaining(['p%40ss', 'p@ss', 'T0001', 'B0002', 'averyveryverylongtoken', 'abc123']),
    )
    expect(s).not.toContain('user')
    expect(s).not.toContain('services')
    expect(urlSecrets('https://ghp_abc123@github.com')).toContain('ghp_abc123')
    expect(urlSecrets('postgres://postgres@db/x')).not.toContain('postgres')
    expect(urlSecrets('not a url')).toEqual(['not a url'])
  })
})

describe('SecretScrubber', () => {
  it('hides known secrets (raw, URL-encoded and decoded), pairs with a secret key and Bearer credentials in text', () => {
    const s = new SecretScrubber(['p@ss word!', undefined, null, 'abc'])
    expect(s.size).toBeGreaterThan(0)
    expect(s.text('x p@ss word! y p%40ss%20word! z abc')).toBe(`x ${REDACTED} y ${REDACTED} z abc`)
    expect(s.text('host=db user=dq password=hunter22 sslmode=require')).toBe(
      `host=db user=dq password=${REDACTED} sslmode=require`,
    )
    expect(s.text("token='a b c' authTimeoutMs=5000")).toBe(`token=${REDACTED} authTimeoutMs=5000`)
    expect(s.text('Authorization: Bearer sk-live-123456')).toBe(`Authorization: Bearer ${REDACTED}`)
    expect(s.text('5000 nightly')).toBe('5000 nightly')
  })

  it('scrubs a JSON line inside its string values only, and secret-keyed values whatever their type', () => {
    const s = new SecretScrubber(['hunter22'])
    const line = `${JSON.stringify({
      level: 30,
      msg: 'login with hunter22 to https://u:hunter22@h/x',
      delayMs: 5000,
      suite: 'nightly',
      apiKey: 12345,
      tokens: ['t-one', ['t-two']],
      auth: { user: 'bob', pass: 'pw' },
      ok: true,
      none: null,
    })}\n`
    const out = s.line(line)
    expect(out.endsWith('\n')).toBe(true)
    expect(JSON.parse(out)).toEqual({
      level: 30,
      msg: `login with ${REDACTED} to https://${REDACTED}@h/${REDACTED}`,
      delayMs: 5000,
      suite: 'nightly',
      apiKey: REDACTED,
      tokens: [REDACTED, [REDACTED]],
      auth: { user: 'bob', pass: REDACTED },
      ok: true,
      none: null,
    })
    // A line with nothing to hide comes back byte for byte.
    const clean = '{"level":30,"msg":"caf\\u00e9","n":-1.5e3,"a":[1,{"b":"c"}]}\n'
    expect(s.line(clean)).toBe(clean)
  })

  it('scrubs text that is not a JSON line as text', () => {
    const s = new SecretScrubber(['hunter22'])
    expect(s.line('plain hunter22 line')).toBe(`plain ${REDACTED} line`)
    expect(s.line('{"unterminated":"hunter22')).toBe(`{"unterminated":"${REDACTED}`)
    expect(s.line('"\\x"')).toBe('"\\x"') // an invalid escape: scrubbed as text, nothing to hide
  })
})

describe('makeRedactor and scrubSecrets', () => {
  it('hide given secrets, the token-like parts of given URLs, and URL details in any text', () => {
    const redact = makeRedactor(['https://h.io/hook/T0001xyz', 'Bearer sk-9f8e7d6c', undefined])
    expect(redact('see https://u:pw@h.io/hook/xyz?t=1')).toBe(`see https://${REDACTED}@h.io/${REDACTED}`)
    expect(redact('bad token T0001xyz, key sk-9f8e7d6c')).toBe(`bad token ${REDACTED}, key ${REDACTED}`)
    expect(scrubSecrets('nothing to hide', { channel: '#x' })).toBe('nothing to hide')
    expect(scrubSecrets('token is tok-123456', { token: 'tok-123456' })).toBe(`token is ${REDACTED}`)
  })
})

describe('redactSecrets', () => {
  it('hides secret-keyed fields at any depth, reduces URLs to their host, and keeps the rest', () => {
    const cfg = {
      smtp: { host: 'mail', port: 25, auth: { user: 'bob', pass: 'hunter2' } },
      apiKey: 'k-123',
      headers: { Authorization: 'Bearer abc' },
      list: [{ token: 't' }],
      tokens: ['a', 'b'],
      url: 'https://u:p@h/webhook/abc',
      authTimeoutMs: 5000,
      sessionName: 'nightly',
      n: null,
    }
    const out = redactSecrets(cfg)
    expect(out).toEqual({
      smtp: { host: 'mail', port: 25, auth: { user: 'bob', pass: REDACTED } },
      apiKey: REDACTED,
      headers: { Authorization: REDACTED },
      list: [{ token: REDACTED }],
      tokens: [REDACTED, REDACTED],
      url: `https://${REDACTED}@h/${REDACTED}`,
      authTimeoutMs: 5000,
      sessionName: 'nightly',
      n: null,
    })
    expect(cfg.smtp.auth.pass).toBe('hunter2') // the original is untouched
  })

  it('stops at a depth limit', () => {
    let deep: Record<string, unknown> = { v: 1 }
    for (let i = 0; i < 12; i++) deep = { d: deep }
    expect(JSON.stringify(redactSecrets(deep))).toContain(REDACTED)
  })
})
