import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { type CollectedCheck, collectAssertions } from '../core/check.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError, toError } from '../core/errors.js'
import { evaluate, type PlannedCheck } from '../core/evaluate.js'
import { ResultKey } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { AssertionResult, RunReport, SymbolInfo } from '../core/types.js'
import { positiveInteger } from '../core/validate.js'
import { type BoundSource, DataSource } from '../engine/data-source.js'
import { createEngineSession } from '../engine/engine-session.js'
import {
  computeMetrics,
  type MetricNeed,
  type MetricQuery,
  type MetricValue,
  valueKey,
} from '../engine/metric-computer.js'
import { MetricDB, type StoredMetric } from '../engine/metric-db.js'
import { expiryDay, writesExpired } from '../engine/metric-ttl.js'
import { attachSamples, checkAssertionSampleColumns, checkSuiteSampleColumns } from '../engine/samples.js'
import type { ScanListener } from '../engine/scan-events.js'
import { storedRunOf } from '../engine/stored-run.js'
import type { TunableChange } from '../engine/tunable-changes.js'
import { loadAnomalyBaselines } from './anomaly-history.js'
import { applyPlugin } from './apply-plugin.js'
import { audit } from './audit.js'
import { defaultLogger } from './default-logger.js'
import { type RunTrace, renderTrace, traceRun } from './explain.js'
import { HookCalls } from './hook-calls.js'
import { isIsolatedPlugin, SANDBOX_GROUP, type SandboxGroup } from './isolation/isolated.js'
import { afterRunContext, failed, type SuiteHooks, SuiteLifecycle } from './lifecycle.js'
import { type NormalizedPlugin, normalizePlugins } from './normalize-plugins.js'
import { checkConfigKeys, validateConfig } from './plugin-config.js'
import { PluginFailureError } from './plugin-failure-error.js'
import { reevaluateStoredRun } from './reevaluate.js'
import { loadStoredRun, type ReplayOptions, replayStoredRun } from './replay.js'
import { deepFreeze, type ResultsContext, type RunContext, type TapScope } from './run-context.js'
import { SuiteOperations } from './run-operations.js'
import { parseSuiteOptions, type SuiteOptions } from './suite-options.js'
import type { TunableChangeOptions } from './suite-tunables.js'

export type { SuiteOptions } from './suite-options.js'

export interface RunOptions {
  /** false skips every plugin hook (default true). */
  enablePlugins?: boolean
  /**
   * Called when each dataset's scan starts and ends (`{ dataset, date, phase, statements, rows?, durationMs? }`):
   * for progress displays and for counting the statements a run issues. The same events go to the
   * `dqx:scan` diagnostics channel for every run of the process. See docs/performance.md.
   */
  onProgress?: ScanListener
  /** Datasets scanned at once (default: the number of CPUs). */
  scanConcurrency?: number
}

/** The day each MetricDB was last cleaned of expired values by a run of this process. */
const cleanedOn = new WeakMap<MetricDB, string>()

/** A store's default TTL: the built-in stores say it; a structural MetricDB's is unknown. */
function storeDefaultTtl(db: MetricDB): number | undefined | 'unknown' {
  if (!('defaultTtlDays' in db)) return 'unknown'
  const days = db.defaultTtlDays
  return typeof days === 'number' ? days : undefined
}

/**
 * A named set of checks. `run()` scans each dataset once, evaluates every
 * assertion, persists metrics and results in the MetricDB, then hands the
 * results to plugins through `hooks`.
 */
export class VerificationSuite {
  readonly name: string
  readonly db: MetricDB
  readonly logger: Logger
  /** Lifecycle hooks plugins tap: beforeRun, afterEvaluate, processResults, onPluginError, afterRun. */
  readonly hooks: SuiteHooks
  /** The applied plugins, in order (audit first when enabled). */
  readonly plugins: readonly { name: string; kind: string; source: string }[]
  readonly failOnPluginError: boolean
  /** Rows per failed-row sample (0 = none). */
  readonly sampleLimit: number
  /** Extra columns of every failed-row sample. */
  readonly sampleColumns: readonly string[]
  private readonly collected: readonly CollectedCheck[]
  private readonly lifecycle: SuiteLifecycle
  /** #private: each plugin's config must not be reachable from what another plugin is given. */
  readonly #configs = new Map<string, unknown>()
  /** The normalized plugins, kept so that a replay restricted to some of them can apply just those. */
  private readonly normalized: readonly NormalizedPlugin[]
  private readonly timeoutMs: number
  private readonly concurrency: number
  /** The isolated plugins' sandboxes, ended by close(). */
  readonly #sandboxes: SandboxGroup[] = []
  /** Profiles, tunables and data availability (docs/operations.md). */
  private readonly operations: SuiteOperations
  /** The statements each report's run issued, for explain(): kept only as long as the report is. */
  readonly #queries = new WeakMap<RunReport, MetricQuery[]>()
  /** Async plugin setup (apply() promises, async config schemas) awaited before the first run. */
  private ready: Promise<void> | undefined

  constructor(input: SuiteOptions) {
    const options = parseSuiteOptions(input)
    this.name = options.name
    this.db = options.db ?? MetricDB.memory()
    this.logger = options.logger ?? defaultLogger()
    this.failOnPluginError = options.failOnPluginError
    this.sampleLimit = options.sampleLimit
    this.sampleColumns = Object.freeze([...options.sampleColumns])
    this.collected = options.checks.map(collectAssertions)
    this.operations = new SuiteOperations(this.name, options, this.collected, this.logger)
    const timeoutMs = options.pluginTimeoutMs
    const concurrency = options.concurrency

    const plugins = normalizePlugins(options.plugins)
    if (options.audit && !plugins.some((p) => p.name === 'audit')) {
      plugins.unshift(...normalizePlugins([audit()]).map((p) => ({ ...p, source: 'built-in audit' })))
    }
    this.plugins = plugins.map((p) => ({ name: p.name, kind: p.kind, source: p.source }))
    this.normalized = plugins
    this.timeoutMs = timeoutMs
    this.concurrency = concurrency
    // Each isolated plugin gets sandboxes of this suite's own, ended by close().
    for (const [i, p] of plugins.entries()) {
      if (!isIsolatedPlugin(p.original)) continue
      const group = p.original[SANDBOX_GROUP]()
      this.#sandboxes.push(group)
      plugins[i] = { ...p, apply: (suite, config) => group.apply(suite, config) }
    }
    this.lifecycle = new SuiteLifecycle({
      logger: this.logger,
      timeoutMs,
      concurrency,
      configFor: (plugin) => this.#configs.get(plugin),
    })
    this.hooks = this.lifecycle.hooks
    this.ready = this.applyPlugins(plugins, options.pluginConfig ?? {})
  }

  /**
   * Validates pluginConfig and applies every plugin, each to its own
   * PluginContext. Synchronous work (and its errors) happens here in the
   * constructor; anything asynchronous is awaited by the first run.
   */
  private applyPlugins(
    plugins: NormalizedPlugin[],
    pluginConfig: Readonly<Record<string, unknown>>,
  ): Promise<void> | undefined {
    checkConfigKeys(pluginConfig, plugins)
    const pending: Promise<void>[] = []
    for (const p of plugins) {
      const validated = validateConfig(p, pluginConfig[p.name])
      const apply = (config: unknown): Promise<void> | undefined => {
        this.#configs.set(p.name, config)
        return applyPlugin({ plugin: p, config, lifecycle: this.lifecycle, db: this.db })
      }
      if (validated instanceof Promise) pending.push(validated.then((v) => apply(v.value)))
      else {
        const out = apply(validated.value)
        if (out) pending.push(out)
      }
    }
    if (pending.length === 0) return undefined
    const all = Promise.all(pending).then(() => undefined)
    all.catch(() => {}) // surfaced by run(); never an unhandled rejection
    return all
  }

  /**
   * Ends the sandboxes of the suite's isolated plugins (they are started once and reused by every
   * run; idle, they do not keep the process alive). The suite's MetricDB is the caller's to close.
   * `await using suite = new VerificationSuite(…)` calls it too.
   */
  async close(): Promise<void> {
    // A sandbox still starting is ended once its start settles.
    await this.ready?.catch(() => {})
    await Promise.all(this.#sandboxes.map((group) => group.close()))
  }

  /** Check names in declaration order. */
  get checkNames(): string[] {
    return this.collected.map((c) => c.check.name)
  }

  async run(
    datasources: Readonly<Record<string, DataSource>>,
    key: ResultKey,
    options: RunOptions = {},
  ): Promise<RunReport> {
    if (!(key instanceof ResultKey)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "run() needs a ResultKey as its second argument, e.g. new ResultKey('2026-11-25')",
      )
    }
    if (datasources === null || typeof datasources !== 'object') {
      throw new DqxError('INVALID_ARGUMENT', 'run() needs datasources: { name: DataSource.parquet(...) }')
    }
    for (const [name, ds] of Object.entries(datasources)) {
      if (!(ds instanceof DataSource)) {
        throw new DqxError(
          'DATA_SOURCE',
          `datasource '${name}' is not a DataSource; create it with DataSource.parquet/csv/json/sql/postgres/fromRecords`,
        )
      }
    }
    const plugins = options.enablePlugins ?? true
    const scanConcurrency =
      options.scanConcurrency === undefined
        ? undefined
        : positiveInteger(options.scanConcurrency, 'run(): scanConcurrency', 'INVALID_ARGUMENT')
    if (plugins && this.ready) await this.ready
    const runId = randomUUID()
    const startedAt = new Date()
    const t0 = performance.now()
    const scope: TapScope = { signal: new AbortController().signal, logger: this.logger, config: undefined }
    const activeProfiles = this.operations.activeProfileNames(key)
    const runCtx: RunContext = deepFreeze({
      suiteName: this.name,
      runId,
      key,
      timestamp: startedAt,
      datasources: Object.keys(datasources),
      checks: this.checkNames,
      ...(activeProfiles ? { profiles: activeProfiles } : {}),
      ...scope,
    })
    const planned = this.plan(Object.keys(datasources))
    const queries: MetricQuery[] = []
    let results: AssertionResult[] = []
    const schemas: Record<string, readonly { name: string; type: string }[]> = {}
    let symbols: SymbolInfo[] = []
    /** This run's metric values, stored with its results in one write. */
    const fresh: StoredMetric[] = []
    let runError: Error | undefined
    // A hook call itself can reject (a `call` interceptor that throws): the run still computes and
    // persists its results and calls afterRun, then rejects with that error.
    const calls = new HookCalls(this.lifecycle, runCtx)
    const pluginRuns = calls.runs
    /** The run as of now: what its stored record and its report say of it. */
    const outcome = () => ({
      suiteName: this.name,
      runId,
      key,
      startedAt,
      durationMs: performance.now() - t0,
      datasources: Object.keys(datasources),
      results,
      symbols,
    })

    if (plugins) await calls.call(() => this.hooks.beforeRun.promise(runCtx))
    const session = createEngineSession()
    try {
      const skipDates = (d: string) => datasources[d]?.skipDates ?? NO_DATES
      const ops = await this.operations.forRun(key, this.db, skipDates)
      const checks = ops.prepare(planned)
      const needs: MetricNeed[] = []
      for (const pc of checks) {
        if (pc.skipReason !== undefined) continue
        for (const a of pc.assertions) {
          if (pc.overrides?.get(a.name)?.skip) continue
          for (const ref of a.expr.refs()) {
            needs.push({
              dataset: ref.dataset as string,
              spec: ref.spec,
              lag: ref.lag,
              check: pc.collected.check.name,
              ttlDays: ref.ttlDays,
            })
          }
        }
      }
      const bound = new Map<string, { source: BoundSource; columns: string[] }>()
      const schemaDatasets = new Set(
        planned.flatMap((pc) =>
          pc.skipReason === undefined
            ? pc.assertions.flatMap((a) => (a.schema ? [a.schema.dataset] : []))
            : [],
        ),
      )
      const values = await computeMetrics({
        needs,
        sources: datasources,
        key,
        db: this.db,
        session,
        logger: this.logger,
        suite: this.name,
        runId,
        ...(options.onProgress ? { onScan: options.onProgress } : {}),
        ...(scanConcurrency !== undefined ? { scanConcurrency } : {}),
        onQuery: (q) => queries.push(q),
        schemaDatasets,
        fresh,
        onBound: (dataset, source, info) => {
          schemas[dataset] = info.map((c) => ({ name: c.name, type: c.type }))
          const columns = info.map((c) => c.name)
          bound.set(dataset, { source, columns })
          if (this.sampleLimit > 0) {
            checkAssertionSampleColumns(dataset, datasources[dataset] as DataSource, columns, planned)
          }
        },
      })
      // Datasets are bound concurrently: messages list them in datasource order, whatever finished first.
      const order = Object.keys(datasources)
      const boundInOrder = new Map([...bound].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)))
      // Statements in datasource order too (explain numbers them q1, q2 …), whatever finished first.
      queries.sort((a, b) => order.indexOf(a.dataset) - order.indexOf(b.dataset))
      if (this.sampleLimit > 0) checkSuiteSampleColumns(this.sampleColumns, boundInOrder, datasources)
      // Anomaly assertions judge against history: read it now (no query when there are none).
      const judge = await loadAnomalyBaselines({
        db: this.db,
        suite: this.name,
        key,
        checks: planned,
        availability: { skipDates, threshold: this.operations.dataAvThreshold },
      })
      // The previous run's schemas, read before this run's are stored. A structural MetricDB
      // written before schemas were stored lacks the two methods: nothing stored, nothing read.
      const previous = new Map<string, readonly { name: string; type: string }[]>()
      const storesSchemas =
        typeof this.db.getSchema === 'function' && typeof this.db.putSchemas === 'function'
      for (const dataset of storesSchemas ? unchangedDatasets(planned) : []) {
        if (schemas[dataset] === undefined) continue
        const stored = await this.db.getSchema({ suite: this.name, dataset, tags: key.tags })
        if (stored) previous.set(dataset, stored.columns)
      }
      const judged = ops.judgeHistory(
        checks,
        (ref) => values.get(valueKey(ref.dataset as string, ref.spec, ref.lag))?.missing === true,
      )
      ;({ results, symbols } = evaluate(
        this.name,
        key,
        judged,
        { get: (dataset, ref): MetricValue | undefined => values.get(valueKey(dataset, ref.spec, ref.lag)) },
        {
          judge,
          schemas: { current: (d) => schemas[d], previous: (d) => previous.get(d) },
          tunables: ops.tunables,
        },
      ))
      // Only FAILED results with a row predicate issue queries: a passing run issues none.
      await attachSamples({
        results,
        checks: judged,
        bound: boundInOrder,
        sources: datasources,
        key,
        values,
        limit: this.sampleLimit,
        columns: this.sampleColumns,
        logger: this.logger,
      })
      // Persisted before any plugin sees the results, in one write: nothing a plugin does can lose
      // them. The run record is what a replay needs (symbols as reported, start, datasources): the
      // metric rows cannot rebuild it. The schemas are what the next run's expectSchemaUnchanged reads.
      await MetricDB.writeRun(this.db, {
        newRun: true,
        metrics: fresh,
        runId,
        results,
        run: storedRunOf(outcome()),
        schemas: Object.entries(schemas).map(([dataset, columns]) => ({
          suite: this.name,
          dataset,
          date: key.date,
          tags: { ...key.tags },
          runId,
          columns: [...columns],
        })),
      })
      // Emptied: stored now, so the failure path below must not store them again.
      await this.deleteExpiredMetrics(fresh.splice(0))
    } catch (err) {
      runError = err instanceof Error ? err : new Error(String(err))
      // Values scanned before the failure are still history the next run can use.
      if (fresh.length > 0) {
        await this.db.putMetrics(fresh).catch((e: unknown) => {
          this.logger.error({ err: e }, 'could not store the metrics of a failed run')
        })
      }
    } finally {
      await session.close()
    }

    const summary = summarize(results)
    if (plugins) {
      const evaluated = deepFreeze({
        ...runCtx,
        durationMs: performance.now() - t0,
        results,
        symbols,
        summary,
      })
      if (!runError) {
        await calls.call(() => this.hooks.afterEvaluate.promise(evaluated))
        await calls.call(() =>
          this.hooks.processResults.promise({ ...evaluated, durationMs: performance.now() - t0 }),
        )
      } else {
        // A failed run persisted nothing, so processResults sees no results: only the error.
        const failedRun: ResultsContext = deepFreeze({
          ...runCtx,
          durationMs: performance.now() - t0,
          results: [],
          symbols: [],
          summary: summarize([]),
          error: runError,
        })
        await calls.call(() => this.hooks.processResults.promise(failedRun))
      }
    }
    const report: RunReport = { ...outcome(), summary, pluginRuns, pluginErrors: [] }
    if (Object.keys(schemas).length > 0) report.schemas = schemas
    if (activeProfiles) report.profiles = [...activeProfiles]
    this.#queries.set(report, queries)
    const failure = runError ?? calls.error
    if (failure) report.error = failure
    if (plugins) {
      await calls.call(() => this.hooks.afterRun.promise(afterRunContext(report, pluginRuns, scope)))
    }
    report.pluginErrors = pluginRuns.filter(failed)
    deepFreeze(report.results)
    deepFreeze(report.symbols)
    if (runError) throw runError
    if (calls.error) throw calls.error
    if (this.failOnPluginError && report.pluginErrors.length > 0) {
      throw new PluginFailureError(report)
    }
    return report
  }

  /**
   * How each assertion of `report` got its value: per symbol the statement (and column) that
   * computed it or the MetricDB it was read from, the value used next to the one stored now, and
   * for anomaly assertions the stored history of the baseline window. Statements are known for
   * reports this suite object's run() returned. Reads the MetricDB; scans nothing. docs/getting-started.md.
   */
  async trace(report: RunReport): Promise<RunTrace> {
    if (report === null || typeof report !== 'object' || !Array.isArray(report.results)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        'trace()/explain() need a RunReport, the value run() resolved to',
      )
    }
    if (report.suiteName !== this.name) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        `explain(): the report is of suite '${report.suiteName}', not '${this.name}'; explain it with that suite`,
      )
    }
    return traceRun({ report, collected: this.collected, db: this.db, queries: this.#queries.get(report) })
  }

  /** `trace(report)` as readable text (what `dqx run --explain` prints). */
  async explain(report: RunReport): Promise<string> {
    return renderTrace(await this.trace(report))
  }

  /**
   * Metric TTLs: one DELETE after a run's writes, the first run of the day on each store (expiry
   * moves in whole days) and any run that wrote values already expired. A structural MetricDB
   * without TTL support is left alone; a failing cleanup is logged and never fails the run (the
   * next run tries again).
   */
  private async deleteExpiredMetrics(written: readonly StoredMetric[]): Promise<void> {
    if (typeof this.db.deleteExpiredMetrics !== 'function') return
    const today = expiryDay(undefined)
    if (cleanedOn.get(this.db) === today && !writesExpired(written, today, storeDefaultTtl(this.db))) return
    try {
      const { deleted, asOf } = await this.db.deleteExpiredMetrics()
      cleanedOn.set(this.db, asOf)
      if (deleted > 0) this.logger.debug({ deleted, asOf }, 'expired metric values deleted')
    } catch (err) {
      this.logger.warn({ err: toError(err) }, 'deleting expired metric values failed; the run is unaffected')
    }
  }

  /**
   * Sends the stored run of `key` (its latest, or `options.runId`) to plugins again: afterEvaluate,
   * processResults and afterRun get the original results, symbols, runId and start time with
   * `replay: true`. No data source is read and nothing is written to the MetricDB. Failed-row
   * samples are not stored, so replayed results have none. `options.plugins` restricts the
   * replay to those plugins (taps registered on `suite.hooks` outside a plugin are then left out).
   */
  async replay(key: ResultKey, options: ReplayOptions = {}): Promise<RunReport> {
    if (!(key instanceof ResultKey)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "replay() needs a ResultKey as its first argument, e.g. new ResultKey('2026-11-25')",
      )
    }
    if (options === null || typeof options !== 'object') {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "replay() options must be an object, e.g. { plugins: ['webhook'] }",
      )
    }
    if (options.runId !== undefined && (typeof options.runId !== 'string' || options.runId === '')) {
      throw new DqxError('INVALID_ARGUMENT', 'replay(): runId must be a non-empty string (a RunReport.runId)')
    }
    const selected = options.plugins === undefined ? undefined : this.selectPlugins(options.plugins)
    if (this.ready) await this.ready
    const stored = await loadStoredRun(this.db, this.name, key, options.runId)
    let lifecycle = this.lifecycle
    if (selected) {
      lifecycle = new SuiteLifecycle({
        logger: this.logger,
        timeoutMs: this.timeoutMs,
        concurrency: this.concurrency,
        configFor: (plugin) => this.#configs.get(plugin),
      })
      for (const p of selected) {
        await applyPlugin({ plugin: p, config: this.#configs.get(p.name), lifecycle, db: this.db })
      }
    }
    const scope: TapScope = { signal: new AbortController().signal, logger: this.logger, config: undefined }
    const { report, hookError } = await replayStoredRun({ lifecycle, stored, checks: this.checkNames, scope })
    if (hookError) throw hookError
    if (this.failOnPluginError && report.pluginErrors.length > 0) throw new PluginFailureError(report)
    return report
  }

  /**
   * Sets a tunable (`tunable(name, …)` in one of the suite's assertions) for every later run and
   * re-evaluation of this suite, in any process using the same MetricDB. The value must lie within
   * the tunable's bounds (else a TUNABLE DqxError naming them); `who` and `why` are stored with the
   * old and new value and the time in the audit trail (`tunableChanges()`).
   */
  async setTunable(name: string, value: number, options: TunableChangeOptions): Promise<TunableChange> {
    return this.operations.tunables.set(this.db, name, value, options)
  }

  /** Names of the tunables the suite's assertions use, in order of first use. */
  get tunableNames(): string[] {
    return [...this.operations.tunables.byName.keys()]
  }

  /** The suite's tunables with their declared settings and current values (from the MetricDB). */
  async tunables(): Promise<{ name: string; value: number; default: number; min: number; max: number }[]> {
    const current = await this.operations.tunables.current(this.db)
    return [...this.operations.tunables.byName.values()].map((t) => ({
      name: t.name,
      value: current.get(t.name) as number,
      default: t.value,
      min: t.min,
      max: t.max,
    }))
  }

  /** The audit trail of the suite's tunable changes (optionally of one tunable), oldest first. */
  async tunableChanges(name?: string): Promise<TunableChange[]> {
    if (typeof this.db.getTunableChanges !== 'function') return []
    return this.db.getTunableChanges(name === undefined ? { suite: this.name } : { suite: this.name, name })
  }

  /**
   * Judges a stored run again from its stored metric values, without reading any data source:
   * the tunables' current values and the profiles apply as in a run. `target` is a RunReport (that
   * run) or a ResultKey (its latest stored run, or `options.runId`). The new results are stored as
   * a new run (`reevaluatedFrom` names the original), so the next replay, anomaly baseline and
   * `dqx report` see them. Plugins are not called: `suite.replay(key)` sends the re-evaluation.
   * Assertions whose verdict cannot change this way keep their stored result: schema assertions,
   * and those SKIPPED for a missing dataset or unavailable data.
   */
  async reevaluate(target: RunReport | ResultKey, options: { runId?: string } = {}): Promise<RunReport> {
    const byReport = !(target instanceof ResultKey)
    if (byReport && (target === null || typeof target !== 'object' || !(target.key instanceof ResultKey))) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "reevaluate() takes a RunReport or a ResultKey, e.g. suite.reevaluate(report) or suite.reevaluate(new ResultKey('2026-11-25'))",
      )
    }
    const key = byReport ? target.key : target
    const runId = byReport ? target.runId : options.runId
    const stored = await loadStoredRun(this.db, this.name, key, runId, 'reevaluate()')
    return reevaluateStoredRun({
      suite: this.name,
      db: this.db,
      stored,
      planned: this.plan(stored.datasources),
      operations: this.operations,
      logger: this.logger,
    })
  }

  /** The named plugins, in suite order; an unknown name is a DqxError listing the suite's plugins. */
  private selectPlugins(names: readonly string[]): NormalizedPlugin[] {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "replay(): plugins must be an array of plugin names, e.g. ['webhook']",
      )
    }
    const known = this.normalized.map((p) => p.name)
    for (const n of names) {
      if (known.includes(n)) continue
      const hint = didYouMean(n, known)
      throw new DqxError(
        'INVALID_ARGUMENT',
        `replay(): suite '${this.name}' has no plugin '${n}'${hint ? ` — did you mean '${hint}'?` : ''} (plugins: ${known.join(', ') || 'none'})`,
      )
    }
    return this.normalized.filter((p) => names.includes(p.name))
  }

  /** Binds each check to the run's datasources, or says why it is skipped. */
  private plan(available: readonly string[]): PlannedCheck[] {
    const datasources = new Set(available)
    const list = available.length > 0 ? available.map((d) => `'${d}'`).join(', ') : 'none'
    return this.collected.map((collected): PlannedCheck => {
      const declared = collected.check.datasets
      const missing = declared.filter((d) => !datasources.has(d))
      if (missing.length > 0) {
        return {
          collected,
          assertions: collected.assertions,
          skipCause: 'dataset-not-provided',
          skipReason: `dataset${missing.length > 1 ? 's' : ''} ${missing.map((d) => `'${d}'`).join(', ')} not provided to this run (available: ${list})`,
        }
      }
      if (declared.length > 0) return { collected, assertions: collected.assertions }
      // A check that names no dataset reads the run's only datasource.
      const unbound = collected.assertions.some((a) => a.expr.refs().some((r) => r.dataset === undefined))
      if (!unbound) {
        const absent = collected.assertions
          .flatMap((a) => a.expr.refs().map((r) => r.dataset as string))
          .filter((d) => !datasources.has(d))
        if (absent.length > 0) {
          return {
            collected,
            assertions: collected.assertions,
            skipCause: 'dataset-not-provided',
            skipReason: `dataset '${absent[0]}' not provided to this run (available: ${list})`,
          }
        }
        return { collected, assertions: collected.assertions }
      }
      if (available.length !== 1) {
        return {
          collected,
          assertions: collected.assertions,
          skipCause: 'dataset-not-provided',
          skipReason: `check '${collected.check.name}' names no dataset and the run has ${available.length === 0 ? 'no datasources' : `${available.length} (${list})`}; add datasets: ['…'] to the check`,
        }
      }
      const only = available[0] as string
      return {
        collected,
        assertions: collected.assertions.map((a) => ({ ...a, expr: a.expr.withDataset(only) })),
      }
    })
  }
}

/** `await using suite = …` (Symbol.asyncDispose; Node 20 defines it even where TypeScript's lib does not). */
const ASYNC_DISPOSE: symbol =
  (Symbol as unknown as { asyncDispose?: symbol }).asyncDispose ?? Symbol.for('nodejs.asyncDispose')
Object.defineProperty(VerificationSuite.prototype, ASYNC_DISPOSE, {
  value(this: VerificationSuite) {
    return this.close()
  },
  configurable: true,
  writable: true,
})

const NO_DATES: ReadonlySet<string> = new Set()

/** Datasets whose expectSchemaUnchanged assertions run (their checks are not skipped). */
function unchangedDatasets(planned: readonly PlannedCheck[]): Set<string> {
  const out = new Set<string>()
  for (const pc of planned) {
    if (pc.skipReason !== undefined) continue
    for (const a of pc.assertions) if (a.schema?.kind === 'unchanged') out.add(a.schema.dataset)
  }
  return out
}
