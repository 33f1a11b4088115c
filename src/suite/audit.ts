import { SEVERITIES } from '../core/types.js'
import type { ObjectPlugin } from './plugin.js'
import type { AfterRunContext } from './run-context.js'

export interface AuditOptions {
  /** Where the summary goes; default stderr, so stdout stays clean for machine output. */
  stream?: { write(text: string): unknown }
}

const pct = (n: number, total: number): string => (total === 0 ? '0.0' : ((n / total) * 100).toFixed(1))

/** The audit summary as text, DQX style (also used by the CLI and tests). */
export function formatAudit(
  r: AfterRunContext | Omit<AfterRunContext, 'signal' | 'logger' | 'config'>,
): string {
  const s = r.summary
  const tags = Object.entries(r.key.tags)
  const lines = [
    `dqx audit — suite '${r.suiteName}'`,
    `  Date:       ${r.key.date}`,
    `  Tags:       ${tags.length === 0 ? 'None' : tags.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    `  Run:        ${r.runId}`,
    `  Duration:   ${r.durationMs.toFixed(1)} ms`,
    `  Datasets:   ${r.datasources.length === 0 ? 'None' : r.datasources.join(', ')}`,
    `  Assertions: ${s.total} total, ${s.passed} passed (${pct(s.passed, s.total)}%), ${s.failed} failed (${pct(s.failed, s.total)}%), ${s.skipped} skipped (${pct(s.skipped, s.total)}%)`,
    `  Failures:   ${
      s.failed === 0
        ? 'None'
        : SEVERITIES.filter((sev) => s.failuresBySeverity[sev] > 0)
            .map((sev) => `${sev}: ${s.failuresBySeverity[sev]}`)
            .join(', ')
    }`,
    `  Symbols:    ${r.symbols.length}`,
  ]
  if (r.profiles) lines.push(`  Profiles:   ${r.profiles.length === 0 ? 'None' : r.profiles.join(', ')}`)
  if (r.error) lines.push(`  Run error:  ${r.error.message}`)
  if (r.pluginRuns.length > 0) {
    const runs = r.pluginRuns.map((p) => {
      const state = p.timedOut ? ' TIMED OUT' : p.error ? ` FAILED (${p.error.message})` : ''
      return `${p.plugin}@${p.hook} ${p.durationMs.toFixed(1)} ms${state}`
    })
    lines.push(`  Plugins:    ${runs.join(', ')}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * The built-in summary printer, on by default (suite option `audit: false`
 * turns it off). It runs after every other afterRun tap so it can report
 * their timings.
 */
export function audit(options: AuditOptions = {}): ObjectPlugin {
  const stream = options.stream ?? process.stderr
  return {
    name: 'audit',
    description: 'prints a run summary: assertions by status and severity, duration, plugin timings',
    apply(suite) {
      suite.hooks.afterRun.tap({ name: 'audit', stage: Number.MAX_SAFE_INTEGER }, (ctx) => {
        stream.write(formatAudit(ctx))
      })
    },
  }
}
