import { randomUUID } from 'node:crypto'
import { type Logger, pino } from 'pino'
import type { Check } from '../core/check.js'
import { type CollectedCheck, collectAssertions } from '../core/check.js'
import { DqxError, toError } from '../core/errors.js'
import { evaluate, type PlannedCheck } from '../core/evaluate.js'
import { ResultKey } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { AssertionResult, RunReport, SymbolInfo } from '../core/types.js'
import { type BoundSource, DataSource } from '../engine/data-source.js'
import { createEngineSession } from '../engine/engine-session.js'
import { computeMetrics, type MetricNeed, type MetricValue, valueKey } from '../engine/metric-computer.js'
import { MetricDB } from '../engine/metric-db.js'
import {
  attachSamples,
  checkAssertionSampleColumns,
  checkSuiteSampleColumns,
  DEFAULT_SAMPLE_LIMIT,
} from '../engine/samples.js'
import type { ScanListener } from '../engine/scan-events.js'
import type { PluginRun } from '../hooks/index.js'
import { loadAnomalyBaselines } from './anomaly-history.js'
import { audit } from './audit.js'
import { CLOSE_SANDBOX, type IsolatedPlugin } from './isolation/isolated.js'
import { failed, type SuiteHooks, SuiteLifecycle } from './lifecycle.js'
import { type NormalizedPlugin, normalizePlugins } from './normalize-plugins.js'
import type { PluginOption } from './plugin.js'
import { checkConfigKeys, validateConfig } from './plugin-config.js'
import { createPluginContext } from './plugin-context.js'
import { PluginFailureError } from './plugin-failure-error.js'
import { redactSecrets, scrubSecrets } from './redact.js'
import { deepFreeze, type ResultsContext, type RunContext, type TapScope } from './run-context.js'

export interface SuiteOptions {
  name: string
  checks: readonly Check[]
  /** Where metric history lives; default `MetricDB.memory()`. */
  db?: MetricDB
  /** A pino logger; default: warnings and errors to stderr (`DQX_LOG_LEVEL` overrides the level). */
  logger?: Logger
  /** Plugins: functions, { name, apply } objects, ResultProcessors; arrays (presets) are flattened, falsy entries skipped. */
  plugins?: readonly PluginOption[]
  /** Per-plugin configuration keyed by plugin name, validated against each plugin's configSchema. */
  pluginConfig?: Readonly<Record<string, unknown>>
  /** Max processResults taps running at once (default 4). */
  concurrency?: number
  /** Default time limit of every tap call in ms (default 60 000; 0 = none). */
  pluginTimeoutMs?: number
  /** Reject run() with PluginFailureError when any plugin failed (default false). */
  failOnPluginError?: boolean
  /** The built-in audit summary (default true). */
  audit?: boolean
  /** Failed-row samples per FAILED assertion with a row predicate (default 10; 0 = off). docs/failed-rows.md */
  sampleLimit?: number
  /** Extra columns in every failed-row sample, where the dataset has them (also per assertion: where({ sampleColumns })). */
  sampleColumns?: readonly string[]
}

const DEFAULT_TIMEOUT_MS = 60_000
const DEFAULT_CONCURRENCY = 4

function positiveInt(v: unknown, what: string, allowZero: boolean): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `${what} must be a ${allowZero ? 'non-negative' : 'positive'} whole number, got ${String(v)}`,
    )
  }
  return v
}

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

function defaultLogger(): Logger {
  return pino({ name: 'dqx', level: process.env.DQX_LOG_LEVEL ?? 'warn' }, pino.destination(2))
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
  /** The isolated plugins' sandboxes, ended by close(). */
  readonly #sandboxes: IsolatedPlugin[] = []
  /** Async plugin setup (apply() promises, async config schemas) awaited before the first run. */
  private ready: Promise<void> | undefined

  constructor(options: SuiteOptions) {
    if (options === null || typeof options !== 'object') {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "VerificationSuite takes options: new VerificationSuite({ name: 'nightly', checks: [...] })",
      )
    }
    if (typeof options.name !== 'string' || options.name.trim() === '') {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "VerificationSuite needs a non-empty name, e.g. { name: 'nightly' }",
      )
    }
    if (!Array.isArray(options.checks) || options.checks.length === 0) {
      throw new DqxError(
        'EMPTY_CHECKS',
        `suite '${options.name}' has no checks: pass at least one check() in checks`,
      )
    }
    const names = new Set<string>()
    options.checks.forEach((c, i) => {
      if (c === null || typeof c !== 'object' || typeof c.fn !== 'function' || typeof c.name !== 'string') {
        throw new DqxError(
          'INVALID_ARGUMENT',
          `suite '${options.name}': checks[${i}] is not a check; create it with check({ name }, fn)`,
        )
      }
      if (names.has(c.name)) {
        throw new DqxError(
          'DUPLICATE_CHECK',
          `suite '${options.name}' has a duplicate check name '${c.name}'; check names must be unique`,
        )
      }
      names.add(c.name)
    })
    if (options.db !== undefined && !MetricDB.isMetricDB(options.db)) {
      throw new DqxError('INVALID_ARGUMENT', 'db must be a MetricDB, e.g. MetricDB.duckdb("metrics.duckdb")')
    }
    this.name = options.name
    this.db = options.db ?? MetricDB.memory()
    this.logger = options.logger ?? defaultLogger()
    this.failOnPluginError = options.failOnPluginError ?? false
    this.sampleLimit = positiveInt(options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT, 'sampleLimit', true)
    const sampleColumns = options.sampleColumns ?? []
    if (!Array.isArray(sampleColumns) || sampleColumns.some((c) => typeof c !== 'string' || c === '')) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        "sampleColumns must be an array of column names, e.g. ['order_id']",
      )
    }
    this.sampleColumns = Object.freeze([...sampleColumns])
    this.collected = options.checks.map(collectAssertions)

    const timeoutMs = positiveInt(options.pluginTimeoutMs ?? DEFAULT_TIMEOUT_MS, 'pluginTimeoutMs', true)
    const concurrency = positiveInt(options.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency', false)
    const plugins = normalizePlugins(options.plugins)
    if ((options.audit ?? true) && !plugins.some((p) => p.name === 'audit')) {
      plugins.unshift(...normalizePlugins([audit()]).map((p) => ({ ...p, source: 'built-in audit' })))
    }
    this.plugins = plugins.map((p) => ({ name: p.name, kind: p.kind, source: p.source }))
    for (const p of plugins) {
      const original = p.original as Partial<IsolatedPlugin> | null
      if (
        original !== null &&
        typeof original === 'object' &&
        typeof original[CLOSE_SANDBOX] === 'function'
      ) {
        this.#sandboxes.push(original as IsolatedPlugin)
      }
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
        // Secrets first, so that no line logged from here on (this one included) carries them.
        this.lifecycle.addSecrets(config)
        this.lifecycle.logger.debug(
          { plugin: p.name, source: p.source, config: redactSecrets(config) },
          'plugin applied',
        )
        // Our message quotes the plugin's error: scrubbed of the plugin's own config secrets.
        const failedInApply = (err: unknown): DqxError =>
          new DqxError(
            'INVALID_PLUGIN',
            scrubSecrets(
              `plugin '${p.name}' (${p.source}) failed in apply(): ${toError(err).message}`,
              config,
            ),
            { cause: err },
          )
        const context = createPluginContext({
          name: p.name,
          hooks: this.hooks,
          db: this.db,
          logger: this.lifecycle.loggerFor(p.name),
          config,
        })
        let out: unknown
        try {
          out = p.apply(context, config)
        } catch (err) {
          throw failedInApply(err)
        }
        // A non-Promise return (such as a tap's unregister function) is ignored.
        if (out instanceof Promise) {
          return out.then(
            () => undefined,
            (err: unknown) => {
              throw failedInApply(err)
            },
          )
        }
        return undefined
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
    await Promise.all(this.#sandboxes.map((p) => p[CLOSE_SANDBOX]()))
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
        : positiveInt(options.scanConcurrency, 'run(): scanConcurrency', false)
    if (plugins && this.ready) await this.ready
    const runId = randomUUID()
    const startedAt = new Date()
    const t0 = performance.now()
    const pluginRuns: PluginRun[] = []
    const scope: TapScope = { signal: new AbortController().signal, logger: this.logger, config: undefined }
    const runCtx: RunContext = deepFreeze({
      suiteName: this.name,
      runId,
      key,
      timestamp: startedAt,
      datasources: Object.keys(datasources),
      checks: this.checkNames,
      ...scope,
    })
    const planned = this.plan(datasources)
    let results: AssertionResult[] = []
    const schemas: Record<string, readonly { name: string; type: string }[]> = {}
    let symbols: SymbolInfo[] = []
    let runError: Error | undefined
    // A hook call itself can reject (a `call` interceptor that throws): the run still computes and
    // persists its results and calls afterRun, then rejects with that error.
    let hookError: Error | undefined
    // Each failed tap is reported to onPluginError once, right after the call it failed in.
    const callHook = async (call: () => Promise<PluginRun[]>): Promise<void> => {
      let runs: PluginRun[]
      try {
        runs = await call()
      } catch (err) {
        hookError ??= toError(err)
        return
      }
      this.lifecycle.scrubRuns(runs)
      pluginRuns.push(...runs)
      if (runs.some(failed)) pluginRuns.push(...(await this.lifecycle.reportFailures(runs, runCtx)))
    }

    if (plugins) await callHook(() => this.hooks.beforeRun.promise(runCtx))
    const session = createEngineSession()
    try {
      const needs: MetricNeed[] = []
      for (const pc of planned) {
        if (pc.skipReason !== undefined) continue
        for (const a of pc.assertions) {
          for (const ref of a.expr.refs()) {
            needs.push({
              dataset: ref.dataset as string,
              spec: ref.spec,
              lag: ref.lag,
              check: pc.collected.check.name,
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
        schemaDatasets,
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
      if (this.sampleLimit > 0) checkSuiteSampleColumns(this.sampleColumns, boundInOrder, datasources)
      // Anomaly assertions judge against history: read it now (no query when there are none).
      const judge = await loadAnomalyBaselines({ db: this.db, suite: this.name, key, checks: planned })
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
      ;({ results, symbols } = evaluate(
        this.name,
        key,
        planned,
        { get: (dataset, ref): MetricValue | undefined => values.get(valueKey(dataset, ref.spec, ref.lag)) },
        {
          judge,
          schemas: { current: (d) => schemas[d], previous: (d) => previous.get(d) },
        },
      ))
      // Only FAILED results with a row predicate issue queries: a passing run issues none.
      await attachSamples({
        results,
        checks: planned,
        bound: boundInOrder,
        sources: datasources,
        key,
        values,
        limit: this.sampleLimit,
        columns: this.sampleColumns,
        logger: this.logger,
      })
      // Persisted before any plugin sees the results: nothing a plugin does can lose them.
      await this.db.putResults(runId, results)
      // Then this run's schemas: the next run's expectSchemaUnchanged compares with them.
      if (storesSchemas) {
        await this.db.putSchemas(
          Object.entries(schemas).map(([dataset, columns]) => ({
            suite: this.name,
            dataset,
            date: key.date,
            tags: { ...key.tags },
            runId,
            columns: [...columns],
          })),
        )
      }
    } catch (err) {
      runError = err instanceof Error ? err : new Error(String(err))
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
        await callHook(() => this.hooks.afterEvaluate.promise(evaluated))
        await callHook(() =>
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
        await callHook(() => this.hooks.processResults.promise(failedRun))
      }
    }
    const report: RunReport = {
      suiteName: this.name,
      runId,
      key,
      startedAt,
      durationMs: performance.now() - t0,
      datasources: Object.keys(datasources),
      results,
      symbols,
      summary,
      pluginRuns,
      pluginErrors: [],
    }
    if (Object.keys(schemas).length > 0) report.schemas = schemas
    const failure = runError ?? hookError
    if (failure) report.error = failure
    if (plugins) {
      await callHook(() =>
        this.hooks.afterRun.promise(
          deepFreeze({
            ...report,
            pluginRuns: [...pluginRuns],
            pluginErrors: pluginRuns.filter(failed),
            ...scope,
          }),
        ),
      )
    }
    report.pluginErrors = pluginRuns.filter(failed)
    deepFreeze(report.results)
    deepFreeze(report.symbols)
    if (runError) throw runError
    if (hookError) throw hookError
    if (this.failOnPluginError && report.pluginErrors.length > 0) {
      throw new PluginFailureError(report)
    }
    return report
  }

  /** Binds each check to the run's datasources, or says why it is skipped. */
  private plan(datasources: Readonly<Record<string, DataSource>>): PlannedCheck[] {
    const available = Object.keys(datasources)
    const list = available.length > 0 ? available.map((d) => `'${d}'`).join(', ') : 'none'
    return this.collected.map((collected): PlannedCheck => {
      const declared = collected.check.datasets
      const missing = declared.filter((d) => !Object.hasOwn(datasources, d))
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
          .filter((d) => !Object.hasOwn(datasources, d))
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

/** Datasets whose expectSchemaUnchanged assertions run (their checks are not skipped). */
function unchangedDatasets(planned: readonly PlannedCheck[]): Set<string> {
  const out = new Set<string>()
  for (const pc of planned) {
    if (pc.skipReason !== undefined) continue
    for (const a of pc.assertions) if (a.schema?.kind === 'unchanged') out.add(a.schema.dataset)
  }
  return out
}
