import { dirname } from 'node:path'
import { findConfigFile, loadConfig } from '../config/load-config.js'
import { DqxError } from '../core/errors.js'
import { parseIsoDate, ResultKey } from '../core/result-key.js'
import type { RunReport } from '../core/types.js'
import { PluginFailureError } from '../suite/plugin-failure-error.js'
import type { VerificationSuite } from '../suite/verification-suite.js'
import { configSuite } from './config-suite.js'
import { printError, type Ui, withCwd } from './context.js'
import { parseLevel } from './logger.js'
import { discoverForSuites, planPlugins, suitePluginOptions } from './plugin-plan.js'
import { parseTags, selectSuites } from './run-command.js'

export interface ReplayFlags {
  config?: string
  date: string
  to?: string
  tag: string[]
  suite: string[]
  /** --plugin: only these plugins receive the replay (default all of each suite). */
  plugin: string[]
  verbose: boolean
}

/** The days to replay for one suite: the dates in [from, to] with a stored run for these tags, oldest first. */
async function storedDays(suite: VerificationSuite, key: ResultKey, to: string): Promise<string[]> {
  if (to === key.date) return [key.date]
  const runs = await suite.db.listRuns({ suite: suite.name, tags: key.tags, from: key.date, to })
  const days = [...new Set(runs.map((r) => r.date))]
  // None stored: replaying the first day raises the error that lists the dates that do exist.
  return days.length > 0 ? days : [key.date]
}

/**
 * `dqx replay`: sends the stored runs of one day or a range to the suites' plugins again, without
 * reading any data source. One progress line per day; 0 when every delivery succeeded, 1 when a
 * plugin failed, 2 for usage, config and "no stored run" errors.
 */
export async function replayCommand(flags: ReplayFlags, ui: Ui): Promise<number> {
  parseIsoDate(flags.date, '--date')
  const to = flags.to ?? flags.date
  parseIsoDate(to, '--to')
  if (to < flags.date) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `--to ${to} is before --date ${flags.date}; give the range oldest day first`,
    )
  }
  const tags = parseTags(flags.tag)
  const file = findConfigFile(ui.io.cwd, flags.config)
  return withCwd(dirname(file), async () => {
    const loaded = await loadConfig(file, ui.io.cwd)
    const entries = selectSuites(loaded, flags.suite)
    const discoveries = await discoverForSuites(entries, dirname(file), undefined)
    const suites = entries.map((entry, i) => {
      const rows = planPlugins(entry, {
        label: loaded.label,
        discovery: discoveries[i],
        disabled: new Set(),
        isolation: entry.config.isolation,
      })
      return configSuite(entry, {
        ui,
        label: loaded.label,
        level: parseLevel(ui.io.env.DQX_LOG_LEVEL) ?? (flags.verbose ? 'debug' : 'warn'),
        verbose: flags.verbose,
        additions: suitePluginOptions(rows, entry.config.pluginConfig, ui.status),
      })
    })
    let code = 0
    for (const suite of suites) {
      try {
        const plugins = flags.plugin.length > 0 ? flags.plugin : undefined
        for (const day of await storedDays(suite, new ResultKey(flags.date, tags), to)) {
          let report: RunReport
          try {
            report = await suite.replay(new ResultKey(day, tags), plugins ? { plugins } : {})
          } catch (err) {
            if (!(err instanceof PluginFailureError)) throw err
            report = err.report
          }
          const failedRuns = report.pluginErrors.length
          if (failedRuns > 0) code = Math.max(code, 1)
          const status =
            failedRuns === 0 ? ui.err.green('delivered') : ui.err.red(`${failedRuns} plugin(s) failed`)
          ui.status.write(
            `replay ${suite.name} ${day} (run ${report.runId}): ${report.results.length} results to ${new Set(report.pluginRuns.map((r) => r.plugin)).size} plugin(s), ${status}\n`,
          )
          for (const run of report.pluginErrors) {
            ui.status.write(`  ${run.plugin}@${run.hook}: ${run.error?.message ?? 'timed out'}\n`)
          }
        }
      } catch (err) {
        code = 2
        printError(ui, err, `suite '${suite.name}': `)
      } finally {
        await suite.close()
        await suite.db.close()
      }
    }
    return code
  })
}
