import { type AssertionResult, type RunSummary, SEVERITIES, type Severity } from './types.js'

function bySeverity(): Record<Severity, number> {
  return { P0: 0, P1: 0, P2: 0, P3: 0 }
}

/** Counts and pass rate of a run's results; passRate is 100 when there are none. */
export function summarize(results: readonly AssertionResult[]): RunSummary {
  const s: RunSummary = {
    total: results.length,
    passed: 0,
    failed: 0,
    skipped: 0,
    passRate: 100,
    bySeverity: bySeverity(),
    failuresBySeverity: bySeverity(),
  }
  for (const r of results) {
    s.bySeverity[r.severity] += 1
    if (r.status === 'PASSED') s.passed += 1
    else if (r.status === 'SKIPPED') s.skipped += 1
    else {
      s.failed += 1
      s.failuresBySeverity[r.severity] += 1
    }
  }
  if (s.total > 0) s.passRate = (s.passed / s.total) * 100
  return s
}

/** The worst severity among failed results, or undefined when nothing failed. */
export function worstFailure(results: readonly AssertionResult[]): Severity | undefined {
  for (const sev of SEVERITIES)
    if (results.some((r) => r.status === 'FAILED' && r.severity === sev)) return sev
  return undefined
}
