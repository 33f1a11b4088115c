import picocolors from 'picocolors'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { makeUi, printError } from '../../src/cli/context.js'
import { colorsFor, isInteractive, outputWidth, StatusLine } from '../../src/cli/io.js'
import { cliLogger, formatLogLine, parseLevel } from '../../src/cli/logger.js'
import { RunProgress } from '../../src/cli/progress.js'
import {
  blockingCounts,
  errorToJson,
  failuresAtOrAbove,
  formatReport,
  missingAtOrAbove,
  reportToJson,
  summaryLine,
  wrap,
} from '../../src/cli/report.js'
import { DqxError } from '../../src/core/errors.js'
import { formatValue as formatAnyValue, truncate } from '../../src/core/format.js'

/** The CLI's cells: compact numbers, a dash for none. */
const formatValue = (v: number | null) => formatAnyValue(v, { style: 'short', nullText: '—' })

import { ResultKey } from '../../src/core/result-key.js'
import { summarize } from '../../src/core/summary.js'
import type { AssertionResult, RunReport, Severity } from '../../src/core/types.js'
import type { ScanEvent } from '../../src/engine/scan-events.js'
import { makeResult } from '../../src/testing/index.js'
import { sink } from './helpers.js'

const plain = picocolors.createColors(false)
const colored = picocolors.createColors(true)

function report(results: AssertionResult[], extra: Partial<RunReport> = {}): RunReport {
  return {
    suiteName: 'shop',
    runId: 'run-1',
    key: new ResultKey('2026-11-25', { env: 'prod' }),
    startedAt: new Date('2026-11-25T10:00:00Z'),
    durationMs: 12.4,
    datasources: ['orders'],
    results,
    symbols: [],
    summary: summarize(results),
    pluginRuns: [],
    pluginErrors: [],
    ...extra,
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('terminal detection', () => {
  it('colors only on a TTY without NO_COLOR or TERM=dumb; FORCE_COLOR overrides', () => {
    const tty = { write: () => true, isTTY: true }
    const pipe = { write: () => true }
    expect(colorsFor(tty, {}).red('x')).not.toBe('x')
    expect(colorsFor(pipe, {}).red('x')).toBe('x')
    expect(colorsFor(tty, { NO_COLOR: '1' }).red('x')).toBe('x')
    expect(colorsFor(tty, { TERM: 'dumb' }).red('x')).toBe('x')
    expect(colorsFor(pipe, { FORCE_COLOR: '1' }).red('x')).not.toBe('x')
    expect(colorsFor(tty, { FORCE_COLOR: '0' }).red('x')).toBe('x')
  })

  it('is interactive on a TTY outside CI only', () => {
    const tty = { write: () => true, isTTY: true }
    expect(isInteractive(tty, {})).toBe(true)
    expect(isInteractive(tty, { CI: 'true' })).toBe(false)
    expect(isInteractive(tty, { CI: 'false' })).toBe(true)
    expect(isInteractive(tty, { TERM: 'dumb' })).toBe(false)
    expect(isInteractive({ write: () => true }, {})).toBe(false)
  })

  it('lays out for the terminal width, else $COLUMNS, else 80, within 60..160', () => {
    expect(outputWidth({ write: () => true, isTTY: true, columns: 100 }, {})).toBe(100)
    expect(outputWidth({ write: () => true, isTTY: true, columns: 30 }, {})).toBe(60)
    expect(outputWidth({ write: () => true }, { COLUMNS: '300' })).toBe(160)
    expect(outputWidth({ write: () => true }, {})).toBe(80)
  })
})

describe('StatusLine', () => {
  it('prints plain lines when not interactive', () => {
    const s = sink()
    const status = new StatusLine(s, false, plain)
    status.update('one')
    status.write('log\n')
    status.done('final')
    status.done()
    expect(s.text).toBe('one\nlog\nfinal\n')
    expect(status.isTTY).toBe(false)
  })

  it('spins in place on a terminal and keeps other output off the spinner line', () => {
    vi.useFakeTimers()
    const s = sink({ columns: 80 })
    const status = new StatusLine(s, true, plain)
    expect(status.isTTY).toBe(true)
    status.update('scanning')
    expect(s.text).toBe('\r\x1b[2K⠋ scanning')
    vi.advanceTimersByTime(80)
    expect(s.text.endsWith('\r\x1b[2K⠙ scanning')).toBe(true)
    status.update('still')
    s.text = ''
    status.write('a log line\n')
    expect(s.text).toBe('\r\x1b[2Ka log line\n\r\x1b[2K⠙ still')
    s.text = ''
    status.done('✔ done')
    expect(s.text).toBe('\r\x1b[2K✔ done\n')
    s.text = ''
    vi.advanceTimersByTime(500)
    status.write('after\n')
    expect(s.text).toBe('after\n')
  })
})

describe('RunProgress', () => {
  const ev = (dataset: string, date: string, phase: 'start' | 'end'): ScanEvent => ({
    suite: 'shop',
    runId: 'r',
    dataset,
    date,
    phase,
    metrics: 1,
    statements: 1,
    sql: 'SELECT 1',
  })

  it('reports start, scans (with their day when it is not the run date) and the end, once', () => {
    const s = sink()
    const p = new RunProgress(new StatusLine(s, false, plain), plain)
    p.start('shop', '2026-11-25', ['orders', 'users'], 1)
    p.onScan(ev('orders', '2026-11-25', 'start'))
    p.onScan(ev('orders', '2026-11-25', 'end'))
    p.onScan(ev('orders', '2026-11-24', 'start'))
    p.onScan(ev('orders', '2026-11-24', 'end'))
    p.evaluated(3, 41.6)
    p.evaluated(3, 50)
    p.failed()
    p.onScan(ev('users', '2026-11-25', 'start'))
    expect(s.text).toBe(
      [
        'shop 2026-11-25: 2 datasets, 1 check',
        'shop: scanning orders (1/2)…',
        'shop: scanning orders for 2026-11-24 (1/2)…',
        '✔ shop: scanned 1 dataset, evaluated 3 assertions in 42 ms',
        '',
      ].join('\n'),
    )
    const t = sink()
    const q = new RunProgress(new StatusLine(t, false, plain), plain)
    q.start('x', '2026-11-25', [], 2)
    q.onScan(ev('adhoc', '2026-11-25', 'start'))
    q.failed()
    q.evaluated(1, 1)
    expect(t.text).toBe('x 2026-11-25: 0 datasets, 2 checks\nx: scanning adhoc…\n✖ x: run failed\n')
  })

  it('shows concurrent scans: the newest, and how many more are running', () => {
    const s = sink()
    const p = new RunProgress(new StatusLine(s, false, plain), plain)
    p.start('shop', '2026-11-25', ['a', 'b', 'c'], 3)
    p.onScan(ev('a', '2026-11-25', 'start'))
    p.onScan(ev('b', '2026-11-25', 'start'))
    p.onScan(ev('b', '2026-11-25', 'end'))
    p.onScan(ev('a', '2026-11-25', 'end'))
    p.onScan(ev('zz', '2026-11-25', 'end')) // an end without its start changes nothing
    expect(s.text.split('\n').slice(1, -1)).toEqual([
      'shop: scanning a (1/3)…',
      'shop: scanning b +1 (2/3)…',
      'shop: scanning a (2/3)…',
    ])
  })
})

describe('logger', () => {
  it('formats pino lines readably, quoting values with spaces, with stacks on request', () => {
    const line = {
      level: 50,
      time: 1,
      pid: 2,
      hostname: 'h',
      name: 'dqx',
      msg: 'plugin failed',
      plugin: 'x',
      n: 3,
      s: 'a b',
      e: '',
      err: { message: 'boom', stack: 'Error: boom\n    at here' },
    }
    expect(formatLogLine(line, plain, false)).toBe(
      'dqx error: plugin failed plugin=x n=3 s="a b" e="" err="boom"\n',
    )
    expect(formatLogLine(line, plain, true)).toBe(
      'dqx error: plugin failed plugin=x n=3 s="a b" e="" err="boom"\nError: boom\n    at here\n',
    )
    expect(formatLogLine({ level: 40, msg: 'careful', obj: { a: 1 } }, plain, false)).toBe(
      'dqx warn: careful obj={"a":1}\n',
    )
    expect(formatLogLine({ level: 30 }, plain, false)).toBe('dqx info: \n')
    expect(formatLogLine({ level: 35, msg: 'custom' }, plain, false)).toBe('dqx 35: custom\n')
    expect(formatLogLine({ level: 50, msg: 'x' }, colored, false)).toContain('\x1b[31m')
  })

  it('parses level names', () => {
    expect(parseLevel('info')).toBe('info')
    expect(parseLevel('silent')).toBe('silent')
    expect(parseLevel('loud')).toBeUndefined()
    expect(parseLevel(undefined)).toBeUndefined()
  })

  it('shows lines from the chosen level up', () => {
    const s = sink()
    const logger = cliLogger({ sink: s, level: 'warn', colors: plain, stacks: false })
    logger.debug({ dataset: 'orders', date: '2026-11-25' }, 'scan')
    logger.info('hidden')
    logger.warn('shown')
    expect(s.text).toBe('dqx warn: shown\n')
    const t = sink()
    const trace = cliLogger({ sink: t, level: 'trace', colors: plain, stacks: false })
    trace.trace('deep')
    expect(t.text).toBe('dqx trace: deep\n')
  })
})

describe('printError', () => {
  it('prints the message; with --verbose the stack and causes; a hint for unexpected errors', () => {
    const err = sink()
    const ui = makeUi({ stdout: sink(), stderr: err, cwd: '/', env: {} }, false)
    printError(ui, new DqxError('CONFIG', 'bad config'))
    expect(err.text).toBe('dqx error: bad config\n')
    err.text = ''
    printError(ui, new TypeError('oops'), 'suite x: ')
    expect(err.text).toBe('dqx error: suite x: oops\n(run with --verbose for the stack trace)\n')
    err.text = ''
    printError(ui, 'a string')
    expect(err.text).toContain('dqx error: a string\n')

    const verr = sink()
    const verbose = makeUi({ stdout: sink(), stderr: verr, cwd: '/', env: {} }, true)
    const cause = new Error('root cause')
    printError(verbose, new DqxError('CONFIG', 'outer', { cause }))
    expect(verr.text).toMatch(/^dqx error: outer\nDqxError: outer\n\s+at /)
    expect(verr.text).toContain('caused by: Error: root cause')
    verr.text = ''
    const noStack = new Error('no stack')
    delete noStack.stack
    printError(verbose, noStack)
    expect(verr.text).toBe('dqx error: no stack\n')
  })
})

describe('report formatting', () => {
  it('wraps text at word boundaries, splitting words longer than the width', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc'])
    expect(wrap('abcdefghij k', 4)).toEqual(['abcd', 'efgh', 'ij k'])
    expect(wrap('x abcdefgh', 4)).toEqual(['x', 'abcd', 'efgh'])
    expect(wrap('one\ntwo', 10)).toEqual(['one', 'two'])
  })

  it('formats values for people', () => {
    expect(formatValue(null)).toBe('—')
    expect(formatValue(42)).toBe('42')
    expect(formatValue(0.123456)).toBe('0.1235')
    expect(formatValue(0.00001234)).toBe('1.234e-5')
    expect(formatValue(1e20)).toBe('1.000e+20')
    expect(formatValue(Number.NaN)).toBe('NaN')
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(formatValue(0)).toBe('0')
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(truncate('abc', 4)).toBe('abc')
  })

  it('counts failures at or above a severity (P0 is the worst)', () => {
    const r = report([
      makeResult({ status: 'FAILED', severity: 'P0' }),
      makeResult({ status: 'FAILED', severity: 'P2' }),
      makeResult({ status: 'SKIPPED', severity: 'P0' }),
      makeResult({ status: 'PASSED', severity: 'P0' }),
    ])
    expect(failuresAtOrAbove(r, 'P0')).toBe(1)
    expect(failuresAtOrAbove(r, 'P1')).toBe(1)
    expect(failuresAtOrAbove(r, 'P2')).toBe(2)
    expect(failuresAtOrAbove(r, 'P3')).toBe(2)
  })

  it('counts assertions skipped for a missing dataset at or above a severity, unless allowed', () => {
    const missing = (severity: Severity) =>
      makeResult({ status: 'SKIPPED', severity, value: null, skipCause: 'dataset-not-provided' })
    const r = report([
      missing('P0'),
      missing('P2'),
      makeResult({ status: 'SKIPPED', severity: 'P0', error: 'too little history' }),
      makeResult({ status: 'FAILED', severity: 'P1' }),
    ])
    expect(missingAtOrAbove(r, 'P0')).toBe(1)
    expect(missingAtOrAbove(r, 'P3')).toBe(2)
    expect(blockingCounts(r, { failOn: 'P1' })).toEqual({ failed: 1, missing: 1 })
    expect(blockingCounts(r, { failOn: 'P1', allowSkipped: true })).toEqual({ failed: 1, missing: 0 })
  })

  it('never shows a green tick for skipped assertions; a missing dataset is a red verdict', () => {
    const missing = makeResult({ status: 'SKIPPED', severity: 'P0', skipCause: 'dataset-not-provided' })
    const line = (results: AssertionResult[], o: { allowSkipped?: boolean; failOn?: Severity } = {}) =>
      summaryLine(report(results), { colors: plain, failOn: 'P1', ...o })
    expect(line([makeResult(), missing])).toBe(
      '✖ shop: 1 passed, 0 failed, 1 skipped in 12 ms — 1 skipped (dataset not provided) at or above P1',
    )
    expect(line([makeResult({ status: 'FAILED' }), missing])).toBe(
      '✖ shop: 0 passed, 1 failed (P1: 1), 1 skipped in 12 ms — 1 failed, 1 skipped (dataset not provided) at or above P1',
    )
    expect(line([makeResult(), missing], { allowSkipped: true })).toBe(
      '✔ shop: 1 passed, 0 failed, 1 skipped in 12 ms',
    )
    const painted = (results: AssertionResult[], allowSkipped: boolean) =>
      summaryLine(report(results), { colors: colored, failOn: 'P1', allowSkipped })
    // allowed, or skipped for another reason: a yellow tick and the count in the skip colour
    for (const text of [
      painted([makeResult(), missing], true),
      painted([makeResult(), makeResult({ status: 'SKIPPED', error: 'too little history' })], false),
    ]) {
      expect(text.startsWith(`${colored.yellow('✔')} `)).toBe(true)
      expect(text).toContain(colored.yellow('1 skipped'))
    }
    expect(painted([makeResult(), missing], false).startsWith(colored.red('✖'))).toBe(true)
    expect(painted([makeResult()], false).startsWith(colored.green('✔'))).toBe(true)
  })

  it('fits the table into the width and lists every failure and skip in full', () => {
    const long = 'x'.repeat(200)
    const r = report([
      makeResult({
        check: 'orders',
        assertion: 'has rows',
        severity: 'P0',
        value: 4,
        expression: 'numRows()',
        bound: '> 0',
      }),
      makeResult({
        check: 'orders',
        assertion: long,
        status: 'FAILED',
        value: null,
        expression: long,
        error: `division by zero in ${long}`,
      }),
      makeResult({
        check: 'users',
        assertion: 'skipped one',
        status: 'SKIPPED',
        value: null,
        expression: 'numRows()',
        error: "dataset 'users' not provided",
      }),
      makeResult({
        check: 'users',
        assertion: 'no bound',
        status: 'FAILED',
        severity: 'P3',
        value: 1.5,
        expression: 'custom()',
        bound: undefined as never,
      }),
    ])
    delete (r.results[3] as { bound?: string }).bound
    for (const width of [60, 80, 120]) {
      const text = formatReport(r, { width, colors: plain, failOn: 'P1' })
      for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(width)
    }
    const text = formatReport(r, { width: 80, colors: plain, failOn: 'P1' })
    expect(text).toContain('shop 2026-11-25 env=prod')
    expect(text).toMatch(/│ +│ +│ orders +│/)
    expect(text).toMatch(/SKIP │ P1 +│ skipped one/)
    expect(text).toContain(
      `✖ P1 orders › ${'x'.repeat(65)}…\n    division by zero in\n    ${'x'.repeat(76)}\n    ${'x'.repeat(76)}\n    ${'x'.repeat(48)}\n`,
    )
    expect(text).toContain("○ P1 users › skipped one\n    dataset 'users' not provided")
    expect(text).toContain('✖ P3 users › no bound\n    custom() = 1.5, expected the assertion to hold')
    expect(text).toContain('✖ shop: 1 passed, 2 failed (P1: 1, P3: 1), 1 skipped in 12 ms — 1 at or above P1')
    const painted = formatReport(r, { width: 80, colors: colored, failOn: 'P1' })
    expect(painted).toContain('\x1b[32mPASS')
    expect(painted).toContain('\x1b[33mSKIP')
    expect(painted).toContain('\x1b[31m\x1b[1mFAIL')
  })

  it('says so when there are no assertions, and colors severities of failures', () => {
    expect(formatReport(report([]), { width: 80, colors: plain, failOn: 'P1' })).toContain('(no assertions)')
    const r = report([
      makeResult({ status: 'FAILED', severity: 'P0' }),
      makeResult({ status: 'FAILED', severity: 'P1' }),
      makeResult({ status: 'FAILED', severity: 'P2' }),
    ])
    const painted = formatReport(r, { width: 80, colors: colored, failOn: 'P0' })
    expect(painted).toContain('\x1b[31mP0')
    expect(painted).toContain('\x1b[33mP1')
    expect(summaryLine(report([makeResult()]), { colors: plain, failOn: 'P1' })).toBe(
      '✔ shop: 1 passed, 0 failed, 0 skipped in 12 ms',
    )
    expect(
      summaryLine(report([makeResult({ status: 'FAILED', severity: 'P3' })]), {
        colors: plain,
        failOn: 'P1',
      }),
    ).toBe('✔ shop: 0 passed, 1 failed (P3: 1), 0 skipped in 12 ms — none at or above P1')
    expect(
      summaryLine(report([], { key: new ResultKey('2026-11-25') }), { colors: plain, failOn: 'P1' }),
    ).toContain('0 passed')
    expect(
      summaryLine(report([makeResult({ status: 'FAILED', severity: 'P3' })]), {
        colors: plain,
        failOn: 'P1',
        width: 60,
      }),
    ).toBe('✔ shop: 0 passed, 1 failed (P3: 1), 0 skipped in 12 ms\n  — none at or above P1')
    expect(
      summaryLine(report([makeResult({ status: 'FAILED', severity: 'P3' })]), {
        colors: plain,
        failOn: 'P1',
        width: 40,
      }),
    ).toBe('✔ shop: 0 passed, 1 failed (P3: 1), 0 skipped\n  in 12 ms — none at or above P1')
    expect(
      formatReport(report([], { key: new ResultKey('2026-11-25') }), {
        width: 80,
        colors: plain,
        failOn: 'P1',
      }),
    ).toMatch(/^shop 2026-11-25\n/)
  })

  it('serializes a report to JSON with the key, ISO dates and errors as { name, message, code }', () => {
    const r = report([makeResult()], {
      pluginRuns: [
        { plugin: 'a', hook: 'afterRun', durationMs: 1, timedOut: false },
        { plugin: 'b', hook: 'processResults', durationMs: 2, timedOut: false, error: new Error('down') },
      ],
      error: new DqxError('DATA_SOURCE', 'no file'),
    })
    const json = reportToJson({ ...r, pluginErrors: [r.pluginRuns[1] as never] })
    expect(json.key).toEqual({ date: '2026-11-25', tags: { env: 'prod' } })
    expect(json.startedAt).toBe('2026-11-25T10:00:00.000Z')
    expect(json.pluginRuns).toEqual([
      { plugin: 'a', hook: 'afterRun', durationMs: 1, timedOut: false },
      {
        plugin: 'b',
        hook: 'processResults',
        durationMs: 2,
        timedOut: false,
        error: { name: 'Error', message: 'down' },
      },
    ])
    expect(json.pluginErrors).toHaveLength(1)
    expect(json.error).toEqual({ name: 'DqxError', message: 'no file', code: 'DATA_SOURCE' })
    expect(errorToJson(new TypeError('t'))).toEqual({ name: 'TypeError', message: 't' })
    expect(JSON.parse(JSON.stringify(json)).results).toHaveLength(1)
  })
})
