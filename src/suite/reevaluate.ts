// Judging a stored run again after a tunable or profile change: the metric values come from the
// run's stored symbols, so no data source is read (no scan event is published).
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { evaluate, type PlannedCheck, symbolName } from '../core/evaluate.js'
import { ResultKey } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { AssertionResult, RunReport, SymbolInfo } from '../core/types.js'
import { MetricDB } from '../engine/metric-db.js'
import { type StoredRun, storedRunOf } from '../engine/stored-run.js'
import { loadAnomalyBaselines } from './anomaly-history.js'
import { deepFreeze } from './run-context.js'
import type { SuiteOperations } from './run-operations.js'

const NO_DATES: ReadonlySet<string> = new Set()

/** A stored result whose verdict does not depend on metric values, tunables or profiles. */
function keepsStoredVerdict(r: AssertionResult, schema: boolean): boolean {
  return (
    schema ||
    (r.status === 'SKIPPED' && (r.skipCause === 'dataset-not-provided' || r.skipCause === 'data-unavailable'))
  )
}

export async function reevaluateStoredRun(o: {
  suite: string
  db: MetricDB
  stored: StoredRun
  /** The suite's checks planned against the stored run's datasources. */
  planned: readonly PlannedCheck[]
  operations: SuiteOperations
  logger: Logger
}): Promise<RunReport> {
  const { stored, db } = o
  const t0 = performance.now()
  const startedAt = new Date()
  const runId = randomUUID()
  const key = new ResultKey(stored.date, stored.tags)
  // Skip dates belong to data sources, which a re-evaluation does not have: the stored
  // 'data-unavailable' verdicts are kept instead.
  const ops = await o.operations.forRun(key, db, () => NO_DATES)
  const checks = ops.prepare(o.planned)
  const bySymbol = new Map<string, SymbolInfo>(
    stored.symbols.map((s) => [`${s.dataset}\u0000${s.metric}`, s]),
  )
  const judge = await loadAnomalyBaselines({ db, suite: o.suite, key, checks: o.planned })
  const fresh = evaluate(
    o.suite,
    key,
    checks,
    {
      get: (dataset, ref) => {
        const s = bySymbol.get(`${dataset}\u0000${symbolName(ref)}`)
        if (!s) return undefined
        return s.error === undefined
          ? { value: s.value, date: s.date }
          : { value: s.value, date: s.date, error: s.error }
      },
    },
    { judge, tunables: ops.tunables },
  )
  const before = new Map(stored.results.map((r) => [`${r.check}\u0000${r.assertion}`, r]))
  const schemaAssertions = new Set(
    o.planned.flatMap((pc) =>
      pc.assertions.filter((a) => a.schema).map((a) => `${pc.collected.check.name}\u0000${a.name}`),
    ),
  )
  const results = fresh.results.map((r) => {
    const k = `${r.check}\u0000${r.assertion}`
    const old = before.get(k)
    return old && keepsStoredVerdict(old, schemaAssertions.has(k)) ? { ...old } : r
  })
  const symbols = fresh.symbols
  const report: RunReport = {
    suiteName: o.suite,
    runId,
    key,
    startedAt,
    durationMs: performance.now() - t0,
    datasources: [...stored.datasources],
    results,
    symbols,
    summary: summarize(results),
    pluginRuns: [],
    pluginErrors: [],
    reevaluatedFrom: stored.runId,
  }
  // One write (one transaction where the store has them); metric values are not written again.
  await MetricDB.writeRun(db, {
    newRun: true,
    metrics: [],
    runId,
    results,
    run: storedRunOf(report),
    schemas: [],
  })
  deepFreeze(report.results)
  deepFreeze(report.symbols)
  const active = o.operations.activeProfileNames(key)
  if (active) report.profiles = active
  o.logger.info(
    { runId, reevaluatedFrom: stored.runId, date: key.date, durationMs: report.durationMs },
    're-evaluated stored run',
  )
  return report
}
