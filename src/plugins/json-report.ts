import { z } from 'zod'
import type { PluginRun } from '../hooks/types.js'
import { writeFileAtomic } from './files.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView } from './first-party.js'
import { plainKey } from './render.js'

export const jsonReportSchema = z.strictObject({
  /** Plugin name (default 'jsonReport'). */
  name: nameSchema,
  /** Where the JSON goes (parent directories are created; written atomically). */
  file: z.string().min(1),
  /** Default 'always'. */
  notifyOn: notifyOnSchema,
})

export type JsonReportOptions = z.input<typeof jsonReportSchema>

/** A PluginRun as JSON: its error as a message. */
function plainRun(r: PluginRun): Record<string, unknown> {
  const out: Record<string, unknown> = {
    plugin: r.plugin,
    hook: r.hook,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
  }
  if (r.error !== undefined) out.error = r.error.message
  return out
}

/**
 * The RunReport as plain JSON: no functions (signal, logger), the ResultKey
 * as { date, tags }, dates as ISO strings, errors as their messages.
 */
export function reportJson(view: RunView): Record<string, unknown> {
  const runs = view.pluginRuns ?? []
  const doc: Record<string, unknown> = {
    suiteName: view.suiteName,
    runId: view.runId,
    ...(view.replay ? { replay: true } : {}),
    key: plainKey(view),
    startedAt: view.timestamp.toISOString(),
    durationMs: view.durationMs,
    datasources: [...view.datasources],
    results: view.results,
    symbols: view.symbols,
    summary: view.summary,
    pluginRuns: runs.map(plainRun),
    pluginErrors: runs.filter((r) => r.error !== undefined || r.timedOut).map(plainRun),
  }
  if (view.error !== undefined) doc.error = view.error.message
  return doc
}

/** Writes the RunReport as a JSON file (atomically), for CI and other tools. */
export const jsonReport = defineFactory({
  kind: 'jsonReport',
  description: 'writes the run report as a JSON file',
  schema: jsonReportSchema,
  on: 'report',
  defaultNotifyOn: 'always',
  setup(o) {
    return async (view) => {
      const path = await writeFileAtomic(
        o.file,
        `${JSON.stringify(reportJson(view), null, 2)}\n`,
        view.signal,
      )
      view.logger.info({ file: path, results: view.results.length }, 'JSON report written')
    }
  },
})
