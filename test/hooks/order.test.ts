import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { AsyncSeriesHook, SyncHook, type TapOptions } from '../../src/hooks/index.js'
import { orderTaps } from '../../src/hooks/tap-order.js'

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

function orderError(...taps: (string | TapOptions)[]): DqxError {
  const hook = new SyncHook<[]>({ name: 'h' })
  for (const t of taps) hook.tap(t, () => {})
  try {
    hook.call()
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

  it('reports a constraint naming no tap, with both names', () => {
    const err = orderError('a', { name: 'b', before: 'nope' }, { name: 'c', after: 'ghost' })
    expect(err).toBeInstanceOf(DqxError)
    expect(err.code).toBe('HOOK_ORDER')
    expect(err.message).toContain("hook 'h'")
    expect(err.message).toContain("'b' before 'nope'")
    expect(err.message).toContain("'c' after 'ghost'")
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

  it('raises at the first call, not at registration, since the named tap may come later', async () => {
    const hook = new AsyncSeriesHook<[]>({ name: 'h' })
    const seen: string[] = []
    expect(() => hook.tap({ name: 'a', before: 'b' }, () => void seen.push('a'))).not.toThrow()
    await expect(hook.promise()).rejects.toMatchObject({ name: 'DqxError', code: 'HOOK_ORDER' })
    // every call fails the same way until fixed, each with a fresh error
    const e1 = await hook.promise().catch((e: unknown) => e)
    const e2 = await hook.promise().catch((e: unknown) => e)
    expect(e1).not.toBe(e2)
    hook.tap('b', () => void seen.push('b'))
    await hook.promise()
    expect(seen).toEqual(['a', 'b'])
  })

  it('recomputes the order after unregistering the tap a constraint named', () => {
    const hook = new SyncHook<[]>({ name: 'h' })
    hook.tap({ name: 'a', after: 'b' }, () => {})
    const offB = hook.tap('b', () => {})
    expect(hook.call().map((r) => r.plugin)).toEqual(['b', 'a'])
    offB()
    expect(() => hook.call()).toThrow(/'a' after 'b'/)
  })

  it('orderTaps returns a new array and leaves its input alone', () => {
    const taps = [
      { name: 'b', stage: 1, before: [], after: [] },
      { name: 'a', stage: 0, before: [], after: [] },
    ]
    const out = orderTaps('h', taps)
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
        const order = orderTaps('h', taps).map((t) => Number(t.name.slice(1)))
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
        expect(orderTaps('h', taps)).toEqual(expected)
      }),
    )
  })
})
