import { channel } from 'node:diagnostics_channel'

/**
 * One batched scan of one dataset for one date: published when it starts and
 * when it ends. This is how to observe the engine (progress displays, tests
 * counting statements, APM): never parse its log lines.
 */
export interface ScanEvent {
  suite: string
  runId: string
  dataset: string
  /** The day scanned: the run's date, or an earlier one for a lagged metric computed from a dateColumn. */
  date: string
  phase: 'start' | 'end'
  /** Metrics computed by this scan. */
  metrics: number
  /**
   * SQL statements the scan issued: 1 (the batched SELECT) at 'start'; at 'end',
   * 2 when the data held NaN/±Infinity and the statistics were computed again
   * in the non-finite-safe form. Probes that explain a failing scan are not counted.
   */
  statements: number
  /** The batched SELECT (its parameters are bound separately). */
  sql: string
  /** 'end' only: rows the scan read, when numRows() was among its metrics. */
  rows?: number
  /** 'end' only: wall time of the scan in ms. */
  durationMs?: number
  /** 'end' only, when the scan failed: why. */
  error?: Error
}

export type ScanListener = (event: ScanEvent) => void

/**
 * `node:diagnostics_channel` channel `dqx:scan`: every scan of every run in the
 * process. Subscribing costs nothing to runs when no one listens.
 *
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel'
 * subscribe('dqx:scan', (e) => console.log(e))
 * ```
 * For one run only, pass `onProgress` to `suite.run(datasources, key, { onProgress })`.
 */
export const SCAN_CHANNEL = 'dqx:scan'
const scanChannel = channel(SCAN_CHANNEL)

/** Sends one event to the run's listener (if any) and the `dqx:scan` channel subscribers. */
export function publishScan(event: ScanEvent, listener: ScanListener | undefined): void {
  if (listener) listener(event)
  if (scanChannel.hasSubscribers) scanChannel.publish(event)
}
