import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DqxError } from '../../src/core/errors.js'
import { normalizePlugins } from '../../src/suite/normalize-plugins.js'
import { definePlugin } from '../../src/suite/plugin.js'
import { checkConfigKeys, didYouMean, levenshtein, validateConfig } from '../../src/suite/plugin-config.js'

const schema = z.object({
  channel: z.string(),
  retries: z.number().int().default(3),
  nested: z.object({ port: z.number() }).optional(),
})
const [slack] = normalizePlugins([definePlugin({ name: 'slack', configSchema: schema, apply() {} })])
const [plain] = normalizePlugins([definePlugin({ name: 'plain', apply() {} })])

describe('plugin config validation', () => {
  it('returns the parsed value (defaults applied)', () => {
    expect(validateConfig(slack!, { channel: '#data' })).toEqual({ value: { channel: '#data', retries: 3 } })
  })

  it('passes config through unchanged when the plugin has no schema', () => {
    const cfg = { anything: 1 }
    expect(validateConfig(plain!, cfg)).toEqual({ value: cfg })
  })

  it('names plugin, field and expected type on a bad value', () => {
    try {
      validateConfig(slack!, { channel: 5, nested: { port: 'x' } })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(DqxError)
      expect((err as DqxError).code).toBe('INVALID_PLUGIN_CONFIG')
      expect((err as DqxError).message).toMatch(
        /^invalid pluginConfig for plugin 'slack': channel: .*expected string/,
      )
      expect((err as DqxError).message).toMatch(/nested\.port: .*expected number/)
    }
  })

  it('reports a missing config as (root)', () => {
    expect(() => validateConfig(slack!, undefined)).toThrow(/plugin 'slack': \(root\): .*expected object/)
  })

  it('awaits async schemas', async () => {
    const asyncSchema = z
      .object({ a: z.string() })
      .refine(async (v) => v.a !== 'bad', { message: 'a must not be bad', path: ['a'] })
    const [p] = normalizePlugins([definePlugin({ name: 'async', configSchema: asyncSchema, apply() {} })])
    const ok = validateConfig(p!, { a: 'fine' })
    expect(ok).toBeInstanceOf(Promise)
    await expect(ok).resolves.toEqual({ value: { a: 'fine' } })
    await expect(validateConfig(p!, { a: 'bad' })).rejects.toThrow("plugin 'async': a: a must not be bad")
  })

  it('rejects unknown keys with a did-you-mean', () => {
    expect(() => checkConfigKeys({ slak: {} }, [slack!, plain!])).toThrow(
      "unknown plugin 'slak' in pluginConfig — did you mean 'slack'? (plugins: slack, plain)",
    )
    expect(() => checkConfigKeys({ zzzzzz: {} }, [slack!])).toThrow(
      "unknown plugin 'zzzzzz' in pluginConfig (plugins: slack)",
    )
    expect(() => checkConfigKeys({ x: 1 }, [])).toThrow('(plugins: none)')
    expect(() => checkConfigKeys([] as never, [])).toThrow('pluginConfig must be an object')
    expect(() => checkConfigKeys({ slack: {} }, [slack!])).not.toThrow()
  })

  it('computes edit distances and suggestions', () => {
    expect(levenshtein('same', 'sam')).toBe(1)
    expect(levenshtein('', 'abc')).toBe(3)
    expect(levenshtein('kitten', 'sitting')).toBe(3)
    expect(didYouMean('sam', ['same', 'other'])).toBe('same')
    expect(didYouMean('EMAIL', ['email'])).toBe('email')
    expect(didYouMean('q', [])).toBeUndefined()
  })
})
