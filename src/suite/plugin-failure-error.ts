import { DqxError } from '../core/errors.js'
import type { PluginRun, RunReport } from '../core/types.js'

/** What `run()` rejects with under `failOnPluginError: true`: the full report plus the failed plugin runs. */
export class PluginFailureError extends DqxError {
  override readonly name = 'PluginFailureError'
  readonly report: RunReport
  readonly failures: readonly PluginRun[]

  constructor(report: RunReport) {
    const names = report.pluginErrors.map((r) => `${r.plugin}@${r.hook}${r.timedOut ? ' (timed out)' : ''}`)
    super(
      'PLUGIN_FAILURE',
      `${names.length} plugin run${names.length === 1 ? '' : 's'} failed in suite '${report.suiteName}': ${names.join(', ')}`,
    )
    this.report = report
    this.failures = report.pluginErrors
  }
}
