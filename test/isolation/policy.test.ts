import { describe, expect, it } from 'vitest'
import {
  isolationFor,
  namedInPolicy,
  overrideDefault,
  validateIsolationPolicy,
} from '../../src/suite/isolation/policy.js'

// The isolation policy as dqx.config.ts and `dqx run --isolate-plugins` give it.

describe('validateIsolationPolicy', () => {
  it('accepts every documented form', () => {
    const forms: unknown[] = [
      false,
      'none',
      'worker',
      'process',
      { mode: 'process', timeoutMs: 5_000, memoryMb: 64, loadTimeoutMs: 9_000 },
      { mode: 'process', permissions: { fsRead: ['a'], fsWrite: ['b'], childProcess: true, worker: false } },
      { default: 'worker' },
      { plugins: { slack: 'process', trusted: false } },
      { default: { timeoutMs: 1 }, plugins: { x: { mode: 'worker' } } },
    ]
    for (const f of forms) expect(validateIsolationPolicy(f)).toBe(f)
  })

  it('names the key and the fix of every mistake', () => {
    const cases: [unknown, string][] = [
      ['thread', "isolation must be false (or 'none'), 'worker', 'process' or isolated() options"],
      [
        true,
        "isolation must be false (or 'none'), 'worker', 'process' or isolated() options such as { mode: 'process', timeoutMs: 5000 }, got true",
      ],
      [[], 'isolation must be false'],
      [{ mode: 'thread' }, `isolation.mode must be 'worker' or 'process', got "thread"`],
      [{ timeoutMs: 0 }, 'isolation.timeoutMs must be a positive whole number, got 0'],
      [{ memoryMb: '64' }, 'isolation.memoryMb must be a positive whole number, got "64"'],
      [{ name: 'x' }, "isolation has an unknown option 'name'"],
      [{ permissions: ['a'] }, 'isolation.permissions must be an object such as'],
      [
        { permissions: { fsWrite: 'out' } },
        'isolation.permissions.fsWrite must be an array of paths, got "out"',
      ],
      [{ permissions: { fsRead: [1] } }, 'isolation.permissions.fsRead must be an array of paths, got [1]'],
      [{ permissions: { worker: 'yes' } }, 'isolation.permissions.worker must be true or false, got "yes"'],
      [{ permissions: { net: true } }, "isolation.permissions has an unknown key 'net'"],
      [{ default: 'worker', extra: 1 }, "isolation has an unknown key 'extra' next to default/plugins"],
      [{ default: 'thread' }, 'isolation.default must be false'],
      [{ plugins: ['slack'] }, 'isolation.plugins must be an object of { pluginName:'],
      [{ plugins: null }, 'isolation.plugins must be an object of'],
      [{ plugins: { slack: { mode: 'x' } } }, "isolation.plugins.slack.mode must be 'worker' or 'process'"],
    ]
    for (const [policy, message] of cases) {
      expect(() => validateIsolationPolicy(policy), JSON.stringify(policy)).toThrow(message)
    }
    expect(() => validateIsolationPolicy('x', 'suites[1].isolation')).toThrow('suites[1].isolation must be')
  })
})

describe('isolationFor', () => {
  it('gives a plugin its own setting, else the default', () => {
    const policy = {
      default: 'worker' as const,
      plugins: { slack: { mode: 'process' as const }, trusted: false as const },
    }
    expect(isolationFor('slack', policy)).toEqual({ mode: 'process' })
    expect(isolationFor('trusted', policy)).toBeUndefined()
    expect(isolationFor('other', policy)).toEqual({ mode: 'worker' })
    expect(isolationFor('other', { plugins: { slack: 'worker' } })).toBeUndefined()
    expect(isolationFor('other', 'none')).toBeUndefined()
    expect(isolationFor('slack', { default: 'worker', plugins: { slack: 'none' } })).toBeUndefined()
  })
})

describe('namedInPolicy', () => {
  it('lists the plugins a policy sets by name', () => {
    expect(namedInPolicy({ plugins: { a: 'worker', b: false } })).toEqual(['a', 'b'])
    expect(namedInPolicy({ default: 'worker' })).toEqual([])
    expect(namedInPolicy('worker')).toEqual([])
    expect(namedInPolicy(undefined)).toEqual([])
  })
})

describe('overrideDefault (dqx run --isolate-plugins[=mode])', () => {
  it('without a mode isolates what the default left in-process, in a worker, and keeps a default that isolates', () => {
    expect(overrideDefault(undefined, true)).toBe('worker')
    expect(overrideDefault(false, true)).toBe('worker')
    expect(overrideDefault('none', true)).toBe('worker')
    expect(overrideDefault('process', true)).toBe('process')
    expect(overrideDefault({ mode: 'process', timeoutMs: 9 }, true)).toEqual({
      mode: 'process',
      timeoutMs: 9,
    })
    expect(overrideDefault({ plugins: { a: false } }, true)).toEqual({
      default: 'worker',
      plugins: { a: false },
    })
  })

  it('with a mode forces it on the default, keeping its other options and the per-plugin settings', () => {
    expect(overrideDefault(undefined, 'process')).toBe('process')
    expect(overrideDefault('worker', 'process')).toBe('process')
    expect(overrideDefault({ timeoutMs: 9 }, 'process')).toEqual({ timeoutMs: 9, mode: 'process' })
    expect(overrideDefault({ default: false, plugins: { a: 'worker' } }, 'process')).toEqual({
      default: 'process',
      plugins: { a: 'worker' },
    })
  })
})
