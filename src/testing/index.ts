import { Writable } from 'node:stream'
import { type Logger, pino } from 'pino'
import type { Check } from '../core/check.js'
import { ResultKey } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import type { AssertionResult, RunReport, SymbolInfo } from '../core/types.js'
import { DataSource } from '../engine/data-source.js'
import type { PluginOption } from '../suite/plugin.js'
import { deepFreeze, type ResultsContext } from '../suite/run-context.js'
import { type SuiteOptions, VerificationSuite } from '../suite/verification-suite.js'

/** A pino logger that keeps every line as a parsed object, for asserting on logs. */
export interface CapturedLogger {
  logger: Logger
  /** Parsed log lines, oldest first. */
  lines: Record<string, unknown>[]
  /** The raw text written, for grepping (e.g. that no secret leaked). */
  text(): string
}

export function captureLogger(level: pino.LevelWithSilent = 'debug'): CapturedLogger {
  const raw: string[] = []
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString()
      raw.push(text)
      for (const line of text.split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>)
      cb()
    },
  })
  // The Writable's write runs synchronously, so a line is captured by the time the call that logged it returns.
  const logger = pino({ level }, stream)
  return { logger, lines, text: () => raw.join('') }
}

/** A plausible AssertionResult; override any field. */
export function makeResult(overrides: Partial<AssertionResult> = {}): AssertionResult {
  return {
    date: '2026-11-25',
    suite: 'test-suite',
    check: 'test-check',
    assertion: 'test-assertion',
    severity: 'P1',
    status: 'PASSED',
    value: 1,
    expression: 'numRows()',
    bound: '> 0',
    tags: {},
    assertionTags: [],
    ...overrides,
  }
}

export interface ResultsContextInput {
  results?: AssertionResult[]
  symbols?: SymbolInfo[]
  suiteName?: string
  key?: ResultKey
  config?: unknown
  logger?: Logger
  signal?: AbortSignal
  datasources?: string[]
}

/** A deeply frozen ResultsContext, as a processResults tap receives it, for unit-testing a plugin's logic. */
export function createResultsContext(input: ResultsContextInput = {}): ResultsContext {
  const results = input.results ?? [makeResult()]
  const key = input.key ?? new ResultKey(results[0]?.date ?? '2026-11-25')
  return deepFreeze({
    suiteName: input.suiteName ?? results[0]?.suite ?? 'test-suite',
    runId: 'test-run',
    key,
    timestamp: new Date(`${key.date}T00:00:00Z`),
    datasources: input.datasources ?? [],
    checks: [...new Set(results.map((r) => r.check))],
    durationMs: 0,
    results,
    symbols: input.symbols ?? [],
    summary: summarize(results),
    signal: input.signal ?? new AbortController().signal,
    logger: input.logger ?? pino({ level: 'silent' }),
    config: input.config,
  })
}

export interface RunPluginOptions extends Omit<SuiteOptions, 'name' | 'checks' | 'plugins'> {
  /** Records of the dataset 'data' (ignored when datasources is given). */
  records?: Record<string, unknown>[]
  datasources?: Record<string, DataSource>
  checks: Check[]
  key?: ResultKey
  name?: string
}

/** Runs a real suite with the given plugins (audit off unless asked) and returns the report. */
export async function runPlugin(
  plugins: PluginOption | PluginOption[],
  options: RunPluginOptions,
): Promise<RunReport> {
  const { records, datasources, key, name, ...rest } = options
  const suite = new VerificationSuite({
    audit: false,
    ...rest,
    name: name ?? 'plugin-test',
    plugins: Array.isArray(plugins) ? plugins : [plugins],
  })
  return suite.run(
    datasources ?? { data: DataSource.fromRecords(records ?? []) },
    key ?? new ResultKey('2026-11-25'),
  )
}
