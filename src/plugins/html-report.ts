import { z } from 'zod'
import type { ColumnInfo } from '../engine/data-source.js'
import { writeFileAtomic } from './files.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView } from './first-party.js'
import { renderReportHtml } from './html/render-html.js'
import { buildReportModel, type HistorySource, type ReportRunInput } from './html/report-model.js'

export const htmlReportSchema = z.strictObject({
  /** Plugin name (default 'htmlReport'). */
  name: nameSchema,
  /** Where the HTML goes (parent directories are created; written atomically). */
  file: z.string().min(1),
  /** How many days of MetricDB history each chart shows (default 30). */
  historyDays: z.number().int().positive().max(36_600).default(30),
  /** The page title (default `dqx report — <suite> <date>`). */
  title: z.string().min(1).optional(),
  /** Default 'always'. */
  notifyOn: notifyOnSchema,
})

export type HtmlReportOptions = z.input<typeof htmlReportSchema>

/** A run view (plugin context) as report input; `schemas` is read when the run recorded them. */
export function reportInput(view: RunView): ReportRunInput {
  const schemas = (view as { schemas?: Readonly<Record<string, readonly ColumnInfo[]>> }).schemas
  return {
    suiteName: view.suiteName,
    runId: view.runId,
    date: view.key.date,
    tags: view.key.tags,
    startedAt: view.timestamp,
    durationMs: view.durationMs,
    datasources: view.datasources,
    results: view.results,
    summary: view.summary,
    error: view.error?.message,
    schemas,
  }
}

/** Renders runs and their MetricDB history as one self-contained HTML document. */
export async function renderHtmlReport(
  runs: readonly ReportRunInput[],
  db: HistorySource,
  options: { historyDays?: number; title?: string; now?: Date } = {},
): Promise<string> {
  const model = await buildReportModel(runs, db, {
    historyDays: options.historyDays ?? 30,
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  })
  return renderReportHtml(model)
}

/**
 * Writes an HTML data-quality report after every run: summary, every assertion, failed-row
 * samples, a history chart per assertion from the suite's MetricDB, schemas. One file, no
 * network. See docs/report.md.
 */
export const htmlReport = defineFactory({
  kind: 'htmlReport',
  description: 'writes a self-contained HTML report with history charts',
  schema: htmlReportSchema,
  on: 'report',
  defaultNotifyOn: 'always',
  setup(o, _name, env) {
    return async (view) => {
      const html = await renderHtmlReport([reportInput(view)], env.suite.db, {
        historyDays: o.historyDays,
        ...(o.title !== undefined ? { title: o.title } : {}),
      })
      const path = await writeFileAtomic(o.file, html, view.signal)
      view.logger.info({ file: path, bytes: Buffer.byteLength(html) }, 'HTML report written')
    }
  },
})
