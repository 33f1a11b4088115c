// Assertion boundaries (tolerance 1e-9), expressions and their text, and values that cannot be
// judged (division by zero, NaN, NULL, infinities): those fail only their own assertion.
import { describe, expect, it } from 'vitest'
import { AssertionBuilder, type AssertionSpec, TOLERANCE } from '../../src/core/assertion.js'
import { type CheckContext, check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ConstExpr, type Expr } from '../../src/core/expression.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { quietSuite } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25')
const mp = new MetricProvider()

/** Records one assertion built by `build` and returns its spec. */
function spec(build: (b: AssertionBuilder) => void, expr: Expr = new ConstExpr(0)): AssertionSpec {
  let out: AssertionSpec | undefined
  build(
    new AssertionBuilder(expr, (s) => {
      out = s
    }),
  )
  if (!out) throw new Error('no assertion recorded')
  return out
}
const judge = (build: (b: AssertionBuilder) => void, v: number): boolean => spec(build).validator.test(v)

function definitionError(fn: () => unknown): DqxError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).name).toBe('DqxError')
    return err as DqxError
  }
  throw new Error('expected a DqxError')
}

/** Runs one check over records and returns its results by assertion name. */
async function results(
  records: Record<string, unknown>[],
  fn: (m: MetricProvider, ctx: CheckContext) => void,
): Promise<Record<string, AssertionResult>> {
  const c = check({ name: 'c', datasets: ['d'] }, fn)
  const report = await quietSuite([c]).run({ d: DataSource.fromRecords(records) }, KEY)
  return Object.fromEntries(report.results.map((r) => [r.assertion, r]))
}

describe('comparison boundaries (tolerance 1e-9)', () => {
  const sum = 0.1 + 0.2 // 0.30000000000000004
  const off = 0.3 + 1e-6

  it('uses an absolute tolerance of 1e-9', () => {
    expect(TOLERANCE).toBe(1e-9)
  })

  it('isEq: 0.1 + 0.2 equals 0.3, a value 1e-6 off does not', () => {
    expect(judge((b) => b.isEq(0.3), sum)).toBe(true)
    expect(judge((b) => b.isEq(0.3), 0.3 + 0.9e-9)).toBe(true)
    expect(judge((b) => b.isEq(0.3), off)).toBe(false)
    expect(judge((b) => b.isEq(0.3), 0.3 - 1e-6)).toBe(false)
  })

  it('isNeq is the complement of isEq', () => {
    for (const v of [sum, off, 0.3 - 1e-6, 0.3]) {
      expect(judge((b) => b.isNeq(0.3), v)).toBe(!judge((b) => b.isEq(0.3), v))
    }
  })

  it('isGeq and isLeq accept values within tolerance of the bound', () => {
    expect(judge((b) => b.isGeq(0.3), 0.3 - 0.5e-9)).toBe(true)
    expect(judge((b) => b.isGeq(0.3), 0.3)).toBe(true)
    expect(judge((b) => b.isGeq(0.3), 0.3 - 1e-6)).toBe(false)
    expect(judge((b) => b.isLeq(0.3), sum)).toBe(true)
    expect(judge((b) => b.isLeq(0.3), 0.3)).toBe(true)
    expect(judge((b) => b.isLeq(0.3), off)).toBe(false)
  })

  it('isGt and isLt need more than the tolerance', () => {
    expect(judge((b) => b.isGt(0.3), sum)).toBe(false)
    expect(judge((b) => b.isGt(0.3), 0.3)).toBe(false)
    expect(judge((b) => b.isGt(0.3), off)).toBe(true)
    expect(judge((b) => b.isLt(0.3), sum)).toBe(false)
    expect(judge((b) => b.isLt(0.3), 0.3 - 1e-6)).toBe(true)
    expect(judge((b) => b.isLt(0.3), 0.3)).toBe(false)
  })

  it('isBetween is inclusive at both ends', () => {
    const between = (v: number) => judge((b) => b.isBetween(1, 2), v)
    expect(between(1)).toBe(true)
    expect(between(2)).toBe(true)
    expect(between(1.5)).toBe(true)
    expect(between(1 - 0.5e-9)).toBe(true)
    expect(between(2 + 0.5e-9)).toBe(true)
    expect(between(1 - 1e-6)).toBe(false)
    expect(between(2 + 1e-6)).toBe(false)
    expect(judge((b) => b.isBetween(3, 3), 3)).toBe(true)
  })

  it('isNotBetween is the complement of isBetween', () => {
    for (const v of [0, 1, 1 - 1e-6, 1.5, 2, 2 + 1e-6, 3]) {
      expect(judge((b) => b.isNotBetween(1, 2), v)).toBe(!judge((b) => b.isBetween(1, 2), v))
    }
  })

  it('isPositive, isNegative and isZero treat ±tolerance as zero', () => {
    const cases: [number, boolean, boolean, boolean][] = [
      // value, positive, negative, zero
      [0, false, false, true],
      [-0, false, false, true],
      [TOLERANCE, false, false, true],
      [-TOLERANCE, false, false, true],
      [1e-6, true, false, false],
      [-1e-6, false, true, false],
      [5, true, false, false],
      [-5, false, true, false],
    ]
    for (const [v, pos, neg, zero] of cases) {
      expect(
        judge((b) => b.isPositive(), v),
        `isPositive(${v})`,
      ).toBe(pos)
      expect(
        judge((b) => b.isNegative(), v),
        `isNegative(${v})`,
      ).toBe(neg)
      expect(
        judge((b) => b.isZero(), v),
        `isZero(${v})`,
      ).toBe(zero)
    }
  })

  it('compares against infinite values and bounds', () => {
    expect(judge((b) => b.isGt(1e308), Number.POSITIVE_INFINITY)).toBe(true)
    expect(judge((b) => b.isLt(-1e308), Number.NEGATIVE_INFINITY)).toBe(true)
    expect(judge((b) => b.isLt(Number.POSITIVE_INFINITY), 1e308)).toBe(true)
    expect(judge((b) => b.isBetween(0, 10), Number.POSITIVE_INFINITY)).toBe(false)
  })

  it('describes each bound', () => {
    const bounds = [
      spec((b) => b.isGeq(1)),
      spec((b) => b.isGt(1)),
      spec((b) => b.isLeq(1)),
      spec((b) => b.isLt(0.05)),
      spec((b) => b.isEq(1)),
      spec((b) => b.isNeq(1)),
      spec((b) => b.isBetween(1, 2)),
      spec((b) => b.isNotBetween(1, 2)),
      spec((b) => b.isPositive()),
      spec((b) => b.isNegative()),
      spec((b) => b.isZero()),
      spec((b) => b.noop()),
    ].map((s) => s.validator.bound)
    expect(bounds).toEqual([
      '>= 1',
      '> 1',
      '<= 1',
      '< 0.05',
      '== 1',
      '!= 1',
      'in [1, 2]',
      'not in [1, 2]',
      '> 0',
      '< 0',
      '== 0',
      '(recorded)',
    ])
  })

  it('names an unnamed assertion after its expression and bound, default severity P1, no tags', () => {
    const s = spec((b) => b.isLt(0.05), mp.nullCount('email').div(mp.numRows()))
    expect(s).toMatchObject({ name: 'nullCount(email) / numRows() < 0.05', severity: 'P1', tags: [] })
  })
})

describe('assertion definitions', () => {
  it('rejects NaN and non-number bounds', () => {
    expect(definitionError(() => spec((b) => b.isGt(Number.NaN))).message).toMatch(
      /isGt\(\) needs a number, got NaN/,
    )
    expect(definitionError(() => spec((b) => b.isEq(null as unknown as number))).message).toMatch(/got null/)
    expect(definitionError(() => spec((b) => b.isBetween(0, '1' as unknown as number))).code).toBe(
      'CHECK_DEFINITION',
    )
  })

  it('rejects a lower bound above the upper bound', () => {
    expect(definitionError(() => spec((b) => b.isBetween(2, 1))).message).toMatch(
      /isBetween\(2, 1\): the lower bound is above the upper bound/,
    )
    expect(definitionError(() => spec((b) => b.isNotBetween(2, 1))).message).toMatch(/isNotBetween\(2, 1\)/)
  })

  it('validates where()', () => {
    const b = () => new AssertionBuilder(mp.numRows(), () => {})
    expect(definitionError(() => b().where(null as never)).message).toMatch(/where\(\) takes an object/)
    expect(definitionError(() => b().where({ name: '  ' })).message).toMatch(
      /where\(\) needs a non-empty name for the assertion on numRows\(\)/,
    )
    expect(definitionError(() => b().where({ name: 'x', severity: 'P4' as never })).message).toMatch(
      /assertion 'x': severity must be one of P0, P1, P2, P3, got "P4"/,
    )
    expect(definitionError(() => b().where({ name: 'x', tags: 'pii' as never })).message).toMatch(
      /tags must be an array of strings/,
    )
    expect(definitionError(() => b().where({ name: 'x', tags: ['ok', 1 as never] })).code).toBe(
      'CHECK_DEFINITION',
    )
  })

  it('rejects operands that are neither expressions nor numbers', () => {
    expect(definitionError(() => mp.numRows().add('1' as never)).message).toMatch(
      /\.add\(\) takes a metric expression, a number or a tunable, got string/,
    )
    expect(definitionError(() => mp.numRows().div(null as never)).message).toMatch(/\.div\(\).*got null/)
  })
})

describe('expressions', () => {
  it('renders the expression text with the parentheses it needs', () => {
    const a = mp.sum('a')
    const b = mp.sum('b')
    const c = mp.sum('c')
    expect(mp.nullCount('email').div(mp.numRows()).toString()).toBe('nullCount(email) / numRows()')
    expect(a.add(b).mul(c).toString()).toBe('(sum(a) + sum(b)) * sum(c)')
    expect(a.mul(b).add(c).toString()).toBe('sum(a) * sum(b) + sum(c)')
    expect(a.sub(b.sub(c)).toString()).toBe('sum(a) - (sum(b) - sum(c))')
    expect(a.sub(b).sub(c).toString()).toBe('sum(a) - sum(b) - sum(c)')
    expect(a.div(b.mul(c)).toString()).toBe('sum(a) / (sum(b) * sum(c))')
    expect(a.add(b.add(c)).toString()).toBe('sum(a) + sum(b) + sum(c)')
    expect(a.sub(b).abs().div(b).toString()).toBe('abs(sum(a) - sum(b)) / sum(b)')
    expect(a.mul(2).add(0.5).toString()).toBe('sum(a) * 2 + 0.5')
    expect(mp.sum('revenue').dayOverDay().toString()).toBe('dayOverDay(sum(revenue))')
    expect(mp.sum('revenue', { lag: 7 }).toString()).toBe('lag(7, sum(revenue))')
    expect(mp.sum('revenue').weekOverWeek().sub(1).abs().toString()).toBe(
      'abs(weekOverWeek(sum(revenue)) - 1)',
    )
  })

  it('evaluates add, sub, mul, div and abs with metrics and numbers', async () => {
    // x = 1, 2, 3, 4 -> sum 10, numRows 4, minimum 1, maximum 4
    const r = await results([{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }], (m, ctx) => {
      ctx.assertThat(m.sum('x').add(m.numRows())).where({ name: 'add' }).isEq(14)
      ctx.assertThat(m.sum('x').add(5)).where({ name: 'add number' }).isEq(15)
      ctx
        .assertThat(m.minimum('x').sub(m.maximum('x')))
        .where({ name: 'sub' })
        .isEq(-3)
      ctx
        .assertThat(m.maximum('x').mul(m.maximum('x')))
        .where({ name: 'mul' })
        .isEq(16)
      ctx.assertThat(m.sum('x').div(m.numRows())).where({ name: 'div' }).isEq(2.5)
      ctx
        .assertThat(m.sum('x').div(4).sub(m.average('x')))
        .where({ name: 'div number' })
        .isZero()
      ctx
        .assertThat(m.minimum('x').sub(m.maximum('x')).abs())
        .where({ name: 'abs' })
        .isEq(3)
      ctx.assertThat(m.sum('x').mul(-1).abs().sub(10)).where({ name: 'chain' }).isZero()
    })
    for (const [name, res] of Object.entries(r)) expect(res.status, name).toBe('PASSED')
    expect(r.div?.value).toBe(2.5)
    expect(r.sub?.value).toBe(-3)
    expect(r.sub?.expression).toBe('minimum(x) - maximum(x)')
  })

  it('noop records the value and passes', async () => {
    const r = await results([{ x: -7 }], (m, ctx) => {
      ctx.assertThat(m.sum('x')).where({ name: 'recorded' }).noop()
    })
    expect(r.recorded).toMatchObject({ status: 'PASSED', value: -7, bound: '(recorded)' })
  })

  it('fails a division by zero with an error, and the rest of the suite runs', async () => {
    const r = await results([{ x: 1, y: 2 }], (m, ctx) => {
      ctx
        .assertThat(m.sum('x').div(m.nullCount('x')))
        .where({ name: 'ratio' })
        .isLt(1)
      ctx.assertThat(m.sum('x').div(0)).where({ name: 'by constant' }).noop()
      ctx.assertThat(m.sum('y')).where({ name: 'other' }).isEq(2)
    })
    expect(r.ratio).toMatchObject({ status: 'FAILED', value: null })
    expect(r.ratio?.error).toBe('division by zero in sum(x) / nullCount(x) (nullCount(x) is 0)')
    expect(r['by constant']).toMatchObject({ status: 'FAILED', value: null })
    expect(r['by constant']?.error).toMatch(/division by zero/)
    expect(r.other).toMatchObject({ status: 'PASSED', value: 2 })
    expect(r.other?.error).toBeUndefined()
  })

  it('fails assertions on NaN data with an error', async () => {
    const r = await results([{ x: 1 }, { x: Number.NaN }], (m, ctx) => {
      ctx.assertThat(m.average('x')).where({ name: 'avg' }).isGt(0)
      ctx.assertThat(m.average('x').mul(0)).where({ name: 'times zero' }).isZero()
      ctx.assertThat(m.numRows()).where({ name: 'rows' }).isEq(2)
    })
    expect(r.avg).toMatchObject({ status: 'FAILED', value: null })
    expect(r.avg?.error).toBe("average(x) on 'd' is NaN (the data contains NaN)")
    expect(r['times zero']?.status).toBe('FAILED')
    expect(r.rows?.status).toBe('PASSED')
  })

  it('fails assertions on a NULL metric (average of an all-null column)', async () => {
    const c = check({ name: 'c', datasets: ['d'] }, (m, ctx) => {
      ctx.assertThat(m.average('x')).where({ name: 'avg' }).noop()
      ctx.assertThat(m.nullCount('x')).where({ name: 'nulls' }).isEq(2)
    })
    const source = DataSource.fromRecords([{ x: null }, { x: null }], { schema: { x: 'number' } })
    const report = await quietSuite([c]).run({ d: source }, KEY)
    expect(report.results[0]).toMatchObject({ status: 'FAILED', value: null })
    expect(report.results[0]?.error).toBe(
      "average(x) on 'd' is NULL (no rows, or too few non-null values for it)",
    )
    expect(report.results[1]).toMatchObject({ status: 'PASSED', value: 2 })
    expect(report.symbols.find((s) => s.metric === 'average(x)')?.value).toBeNull()
  })

  it('judges infinite values, and fails what becomes NaN', async () => {
    const r = await results(
      [
        { x: Number.POSITIVE_INFINITY, y: Number.NEGATIVE_INFINITY },
        { x: 1, y: Number.POSITIVE_INFINITY },
      ],
      (m, ctx) => {
        ctx.assertThat(m.sum('x')).where({ name: 'inf' }).isGt(1e300)
        ctx.assertThat(m.sum('x')).where({ name: 'inf bounded' }).isBetween(0, 1e300)
        ctx.assertThat(m.minimum('y')).where({ name: '-inf' }).isNegative()
        ctx.assertThat(m.sum('y')).where({ name: 'inf - inf' }).noop()
        ctx
          .assertThat(m.maximum('x').sub(m.maximum('x')))
          .where({ name: 'expr nan' })
          .isZero()
        ctx
          .assertThat(m.numRows().div(m.sum('x')))
          .where({ name: 'over inf' })
          .isZero()
      },
    )
    expect(r.inf).toMatchObject({ status: 'PASSED', value: Number.POSITIVE_INFINITY })
    expect(r['inf bounded']).toMatchObject({ status: 'FAILED', value: Number.POSITIVE_INFINITY })
    expect(r['-inf']).toMatchObject({ status: 'PASSED', value: Number.NEGATIVE_INFINITY })
    expect(r['inf - inf']).toMatchObject({ status: 'FAILED', value: null })
    expect(r['inf - inf']?.error).toMatch(/NaN/)
    expect(r['expr nan']).toMatchObject({ status: 'FAILED', value: null })
    expect(r['expr nan']?.error).toBe('maximum(x) - maximum(x) is NaN')
    expect(r['over inf']).toMatchObject({ status: 'PASSED', value: 0 })
  })

  it('fails an expression with a NaN constant', async () => {
    const r = await results([{ x: 1 }], (m, ctx) => {
      ctx.assertThat(m.sum('x').add(Number.NaN)).where({ name: 'nan const' }).noop()
    })
    expect(r['nan const']).toMatchObject({ status: 'FAILED', value: null, error: 'constant is NaN' })
  })
})
