/** One measured comparison; bench/run.ts prints these and a benchmark gate may check `ok`. */
export interface BenchCase {
  /** What was measured, e.g. 'async series, 10 taps, timeouts off'. */
  name: string
  /** Our value, in `unit`. */
  ours: number
  /** What we compare against, e.g. 'tapable AsyncSeriesHook' or 'ideal ceil(N/k)·L'. */
  peer: string
  /** The peer's value, in `unit`. */
  peerValue: number
  /** ours / peerValue. */
  ratio: number
  /** The target on `ratio`, as text, e.g. '≤ 1.2×'. */
  target: string
  /** Whether `ratio` meets `target`. */
  ok: boolean
  /** e.g. 'ns/call', 'ms'. */
  unit: string
}

/** Shape of a bench module's entry point. */
export type BenchRun = (opts: { quick: boolean }) => Promise<BenchCase[]>

/** Prints cases as a table (used when a bench file runs standalone). */
export function printCases(title: string, cases: readonly BenchCase[]): void {
  console.log(`\n${title}`)
  console.table(
    cases.map((c) => ({
      case: c.name,
      ours: `${round(c.ours)} ${c.unit}`,
      peer: c.peer,
      'peer value': `${round(c.peerValue)} ${c.unit}`,
      ratio: `${c.ratio.toFixed(2)}×`,
      target: c.target,
      ok: c.ok ? 'yes' : 'NO',
    })),
  )
}

function round(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
}
