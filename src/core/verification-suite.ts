import { randomUUID } from 'node:crypto'
import { type Logger, pino } from 'pino'
import { DataSource, type EngineSession } from '../engine/data-source.js'
import { DuckDBSession } from '../engine/duckdb-session.js'
import { computeMetrics, type MetricNeed, type MetricValue, valueKey } from '../engine/metric-computer.js'
import { MetricDB } from '../engine/metric-db.js'
import type { Check } from './check.js'
import { type CollectedCheck, collectAssertions } from './check.js'
import { DqxError } from './errors.js'
import { evaluate, type PlannedCheck } from './evaluate.js'
import { ResultKey } from './result-key.js'
import { summarize } from './summary.js'
import type { AssertionResult, RunReport, SymbolInfo } from './types.js'

export interface SuiteOptions {
  name: string
  checks: readonly Check[]
  /** Where metric history lives; default `MetricDB.memory()`. */
  db?: MetricDB
  /** A pino logger; default: warnings and errors to stderr (`DQX_LOG_LEVEL` overrides the level). */
  logger?: Logger
}

export interface RunOptions {
  /** false skips every plugin hook (default true). */
  enablePlugins?: boolean
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
  private readonly collected: readonly CollectedCheck[]

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
    this.collected = options.checks.map(collectAssertions)
  }

  /** Check names in declaration order. */
  get checkNames(): string[] {
    return this.collected.map((c) => c.check.name)
  }

  async run(
    datasources: Readonly<Record<string, DataSource>>,
    key: ResultKey,
    _options: RunOptions = {},
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
          `datasource '${name}' is not a DataSource; create it with DataSource.parquet/csv/json/sql/fromRecords`,
        )
      }
    }
    const runId = randomUUID()
    const startedAt = new Date()
    const t0 = performance.now()
    const planned = this.plan(datasources)
    const session: EngineSession = { duckdb: new DuckDBSession() }
    let results: AssertionResult[] = []
    let symbols: SymbolInfo[] = []
    let runError: Error | undefined
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
      const values = await computeMetrics({
        needs,
        sources: datasources,
        key,
        db: this.db,
        session,
        logger: this.logger,
        suite: this.name,
        runId,
      })
      ;({ results, symbols } = evaluate(this.name, key, planned, {
        get: (dataset, ref): MetricValue | undefined => values.get(valueKey(dataset, ref.spec, ref.lag)),
      }))
      await this.db.putResults(runId, results)
    } catch (err) {
      runError = err instanceof Error ? err : new Error(String(err))
    } finally {
      await session.duckdb.close()
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
      summary: summarize(results),
      pluginRuns: [],
      pluginErrors: [],
    }
    if (runError) {
      report.error = runError
      throw runError
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
            skipReason: `dataset '${absent[0]}' not provided to this run (available: ${list})`,
          }
        }
        return { collected, assertions: collected.assertions }
      }
      if (available.length !== 1) {
        return {
          collected,
          assertions: collected.assertions,
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
