import { dirname } from 'node:path'
import { findConfigFile, loadConfig } from '../config/load-config.js'
import { parseIsoDate } from '../core/result-key.js'
import type { MetricDB } from '../engine/metric-db.js'
import type { DeleteExpiredResult } from '../engine/metric-ttl.js'
import { printError, type Ui, withCwd } from './context.js'
import { selectSuites } from './run-command.js'

export interface CleanupFlags {
  config?: string
  suite: string[]
  /** --now: judge expiry on this day instead of today (UTC). */
  now?: string
  json: boolean
}

/**
 * `dqx cleanup`: deletes the expired metric values (docs/operations.md, "Metric TTL and cleanup")
 * of each MetricDB the config's suites use, once per store however many suites share it. Every
 * run already does this after writing; the command is for stores no run touches for a while.
 * 0 when every store was cleaned, 2 for usage and config errors or a store that failed.
 */
export async function cleanupCommand(flags: CleanupFlags, ui: Ui): Promise<number> {
  if (flags.now !== undefined) parseIsoDate(flags.now, '--now')
  const file = findConfigFile(ui.io.cwd, flags.config)
  return withCwd(dirname(file), async () => {
    const loaded = await loadConfig(file, ui.io.cwd)
    const stores = new Map<string, { db: MetricDB; suites: string[] }>()
    for (const entry of selectSuites(loaded, flags.suite)) {
      const db = entry.config.db
      const name = entry.config.name
      if (db === undefined) {
        ui.status.write(
          `cleanup: suite '${name}' keeps its metrics in memory (no db in the config): nothing stored\n`,
        )
        continue
      }
      const found = stores.get(db.description)
      if (found) found.suites.push(name)
      else stores.set(db.description, { db, suites: [name] })
    }
    let code = 0
    const json: (DeleteExpiredResult & { db: string; suites: string[] })[] = []
    for (const [description, { db, suites }] of stores) {
      try {
        if (typeof db.deleteExpiredMetrics !== 'function') {
          ui.status.write(`cleanup ${description}: this MetricDB has no deleteExpiredMetrics(); skipped\n`)
          continue
        }
        const removed = await db.deleteExpiredMetrics(flags.now === undefined ? {} : { now: flags.now })
        json.push({ db: description, suites, ...removed })
        if (flags.json) continue
        ui.io.stdout.write(
          `${description} (suites ${suites.join(', ')}), as of ${removed.asOf}: ${removed.deleted} expired metric value(s) deleted\n`,
        )
        for (const m of removed.byMetric) ui.io.stdout.write(`  ${m.values}  ${m.metric} on '${m.dataset}'\n`)
      } catch (err) {
        code = 2
        printError(ui, err, `cleanup ${description}: `)
      } finally {
        await db.close()
      }
    }
    if (flags.json) ui.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
    return code
  })
}
