import { describe, expect, it } from 'vitest'
import { REDACTED, redactSecrets, redactUrl } from '../../src/suite/redact.js'

describe('redactSecrets', () => {
  it('hides secret-looking fields at any depth and keeps the rest', () => {
    const cfg = {
      smtp: { host: 'mail', port: 25, auth: { user: 'bob', pass: 'hunter2' } },
      apiKey: 'k-123',
      headers: { Authorization: 'Bearer abc' },
      list: [{ token: 't' }],
      n: null,
      keep: 1,
    }
    const out = redactSecrets(cfg) as typeof cfg
    expect(out.smtp).toEqual({ host: 'mail', port: 25, auth: { user: 'bob', pass: REDACTED } })
    expect(out.apiKey).toBe(REDACTED)
    expect(out.headers.Authorization).toBe(REDACTED)
    expect(out.list).toEqual([{ token: REDACTED }])
    expect(out.n).toBeNull()
    expect(out.keep).toBe(1)
    expect(JSON.stringify(out)).not.toMatch(/hunter2|k-123|abc|"t"/)
    expect(cfg.smtp.auth.pass).toBe('hunter2') // the original is untouched
  })

  it('strips credentials, query strings and token paths from URLs', () => {
    expect(redactUrl('postgres://dq:s3cret@db:5432/x')).toBe(`postgres://dq:${REDACTED}@db:5432/${REDACTED}`)
    expect(redactUrl('postgres://db:5432/')).toBe('postgres://db:5432/')
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXX')).toBe(
      `https://hooks.slack.com/${REDACTED}`,
    )
    expect(redactUrl('https://example.com/api?token=abc')).toBe(`https://example.com/${REDACTED}?${REDACTED}`)
    expect(redactUrl('see http://example.com for more')).toBe('see http://example.com for more')
    expect(redactSecrets({ url: 'https://u:p@h/webhook/abc' })).toEqual({
      url: `https://u:${REDACTED}@h/${REDACTED}`,
    })
    expect(redactSecrets({ target: 'https://u:p@h/webhook/abc' })).toEqual({
      target: `https://u:${REDACTED}@h/${REDACTED}`,
    })
  })

  it('stops at a depth limit', () => {
    let deep: Record<string, unknown> = { v: 1 }
    for (let i = 0; i < 12; i++) deep = { d: deep }
    expect(JSON.stringify(redactSecrets(deep))).toContain(REDACTED)
  })
})
