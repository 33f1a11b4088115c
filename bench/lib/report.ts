import type { MeasuredCase } from './stats.js'

/** Standalone: the table, then each case's spread and CPU-time ratio. */
export function printDetails(cases: readonly MeasuredCase[]): void {
  for (const c of cases) {
    const cpu = c.cpu
      ? `; CPU ${c.cpu.ours.toFixed(0)} vs ${c.cpu.peer.toFixed(0)} ms = ${c.cpu.ratio.toFixed(2)}×`
      : ''
    const pairs = c.pairRatios ? `; pair ratios ${c.pairRatios.min}–${c.pairRatios.max}` : ''
    console.log(
      `${c.name}: ±${c.spreadPct?.ours.toFixed(1)}% / ±${c.spreadPct?.peer.toFixed(1)}%${pairs}${cpu}${c.note ? `; ${c.note}` : ''}`,
    )
    console.log(
      `   ours ${c.samples?.ours.map((x) => x.toFixed(0)).join(' ')} | peer ${c.samples?.peer.map((x) => x.toFixed(0)).join(' ')}`,
    )
  }
}
