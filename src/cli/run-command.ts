import { dirname, resolve } from 'node:path'
import { findConfigFile, type LoadedConfig, loadConfig, type SuiteEntry } from '../config/load-config.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import { checkTagName, parseIsoDate, ResultKey } from '../core/result-key.js'
import type { RunReport, Severity } from '../core/types.js'
import { type RunTrace, renderTrace } from '../suite/explain.js'
import type { IsolationMode } from '../suite/isolation/sandbox.js'
import { type LogLevel, logLevelFromEnv } from '../suite/log-format.js'
import { PluginFailureError } from '../suite/plugin-failure-error.js'
import type { VerificationSuite } from '../suite/verification-suite.js'
import { configSuite } from './config-suite.js'
import { printError, type Ui, withCwd } from './context.js'
import { hasConfig, loadContracts, parseSources, withContracts } from './contract-run.js'
import { publishToGitHub, type Reporter } from './github.js'
import {
  checkDisabled,
  type Discovery,
  discoverForSuites,
  type PluginRow,
  planPlugins,
  suiteIsolation,
  suitePluginOptions,
  uniqueFailures,
} from './plugin-plan.js'
import { RunProgress } from './progress.js'
import { blockingCounts, errorToJson, formatReport, reportToJson } from './report.js'

export interface RunFlags {
  config?: string
  date?: string
  tag: string[]
  suite: string[]
  /** false with --no-plugins. */
  plugins: boolean
  disablePlugin: string[]
  json: boolean
  failOn: Severity
  /** --allow-skipped: assertions skipped because their dataset is not provided do not fail the run. */
  allowSkipped: boolean
  concurrency?: number
  verbose: boolean
  /** --contract files (ODCS v3 or dqx YAML) whose checks join the run; repeatable. */
  contract: string[]
  /** --source name=path datasources, added to (or replacing) the config's. */
  source: string[]
  /** 'github': workflow-command annotations for failures (docs/report.md#ci). */
  reporter?: Reporter
  /** --explain: after each report, how every assertion got its value (suite.explain; `explain` in --json). */
  explain?: boolean
  /** --isolate-plugins[=worker|process]: run discovered plugins in sandboxes (docs/isolation.md). */
  isolatePlugins?: IsolationMode | true
}

/** Today's date in UTC as YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10)
}

/** `--tag k=v` values as a tags object (a later key wins); tag names follow ResultKey's rule. */
export function parseTags(pairs: readonly string[]): Record<string, string> {
  const tags = new Map<string, string>()
  for (const pair of pairs) {
    const i = pair.indexOf('=')
    if (i <= 0) throw new DqxError('INVALID_ARGUMENT', `--tag must look like key=value, got '${pair}'`)
    const name = pair.slice(0, i)
    checkTagName(name)
    tags.set(name, pair.slice(i + 1))
  }
  return Object.fromEntries(tags)
}

/** The suites `--suite` selects (all when none is named). */
export function selectSuites(loaded: LoadedConfig, names: readonly string[]): SuiteEntry[] {
  if (names.length === 0) return loaded.suites
  const all = loaded.suites.map((s) => s.config.name)
  for (const n of names) {
    if (all.includes(n)) continue
    const hint = didYouMean(n, all)
    throw new DqxError(
      'INVALID_ARGUMENT',
      `--suite '${n}' is not in ${loaded.label}${hint ? ` — did you mean '${hint}'?` : ''} (suites: ${all.join(', ')})`,
    )
  }
  return loaded.suites.filter((s) => names.includes(s.config.name))
}

type JsonEntry = Record<string, unknown>

/** `dqx run`: loads the config, runs each suite, prints tables (or JSON) and returns the exit code. */
export async function runCommand(flags: RunFlags, ui: Ui): Promise<number> {
  const date = flags.date ?? todayUtc()
  parseIsoDate(date, '--date')
  const key = new ResultKey(date, parseTags(flags.tag))
  // DQX_LOG_LEVEL wins over --verbose; a level that does not exist is a usage error before any work.
  const level = logLevelFromEnv(ui.io.env, flags.verbose ? 'debug' : 'warn')
  const contracts = loadContracts(flags.contract, ui)
  const sources = parseSources(flags.source, ui.io.cwd)
  // With --contract and no config file, the contract and --source flags make the whole run.
  const configured = contracts.length === 0 || hasConfig(ui.io.cwd, flags.config)
  const file = configured
    ? findConfigFile(ui.io.cwd, flags.config)
    : resolve(ui.io.cwd, flags.contract[0] as string)
  // Relative paths in the config (data files, MetricDB files, plugin outputs) resolve from its directory.
  return withCwd(dirname(file), async () => {
    const config = configured ? await loadConfig(file, ui.io.cwd) : undefined
    const loaded =
      contracts.length > 0 || flags.source.length > 0
        ? withContracts(config, contracts, sources)
        : (config as LoadedConfig)
    const entries = selectSuites(loaded, flags.suite)
    const disabled = new Set(flags.disablePlugin)

    let discoveries: (Discovery | undefined)[] = entries.map(() => undefined)
    if (flags.plugins && entries.some((e) => e.config.discover !== false)) {
      discoveries = await discoverForSuites(entries, dirname(file), flags.isolatePlugins)
      for (const f of uniqueFailures(discoveries)) {
        ui.status.write(
          `${ui.err.yellow('dqx warn:')} plugin ${f.plugin ? `'${f.plugin}' ` : ''}from package '${f.package}' skipped: ${f.reason}\n`,
        )
      }
    }
    const plans: PluginRow[][] = flags.plugins
      ? entries.map((e, i) =>
          planPlugins(e, {
            label: loaded.label,
            discovery: discoveries[i],
            disabled,
            isolation: suiteIsolation(e, flags.isolatePlugins),
          }),
        )
      : entries.map(() => [])
    if (flags.plugins) checkDisabled(disabled, plans)

    // Build every suite first: a config error anywhere stops the command before any data is read.
    const suites = entries.map((entry, i) => {
      const rows = plans[i] as PluginRow[]
      for (const r of rows) {
        if (r.status === 'shadowed') {
          ui.status.write(
            `${ui.err.yellow('dqx warn:')} plugin '${r.name}' from ${r.source} not used: ${r.reason}\n`,
          )
        }
        if (r.warning && r.status === 'ok') {
          ui.status.write(`${ui.err.yellow('dqx warn:')} plugin '${r.name}' from ${r.source} ${r.warning}\n`)
        }
      }
      return buildSuite(entry, rows, flags, ui, loaded.label, level)
    })

    const json: JsonEntry[] = []
    const reports: RunReport[] = []
    let code = 0
    for (const [i, { suite, progress }] of suites.entries()) {
      const entry = entries[i] as SuiteEntry
      progress.start(suite.name, key.date, Object.keys(entry.config.datasources), suite.checkNames.length)
      let report: RunReport | undefined
      let trace: RunTrace | undefined
      try {
        try {
          report = await suite.run(entry.config.datasources, key, {
            enablePlugins: flags.plugins,
            onProgress: progress.onScan,
          })
          progress.evaluated(report.results.length, report.durationMs)
        } catch (err) {
          progress.failed()
          code = 2
          if (err instanceof PluginFailureError) {
            report = err.report
            printError(ui, err)
          } else {
            printError(ui, err, `suite '${suite.name}': `)
            if (flags.json) json.push({ suiteName: suite.name, error: errorToJson(err as Error) })
          }
        }
        // Read before the MetricDB closes: explain compares the values used with those stored.
        if (report && flags.explain) trace = await suite.trace(report)
      } finally {
        await suite.close()
        await suite.db.close()
      }
      if (!report) continue
      reports.push(report)
      const verdict = { failOn: flags.failOn, allowSkipped: flags.allowSkipped }
      const blocking = blockingCounts(report, verdict)
      if (blocking.failed + blocking.missing > 0) code = Math.max(code, 1)
      if (flags.json) json.push(trace ? { ...reportToJson(report), explain: trace } : reportToJson(report))
      else {
        ui.io.stdout.write(`${formatReport(report, { width: ui.width, colors: ui.out, ...verdict })}\n`)
        if (trace) ui.io.stdout.write(`\n${renderTrace(trace)}\n`)
      }
    }
    if (flags.json) ui.io.stdout.write(`${JSON.stringify(loaded.multiple ? json : json[0], null, 2)}\n`)
    await publishToGitHub(reports, {
      env: ui.io.env,
      reporter: flags.reporter ?? 'default',
      failOn: flags.failOn,
      out: flags.json ? ui.io.stderr : ui.io.stdout,
      file: loaded.label,
    })
    return code
  })
}

function buildSuite(
  entry: SuiteEntry,
  rows: PluginRow[],
  flags: RunFlags,
  ui: Ui,
  label: string,
  level: LogLevel,
): { suite: VerificationSuite; progress: RunProgress } {
  const progress = new RunProgress(ui.status, ui.err)
  // --no-plugins: no plugin is applied at all, so there is no plugin for pluginConfig to configure.
  const plugged = flags.plugins
    ? suitePluginOptions(rows, entry.config.pluginConfig, ui.status)
    : { plugins: [], pluginConfig: {} }
  const suite = configSuite(entry, {
    ui,
    label,
    level,
    verbose: flags.verbose,
    additions: {
      ...plugged,
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    },
  })
  // With plugins on, the progress line ends before any plugin prints (the audit, say).
  suite.hooks.afterEvaluate.intercept({
    call: (ctx) => progress.evaluated(ctx.results.length, ctx.durationMs),
  })
  // afterRun without afterEvaluate: the run failed (a no-op when evaluation finished).
  suite.hooks.afterRun.intercept({ call: () => progress.failed() })
  return { suite, progress }
}
