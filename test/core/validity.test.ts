// The validity model without an engine: metric names and definition errors, .rate(), schema
// rules and their verdicts, logical type mapping, and where({ tolerance }).
import { describe, expect, it } from 'vitest'
import { check, collectAssertions } from '../../src/core/check.js'
import { type EvalResult, Metric, type MetricRef, RateExpr } from '../../src/core/expression.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { metricName } from '../../src/core/metric-spec.js'
import { judgeSchema, logicalType, SchemaExpr, typeSatisfies } from '../../src/core/schema.js'

const mp = new MetricProvider()
const def = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: 'CHECK_DEFINITION' }))

describe('validity metric names (their identity in the MetricDB)', () => {
  it.each([
    [mp.matchCount('email', '^a'), 'matchCount(email, "^a")'],
    [mp.matchCount('e mail', /x/i), 'matchCount("e mail", "(?i)x")'],
    [mp.validCount('s', { in: ['a', 1, true] }), 'validCount(s, in ["a", 1, true])'],
    [mp.validCount('n', { between: [0, 1.5] }), 'validCount(n, between [0, 1.5])'],
    [mp.validCount('e', { format: 'email' }), 'validCount(e, format email)'],
    [mp.quantile('p', 0.25), 'quantile(p, 0.25)'],
    [mp.approxQuantile('p', 0.9), 'approxQuantile(p, 0.9)'],
    [mp.median('p'), 'median(p)'],
    [mp.freshnessHours('at'), 'freshnessHours(at)'],
    [mp.freshnessHours('at', { relativeTo: 'now' }), 'freshnessHours(at, now)'],
    [mp.freshnessHours('at', { relativeTo: 'keyEnd' }), 'freshnessHours(at)'],
    [mp.orphanCount('cid', { dataset: 'customers', column: 'id' }), 'orphanCount(cid, customers.id)'],
    [
      mp.orphanCount('c id', { dataset: 'my customers', column: 'i"d' }),
      'orphanCount("c id", "my customers"."i\\"d")',
    ],
  ])('%s', (metric, name) => {
    expect(metricName(metric.spec)).toBe(name)
  })

  it('.rate() reads the count and numRows of the same dataset and day', () => {
    const rate = mp.nullCount('x', { lag: 2 }).rate()
    expect(rate.toString()).toBe('rate(lag(2, nullCount(x)))')
    expect(rate.refs().map((r) => [metricName(r.spec), r.lag])).toEqual([
      ['nullCount(x)', 2],
      ['numRows()', 2],
    ])
    const bound = rate.withDataset('orders')
    expect(bound.refs().map((r) => r.dataset)).toEqual(['orders', 'orders'])
    expect(bound.withDataset('other')).toBe(bound)
  })
})

describe('definition errors name the metric and the fix', () => {
  it('matchCount', () => {
    def(() => mp.matchCount('c', ''))
    def(() => mp.matchCount('c', /(?:)/))
    def(() => mp.matchCount('c', '('))
    def(() => mp.matchCount('c', /x/g))
    def(() => mp.matchCount('c', 'a\u0000b'))
    def(() => mp.matchCount('c', 5 as unknown as string))
    def(() => mp.matchCount('c', null as unknown as string))
    def(() => mp.matchCount('', 'x'))
    expect(() => mp.matchCount('c', /x/gy)).toThrow("flags 'gy' cannot be passed to SQL engines")
  })
  it('validCount', () => {
    for (const bad of [
      {},
      { in: ['a'], between: [1, 2] },
      { other: 1 },
      null,
      { in: 'a' },
      { in: [null] },
      { between: [2, 1] },
      { between: [1] },
      { between: [0, Number.NaN] },
      { format: 'phone' },
    ]) {
      def(() => mp.validCount('c', bad as never))
    }
    expect(() => mp.validCount('c', { format: 'phone' as never })).toThrow(
      'unknown format "phone"; use one of email, uuid, date, iso-timestamp, url',
    )
    expect(mp.validCount('c', { in: ['a'], between: undefined } as never).spec).toMatchObject({
      rule: { kind: 'in' },
    })
  })
  it('quantiles, freshness, orphans', () => {
    def(() => mp.quantile('c', 1.5))
    def(() => mp.quantile('c', -0.1))
    def(() => mp.approxQuantile('c', Number.NaN))
    def(() => mp.quantile('c', '0.5' as unknown as number))
    def(() => mp.freshnessHours('c', { relativeTo: 'yesterday' as never }))
    def(() => mp.orphanCount('c', undefined as never))
    def(() => mp.orphanCount('c', { dataset: '', column: 'id' }))
    def(() => mp.orphanCount('c', { dataset: 'd', column: '' }))
  })
  it('.rate() only on counts', () => {
    expect(() => mp.sum('x').rate()).toThrow('.rate() divides a count by numRows(); sum(x) is not a count')
    def(() => mp.numRows().rate())
    for (const m of [
      mp.nullCount('x'),
      mp.uniqueCount('x'),
      mp.approxDistinct('x'),
      mp.duplicateCount(['x']),
      mp.countValues('x', 'a'),
      mp.matchCount('x', 'a'),
      mp.validCount('x', { in: [] }),
      mp.orphanCount('x', { dataset: 'd', column: 'id' }),
    ]) {
      expect(m.rate()).toBeInstanceOf(RateExpr)
    }
  })
  it('where({ tolerance }) must be a finite number >= 0', () => {
    for (const tolerance of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      const c = check({ name: 'c', datasets: ['d'] }, (m, ctx) => {
        ctx
          .assertThat(m.numRows())
          .where({ name: 'n', tolerance: tolerance as number })
          .isEq(1)
      })
      expect(() => collectAssertions(c)).toThrow('tolerance must be a finite number >= 0')
    }
  })
})

describe('RateExpr evaluation', () => {
  const metric = new Metric({ kind: 'nullCount', column: 'x' }, 'orders', 0)
  const rate = new RateExpr(metric)
  const lookup =
    (count: EvalResult, rows: EvalResult) =>
    (ref: MetricRef): EvalResult =>
      ref.spec.kind === 'numRows' ? rows : count
  it('count / rows', () => {
    expect(rate.evaluate(lookup({ ok: true, value: 3 }, { ok: true, value: 12 }))).toEqual({
      ok: true,
      value: 0.25,
    })
  })
  it('no rows is an error, not 0/0 and not a pass', () => {
    expect(rate.evaluate(lookup({ ok: true, value: 0 }, { ok: true, value: 0 }))).toEqual({
      ok: false,
      error: "rate(nullCount(x)): dataset 'orders' has no rows, so there is no rate to judge",
    })
    const lagged = new RateExpr(new Metric(metric.spec, 'orders', 1))
    expect(lagged.evaluate(lookup({ ok: true, value: 0 }, { ok: true, value: 0 }))).toMatchObject({
      error: expect.stringContaining('has no rows 1 day(s) back'),
    })
  })
  it('a missing count or row count passes its error on', () => {
    expect(rate.evaluate(lookup({ ok: false, error: 'no count' }, { ok: true, value: 2 }))).toEqual({
      ok: false,
      error: 'no count',
    })
    expect(rate.evaluate(lookup({ ok: true, value: 1 }, { ok: false, error: 'no rows' }))).toEqual({
      ok: false,
      error: 'no rows',
    })
  })
})

describe('logical types per engine', () => {
  it.each([
    ['BIGINT', 'integer'],
    ['integer', 'integer'],
    ['INT8', 'integer'],
    ['UHUGEINT', 'integer'],
    ['DOUBLE', 'number'],
    ['double precision', 'number'],
    ['numeric(10,2)', 'number'],
    ['DECIMAL(18, 3)', 'number'],
    ['VARCHAR', 'string'],
    ['text', 'string'],
    ['character varying(20)', 'string'],
    ['BOOLEAN', 'boolean'],
    ['bool', 'boolean'],
    ['DATE', 'date'],
    ['TIMESTAMP', 'timestamp'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamp'],
    ['timestamp without time zone', 'timestamp'],
    ['timestamp(3) with time zone', 'timestamp'],
    ['TIMESTAMP_NS', 'timestamp'],
    ['INTEGER[]', undefined],
    ['STRUCT(a INTEGER)', undefined],
    ['BLOB', undefined],
  ])('%s is %s', (engine, logical) => {
    expect(logicalType(engine)).toBe(logical)
  })
  it('number accepts integers; engine type names compare case-insensitively', () => {
    expect(typeSatisfies('number', 'BIGINT')).toBe(true)
    expect(typeSatisfies('integer', 'DOUBLE')).toBe(false)
    expect(typeSatisfies('decimal(10,2)', 'DECIMAL(10,2)')).toBe(true)
    expect(typeSatisfies('VARCHAR', 'text')).toBe(false)
  })
})

describe('schema rules', () => {
  const cols = [
    { name: 'id', type: 'BIGINT' },
    { name: 'email', type: 'VARCHAR' },
  ]
  it('expect: passes, lists missing, mistyped and unexpected columns', () => {
    const rule = {
      kind: 'expect',
      dataset: 'd',
      columns: { id: 'integer', email: 'string' },
      allowExtra: false,
    } as const
    expect(judgeSchema(rule, cols, undefined)).toEqual({ status: 'PASSED', value: 0 })
    expect(judgeSchema({ ...rule, columns: { id: 'string', x: 'date' } }, cols, undefined)).toEqual({
      status: 'FAILED',
      value: 3,
      error:
        "schema of 'd': column 'id' is BIGINT, expected string; missing column 'x' (expected date); unexpected column 'email' (VARCHAR)",
    })
  })
  it('unchanged: SKIPPED without history; removed, retyped, added, reordered', () => {
    const rule = { kind: 'unchanged', dataset: 'd' } as const
    expect(judgeSchema(rule, cols, undefined).status).toBe('SKIPPED')
    expect(judgeSchema(rule, cols, cols)).toEqual({ status: 'PASSED', value: 0 })
    expect(
      judgeSchema(
        rule,
        [
          { name: 'id', type: 'VARCHAR' },
          { name: 'n', type: 'DOUBLE' },
        ],
        cols,
      ).error,
    ).toBe(
      "schema of 'd': column 'id' changed type from BIGINT to VARCHAR; column 'email' (VARCHAR) was removed; column 'n' (DOUBLE) was added",
    )
    expect(judgeSchema(rule, [...cols].reverse(), cols).error).toBe(
      "schema of 'd': the columns were reordered",
    )
  })
  it('SchemaExpr reads no metric and is never computed', () => {
    const e = new SchemaExpr({ kind: 'unchanged', dataset: 'd' })
    expect(e.refs()).toEqual([])
    expect(e.withDataset()).toBe(e)
    expect(e.toString()).toBe('schemaUnchanged(d)')
    expect(e.evaluate()).toMatchObject({ ok: false })
  })
  it('expectSchema definition errors', () => {
    const bad: [unknown, unknown][] = [
      ['', { columns: { a: 'integer' } }],
      ['d', null],
      ['d', { columns: null }],
      ['d', { columns: {} }],
      ['d', { columns: { a: '' } }],
      ['d', { columns: { a: 1 } }],
      ['d', { columns: { a: 'integer' }, allowExtra: 'yes' }],
    ]
    for (const [dataset, expectation] of bad) {
      const c = check({ name: 'c' }, (_m, ctx) => {
        ctx.expectSchema(dataset as string, expectation as never)
      })
      expect(() => collectAssertions(c)).toThrow(expect.objectContaining({ code: 'CHECK_DEFINITION' }))
    }
    const unchanged = check({ name: 'c' }, (_m, ctx) => {
      ctx.expectSchemaUnchanged('')
    })
    expect(() => collectAssertions(unchanged)).toThrow('expectSchemaUnchanged() needs a dataset name')
    const elsewhere = check({ name: 'c', datasets: ['a'] }, (_m, ctx) => {
      ctx.expectSchemaUnchanged('b')
    })
    expect(() => collectAssertions(elsewhere)).toThrow(
      "schemaUnchanged(b) names dataset 'b', which is not among the check's datasets (a)",
    )
  })
  it('where() renames a schema assertion; names stay unique', () => {
    const c = check({ name: 'c', datasets: ['d'] }, (m, ctx) => {
      ctx
        .expectSchema('d', { columns: { a: 'integer' } })
        .where({ name: 'typed', severity: 'P0', tags: ['s'] })
      ctx.expectSchema('d', { columns: { b: 'string' } })
      ctx.expectSchemaUnchanged('d').where({ name: 'schema of d unchanged' })
      ctx.assertThat(m.numRows()).where({ name: 'rows' }).isPositive()
    })
    const { assertions } = collectAssertions(c)
    expect(assertions.map((a) => [a.name, a.severity, a.tags, a.expr.toString()])).toEqual([
      ['typed', 'P0', ['s'], 'schema(d)'],
      ['schema of d', 'P1', [], 'schema(d)'],
      ['schema of d unchanged', 'P1', [], 'schemaUnchanged(d)'],
      ['rows', 'P1', [], 'numRows()'],
    ])
    const clash = check({ name: 'c', datasets: ['d'] }, (m, ctx) => {
      ctx.assertThat(m.numRows()).where({ name: 'schema of d' }).isPositive()
      ctx.expectSchema('d', { columns: { a: 'integer' } })
    })
    expect(() => collectAssertions(clash)).toThrow("duplicate assertion name 'schema of d'")
    const badWhere = check({ name: 'c', datasets: ['d'] }, (_m, ctx) => {
      ctx.expectSchema('d', { columns: { a: 'integer' } }).where({ name: '' })
    })
    expect(() => collectAssertions(badWhere)).toThrow('where() needs a non-empty name')
  })
})
