// Numbers and text for people, shared by every place that prints results: the CLI's table and the
// messages of the alerting and report plugins.

export interface FormatValueOptions {
  /**
   * 'full' (default): up to 12 significant digits, no float noise (`0.1 + 0.2` → `0.3`), for
   * messages. 'short': whole numbers as they are, others with up to 4 decimals, very large or
   * small ones in e-notation (`1.234e-5`), for table cells.
   */
  style?: 'full' | 'short'
  /** Text for a missing value (default 'null'). */
  nullText?: string
}

/** A metric value for people; NaN and ±Infinity as JavaScript spells them. */
export function formatValue(v: number | null, o: FormatValueOptions = {}): string {
  if (v === null) return o.nullText ?? 'null'
  if (!Number.isFinite(v)) return String(v)
  if (o.style !== 'short') return String(Number(v.toPrecision(12)))
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v)
  const abs = Math.abs(v)
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return v.toExponential(3)
  return String(Number(v.toFixed(4)))
}

/** Shortens text to at most `max` characters, ending with '…' when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`
}
