import { DqxError } from '../core/errors.js'
import { ResultKey } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { RunReport } from '../core/types.js'
import type { MetricDB } from '../engine/metric-db.js'
import type { StoredRun } from '../engine/stored-run.js'
import { HookCalls } from './hook-calls.js'
import { afterRunContext, failed, type SuiteLifecycle } from './lifecycle.js'
import { deepFreeze, type RunContext, type TapScope } from './run-context.js'

/** What `suite.replay(key, options)` accepts. */
export interface ReplayOptions {
  /** Only these plugins (by name, as `suite.plugins` lists them) receive the replay; default all. */
  plugins?: readonly string[]
  /** Replay this stored run of the key instead of its latest. */
  runId?: string
}

function describeTags(tags: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(tags).map(([k, v]) => `${k}=${v}`)
  return pairs.length === 0 ? 'no tags' : `tags ${pairs.join(', ')}`
}

/**
 * The stored run of a suite and key (its latest, or `runId`). None stored is a NO_STORED_RUN
 * DqxError naming the suite, date and tags, and the dates that do have runs for those tags.
 */
export async function loadStoredRun(
  db: MetricDB,
  suite: string,
  key: ResultKey,
  runId: string | undefined,
  caller = 'replay()',
): Promise<StoredRun> {
  if (typeof db.getRun !== 'function' || typeof db.listRuns !== 'function') {
    throw new DqxError(
      'METRIC_DB',
      `${caller}: the MetricDB ${db.description} does not store runs (no getRun/listRuns); use MetricDB.memory(), .duckdb() or .postgres()`,
    )
  }
  const q = { suite, date: key.date, tags: key.tags }
  const stored = await db.getRun(runId === undefined ? q : { ...q, runId })
  if (stored) return stored
  const dates = [...new Set((await db.listRuns({ suite, tags: key.tags })).map((r) => r.date))]
  const what = runId === undefined ? 'no stored run' : `no stored run with runId '${runId}'`
  const known =
    dates.length === 0
      ? `no run of this suite with ${describeTags(key.tags)} is stored in ${db.description}; runs are stored from the first run on (suite.run() / dqx run)`
      : `stored dates: ${dates.slice(-10).join(', ')}${dates.length > 10 ? ` (${dates.length} in all)` : ''}`
  throw new DqxError(
    'NO_STORED_RUN',
    `${caller}: ${what} of suite '${suite}' for ${key.date} with ${describeTags(key.tags)}; ${known}`,
  )
}

/**
 * Sends a stored run through afterEvaluate, processResults and afterRun of `lifecycle`, with
 * `replay: true` and the original runId and start time in every context. No data source is read
 * and nothing is written to the MetricDB. Returns the rebuilt report with this replay's PluginRuns.
 */
export async function replayStoredRun(o: {
  lifecycle: SuiteLifecycle
  stored: StoredRun
  checks: readonly string[]
  scope: TapScope
}): Promise<{ report: RunReport; hookError: Error | undefined }> {
  const { lifecycle, stored, scope } = o
  const t0 = performance.now()
  const key = new ResultKey(stored.date, stored.tags)
  const startedAt = new Date(stored.startedAt)
  const results = deepFreeze(stored.results)
  const symbols = deepFreeze(stored.symbols)
  const summary = summarize(results)
  const runCtx: RunContext = deepFreeze({
    suiteName: stored.suite,
    runId: stored.runId,
    key,
    timestamp: startedAt,
    datasources: stored.datasources,
    checks: [...o.checks],
    replay: true,
    ...scope,
  })
  const calls = new HookCalls(lifecycle, runCtx)
  const pluginRuns = calls.runs
  const evaluated = deepFreeze({ ...runCtx, durationMs: stored.durationMs, results, symbols, summary })
  await calls.call(() => lifecycle.hooks.afterEvaluate.promise(evaluated))
  await calls.call(() => lifecycle.hooks.processResults.promise(evaluated))
  const report: RunReport = {
    suiteName: stored.suite,
    runId: stored.runId,
    key,
    startedAt,
    durationMs: stored.durationMs,
    datasources: [...stored.datasources],
    results,
    symbols,
    summary,
    pluginRuns,
    pluginErrors: [],
    replay: true,
  }
  await calls.call(() => lifecycle.hooks.afterRun.promise(afterRunContext(report, pluginRuns, scope)))
  report.pluginErrors = pluginRuns.filter(failed)
  lifecycle.logger.info(
    { runId: stored.runId, date: stored.date, durationMs: performance.now() - t0 },
    'replayed stored run',
  )
  return { report, hookError: calls.error }
}
