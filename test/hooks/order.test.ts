import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DqxError } from '../../src/core/errors.js'
import { AsyncSeriesHook, SyncHook, type TapOptions } from '../../src/hooks/index.js'
import { orderTaps } from '../../src/hooks/tap-order.js'
import { arrayLogger } from './helpers.js'

/** Registers no-op taps in the given order and returns the names in call order. */
function order(...taps: (string | TapOptions)[]): string[] {
  const hook = new SyncHook<[]>({ name: 'h' })
  const seen: string[] = []
  for (const t of taps) {
    const name = typeof t === 'string' ? t : t.name
    hook.tap(t, () => {
      seen.push(name)
    })
  }
  hook.call()
  return seen
}

/** Registers the taps in order; returns the error the registration that closes a cycle throws. */
function orderError(...taps: (string | TapOptions)[]): DqxError {
  const hook = new SyncHook<[]>({ name: 'h' })
  try {
    for (const t of taps) hook.tap(t, () => {})
  } catch (e) {
    return e as DqxError
  }
  throw new Error('expected a HOOK_ORDER error')
}

describe('tap order', () => {
  it('is registration order without options', () => {
    expect(order('a', 'b', 'c')).toEqual(['a', 'b', 'c'])
  })

  it('sorts by stage ascending, stable in registration order', () => {
    expect(
      order(
        { name: 'a', stage: 10 },
        { name: 'b', stage: -5 },
        'c',
        { name: 'd', stage: -5 },
        { name: 'e', stage: 10 },
      ),
    ).toEqual(['b', 'd', 'c', 'a', 'e'])
  })

  it('honours before and after', () => {
    expect(order('a', 'b', { name: 'c', before: 'a' })).toEqual(['c', 'a', 'b'])
    expect(order({ name: 'a', after: 'c' }, 'b', 'c')).toEqual(['b', 'c', 'a'])
    expect(order('a', 'b', 'c', { name: 'd', before: ['b', 'c'], after: 'a' })).toEqual(['a', 'd', 'b', 'c'])
  })

  it('chains before constraints (tapable#168: A before B, C before A → C, A, B)', () => {
    expect(order({ name: 'A', before: 'B' }, 'B', { name: 'C', before: 'A' })).toEqual(['C', 'A', 'B'])
    // the same with B registered first and a longer chain
    expect(
      order('B', { name: 'A', before: 'B' }, { name: 'C', before: 'A' }, { name: 'D', before: 'C' }),
    ).toEqual(['D', 'C', 'A', 'B'])
  })

  it('chains after constraints', () => {
    expect(order({ name: 'c', after: 'b' }, { name: 'b', after: 'a' }, 'a')).toEqual(['a', 'b', 'c'])
  })

  it('keeps unconstrained taps in stage/registration order around constrained ones', () => {
    expect(order('x', { name: 'a', after: 'b' }, 'y', 'b', 'z')).toEqual(['x', 'y', 'b', 'a', 'z'])
  })

  it('moves the tap that declares the constraint, not the others', () => {
    // before: the declaring tap moves up to just before its target
    expect(order('a', 'b', { name: 'c', before: 'b' })).toEqual(['a', 'c', 'b'])
    // after: the declaring tap waits for its target
    expect(order({ name: 'a', after: 'b' }, 'b', 'c')).toEqual(['b', 'a', 'c'])
  })

  it('lets a constraint win over stages', () => {
    // 'late' is in a later stage but must run before 'early': it moves up to just before it.
    expect(order('early', 'other', { name: 'late', stage: 5, before: 'early' })).toEqual([
      'late',
      'early',
      'other',
    ])
    // 'first' is in an earlier stage but must run after 'x': it waits for it.
    expect(order('x', 'y', { name: 'first', stage: -5, after: 'x' })).toEqual(['x', 'first', 'y'])
  })

  it('keeps a tap that is already earlier than its before-target where its stage puts it', () => {
    expect(order('y', 'x', { name: 'early', stage: -5, before: 'x' })).toEqual(['early', 'y', 'x'])
  })

  it('places several taps pulled before the same target in registration order', () => {
    expect(order('a', 'b', { name: 'c', before: 'a' }, { name: 'd', before: 'a' })).toEqual([
      'c',
      'd',
      'a',
      'b',
    ])
  })

  it('applies a constraint to every tap of that name', () => {
    expect(order('x', 'dup', 'dup', { name: 'first', before: 'dup' })).toEqual(['x', 'first', 'dup', 'dup'])
  })

  it('ignores a constraint naming no tap, with one warning per constraint naming the plugin and the name', () => {
    const { logger, lines } = arrayLogger()
    const hook = new SyncHook<[]>({ name: 'h', logger })
    const seen: string[] = []
    hook.tap('a', () => void seen.push('a'))
    hook.tap({ name: 'b', plugin: 'bee', before: 'nope' }, () => void seen.push('b'))
    hook.tap({ name: 'c', after: ['ghost', 'a'] }, () => void seen.push('c'))
    const runs = hook.call()
    hook.call()
    expect(runs.every((r) => r.error === undefined)).toBe(true)
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
    const warnings = lines.filter((l) => l.level === 40)
    expect(warnings.map((w) => w.msg)).toEqual([
      "plugin 'bee' tap 'b' on hook 'h': before 'nope' names no tap on this hook, so that order constraint is ignored (is 'nope' disabled, not installed, or misspelled?)",
      "tap 'c' on hook 'h': after 'ghost' names no tap on this hook, so that order constraint is ignored (is 'ghost' disabled, not installed, or misspelled?)",
    ])
    expect(warnings[0]).toMatchObject({ hook: 'h', plugin: 'bee', tap: 'b', before: 'nope' })
  })

  it('warns about an ignored constraint as a process warning when the hook has no logger', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    hook.tap({ name: 'a', before: 'missing' }, () => {})
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve))
    const runs = await hook.promise()
    expect(runs.map((r) => r.error)).toEqual([undefined])
    const warning = await warned
    expect(warning.message).toContain("before 'missing' names no tap")
    expect((warning as Error & { code?: string }).code).toBe('DQX_HOOK_WARNING')
  })

  it('warns once a constraint is missing again after its target was unregistered', () => {
    const { logger, lines } = arrayLogger()
    const hook = new SyncHook<[]>({ name: 'h', logger })
    hook.tap({ name: 'a', after: 'b' }, () => {})
    const offB = hook.tap('b', () => {})
    expect(hook.call().map((r) => r.plugin)).toEqual(['b', 'a'])
    expect(lines.filter((l) => l.level === 40)).toEqual([])
    offB()
    expect(hook.call().map((r) => r.plugin)).toEqual(['a'])
    hook.call()
    // a new order (another tap came) still names the missing tap: no second warning
    hook.tap('c', () => {})
    hook.call()
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1)
  })

  it('reports a cycle naming the taps on it', () => {
    const err = orderError(
      'x',
      { name: 'a', before: 'b' },
      { name: 'b', before: 'c' },
      { name: 'c', before: 'a' },
    )
    expect(err.code).toBe('HOOK_ORDER')
    expect(err.message).toMatch(/cycle/)
    for (const name of ['a', 'b', 'c']) expect(err.message).toContain(`'${name}'`)
    expect(err.message).not.toContain("'x'")
  })

  it('reports a two-tap cycle made of before and after', () => {
    const err = orderError({ name: 'a', after: 'b' }, { name: 'b', after: 'a' })
    expect(err.message).toMatch(/'a' → 'b' → 'a'|'b' → 'a' → 'b'/)
  })

  it('reports a cycle that a ready tap is ordered before', () => {
    const err = orderError(
      'y',
      { name: 'x', before: 'a' },
      { name: 'a', before: 'b' },
      { name: 'b', before: 'a' },
    )
    expect(err.message).toMatch(/'a' → 'b' → 'a'|'b' → 'a' → 'b'/)
  })

  it('reports a tap ordered against itself as a cycle', () => {
    expect(orderError({ name: 'self', before: 'self' }).message).toContain("'self' → 'self'")
  })

  it('names only the cycle when other taps merely depend on it', () => {
    const err = orderError(
      { name: 'a', before: 'b' },
      { name: 'b', before: 'a' },
      { name: 'after-cycle', after: 'b' },
    )
    expect(err.message).not.toContain('after-cycle')
  })

  it('raises a cycle when the tap closing it is added, keeping the hook as it was', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    const seen: string[] = []
    hook.tap({ name: 'a', before: 'b' }, () => void seen.push('a'))
    hook.tap({ name: 'b', before: 'c' }, () => void seen.push('b'))
    let error: unknown
    try {
      hook.tapPromise({ name: 'c', before: 'a' }, async () => void seen.push('c'))
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'DqxError', code: 'HOOK_ORDER' })
    expect((error as Error).message).toContain("'a' → 'b' → 'c' → 'a'")
    expect(hook.taps.map((t) => t.name)).toEqual(['a', 'b'])
    await hook.promise()
    expect(seen).toEqual(['a', 'b'])
  })

  it('raises a cycle that a register interceptor creates from intercept(), leaving the taps alone', () => {
    const hook = new SyncHook<[]>({ name: 'h' })
    hook.tap({ name: 'a', before: 'b' }, () => {})
    hook.tap('b', () => {})
    expect(() => hook.intercept({ register: (tap) => ({ ...tap, before: ['a'], after: [] }) })).toThrow(
      /cycle/,
    )
    expect(hook.taps.map((t) => t.before)).toEqual([['b'], []])
    expect(() => hook.intercept({ register: (tap) => ({ ...tap, enforce: 'middle' as 'pre' }) })).toThrow(
      "returned TapInfo 'a' with an invalid 'enforce': 'middle'",
    )
    expect(() => hook.intercept({ register: (tap) => ({ ...tap, plugin: '' }) })).toThrow(
      "returned TapInfo 'a' with an invalid 'plugin': ''",
    )
  })

  it('orderTaps returns a new array and leaves its input alone', () => {
    const taps = [
      { name: 'b', stage: 1, before: [], after: [] },
      { name: 'a', stage: 0, before: [], after: [] },
    ]
    const out = orderTaps('h', taps).ordered
    expect(out.map((t) => t.name)).toEqual(['a', 'b'])
    expect(taps.map((t) => t.name)).toEqual(['b', 'a'])
  })

  it('orderTaps handles a cycle reached through a tail', () => {
    // t0 → t1 → t2 → t1 (cycle t1/t2), t3 after t2
    const taps = [
      { name: 't0', stage: 0, before: ['t1'], after: [] },
      { name: 't1', stage: 0, before: ['t2'], after: [] },
      { name: 't2', stage: 0, before: ['t1'], after: [] },
      { name: 't3', stage: 0, before: [], after: ['t2'] },
    ]
    expect(() => orderTaps('h', taps)).toThrow(/'t1' → 't2' → 't1'|'t2' → 't1' → 't2'/)
  })
})

describe('enforce', () => {
  it("runs 'pre' taps first and 'post' taps last, each group by stage and registration", () => {
    expect(
      order(
        { name: 'post1', enforce: 'post' },
        'normal1',
        { name: 'pre1', enforce: 'pre', stage: 5 },
        { name: 'pre2', enforce: 'pre', stage: -5 },
        { name: 'normal2', stage: -100 },
        { name: 'post2', enforce: 'post', stage: -1000 },
      ),
    ).toEqual(['pre2', 'pre1', 'normal2', 'normal1', 'post2', 'post1'])
  })

  it('composes with before/after, which still bind', () => {
    expect(order({ name: 'p', enforce: 'pre' }, 'n', { name: 'q', enforce: 'post', before: 'n' })).toEqual([
      'p',
      'q',
      'n',
    ])
    expect(order({ name: 'p', enforce: 'pre', after: 'n' }, 'n', { name: 'x', enforce: 'pre' })).toEqual([
      'x',
      'n',
      'p',
    ])
  })

  it('is on TapInfo and validated', () => {
    const hook = new SyncHook<[]>({ name: 'h' })
    hook.tap({ name: 'a', enforce: 'pre', plugin: 'owner' }, () => {})
    expect(hook.taps[0]).toMatchObject({ name: 'a', enforce: 'pre', plugin: 'owner' })
    expect(() => hook.tap({ name: 'b', enforce: 'first' as 'pre' }, () => {})).toThrow(
      "option 'enforce' must be 'pre' or 'post', got 'first'",
    )
    expect(() => hook.tap({ name: 'c', plugin: '' }, () => {})).toThrow(
      "option 'plugin' must be a non-empty string",
    )
  })
})

describe('tap order (properties)', () => {
  // Acyclic constraints: a tap may only be ordered against taps later in a hidden permutation.
  const scenario = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      stages: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: n, maxLength: n }),
      rank: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.boolean()), { maxLength: 2 * n }),
    }),
  )

  it('places every tap once and satisfies every constraint', () => {
    fc.assert(
      fc.property(scenario, ({ stages, rank, edges }) => {
        const n = stages.length
        const before: string[][] = stages.map(() => [])
        const after: string[][] = stages.map(() => [])
        const must: [number, number][] = []
        for (const [x, y, useBefore] of edges) {
          if (x === y) continue
          // orient each edge along the hidden permutation, so the constraints are acyclic
          const [first, second] = rank.indexOf(x) < rank.indexOf(y) ? [x, y] : [y, x]
          if (useBefore) before[first]!.push(`t${second}`)
          else after[second]!.push(`t${first}`)
          must.push([first, second])
        }
        const taps = stages.map((stage, i) => ({
          name: `t${i}`,
          stage,
          before: before[i]!,
          after: after[i]!,
        }))
        const order = orderTaps('h', taps).ordered.map((t) => Number(t.name.slice(1)))
        expect([...order].sort((a, b) => a - b)).toEqual([...Array(n).keys()])
        for (const [first, second] of must) expect(order.indexOf(first)).toBeLessThan(order.indexOf(second))
      }),
    )
  })

  it('is a stable sort by stage without constraints', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 20 }), (stages) => {
        const taps = stages.map((stage, i) => ({ name: `t${i}`, stage, before: [], after: [] }))
        const expected = [...taps].sort(
          (a, b) => a.stage - b.stage || Number(a.name.slice(1)) - Number(b.name.slice(1)),
        )
        expect(orderTaps('h', taps).ordered).toEqual(expected)
      }),
    )
  })
})
