import type { AssertionResult, RunReport, SymbolInfo } from '../core/types.js'

/**
 * What a replay needs of one run, stored with it: the metric rows cannot rebuild it (a later run
 * of the same key replaces them, and they carry no symbol names or lags). Failed-row samples are
 * left out on purpose: they may hold personal data (docs/failed-rows.md).
 */
export interface StoredRun extends StoredRunEntry {
  durationMs: number
  datasources: string[]
  results: AssertionResult[]
  symbols: SymbolInfo[]
}

/** One stored run of a suite, date and tag set: `runId`, or the latest started. */
export interface RunLookup {
  suite: string
  date: string
  tags: Readonly<Record<string, string>>
  runId?: string
}

/** Which stored runs to list: one suite, optionally one tag set and a date range (inclusive). */
export interface StoredRunQuery {
  suite: string
  tags?: Readonly<Record<string, string>>
  from?: string
  to?: string
}

/** One stored run without its payload, as listed by `listRuns`. */
export interface StoredRunEntry {
  runId: string
  suite: string
  date: string
  tags: Record<string, string>
  /** ISO-8601 start time of the run. */
  startedAt: string
}

/** The record of a run that `MetricDB.writeRun` keeps for replays: its report's key, start, datasources, results and symbols. */
export function storedRunOf(
  report: Pick<
    RunReport,
    'suiteName' | 'runId' | 'key' | 'startedAt' | 'durationMs' | 'datasources' | 'results' | 'symbols'
  >,
): StoredRun {
  return {
    runId: report.runId,
    suite: report.suiteName,
    date: report.key.date,
    tags: { ...report.key.tags },
    startedAt: report.startedAt.toISOString(),
    durationMs: report.durationMs,
    datasources: [...report.datasources],
    results: [...report.results],
    symbols: [...report.symbols],
  }
}

/** The run as stored: results without their failed-row samples. */
export function toStoredRun(run: StoredRun): StoredRun {
  return {
    ...run,
    results: run.results.map((r) => {
      const { samples: _samples, ...rest } = r
      return rest
    }),
  }
}

/** The JSON column of a stored run: everything but the indexed columns. */
export function runPayload(run: StoredRun): string {
  return JSON.stringify({
    durationMs: run.durationMs,
    datasources: run.datasources,
    results: run.results,
    symbols: run.symbols,
  })
}

/** A stored run rebuilt from its row (tags and payload as JSON text). */
export function fromRunRow(row: Readonly<Record<string, unknown>>): StoredRun {
  const payload = JSON.parse(String(row.payload)) as Pick<
    StoredRun,
    'durationMs' | 'datasources' | 'results' | 'symbols'
  >
  return { ...toRunEntry(row), ...payload }
}

/**
 * The WHERE clause of `listRuns` (suite, then the optional tag set and date bounds) with its
 * parameters numbered `$1…`; `asDate` casts a placeholder to a date in the store's SQL.
 */
export function runListFilter(
  q: StoredRunQuery,
  tagsText: (tags: Readonly<Record<string, string>>) => string,
  asDate: (placeholder: string) => string,
): { where: string; params: string[] } {
  const where = ['suite = $1']
  const params: string[] = [q.suite]
  if (q.tags !== undefined) {
    params.push(tagsText(q.tags))
    where.push(`tags = $${params.length}`)
  }
  if (q.from !== undefined) {
    params.push(q.from)
    where.push(`date >= ${asDate(`$${params.length}`)}`)
  }
  if (q.to !== undefined) {
    params.push(q.to)
    where.push(`date <= ${asDate(`$${params.length}`)}`)
  }
  return { where: where.join(' AND '), params }
}

/** A `listRuns` row (tags as JSON text) back as an entry. */
export function toRunEntry(r: Readonly<Record<string, unknown>>): StoredRunEntry {
  return {
    runId: String(r.run_id),
    suite: String(r.suite),
    date: String(r.date),
    tags: JSON.parse(String(r.tags)) as Record<string, string>,
    startedAt: String(r.started_at),
  }
}
