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
 * `before`/`after` constraints. It is Kahn's topological sort that always
 * takes, among the taps whose predecessors have all been placed, the one with
 * the lowest (stage, registration index) — so without constraints it is a
 * stable sort by stage, and chained constraints compose (A before B, C before
 * A → C, A, B; tapable's insertion gets this wrong, webpack/tapable#168).
 * A constraint is binding even against stages: `before` on a later-stage tap
 * holds the named tap back until it has run.
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

  const ordered: N[] = []
  const ready: number[] = []
  taps.forEach((_, i) => {
    if (indegree[i] === 0) ready.push(i)
  })
  // Linear scan for the lowest (stage, index): hooks have tens of taps and the
  // order is computed once per change, not per call.
  const precedes = (a: number, b: number): boolean => {
    const sa = taps[a]!.stage
    const sb = taps[b]!.stage
    return sa < sb || (sa === sb && a < b)
  }
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
    if (indegree[i]! > 0) for (const j of next) if (indegree[j]! > 0) predecessor.set(j, i)
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
