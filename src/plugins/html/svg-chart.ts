import { escapeHtml } from './escape.js'
import type { BandPoint, ChartBounds, ChartPoint } from './report-model.js'

// Hand-written SVG line charts. Why not a library: uPlot and Chart.js draw on <canvas> from
// JavaScript at load time (a blank page without JS, nothing the DOM can be asserted on, ~50 KB
// per copy of the library inlined), and the SVG sparkline packages are unmaintained or need a
// DOM at render time. The chart here is ~150 lines, renders on the server into static SVG that
// prints, and stays small with thousands of points: every series is one <path>.

export const CHART_WIDTH = 560
export const CHART_HEIGHT = 170
const PAD = { left: 58, right: 12, top: 10, bottom: 24 }

/**
 * Past this many points a dot per day is drawn no more: they overlap at chart width anyway, and
 * thousands of round caps make the first paint slow. The line and the FAILED rings stay.
 */
export const MAX_DOTS = 400

const DAY_MS = 86_400_000
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS

/** A tick label: up to 4 significant digits, k/M/G for large magnitudes. */
export function shortNumber(v: number): string {
  const a = Math.abs(v)
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`
  return String(Number(v.toPrecision(4)))
}

/** Coordinates with one decimal: enough for a 560 px chart, a third of the bytes of full floats. */
const c = (n: number): string => String(Math.round(n * 10) / 10)

interface Scale {
  x(day: number): number
  y(value: number): number
  lo: number
  hi: number
}

function scaleFor(points: readonly ChartPoint[], bounds: ChartBounds, band: readonly BandPoint[]): Scale {
  const ys: number[] = []
  for (const p of points) if (p.value !== null && Number.isFinite(p.value)) ys.push(p.value)
  for (const b of [bounds.lo, bounds.hi]) if (b !== undefined && Number.isFinite(b)) ys.push(b)
  for (const b of band) if (Number.isFinite(b.lo) && Number.isFinite(b.hi)) ys.push(b.lo, b.hi)
  let lo = Math.min(...ys)
  let hi = Math.max(...ys)
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1
    lo -= pad
    hi += pad
  } else {
    const pad = (hi - lo) * 0.08
    lo -= pad
    hi += pad
  }
  const first = dayNumber((points[0] as ChartPoint).date)
  const last = dayNumber((points.at(-1) as ChartPoint).date)
  const span = Math.max(1, last - first)
  const w = CHART_WIDTH - PAD.left - PAD.right
  const h = CHART_HEIGHT - PAD.top - PAD.bottom
  return {
    // A single day sits in the middle rather than on the axis.
    x: (day) => PAD.left + (last === first ? w / 2 : ((day - first) / span) * w),
    y: (v) => PAD.top + h - ((v - lo) / (hi - lo)) * h,
    lo,
    hi,
  }
}

/** Round tick values inside [lo, hi]: a step of 1, 2, 2.5 or 5 × 10^k, about five ticks. */
export function niceTicks(lo: number, hi: number): number[] {
  const rough = (hi - lo) / 5
  const mag = 10 ** Math.floor(Math.log10(rough))
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= rough) ?? 10) * mag
  const ticks: number[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)))
  }
  return ticks
}

function axes(s: Scale, first: string, last: string): string {
  const ticks = niceTicks(s.lo, s.hi)
  const grid = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${PAD.left}" x2="${CHART_WIDTH - PAD.right}" y1="${c(s.y(t))}" y2="${c(s.y(t))}"/>` +
        `<text class="tick" x="${PAD.left - 6}" y="${c(s.y(t) + 4)}" text-anchor="end">${escapeHtml(shortNumber(t))}</text>`,
    )
    .join('')
  const base = CHART_HEIGHT - 6
  const dates =
    `<text class="tick" x="${PAD.left}" y="${base}">${escapeHtml(first)}</text>` +
    (first === last
      ? ''
      : `<text class="tick" x="${CHART_WIDTH - PAD.right}" y="${base}" text-anchor="end">${escapeHtml(last)}</text>`)
  return grid + dates
}

function boundLines(s: Scale, b: ChartBounds): string {
  const out: string[] = []
  for (const [v, label] of [
    [b.lo, 'lower bound'],
    [b.hi, 'upper bound'],
  ] as const) {
    if (v === undefined || !Number.isFinite(v)) continue
    out.push(
      `<line class="bound" x1="${PAD.left}" x2="${CHART_WIDTH - PAD.right}" y1="${c(s.y(v))}" y2="${c(s.y(v))}"><title>${label} ${escapeHtml(String(v))}</title></line>`,
    )
  }
  return out.join('')
}

/** The band as one closed path: the upper edge left to right, the lower edge back. */
function bandPath(s: Scale, band: readonly BandPoint[]): string {
  if (band.length === 0) return ''
  const upper = band.map((b, i) => `${i === 0 ? 'M' : 'L'}${c(s.x(dayNumber(b.date)))} ${c(s.y(b.hi))}`)
  const lower = [...band].reverse().map((b) => `L${c(s.x(dayNumber(b.date)))} ${c(s.y(b.lo))}`)
  return `<path class="band" d="${upper.join('')}${lower.join('')}Z"><title>anomaly band</title></path>`
}

/**
 * One assertion's history as an SVG line chart: the value per day (a line broken where a day
 * has no value), a dot per day up to MAX_DOTS days (all dots are one path: `M x y h0` segments
 * with round caps),
 * bound lines, the anomaly band, and FAILED days as red rings with a tooltip.
 */
export function renderChart(
  points: readonly ChartPoint[],
  bounds: ChartBounds,
  band: readonly BandPoint[],
  label: string,
): string {
  const valued = points.filter((p) => p.value !== null && Number.isFinite(p.value))
  const s = scaleFor(valued, bounds, band)
  const line: string[] = []
  const dots: string[] = []
  const failed: string[] = []
  let pen = 'M'
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) {
      pen = 'M'
      continue
    }
    const x = c(s.x(dayNumber(p.date)))
    const y = c(s.y(p.value))
    line.push(`${pen}${x} ${y}`)
    pen = 'L'
    dots.push(`M${x} ${y}h0`)
    if (p.status === 'FAILED') {
      failed.push(
        `<circle class="failed" cx="${x}" cy="${y}" r="4.5"><title>${escapeHtml(`${p.date}: ${p.value} FAILED`)}</title></circle>`,
      )
    }
  }
  const drawDots = valued.length <= MAX_DOTS
  const first = (valued[0] as ChartPoint).date
  const last = (valued.at(-1) as ChartPoint).date
  return (
    `<svg class="chart" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" role="img" aria-label="${escapeHtml(label)}" data-points="${valued.length}" data-failed="${failed.length}">` +
    axes(s, first, last) +
    bandPath(s, band) +
    boundLines(s, bounds) +
    `<path class="line" d="${line.join('')}"/>` +
    (drawDots ? `<path class="dots" d="${dots.join('')}"/>` : '') +
    failed.join('') +
    '</svg>'
  )
}
