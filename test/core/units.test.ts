// Small units of the core: errors, ResultKey, evaluation of values that were never computed,
// and freezing run contexts without freezing the caller's logger.
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { check, collectAssertions } from '../../src/core/check.js'
import { DqxError, toError } from '../../src/core/errors.js'
import { evaluate } from '../../src/core/evaluate.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import { summarize } from '../../src/core/summary.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { PluginFailureError } from '../../src/suite/plugin-failure-error.js'
import { deepFreeze } from '../../src/suite/run-context.js'
import { captureLogger, quietSuite } from '../helpers/data.js'

describe('DqxError and toError', () => {
  it('carries a name, a code and a cause', () => {
    const cause = new Error('low level')
    const err = new DqxError('SQL', 'bad', { cause })
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('DqxError')
    expect(err.code).toBe('SQL')
    expect(err.cause).toBe(cause)
    expect(String(err)).toBe('DqxError: bad')
  })

  it('turns anything thrown into an Error without losing it', () => {
    const e = new TypeError('x')
    expect(toError(e)).toBe(e)
    expect(toError('boom')).toMatchObject({ message: 'non-Error thrown: boom', cause: 'boom' })
    expect(toError({ code: 42 }).message).toBe('non-Error thrown: {"code":42}')
    expect(toError(undefined).message).toBe('non-Error thrown: undefined')
    expect(toError(10n).message).toBe('non-Error thrown: 10') // JSON.stringify throws on bigint
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(toError(cyclic).message).toBe('non-Error thrown: [object Object]')
  })

  it('PluginFailureError names the failed plugin runs and keeps the report', () => {
    const report = {
      suiteName: 'nightly',
      pluginErrors: [
        { plugin: 'slack', hook: 'processResults', durationMs: 5, error: new Error('x'), timedOut: false },
        { plugin: 'pager', hook: 'afterRun', durationMs: 60_000, timedOut: true },
      ],
    } as unknown as RunReport
    const err = new PluginFailureError(report)
    expect(err).toBeInstanceOf(DqxError)
    expect(err.code).toBe('PLUGIN_FAILURE')
    expect(err.name).toBe('PluginFailureError')
    expect(err.message).toBe(
      "2 plugin runs failed in suite 'nightly': slack@processResults, pager@afterRun (timed out)",
    )
    expect(err.report).toBe(report)
    expect(err.failures).toBe(report.pluginErrors)
    const one = new PluginFailureError({ ...report, pluginErrors: report.pluginErrors.slice(0, 1) })
    expect(one.message).toBe("1 plugin run failed in suite 'nightly': slack@processResults")
  })
})

describe('ResultKey', () => {
  it('sorts and freezes its tags, and prints itself', () => {
    const key = new ResultKey('2026-11-25', { region: 'eu', env: 'prod' })
    expect(Object.keys(key.tags)).toEqual(['env', 'region'])
    expect(Object.isFrozen(key)).toBe(true)
    expect(Object.isFrozen(key.tags)).toBe(true)
    expect(key.tagsKey).toBe('{"env":"prod","region":"eu"}')
    expect(key.toString()).toBe('2026-11-25 [env=prod,region=eu]')
    expect(new ResultKey('2026-11-25').toString()).toBe('2026-11-25')
    expect(JSON.stringify(key)).toBe('{"date":"2026-11-25","tags":{"env":"prod","region":"eu"}}')
  })

  it('lags by whole days across months, years and leap days, keeping the tags', () => {
    const key = new ResultKey('2026-03-01', { env: 'prod' })
    expect(key.lag(0)).toBe(key)
    expect(key.lag(1).date).toBe('2026-02-28')
    expect(key.lag(1).tags).toEqual({ env: 'prod' })
    expect(new ResultKey('2024-03-01').lag(1).date).toBe('2024-02-29')
    expect(new ResultKey('2026-01-03').lag(7).date).toBe('2025-12-27')
    expect(new ResultKey('2026-11-25').lag(365).date).toBe('2025-11-25')
  })
})

describe('evaluate', () => {
  it('fails an assertion whose metric was never computed, and records a symbol for it', () => {
    const collected = collectAssertions(
      check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
        ctx
          .assertThat(mp.numRows({ lag: 3 }))
          .where({ name: 'rows' })
          .isPositive()
      }),
    )
    const key = new ResultKey('2026-11-25', { env: 'prod' })
    const { results, symbols } = evaluate('s', key, [{ collected, assertions: collected.assertions }], {
      get: () => undefined,
    })
    expect(results[0]).toMatchObject({
      status: 'FAILED',
      value: null,
      error: "lag(3, numRows()) on 'd' was not computed",
    })
    expect(symbols).toEqual([
      {
        name: 'x_1',
        metric: 'lag(3, numRows())',
        dataset: 'd',
        value: null,
        date: '2026-11-22',
        tags: { env: 'prod' },
      },
    ])
  })
})

describe('evaluate: skipped checks', () => {
  it('copies the planned skip reason, and its cause when the plan gives one', () => {
    const collected = collectAssertions(
      check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
        ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
      }),
    )
    const key = new ResultKey('2026-11-25')
    const plan = (extra: object) => [{ collected, assertions: collected.assertions, ...extra }]
    const values = { get: () => undefined }
    const missing = evaluate(
      's',
      key,
      plan({ skipReason: 'no d', skipCause: 'dataset-not-provided' }),
      values,
    )
    expect(missing.results[0]).toMatchObject({
      status: 'SKIPPED',
      error: 'no d',
      skipCause: 'dataset-not-provided',
    })
    const other = evaluate('s', key, plan({ skipReason: 'for another reason' }), values)
    expect(other.results[0]).toMatchObject({ status: 'SKIPPED', error: 'for another reason' })
    expect(other.results[0]).not.toHaveProperty('skipCause')
  })
})

describe('expressions', () => {
  it('abs() passes on the failure of what it wraps', () => {
    const mp = new MetricProvider()
    const expr = mp.sum('x').div(0).abs()
    const r = expr.evaluate(() => ({ ok: true, value: 1 }))
    expect(r).toEqual({ ok: false, error: 'division by zero in sum(x) / 0' })
    expect(
      mp
        .sum('x')
        .abs()
        .evaluate(() => ({ ok: true, value: -2 })),
    ).toEqual({ ok: true, value: 2 })
  })
})

describe('deepFreeze', () => {
  it('freezes plain objects and arrays all the way down', () => {
    const results = [{ tags: { a: '1' }, assertionTags: ['x'] }]
    const ctx = deepFreeze({ results, summary: summarize([]) })
    expect(Object.isFrozen(ctx)).toBe(true)
    expect(Object.isFrozen(results[0]?.tags)).toBe(true)
    expect(Object.isFrozen(results[0]?.assertionTags)).toBe(true)
    expect(Object.isFrozen(ctx.summary.bySeverity)).toBe(true)
    const tags = results[0]!.assertionTags
    expect(() => tags.push('y')).toThrow(TypeError)
    expect(deepFreeze(5)).toBe(5)
    expect(deepFreeze(null)).toBeNull()
    const bare = Object.create(null) as Record<string, unknown>
    bare.inner = { x: 1 }
    deepFreeze(bare)
    expect(Object.isFrozen(bare.inner)).toBe(true)
  })

  it('leaves class instances such as the logger and the signal alone', () => {
    const logger = pino({ level: 'silent' })
    const signal = new AbortController().signal
    const at = new Date(0)
    deepFreeze({ logger, signal, at })
    expect(Object.isFrozen(logger)).toBe(false)
    expect(() => logger.child({ plugin: 'x' })).not.toThrow()
    at.setTime(1)
    expect(at.getTime()).toBe(1)
  })

  it('a run leaves the suite’s logger usable (child loggers, level changes) for the next run', async () => {
    const { logger } = captureLogger()
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
    })
    const suite = quietSuite([c], { logger })
    await suite.run({ d: DataSource.fromRecords([{ x: 1 }]) }, new ResultKey('2026-11-25'))
    expect(Object.isFrozen(logger)).toBe(false)
    expect(() => logger.child({ plugin: 'later' }).info('still works')).not.toThrow()
    logger.level = 'info'
    expect(logger.level).toBe('info')
    const again = await suite.run({ d: DataSource.fromRecords([{ x: 1 }]) }, new ResultKey('2026-11-26'))
    expect(again.summary.passed).toBe(1)
    // The report itself is frozen.
    expect(Object.isFrozen(again.results[0])).toBe(true)
  })
})
