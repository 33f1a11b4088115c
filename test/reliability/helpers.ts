// Shared by the reliability tests: a real suite over real data (records or a parquet file) with a
// MetricDB file in a temp dir, a read-back check that every result and metric of a run is
// persisted, process-level listeners that prove nothing escaped, and a child-process runner for
// the faults that cannot be observed inside a vitest worker (process.exit, errors thrown from timers).
import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import type { PluginOption } from '../../src/suite/plugin.js'
import { type SuiteOptions, VerificationSuite } from '../../src/suite/verification-suite.js'
import {
  makeOrders,
  type Order,
  silentLogger,
  type TempDir,
  tempDir,
  writeOrderFiles,
} from '../helpers/data.js'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const KEY = new ResultKey('2026-11-25', { env: 'reliability' })
export const ORDERS: Order[] = makeOrders(120, 7)

/** Eight assertions over the orders: some pass, some fail, one reads history (FAILED: none yet). */
export const ordersCheck = check({ name: 'orders are sane', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.nullCount('email').div(mp.numRows()))
    .where({ name: 'email null rate', tags: ['pii'] })
    .isLt(0.05)
  ctx.assertThat(mp.average('price')).where({ name: 'avg price' }).isBetween(1, 100)
  ctx.assertThat(mp.sum('qty')).where({ name: 'qty sum' }).isPositive()
  ctx.assertThat(mp.uniqueCount('status')).where({ name: 'statuses', severity: 'P2' }).isEq(6)
  ctx.assertThat(mp.maxLength('name')).where({ name: 'name length' }).isLeq(5)
  ctx
    .assertThat(mp.duplicateCount(['grp', 'status']))
    .where({ name: 'dup groups', severity: 'P3' })
    .noop()
  ctx.assertThat(mp.sum('qty').dayOverDay()).where({ name: 'qty stable' }).isBetween(0.5, 2)
})

export const ASSERTIONS = 8

/** A temp dir holding the orders as parquet and a DuckDB MetricDB file. */
export interface Bench {
  dir: TempDir
  db: MetricDB
  parquet: string
  /** The orders as a datasource: parquet when asked, records otherwise. */
  data(kind?: 'records' | 'parquet'): Record<string, DataSource>
  close(): Promise<void>
}

export async function bench(prefix = 'dqx-reliability-'): Promise<Bench> {
  const dir = tempDir(prefix)
  const files = await writeOrderFiles(dir.path, ORDERS, 1)
  const db = MetricDB.duckdb(dir.file('metrics.duckdb'))
  return {
    dir,
    db,
    parquet: files.parquet,
    data: (kind = 'records') => ({
      orders: kind === 'parquet' ? DataSource.parquet(files.parquet) : DataSource.fromRecords(ORDERS),
    }),
    async close() {
      await db.close()
      dir.cleanup()
    },
  }
}

/** A real suite over the orders check with the given plugins: silent logger, audit off. */
export function faultSuite(
  db: MetricDB,
  plugins: PluginOption[],
  extra: Partial<SuiteOptions> = {},
): VerificationSuite {
  return new VerificationSuite({
    name: 'faults',
    checks: [ordersCheck],
    db,
    logger: silentLogger(),
    audit: false,
    plugins,
    ...extra,
  })
}

/**
 * The run's results are in the MetricDB exactly as in the report, and every symbol's metric is
 * stored under its name, dataset, date and tags with the report's value.
 */
export async function expectPersisted(db: MetricDB, report: RunReport): Promise<void> {
  expect(report.results).toHaveLength(ASSERTIONS)
  const stored = (
    await db.getResults({ suite: report.suiteName, date: report.key.date, tags: report.key.tags })
  ).filter((r) => r.runId === report.runId)
  const shape = (r: {
    check: string
    assertion: string
    status: string
    value: number | null
    error?: string
  }) => ({
    check: r.check,
    assertion: r.assertion,
    status: r.status,
    value: r.value,
    error: r.error ?? null,
  })
  expect(stored.map(shape)).toEqual(report.results.map(shape))
  expect(report.symbols.length).toBeGreaterThan(0)
  for (const s of report.symbols) {
    if (s.date !== report.key.date) continue // lagged history, not computed by this run
    const m = await db.getMetric({ metric: s.metric, dataset: s.dataset, date: s.date, tags: s.tags })
    expect(m, `metric ${s.metric} persisted`).toBeDefined()
    expect(m?.value).toBe(s.value)
    expect(m?.runId).toBe(report.runId)
  }
}

/** The failed plugin runs as `plugin@hook` (sorted), with `(timeout)` for timed-out ones. */
export function failures(report: RunReport): string[] {
  return report.pluginErrors.map((r) => `${r.plugin}@${r.hook}${r.timedOut ? ' (timeout)' : ''}`).sort()
}

/** Records every 'unhandledRejection' and 'uncaughtException' the process sees until disposed. */
export function processWatch(): { unhandled: unknown[]; uncaught: unknown[]; dispose(): void } {
  const unhandled: unknown[] = []
  const uncaught: unknown[] = []
  const onRejection = (reason: unknown) => void unhandled.push(reason)
  const onException = (err: unknown) => void uncaught.push(err)
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return {
    unhandled,
    uncaught,
    dispose() {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
    },
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Wall time of `fn` in ms, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - t0 }
}

export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs a TypeScript file with `node [flags] --import tsx file args…`; killed (SIGKILL) after `limitMs`. */
export function runTs(
  file: string,
  args: string[] = [],
  options: { limitMs?: number; nodeFlags?: string[] } = {},
): Promise<ChildResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env.DQX_LOG_LEVEL
  // vitest's worker options (coverage, loaders) are not the child's business
  delete env.NODE_OPTIONS
  delete env.NODE_V8_COVERAGE
  const t0 = performance.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', file, ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), options.limitMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      resolvePromise({ code, signal, stdout, stderr, ms: performance.now() - t0 })
    })
  })
}

/** The last line of stdout that parses as JSON (what the fixtures print). */
export function lastJson<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse()
  for (const l of lines) {
    try {
      return JSON.parse(l) as T
    } catch {
      // not the JSON line
    }
  }
  throw new Error(`no JSON line in child output:\n${stdout}`)
}
