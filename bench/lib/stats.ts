// Small statistics and measurement helpers shared by the overhead and engine benches.
import type { BenchCase } from '../types.js'

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Median absolute deviation relative to the median (a robust coefficient of variation), in %. */
export function relMad(xs: readonly number[]): number {
  const m = median(xs)
  return (median(xs.map((x) => Math.abs(x - m))) / m) * 100
}

/** The samples of each variant of an interleaved measurement. */
export type Samples<T = number> = Record<string, T[]>

/**
 * Runs each variant `rounds` times, interleaved (A B C, B C A, C A B …: the order rotates every
 * round so that no variant always follows the same one), after `warmup` unrecorded rounds.
 * Interleaving spreads the drift of a shared, busy machine over all variants alike.
 */
export async function interleave<T>(
  variants: Readonly<Record<string, () => Promise<T>>>,
  rounds: number,
  warmup: number,
  onRound?: (round: number) => void,
): Promise<Samples<T>> {
  const names = Object.keys(variants)
  const samples: Samples<T> = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < warmup + rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length] as string)
    for (const name of order) {
      const v = await (variants[name] as () => Promise<T>)()
      if (r >= warmup) samples[name]?.push(v)
    }
    if (r >= warmup) onRound?.(r - warmup)
  }
  return samples
}

/** Times one call of `fn` in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

/** Wall time and this process's CPU time (all threads: DuckDB's workers included) of one call, in ms. */
export interface Timing {
  wall: number
  cpu: number
}

/**
 * Times one call of `fn`. CPU time is far steadier than wall time on a shared, busy machine
 * (it does not grow while other processes hold the cores), so it is recorded beside it.
 */
export async function timedCpu(fn: () => Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await fn()
  const wall = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { wall, cpu: (c.user + c.system) / 1000 }
}

/** A case with the raw samples behind it, so results.json shows the variance. */
export interface MeasuredCase extends BenchCase {
  /** Samples of ours and of the peer (same unit), in measurement order. */
  samples?: { ours: number[]; peer: number[] }
  /** Robust spread (median absolute deviation / median, %) of ours and of the peer. */
  spreadPct?: { ours: number; peer: number }
  /** The ratio of each interleaved pair (ours_i / peer_i): min, median, max. */
  pairRatios?: { min: number; median: number; max: number }
  /** Median CPU time (ms, all threads) of ours and of the peer, and their ratio. */
  cpu?: { ours: number; peer: number; ratio: number }
  note?: string
}

/**
 * A case from interleaved samples: ratio of the medians, judged by `ok(ratio)`. The paired
 * ratios show how much a single comparison could have varied.
 */
export function fromSamples(
  c: Omit<BenchCase, 'ours' | 'peerValue' | 'ratio' | 'ok'>,
  ours: number[],
  peer: number[],
  ok: (ratio: number) => boolean,
  note?: string,
): MeasuredCase {
  const o = median(ours)
  const p = median(peer)
  const ratio = o / p
  const pairs = ours.map((x, i) => x / (peer[i] as number)).filter(Number.isFinite)
  const out: MeasuredCase = {
    ...c,
    ours: o,
    peerValue: p,
    ratio,
    ok: ok(ratio),
    samples: { ours: ours.map(round3), peer: peer.map(round3) },
    spreadPct: { ours: round3(relMad(ours)), peer: round3(relMad(peer)) },
  }
  if (pairs.length > 0) {
    out.pairRatios = {
      min: round3(Math.min(...pairs)),
      median: round3(median(pairs)),
      max: round3(Math.max(...pairs)),
    }
  }
  if (note !== undefined) out.note = note
  return out
}

/** fromSamples over wall times, with the CPU-time medians and ratio alongside. */
export function fromTimings(
  c: Omit<BenchCase, 'ours' | 'peerValue' | 'ratio' | 'ok' | 'unit'>,
  ours: Timing[],
  peer: Timing[],
  ok: (ratio: number) => boolean,
  note?: string,
): MeasuredCase {
  const out = fromSamples(
    { ...c, unit: 'ms' },
    ours.map((t) => t.wall),
    peer.map((t) => t.wall),
    ok,
    note,
  )
  const o = median(ours.map((t) => t.cpu))
  const p = median(peer.map((t) => t.cpu))
  out.cpu = { ours: round3(o), peer: round3(p), ratio: round3(o / p) }
  return out
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** Parses `--name value` from argv (also `--name=value`). */
export function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === `--${name}`) return argv[i + 1]
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return undefined
}

/** `20000000`, `20_000_000`, `2e7`, `20M`, `200k` → a positive whole number of rows. */
export function parseRows(text: string): number {
  const m = /^(\d[\d_]*(?:\.\d+)?(?:e\d+)?)([kKmM]?)$/.exec(text.trim())
  const n = m
    ? Number((m[1] as string).replaceAll('_', '')) * ({ k: 1e3, m: 1e6 }[(m[2] as string).toLowerCase()] ?? 1)
    : Number.NaN
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--rows needs a positive whole number (e.g. 2000000, 2e6, 2M), got '${text}'`)
  return n
}
