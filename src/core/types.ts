import type { ProfileEffect } from './profile.js'
import type { ResultKey } from './result-key.js'

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const
/** P0 is the worst; P1 is the default. */
export type Severity = (typeof SEVERITIES)[number]
export type AssertionStatus = 'PASSED' | 'FAILED' | 'SKIPPED'
/**
 * Why an assertion was SKIPPED, for tools that judge skips (`dqx run` fails on 'dataset-not-provided'):
 * a profile disabled it ('disabled-by-profile'), or the data it needs is declared unavailable or
 * missing from history ('data-unavailable', docs/operations.md).
 */
export type SkipCause = 'dataset-not-provided' | 'disabled-by-profile' | 'data-unavailable'

/** The outcome of one tap call: what `.call()` / `.promise()` resolve to, one per tap, in tap order. */
export interface PluginRun {
  /** The tap's name. */
  plugin: string
  /** The hook's name (`HookOptions.name`). */
  hook: string
  /** Wall time of the tap call (`performance.now()`), up to its timeout when it timed out. */
  durationMs: number
  /** What the tap threw or rejected with (non-Errors wrapped), or the timeout error. Absent on success. */
  error?: Error
  /** The tap was abandoned at its timeout; its signal (see `argsForTap`) was aborted. */
  timedOut: boolean
}

/** The hooks a suite calls, in the order it calls them. */
export type HookName = 'beforeRun' | 'afterEvaluate' | 'processResults' | 'onPluginError' | 'afterRun'

/**
 * Rows behind a FAILED assertion whose metric has a row predicate (nullCount: the NULL rows …):
 * at most the suite's `sampleLimit` rows, holding only the columns the metric reads plus
 * `sampleColumns`, with JSON-safe values. See docs/failed-rows.md.
 */
export interface FailedRowSample {
  rows: Record<string, unknown>[]
  /** How many rows match the predicate (on the run's date for sources with a dateColumn). */
  total: number
}

export type AnomalyMethod = 'zscore' | 'mad' | 'relativeChange'

/** How an `isNotAnomalous` assertion was judged (docs/anomaly-detection.md). */
export interface AnomalyDetail {
  method: AnomalyMethod
  threshold: number
  /** |value − center| / scale; null when the value was not judged (too little history …). */
  score: number | null
  /** Baseline mean (zscore) or median (mad, relativeChange); null without a baseline. */
  center: number | null
  /** Baseline sd (zscore) or MAD (mad); null for relativeChange or without a baseline. */
  spread: number | null
  /** Baseline days used (0 for a pinned value). */
  n: number
  /** Baseline days needed (minHistory.days; 0 for a pinned value). */
  needed: number
  /** Where the baseline came from. */
  baseline: 'history' | 'pinnedValue' | 'pinnedRange'
  /** First and last date of the window or pinned range (null for a pinned value). */
  from: string | null
  to: string | null
  /** Window days left out because this assertion FAILED on them (latest run per day). */
  excluded: string[]
  /** Compared with the same weekday only. */
  weekly: boolean
}

export interface AssertionResult {
  date: string
  suite: string
  check: string
  assertion: string
  severity: Severity
  status: AssertionStatus
  /** The expression's value, or null when it could not be computed (see `error`). */
  value: number | null
  /** The expression as text, e.g. `nullCount(email) / numRows()`. */
  expression: string
  /** Why the assertion failed to evaluate, or why it was skipped. */
  error?: string
  /** SKIPPED: the kind of reason `error` explains; 'dataset-not-provided' when the run lacks the check's dataset. */
  skipCause?: SkipCause
  /** Human-readable description of the bound that was checked, e.g. `< 0.05`. */
  bound?: string
  tags: Record<string, string>
  assertionTags: string[]
  /** Failed-row samples (FAILED assertions on metrics with a row predicate, when sampleLimit > 0). */
  samples?: FailedRowSample
  /** Baseline and score of an `isNotAnomalous` assertion. */
  anomaly?: AnomalyDetail
  /** What the run's active profiles changed on this assertion, one entry per matching rule. */
  profiles?: ProfileEffect[]
}

export interface SymbolInfo {
  /** x_1, x_2 … in order of first use. */
  name: string
  /** e.g. `average(price)`; lagged metrics read `lag(1, sum(revenue))`. */
  metric: string
  dataset: string
  value: number | null
  /** The date the value belongs to (the lagged day for lagged metrics). */
  date: string
  tags: Record<string, string>
  error?: string
}

export interface RunSummary {
  total: number
  passed: number
  failed: number
  skipped: number
  /** 0..100; 100 when there are no assertions. SKIPPED counts in `total`. */
  passRate: number
  bySeverity: Record<Severity, number>
  failuresBySeverity: Record<Severity, number>
}

export interface RunReport {
  suiteName: string
  runId: string
  key: ResultKey
  startedAt: Date
  durationMs: number
  datasources: string[]
  results: readonly AssertionResult[]
  symbols: readonly SymbolInfo[]
  summary: RunSummary
  /** One per plugin tap per hook called. */
  pluginRuns: readonly PluginRun[]
  /** The subset of pluginRuns with an error or a timeout. */
  pluginErrors: readonly PluginRun[]
  /**
   * The columns (name and engine type) of every dataset the run read, by dataset: stored in the
   * MetricDB with the run (expectSchemaUnchanged compares with the previous run's).
   */
  schemas?: Record<string, readonly { name: string; type: string }[]>
  /** Set when the run itself failed (bad data source, missing column …); results are then empty. */
  error?: Error
  /** Names of the profiles active on the key's date (set when the suite has profiles). */
  profiles?: string[]
  /** Set on a report made by `suite.reevaluate()`: the run whose stored metric values it judged again. */
  reevaluatedFrom?: string
  /** True when this report is a stored run sent to plugins again by `suite.replay()` (runId and startedAt are the original run's). */
  replay?: boolean
}
