import { DqxError } from '../core/errors.js'

/** What ordering reads from a tap. */
export interface Orderable {
  readonly name: string
  readonly stage: number
  readonly before: readonly string[]
  readonly after: readonly string[]
}

/**
 * Orders taps given in registration order: `stage` ascending, then the
 * `before`/`after` constraints, otherwise registration order.
 *
 * It is Kahn's topological sort that always places, among the taps whose
 * predecessors have all been placed, the one with the smallest key. A tap's
 * key is its (stage, registration index), except that a tap declaring
 * `before: X` takes X's key when that is smaller: it moves up to just before
 * X instead of X moving down. A tap declaring `after: X` simply waits for X.
 * So the tap that declares a constraint is the one that moves, unconstrained
 * taps keep their order, and chains compose (A before B, C before A → C, A,
 * B, which tapable's insertion gets wrong, webpack/tapable#168). Constraints
 * are binding even against stages.
 *
 * Throws DqxError 'HOOK_ORDER' naming the taps involved when a constraint
 * names no registered tap or the constraints form a cycle.
 */
export function orderTaps<N extends Orderable>(hook: string, taps: readonly N[]): N[] {
  if (taps.every((t) => t.before.length === 0 && t.after.length === 0)) {
    // No constraints: Array#sort is stable, so registration order breaks stage ties.
    return [...taps].sort((a, b) => a.stage - b.stage)
  }
  const byName = new Map<string, number[]>()
  taps.forEach((t, i) => {
    const list = byName.get(t.name)
    if (list) list.push(i)
    else byName.set(t.name, [i])
  })
  const successors: number[][] = taps.map(() => [])
  const indegree: number[] = taps.map(() => 0)
  const unknown: string[] = []
  const edge = (from: number, to: number): void => {
    successors[from]!.push(to)
    indegree[to]!++
  }
  taps.forEach((t, i) => {
    for (const name of t.before) {
      const targets = byName.get(name)
      if (targets) for (const j of targets) edge(i, j)
      else unknown.push(`'${t.name}' before '${name}'`)
    }
    for (const name of t.after) {
      const sources = byName.get(name)
      if (sources) for (const j of sources) edge(j, i)
      else unknown.push(`'${t.name}' after '${name}'`)
    }
  })
  if (unknown.length > 0) {
    throw new DqxError(
      'HOOK_ORDER',
      `hook '${hook}': tap order names no registered tap: ${unknown.join(', ')} — register that tap or fix the name`,
    )
  }

  // Keys as [stage, index]; `before` pulls a tap up to its target's key (memoised DFS; a
  // back edge means a cycle, which Kahn's loop below reports).
  const keys: ([number, number] | undefined)[] = taps.map(() => undefined)
  const visiting = new Set<number>()
  const keyOf = (i: number): [number, number] => {
    const known = keys[i]
    if (known) return known
    visiting.add(i)
    let key: [number, number] = [taps[i]!.stage, i]
    for (const name of taps[i]!.before) {
      for (const j of byName.get(name)!) {
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
      `hook '${hook}': the before/after constraints of these taps form a cycle: ${cycle.map((i) => `'${taps[i]!.name}'`).join(' → ')}`,
    )
  }
  return ordered
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

/** (stage, index) keys compare stage first. */
function lessKey(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] < b[1]
}
