import { dirname, resolve } from 'node:path'
import { findConfigFile, loadConfig, type SuiteEntry } from '../config/load-config.js'
import { DqxError } from '../core/errors.js'
import { parseIsoDate, shiftDate } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { ColumnInfo } from '../engine/data-source.js'
import { createEngineSession } from '../engine/engine-session.js'
import type { MetricDB, StoredResult } from '../engine/metric-db.js'
import { writeFileAtomic } from '../plugins/files.js'
import type { ReportRunInput } from '../plugins/html/report-model.js'
import { renderHtmlReport } from '../plugins/html-report.js'
import { type Ui, withCwd } from './context.js'
import { parseTags, selectSuites, todayUtc } from './run-command.js'

export interface ReportFlags {
  config?: string
  /** Directory the report goes to (default `dqx-report`); the file is `index.html`. */
  out: string
  /** Report the latest run on or before this date (default today). */
  date?: string
  tag: string[]
  suite: string[]
  historyDays: number
  /** How far back to look for the latest run (days). */
  lookBack: number
}

/** The latest stored run of a suite on or before `date` (searching `lookBack` days back), or undefined. */
export async function latestRun(
  db: MetricDB,
  suite: string,
  tags: Readonly<Record<string, string>>,
  date: string,
  lookBack: number,
): Promise<StoredResult[] | undefined> {
  for (let i = 0; i <= lookBack; i += 1) {
    const stored = await db.getResults({ suite, date: shiftDate(date, -i), tags })
    const first = stored[0]
    // Newest run first: that run's rows only, in the order the run stored them.
    if (first !== undefined) return stored.filter((r) => r.runId === first.runId)
  }
  return undefined
}

/** Columns of each datasource, read with DESCRIBE (no scan); a source that cannot be read is left out. */
async function describeSources(entry: SuiteEntry): Promise<Record<string, ColumnInfo[]>> {
  const session = createEngineSession()
  const out: Record<string, ColumnInfo[]> = {}
  try {
    for (const [name, source] of Object.entries(entry.config.datasources)) {
      try {
        const columns = await (await source.bind(session, name)).describe()
        if (columns !== undefined) out[name] = columns
      } catch {
        // The report shows stored results; a source that moved since the run only loses its schema table.
      }
    }
  } finally {
    await session.close()
  }
  return out
}

/** `dqx report`: renders the latest stored run of each suite, with history, as one HTML file. */
export async function reportCommand(flags: ReportFlags, ui: Ui): Promise<number> {
  const date = flags.date ?? todayUtc()
  parseIsoDate(date, '--date')
  const tags = parseTags(flags.tag)
  const file = findConfigFile(ui.io.cwd, flags.config)
  const out = resolve(ui.io.cwd, flags.out, 'index.html')
  return withCwd(dirname(file), async () => {
    const loaded = await loadConfig(file, ui.io.cwd)
    const entries = selectSuites(loaded, flags.suite)
    // Every suite's DB is checked before any is opened: a config without a persistent MetricDB
    // is a usage error, whichever suite it is.
    for (const entry of entries) {
      const db = entry.config.db
      if (db === undefined || db.description === 'memory') {
        throw new DqxError(
          'CONFIG',
          `${loaded.label}: ${entry.where}suite '${entry.config.name}' keeps no results between runs (${db === undefined ? 'no db' : 'MetricDB.memory()'}); dqx report reads past runs from the MetricDB: set db: MetricDB.duckdb('dqx-metrics.duckdb') and run \`dqx run\` again`,
        )
      }
    }
    const runs: ReportRunInput[] = []
    const dbOf = new Map<ReportRunInput, MetricDB>()
    let code = 0
    try {
      for (const entry of entries) {
        const name = entry.config.name
        const db = entry.config.db as MetricDB
        const stored = await latestRun(db, name, tags, date, flags.lookBack)
        if (stored === undefined) {
          ui.status.write(
            `${ui.err.yellow('dqx warn:')} no stored run of suite '${name}' from ${shiftDate(date, -flags.lookBack)} to ${date} in ${db.description}; run \`dqx run\` first\n`,
          )
          code = 2
          continue
        }
        const results = stored.map(({ runId: _r, ...r }) => r)
        const first = stored[0] as StoredResult
        const input: ReportRunInput = {
          suiteName: name,
          runId: first.runId,
          date: first.date,
          tags: first.tags,
          datasources: Object.keys(entry.config.datasources),
          results,
          summary: summarize(results),
          schemas: await describeSources(entry),
        }
        runs.push(input)
        dbOf.set(input, db)
      }
      if (runs.length === 0) return 2
      // Each run's charts come from its own suite's MetricDB.
      const html = await renderHtmlReport(runs, (run) => dbOf.get(run) as MetricDB, {
        historyDays: flags.historyDays,
      })
      const path = await writeFileAtomic(out, html)
      ui.status.write(
        `${ui.err.green('✔')} wrote ${path} (${runs.length} run${runs.length === 1 ? '' : 's'})\n`,
      )
      ui.io.stdout.write(`${path}\n`)
      return code
    } finally {
      for (const db of new Set(entries.map((e) => e.config.db as MetricDB))) await db.close()
    }
  })
}

/** Where `dqx report` writes index.html by default. */
export const DEFAULT_REPORT_DIR = 'dqx-report'
