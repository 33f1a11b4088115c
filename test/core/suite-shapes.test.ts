// Nulls, empty tables, unicode, several datasets, severities, tags and the run summary.
import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { summarize, worstFailure } from '../../src/core/summary.js'
import type { AssertionResult, Severity } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { quietSuite } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25', { env: 'prod', region: 'eu' })

const byName = (results: readonly AssertionResult[]) =>
  Object.fromEntries(results.map((r) => [r.assertion, r]))

describe('nulls and empty tables', () => {
  it('counts nulls and ignores them in aggregates', async () => {
    const c = check({ name: 'nulls', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.nullCount('x')).where({ name: 'nulls' }).isEq(2)
      ctx
        .assertThat(mp.average('x'))
        .where({ name: 'avg' })
        .isEq(7 / 3)
      ctx.assertThat(mp.uniqueCount('x')).where({ name: 'unique' }).isEq(2)
      ctx.assertThat(mp.uniqueCount('s')).where({ name: 'unique s' }).isEq(1)
      ctx
        .assertThat(mp.duplicateCount(['x']))
        .where({ name: 'dups' })
        .isEq(2)
      ctx
        .assertThat(mp.duplicateCount(['x', 's']))
        .where({ name: 'dups xs' })
        .isEq(1)
      ctx.assertThat(mp.minLength('s')).where({ name: 'min len' }).isEq(1)
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(5)
    })
    const recs = [{ x: 1, s: 'a' }, { x: null, s: null }, { x: 3 }, { x: null, s: null }, { x: 3, s: 'a' }]
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords(recs) }, KEY)
    for (const r of report.results) expect([r.assertion, r.status]).toEqual([r.assertion, 'PASSED'])
  })

  it('runs on an empty record source without a schema (rows only)', async () => {
    const c = check({ name: 'empty', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isZero()
      ctx.assertThat(mp.customSql('count(*)')).where({ name: 'custom' }).isZero()
    })
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords([]) }, KEY)
    expect(report.results.map((r) => [r.status, r.value])).toEqual([
      ['PASSED', 0],
      ['PASSED', 0],
    ])
  })

  it('counts rows of records that have no keys', async () => {
    const c = check({ name: 'keyless', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(3)
    })
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords([{}, {}, {}]) }, KEY)
    expect(report.results[0]).toMatchObject({ status: 'PASSED', value: 3 })
  })

  it('runs every metric on an empty table with a schema', async () => {
    const c = check({ name: 'empty', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isZero()
      ctx.assertThat(mp.nullCount('price')).where({ name: 'nulls' }).isZero()
      ctx.assertThat(mp.uniqueCount('name')).where({ name: 'unique' }).isZero()
      ctx.assertThat(mp.approxDistinct('name')).where({ name: 'approx' }).isZero()
      ctx
        .assertThat(mp.duplicateCount(['name']))
        .where({ name: 'dups' })
        .isZero()
      ctx
        .assertThat(mp.countValues('name', ['a']))
        .where({ name: 'count a' })
        .isZero()
      ctx.assertThat(mp.sum('price')).where({ name: 'sum' }).isZero()
      ctx.assertThat(mp.average('price')).where({ name: 'avg' }).noop()
      ctx.assertThat(mp.minimum('price')).where({ name: 'min' }).noop()
      ctx.assertThat(mp.maximum('price')).where({ name: 'max' }).noop()
      ctx.assertThat(mp.variance('price')).where({ name: 'var' }).noop()
      ctx.assertThat(mp.stddev('price')).where({ name: 'sd' }).noop()
      ctx.assertThat(mp.maxLength('name')).where({ name: 'max len' }).noop()
      ctx.assertThat(mp.nullCount('price').div(mp.numRows())).where({ name: 'null rate' }).isLt(0.05)
    })
    const source = DataSource.fromRecords([], { schema: { price: 'number', name: 'string' } })
    const r = byName((await quietSuite([c]).run({ d: source }, KEY)).results)
    for (const name of ['rows', 'nulls', 'unique', 'approx', 'dups', 'count a']) {
      expect(r[name], name).toMatchObject({ status: 'PASSED', value: 0 })
    }
    // Aggregates over no rows are NULL: the assertion fails and says so, never silently passes.
    for (const name of ['sum', 'avg', 'min', 'max', 'var', 'sd', 'max len']) {
      expect(r[name], name).toMatchObject({ status: 'FAILED', value: null })
      expect(r[name]?.error, name).toMatch(/is NULL/)
    }
    expect(r['null rate']?.error).toBe('division by zero in nullCount(price) / numRows() (numRows() is 0)')
  })

  it('variance of a single value is NULL (sample statistic)', async () => {
    const c = check({ name: 'one', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.variance('x')).where({ name: 'var' }).noop()
      ctx.assertThat(mp.stddev('x')).where({ name: 'sd' }).noop()
    })
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords([{ x: 5 }]) }, KEY)
    expect(report.results.map((r) => r.status)).toEqual(['FAILED', 'FAILED'])
  })
})

describe('unicode strings', () => {
  it('measures emoji, accents and CJK in code points', async () => {
    const words = [
      'café', // 4 (precomposed é)
      'cafe\u0301', // 5 (e + combining acute)
      '日本語', // 3
      '🎉', // 1 (2 UTF-16 units)
      '👨‍👩‍👧', // 5 (3 people joined by 2 ZWJ)
      'Ωμέγα', // 5
    ]
    const c = check({ name: 'unicode', datasets: ['w'] }, (mp, ctx) => {
      ctx.assertThat(mp.minLength('s')).where({ name: 'min' }).isEq(1)
      ctx.assertThat(mp.maxLength('s')).where({ name: 'max' }).isEq(5)
      ctx
        .assertThat(mp.countValues('s', ['日本語', '🎉']))
        .where({ name: 'count' })
        .isEq(2)
      ctx.assertThat(mp.uniqueCount('s')).where({ name: 'unique' }).isEq(6)
    })
    const report = await quietSuite([c]).run({ w: DataSource.fromRecords(words.map((s) => ({ s }))) }, KEY)
    expect(report.results.map((r) => [r.assertion, r.status, r.value])).toEqual([
      ['min', 'PASSED', 1],
      ['max', 'PASSED', 5],
      ['count', 'PASSED', 2],
      ['unique', 'PASSED', 6],
    ])
    expect(Math.max(...words.map((w) => [...w].length))).toBe(5)
  })
})

describe('datasets', () => {
  const orders = DataSource.fromRecords([{ amount: 10 }, { amount: 20 }, { amount: 30 }])
  const users = DataSource.fromRecords([{ name: 'ann' }, { name: 'bob' }])

  it('runs checks on different datasets in one suite', async () => {
    const a = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('amount')).where({ name: 'total' }).isEq(60)
    })
    const b = check({ name: 'users', datasets: ['users'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(2)
    })
    const report = await quietSuite([a, b]).run({ orders, users }, KEY)
    expect(report.results.map((r) => [r.check, r.assertion, r.status])).toEqual([
      ['orders', 'total', 'PASSED'],
      ['users', 'rows', 'PASSED'],
    ])
    expect(report.symbols.map((s) => [s.name, s.metric, s.dataset, s.value])).toEqual([
      ['x_1', 'sum(amount)', 'orders', 60],
      ['x_2', 'numRows()', 'users', 2],
    ])
    expect(report.datasources).toEqual(['orders', 'users'])
  })

  it('lets a check with several datasets name each metric’s dataset', async () => {
    const c = check({ name: 'ratio', datasets: ['orders', 'users'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.numRows({ dataset: 'orders' }).div(mp.numRows({ dataset: 'users' })))
        .where({ name: 'orders per user' })
        .isEq(1.5)
    })
    const report = await quietSuite([c]).run({ orders, users }, KEY)
    expect(report.results[0]).toMatchObject({
      status: 'PASSED',
      value: 1.5,
      expression: 'numRows() / numRows()',
    })
    expect(report.symbols.map((s) => [s.metric, s.dataset, s.value])).toEqual([
      ['numRows()', 'orders', 3],
      ['numRows()', 'users', 2],
    ])
  })

  it('binds a check without datasets to the run’s only datasource', async () => {
    const c = check({ name: 'any' }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(3)
    })
    const report = await quietSuite([c]).run({ orders }, KEY)
    expect(report.results[0]).toMatchObject({ status: 'PASSED', value: 3 })
    expect(report.symbols[0]?.dataset).toBe('orders')
  })

  it('lets a check without datasets name datasets per metric', async () => {
    const c = check({ name: 'named' }, (mp, ctx) => {
      ctx
        .assertThat(mp.numRows({ dataset: 'users' }))
        .where({ name: 'users' })
        .isEq(2)
    })
    const report = await quietSuite([c]).run({ orders, users }, KEY)
    expect(report.results[0]).toMatchObject({ status: 'PASSED', value: 2 })
    const skipped = await quietSuite([c]).run({ orders }, KEY)
    expect(skipped.results[0]).toMatchObject({ status: 'SKIPPED', value: null })
    expect(skipped.results[0]?.error).toBe("dataset 'users' not provided to this run (available: 'orders')")
  })

  it('skips a check without datasets when the run has several datasources, or none', async () => {
    const c = check({ name: 'ambiguous' }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
    })
    const two = await quietSuite([c]).run({ orders, users }, KEY)
    expect(two.results[0]).toMatchObject({ status: 'SKIPPED', value: null })
    expect(two.results[0]?.error).toMatch(/names no dataset and the run has 2 \('orders', 'users'\)/)
    const none = await quietSuite([c]).run({}, KEY)
    expect(none.results[0]?.error).toMatch(/the run has no datasources/)
  })
})

describe('severities and tags', () => {
  it('carries severity P0–P3 (default P1), assertion tags and ResultKey tags', async () => {
    const c = check({ name: 'sev', datasets: ['d'] }, (mp, ctx) => {
      for (const s of ['P0', 'P1', 'P2', 'P3'] as Severity[]) {
        ctx
          .assertThat(mp.numRows())
          .where({ name: s, severity: s, tags: ['t', s.toLowerCase()] })
          .isPositive()
      }
      ctx.assertThat(mp.numRows()).where({ name: 'default' }).isPositive()
    })
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords([{ x: 1 }]) }, KEY)
    expect(report.results.map((r) => [r.assertion, r.severity, r.assertionTags])).toEqual([
      ['P0', 'P0', ['t', 'p0']],
      ['P1', 'P1', ['t', 'p1']],
      ['P2', 'P2', ['t', 'p2']],
      ['P3', 'P3', ['t', 'p3']],
      ['default', 'P1', []],
    ])
    for (const r of report.results) {
      expect(r.tags).toEqual({ env: 'prod', region: 'eu' })
      expect(r.date).toBe('2026-11-25')
      expect(r.suite).toBe('test')
      expect(r.check).toBe('sev')
      expect(r.expression).toBe('numRows()')
    }
    expect(report.symbols[0]?.tags).toEqual({ env: 'prod', region: 'eu' })
    expect(report.key).toBe(KEY)
  })
})

describe('summary', () => {
  const result = (status: AssertionResult['status'], severity: Severity): AssertionResult => ({
    date: '2026-11-25',
    suite: 's',
    check: 'c',
    assertion: `${status}-${severity}`,
    severity,
    status,
    value: null,
    expression: 'numRows()',
    tags: {},
    assertionTags: [],
  })

  it('is 100% with no results', () => {
    expect(summarize([])).toEqual({
      total: 0,
      passed: 0,
      failed: 0,
      skipped: 0,
      passRate: 100,
      bySeverity: { P0: 0, P1: 0, P2: 0, P3: 0 },
      failuresBySeverity: { P0: 0, P1: 0, P2: 0, P3: 0 },
    })
    expect(worstFailure([])).toBeUndefined()
  })

  it('counts by status and severity; SKIPPED counts in the total', () => {
    const s = summarize([
      result('PASSED', 'P0'),
      result('FAILED', 'P0'),
      result('FAILED', 'P2'),
      result('SKIPPED', 'P1'),
      result('SKIPPED', 'P3'),
    ])
    expect(s).toEqual({
      total: 5,
      passed: 1,
      failed: 2,
      skipped: 2,
      passRate: 20,
      bySeverity: { P0: 2, P1: 1, P2: 1, P3: 1 },
      failuresBySeverity: { P0: 1, P1: 0, P2: 1, P3: 0 },
    })
  })

  it('names the worst failed severity', () => {
    expect(worstFailure([result('FAILED', 'P2'), result('FAILED', 'P1'), result('PASSED', 'P0')])).toBe('P1')
    expect(worstFailure([result('SKIPPED', 'P0'), result('PASSED', 'P0')])).toBeUndefined()
  })

  it('summarises a run: skipped checks count in total and lower the pass rate', async () => {
    const present = check({ name: 'present', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'ok', severity: 'P0' }).isPositive()
      ctx.assertThat(mp.numRows()).where({ name: 'bad', severity: 'P2' }).isZero()
    })
    const absent = check({ name: 'absent', datasets: ['missing'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'skipped', severity: 'P3' }).isPositive()
      ctx.assertThat(mp.numRows()).where({ name: 'skipped too' }).isPositive()
    })
    const report = await quietSuite([present, absent]).run({ d: DataSource.fromRecords([{ x: 1 }]) }, KEY)
    expect(report.summary).toEqual({
      total: 4,
      passed: 1,
      failed: 1,
      skipped: 2,
      passRate: 25,
      bySeverity: { P0: 1, P1: 1, P2: 1, P3: 1 },
      failuresBySeverity: { P0: 0, P1: 0, P2: 1, P3: 0 },
    })
    const skipped = report.results.filter((r) => r.status === 'SKIPPED')
    expect(skipped.map((r) => r.error)).toEqual([
      "dataset 'missing' not provided to this run (available: 'd')",
      "dataset 'missing' not provided to this run (available: 'd')",
    ])
    expect(skipped.every((r) => r.value === null && r.expression === 'numRows()')).toBe(true)
    // A skipped check reads nothing: no symbols for it.
    expect(report.symbols.map((s) => s.dataset)).toEqual(['d'])
  })

  it('a suite whose checks declare no assertions passes at 100%', async () => {
    const empty = check({ name: 'empty', datasets: ['d'] }, () => {})
    const report = await quietSuite([empty]).run({ d: DataSource.fromRecords([{ x: 1 }]) }, KEY)
    expect(report.results).toEqual([])
    expect(report.summary.passRate).toBe(100)
  })
})
