import { DqxError } from '../core/errors.js'

/** What ordering reads from a tap. */
export interface Orderable {
  readonly name: string
  readonly enforce?: 'pre' | 'post'
  readonly stage: number
  readonly before: readonly string[]
  readonly after: readonly string[]
}

/** A `before`/`after` constraint that names no tap on the hook: ignored. */
export interface IgnoredConstraint<N extends Orderable> {
  readonly tap: N
  readonly relation: 'before' | 'after'
  readonly missing: string
}

export interface TapOrder<N extends Orderable> {
  readonly ordered: N[]
  readonly ignored: IgnoredConstraint<N>[]
}

type Key = readonly [group: number, stage: number, index: number]

const GROUP = { pre: 0, normal: 1, post: 2 } as const

/**
 * Orders taps given in registration order: `enforce` group ('pre', unmarked,
 * 'post'), then `stage` ascending, then the `before`/`after` constraints,
 * otherwise registration order.
 *
 * It is Kahn's topological sort that always places, among the taps whose
 * predecessors have all been placed, the one with the smallest key. A tap's
 * key is its (group, stage, registration index), except that a tap declaring
 * `before: X` takes X's key when that is smaller: it moves up to just before
 * X instead of X moving down. A tap declaring `after: X` simply waits for X.
 * So the tap that declares a constraint is the one that moves, unconstrained
 * taps keep their order, and chains compose (A before B, C before A → C, A,
 * B, which tapable's insertion gets wrong, webpack/tapable#168). Constraints
 * are binding even against stages and groups.
 *
 * A constraint naming no tap is a hint that does not apply: it is left out
 * and listed in `ignored`. Constraints that form a cycle are a DqxError
 * 'HOOK_ORDER' naming the taps involved.
 */
export function orderTaps<N extends Orderable>(hook: string, taps: readonly N[]): TapOrder<N> {
  if (taps.every((t) => t.before.length === 0 && t.after.length === 0)) {
    // No constraints: Array#sort is stable, so registration order breaks ties.
    return {
      ordered: [...taps].sort((a, b) => groupOf(a) - groupOf(b) || a.stage - b.stage),
      ignored: [],
    }
  }
  const byName = new Map<string, number[]>()
  taps.forEach((t, i) => {
    const list = byName.get(t.name)
    if (list) list.push(i)
    else byName.set(t.name, [i])
  })
  const successors: number[][] = taps.map(() => [])
  const indegree: number[] = taps.map(() => 0)
  const ignored: IgnoredConstraint<N>[] = []
  const edge = (from: number, to: number): void => {
    successors[from]!.push(to)
    indegree[to]!++
  }
  taps.forEach((t, i) => {
    for (const name of t.before) {
      const targets = byName.get(name)
      if (targets) for (const j of targets) edge(i, j)
      else ignored.push({ tap: t, relation: 'before', missing: name })
    }
    for (const name of t.after) {
      const sources = byName.get(name)
      if (sources) for (const j of sources) edge(j, i)
      else ignored.push({ tap: t, relation: 'after', missing: name })
    }
  })

  // Keys as [group, stage, index]; `before` pulls a tap up to its target's key (memoised DFS;
  // a back edge means a cycle, which Kahn's loop below reports).
  const keys: (Key | undefined)[] = taps.map(() => undefined)
  const visiting = new Set<number>()
  const keyOf = (i: number): Key => {
    const known = keys[i]
    if (known) return known
    visiting.add(i)
    const tap = taps[i]!
    let key: Key = [groupOf(tap), tap.stage, i]
    for (const name of tap.before) {
      for (const j of byName.get(name) ?? []) {
        if (visiting.has(j)) continue
        const k = keyOf(j)
        if (lessKey(k, key)) key = k
      }
    }
    visiting.delete(i)
    keys[i] = key
    return key
  }
  // Taps pulled up to the same key (several `before` the same tap) keep registration order.
  const precedes = (a: number, b: number): boolean => {
    const ka = keyOf(a)
    const kb = keyOf(b)
    return ka === kb ? a < b : lessKey(ka, kb)
  }

  const ordered: N[] = []
  const ready: number[] = []
  taps.forEach((_, i) => {
    if (indegree[i] === 0) ready.push(i)
  })
  // A linear scan for the smallest key: hooks have tens of taps and the order
  // is computed once per change, not per call.
  while (ready.length > 0) {
    let best = 0
    for (let r = 1; r < ready.length; r++) if (precedes(ready[r]!, ready[best]!)) best = r
    const i = ready[best]!
    ready.splice(best, 1)
    ordered.push(taps[i]!)
    for (const j of successors[i]!) if (--indegree[j]! === 0) ready.push(j)
  }
  if (ordered.length < taps.length) {
    const cycle = findCycle(successors, indegree)
    throw new DqxError(
      'HOOK_ORDER',
      `hook '${hook}': the before/after constraints of these taps form a cycle: ${cycle.map((i) => `'${taps[i]!.name}'`).join(' → ')} — remove one of these constraints`,
    )
  }
  return { ordered, ignored }
}

function groupOf(tap: Orderable): number {
  return tap.enforce === undefined ? GROUP.normal : GROUP[tap.enforce]
}

/**
 * Finds one cycle among the taps Kahn's algorithm could not place (indegree > 0).
 * Every such tap has an unplaced predecessor, so walking predecessors must
 * revisit a tap; the walk from that tap is the cycle.
 */
function findCycle(successors: readonly number[][], indegree: readonly number[]): number[] {
  const predecessor = new Map<number, number>()
  successors.forEach((next, i) => {
    // A successor of an unplaced tap is itself unplaced.
    if (indegree[i]! > 0) for (const j of next) predecessor.set(j, i)
  })
  let at = indegree.findIndex((d) => d > 0)
  const seen = new Set<number>()
  while (!seen.has(at)) {
    seen.add(at)
    at = predecessor.get(at)!
  }
  // `at` is on the cycle: follow predecessors around it, then read it forwards.
  const cycle = [at]
  for (let p = predecessor.get(at)!; p !== at; p = predecessor.get(p)!) cycle.push(p)
  cycle.push(at)
  return cycle.reverse()
}

/** (group, stage, index) keys compare in that order. */
function lessKey(a: Key, b: Key): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2]
}
