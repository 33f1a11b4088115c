import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { TunableExpr } from '../../src/core/expression.js'
import { ResultKey } from '../../src/core/result-key.js'
import { Tunable, tunable } from '../../src/core/tunable.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { valuesOf } from '../../src/suite/suite-tunables.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'

const thrown = (fn: () => unknown): DqxError => {
  try {
    fn()
  } catch (e) {
    return e as DqxError
  }
  throw new Error('did not throw')
}

describe('tunable()', () => {
  it('checks its name, value and bounds', () => {
    const cases: [() => unknown, string][] = [
      [
        () => tunable('1x', 0, { min: 0, max: 1 }),
        "tunable(): the name must start with a letter or _ and hold only letters, digits, '_', '.' or '-', got \"1x\"",
      ],
      [
        () => tunable('x', 0, undefined as never),
        "tunable 'x' needs its bounds, e.g. tunable('x', 0.05, { min: 0, max: 0.2 })",
      ],
      [
        () => tunable('x', 0, { min: Number.NaN, max: 1 }),
        "tunable 'x': min must be a finite number, got NaN",
      ],
      [
        () => tunable('x', 0, { min: 0, max: '1' as never }),
        "tunable 'x': max must be a finite number, got 1",
      ],
      [
        () => tunable('x', Number.POSITIVE_INFINITY, { min: 0, max: 1 }),
        "tunable 'x': value must be a finite number, got Infinity",
      ],
      [() => tunable('x', 0, { min: 2, max: 1 }), "tunable 'x': min 2 is above max 1"],
      [
        () => tunable('x', 3, { min: 0, max: 1 }),
        "tunable 'x' must stay within [0, 1], got 3; pick a value in range or widen its bounds where it is declared",
      ],
    ]
    for (const [fn, message] of cases) {
      const e = thrown(fn)
      expect(e).toBeInstanceOf(DqxError)
      expect(e.code).toBe('TUNABLE')
      expect(e.message).toBe(message)
    }
    const t = tunable('max_null_rate', 0.05, { min: 0, max: 0.2 })
    expect(t).toBeInstanceOf(Tunable)
    expect(Object.isFrozen(t)).toBe(true)
    expect(String(t)).toBe('max_null_rate')
    expect(t.sameAs(tunable('max_null_rate', 0.05, { min: 0, max: 0.2 }))).toBe(true)
    expect(t.sameAs(tunable('max_null_rate', 0.05, { min: 0, max: 0.3 }))).toBe(false)
  })
})

const lo = tunable('lo', 1, { min: 0, max: 2 })
const hi = tunable('hi', 5, { min: 3, max: 10 })

/** 4 rows, amounts 1..4. */
const data = () => ({ orders: DataSource.fromRecords([1, 2, 3, 4].map((amount) => ({ amount }))) })

describe('tunables in assertions', () => {
  it('every comparison takes a tunable; bounds show the value and the name; operands read the current value', async () => {
    const bounds = check({ name: 'bounds', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'gt' }).isGt(lo)
      ctx.assertThat(mp.numRows()).where({ name: 'leq' }).isLeq(hi)
      ctx.assertThat(mp.numRows()).where({ name: 'eq' }).isEq(hi)
      ctx.assertThat(mp.numRows()).where({ name: 'neq' }).isNeq(hi)
      ctx.assertThat(mp.maximum('amount')).where({ name: 'between' }).isBetween(lo, hi)
      ctx.assertThat(mp.maximum('amount')).where({ name: 'between mixed' }).isBetween(0, hi)
      ctx.assertThat(mp.maximum('amount')).where({ name: 'not between' }).isNotBetween(lo, hi)
      ctx
        .assertThat(mp.maximum('amount').mul(hi).div(hi.value).add(lo).abs())
        .where({ name: 'operand' })
        .isGt(0)
      ctx.assertThat(mp.numRows()).isGeq(lo)
    })
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({ name: 'model', checks: [bounds], logger })
    const first = await suite.run(data(), new ResultKey('2026-11-25'))
    const row = (r: readonly AssertionResult[], name: string) => r.find((x) => x.assertion === name)
    expect(first.results.map((r) => [r.assertion, r.status, r.bound])).toEqual([
      ['gt', 'PASSED', '> 1 (lo)'],
      ['leq', 'PASSED', '<= 5 (hi)'],
      ['eq', 'FAILED', '== 5 (hi)'],
      ['neq', 'PASSED', '!= 5 (hi)'],
      ['between', 'PASSED', 'in [1 (lo), 5 (hi)]'],
      ['between mixed', 'PASSED', 'in [0, 5 (hi)]'],
      ['not between', 'FAILED', 'not in [1 (lo), 5 (hi)]'],
      ['operand', 'PASSED', '> 0'],
      // A default name shows the declared values.
      ['numRows() >= 1 (lo)', 'PASSED', '>= 1 (lo)'],
    ])
    expect(row(first.results, 'operand')).toMatchObject({
      value: 5,
      expression: 'abs(maximum(amount) * hi / 5 + lo)',
    })
    expect(suite.tunableNames).toEqual(['lo', 'hi'])
    await suite.setTunable('hi', 4, { who: 't', why: 'tighter' })
    await suite.setTunable('lo', 0, { who: 't', why: 'looser' })
    const again = await suite.reevaluate(first)
    expect(again.results.map((r) => [r.assertion, r.status, r.bound])).toEqual([
      ['gt', 'PASSED', '> 0 (lo)'],
      ['leq', 'PASSED', '<= 4 (hi)'],
      ['eq', 'PASSED', '== 4 (hi)'],
      ['neq', 'FAILED', '!= 4 (hi)'],
      ['between', 'PASSED', 'in [0 (lo), 4 (hi)]'],
      ['between mixed', 'PASSED', 'in [0, 4 (hi)]'],
      ['not between', 'FAILED', 'not in [0 (lo), 4 (hi)]'],
      ['operand', 'PASSED', '> 0'],
      ['numRows() >= 1 (lo)', 'PASSED', '>= 0 (lo)'],
    ])
    expect(row(again.results, 'operand')?.value).toBe((4 * 4) / 5)
  })

  it('isBetween with tunables whose ranges overlap, and conflicting declarations, are definition errors', () => {
    const wide = tunable('wide', 5, { min: 0, max: 10 })
    const e = thrown(
      () =>
        new VerificationSuite({
          name: 's',
          checks: [
            check({ name: 'c' }, (mp, ctx) =>
              ctx.assertThat(mp.numRows()).where({ name: 'a' }).isBetween(wide, hi),
            ),
          ],
        }),
    )
    expect(e.code).toBe('CHECK_DEFINITION')
    expect(e.message).toBe(
      "isBetween(wide (up to 10 / down to 0), hi (up to 10 / down to 3)): the lower bound can exceed the upper bound; keep the lower tunable's max at or below the upper one's min",
    )
    expect(
      thrown(
        () =>
          new VerificationSuite({
            name: 's',
            checks: [
              check({ name: 'c' }, (mp, ctx) =>
                ctx.assertThat(mp.numRows()).where({ name: 'a' }).isNotBetween(5, 3),
              ),
            ],
          }),
      ).message,
    ).toBe('isNotBetween(5, 3): the lower bound is above the upper bound')
    expect(
      thrown(
        () =>
          new VerificationSuite({
            name: 's',
            checks: [
              check({ name: 'c' }, (mp, ctx) =>
                ctx
                  .assertThat(mp.numRows())
                  .where({ name: 'a' })
                  .isLt('x' as never),
              ),
            ],
          }),
      ).message,
    ).toBe('isLt() needs a number, got x')
    expect(
      thrown(
        () =>
          new VerificationSuite({
            name: 's',
            checks: [
              check({ name: 'c' }, (mp, ctx) =>
                ctx.assertThat(mp.numRows()).where({ name: 'a' }).isBetween(wide, 3),
              ),
            ],
          }),
      ).message,
    ).toBe(
      "isBetween(wide (up to 10 / down to 0), 3): the lower bound can exceed the upper bound; keep the lower tunable's max at or below the upper one's min",
    )
    const other = tunable('hi', 6, { min: 3, max: 10 })
    const dup = thrown(
      () =>
        new VerificationSuite({
          name: 's',
          checks: [
            check({ name: 'c' }, (mp, ctx) => {
              ctx.assertThat(mp.numRows()).where({ name: 'a' }).isLt(hi)
              ctx.assertThat(mp.numRows().mul(other)).where({ name: 'b' }).isGt(0)
            }),
          ],
        }),
    )
    expect(dup.code).toBe('TUNABLE')
    expect(dup.message).toBe(
      "suite 's' declares tunable 'hi' twice with different settings: value 5 in [3, 10] (check 'c', assertion 'a') and value 6 in [3, 10] (check 'c', assertion 'b'); declare it once and share it",
    )
  })

  it('a structural MetricDB without the audit trail runs with the defaults and refuses changes', async () => {
    const memory = MetricDB.memory()
    const structural = Object.fromEntries(
      ['putMetrics', 'getMetric', 'getHistory', 'putResults', 'getResults', 'close'].map((m) => [
        m,
        (memory as unknown as Record<string, (...a: unknown[]) => unknown>)[m]?.bind(memory),
      ]),
    ) as unknown as MetricDB
    Object.assign(structural, { description: 'structural' })
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({
      name: 'plain',
      checks: [
        check({ name: 'c', datasets: ['orders'] }, (mp, ctx) =>
          ctx.assertThat(mp.numRows()).where({ name: 'a' }).isGeq(hi),
        ),
      ],
      db: structural,
      logger,
    })
    const report = await suite.run(data(), new ResultKey('2026-11-25'))
    expect(report.results[0]).toMatchObject({ status: 'FAILED', bound: '>= 5 (hi)' })
    expect(await suite.tunableChanges()).toEqual([])
    expect(await suite.tunables()).toEqual([{ name: 'hi', value: 5, default: 5, min: 3, max: 10 }])
    await expect(suite.setTunable('hi', 4, { who: 'a', why: 'b' })).rejects.toThrow(
      'setTunable(): the MetricDB structural keeps no tunable audit trail (no putTunableChange/getTunableChanges); use MetricDB.memory(), .duckdb() or .postgres()',
    )
    await expect(suite.reevaluate(report)).rejects.toThrow(
      /reevaluate\(\): the MetricDB structural does not store runs/,
    )
  })
})

describe('tunable values', () => {
  it('a change of a tunable the suite no longer declares is ignored; a value the map lacks is the default', async () => {
    const db = MetricDB.memory()
    const { logger } = captureLogger('warn')
    const checkWith = (t: Tunable) =>
      check({ name: 'c', datasets: ['orders'] }, (mp, ctx) =>
        ctx.assertThat(mp.numRows()).where({ name: 'a' }).isGeq(t),
      )
    const old = new VerificationSuite({ name: 'evolving', checks: [checkWith(lo)], db, logger })
    await old.setTunable('lo', 2, { who: 'a', why: 'b' })
    const renamed = new VerificationSuite({ name: 'evolving', checks: [checkWith(hi)], db, logger })
    expect(await renamed.tunables()).toEqual([{ name: 'hi', value: 5, default: 5, min: 3, max: 10 }])
    const none = new VerificationSuite({
      name: 'evolving',
      checks: [check({ name: 'c' }, () => {})],
      db,
      logger,
    })
    await expect(none.setTunable('lo', 1, { who: 'a', why: 'b' })).rejects.toThrow(
      "suite 'evolving' has no tunable 'lo' (tunables: none; declare one with tunable(name, value, { min, max }))",
    )
    expect(valuesOf(new Map())(hi)).toBe(5)
    // Outside a suite (no current values given), an operand reads its declared default.
    expect(new TunableExpr(hi).evaluate(() => ({ ok: false, error: 'unused' }))).toEqual({
      ok: true,
      value: 5,
    })
    expect(valuesOf(new Map([['hi', 7]]))(hi)).toBe(7)
  })
})
