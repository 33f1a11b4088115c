// Failed-row samples: which rows each metric's predicate selects (checked against plain-JS
// references), the columns a sample holds, the limit and the total, the run's date, JSON-safe
// values, option validation, sample-query failures, PostgreSQL, and every dialect's SQL.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AssertionSpec } from '../../src/core/assertion.js'
import { check, collectAssertions } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import type { RowPredicate, SampleQueryPlan } from '../../src/engine/dialect.js'
import { dialects } from '../../src/engine/dialects/index.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { jsonSafe, sampleTarget } from '../../src/engine/samples.js'
import { Params } from '../../src/engine/sql.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger, makeOrders, type Order, quietSuite } from '../helpers/data.js'
import { freshDatabase, hasPg, pgUrl, withClient } from './pg-helpers.js'

const rows = makeOrders(300)
const orders = () => ({ orders: DataSource.fromRecords(rows) })
const KEY = new ResultKey('2026-11-25')
const chars = (s: string) => [...s].length

async function runOne(
  declare: Parameters<typeof check>[1],
  options: Partial<ConstructorParameters<typeof VerificationSuite>[0]> = {},
  sources: Record<string, DataSource> = orders(),
): Promise<AssertionResult[]> {
  const c = check({ name: 'c', datasets: Object.keys(sources) }, declare)
  return [...(await quietSuite([c], options).run(sources, KEY)).results]
}

const errorOf = async (p: Promise<unknown> | (() => unknown)): Promise<DqxError> => {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    return err as DqxError
  }
  throw new Error('expected a DqxError')
}

describe('the rows behind each kind of failure', () => {
  it('nullCount: the NULL rows, only the metric’s column plus sampleColumns, at most sampleLimit', async () => {
    const [r] = await runOne(
      (mp, ctx) => {
        ctx
          .assertThat(mp.nullCount('email'))
          .where({ name: 'no null emails', sampleColumns: ['name'] })
          .isZero()
      },
      { sampleLimit: 3, sampleColumns: ['id', 'email'] },
    )
    const nulls = rows.filter((o) => o.email === null)
    expect(r?.status).toBe('FAILED')
    expect(r?.samples?.total).toBe(nulls.length)
    expect(nulls.length).toBeGreaterThan(3)
    // In scan order: the first three NULL rows; columns: email, then the assertion's, then the suite's.
    expect(r?.samples?.rows).toEqual(nulls.slice(0, 3).map((o) => ({ email: null, name: o.name, id: o.id })))
    expect(Object.keys(r?.samples?.rows[0] ?? {})).toEqual(['email', 'name', 'id'])
  })

  it('countValues: the rows holding one of the values', async () => {
    const [r] = await runOne((mp, ctx) => {
      ctx
        .assertThat(mp.countValues('status', ["it's", 'a"b']))
        .where({ name: 'no odd statuses' })
        .isZero()
    })
    const hits = rows.filter((o) => o.status === "it's" || o.status === 'a"b')
    expect(r?.samples).toEqual({
      rows: hits.slice(0, 10).map((o) => ({ status: o.status })),
      total: hits.length,
    })
  })

  it('duplicateCount: every row whose key combination occurs more than once (NULLs equal)', async () => {
    const [r] = await runOne(
      (mp, ctx) => {
        ctx
          .assertThat(mp.duplicateCount(['grp', 'status']))
          .where({ name: 'unique' })
          .isZero()
      },
      { sampleLimit: 1000 },
    )
    const key = (o: Order) => JSON.stringify([o.grp, o.status])
    const counts = new Map<string, number>()
    for (const o of rows) counts.set(key(o), (counts.get(key(o)) ?? 0) + 1)
    const dups = rows.filter((o) => (counts.get(key(o)) as number) > 1)
    expect(dups.some((o) => o.grp === null)).toBe(true)
    expect(r?.samples?.total).toBe(dups.length)
    const got = (r?.samples?.rows ?? []).map((x) => JSON.stringify([x.grp, x.status])).sort()
    expect(got).toEqual(dups.map(key).sort())
  })

  it('minimum/maximum under a bound every row must respect: the violating rows', async () => {
    const results = await runOne(
      (mp, ctx) => {
        ctx.assertThat(mp.minimum('qty')).where({ name: 'geq' }).isGeq(0)
        ctx.assertThat(mp.minimum('qty')).where({ name: 'gt' }).isGt(0)
        ctx.assertThat(mp.minimum('qty')).where({ name: 'positive' }).isPositive()
        ctx.assertThat(mp.minimum('qty')).where({ name: 'between low' }).isBetween(0, 100)
        ctx.assertThat(mp.maximum('qty')).where({ name: 'leq' }).isLeq(30)
        ctx.assertThat(mp.maximum('qty')).where({ name: 'lt' }).isLt(30)
        ctx.assertThat(mp.maximum('qty')).where({ name: 'between high' }).isBetween(-100, 30)
        ctx.assertThat(mp.maximum('price')).where({ name: 'negative' }).isNegative()
      },
      { sampleLimit: 500 },
    )
    const r = Object.fromEntries(results.map((x) => [x.assertion, x]))
    const qty = (pred: (q: number) => boolean) => rows.filter((o) => pred(o.qty)).map((o) => ({ qty: o.qty }))
    expect(r.geq?.samples).toEqual({ rows: qty((q) => q < 0), total: qty((q) => q < 0).length })
    expect(r.gt?.samples?.rows).toEqual(qty((q) => q <= 0))
    expect(r.positive?.samples?.rows).toEqual(qty((q) => q <= 0))
    expect(r['between low']?.samples?.rows).toEqual(qty((q) => q < 0))
    expect(r.leq?.samples?.rows).toEqual(qty((q) => q > 30))
    expect(r.lt?.samples?.rows).toEqual(qty((q) => q >= 30))
    expect(r['between high']?.samples?.rows).toEqual(qty((q) => q > 30))
    const nonNeg = rows.filter((o) => o.price !== null && o.price >= 0)
    expect(r.negative?.samples?.total).toBe(nonNeg.length)
  })

  it('minimum/maximum otherwise: the rows at the extreme value', async () => {
    const results = await runOne((mp, ctx) => {
      // A minimum ABOVE an upper bound: no single row violates it; the smallest rows explain it.
      ctx.assertThat(mp.minimum('qty')).where({ name: 'min leq' }).isLeq(-50)
      ctx.assertThat(mp.maximum('qty')).where({ name: 'max geq' }).isGeq(1000)
      ctx.assertThat(mp.maximum('qty')).where({ name: 'max between low' }).isBetween(100, 200)
      ctx.assertThat(mp.maximum('price')).where({ name: 'max eq' }).isEq(1)
      ctx.assertThat(mp.minimum('qty').add(1)).where({ name: 'compound' }).isGeq(0)
      ctx.assertThat(mp.minimum('qty')).where({ name: 'anomaly' }).isNotAnomalous({ method: 'zscore' })
    })
    const r = Object.fromEntries(results.map((x) => [x.assertion, x]))
    const minQty = Math.min(...rows.map((o) => o.qty))
    const maxQty = Math.max(...rows.map((o) => o.qty))
    const maxPrice = Math.max(...rows.flatMap((o) => (o.price === null ? [] : [o.price])))
    const at = (v: number) => rows.filter((o) => o.qty === v).map(() => ({ qty: v }))
    expect(r['min leq']?.samples).toEqual({ rows: at(minQty).slice(0, 10), total: at(minQty).length })
    expect(r['max geq']?.samples?.rows).toEqual(at(maxQty).slice(0, 10))
    expect(r['max between low']?.samples?.total).toBe(at(maxQty).length)
    expect(r['max eq']?.samples?.rows).toEqual([{ price: maxPrice }])
    expect(r.compound?.samples?.total).toBe(at(minQty).length)
    // An anomaly assertion that FAILED only for lack of history has an error: nothing to sample.
    expect(r.anomaly).toMatchObject({ status: 'FAILED' })
    expect(r.anomaly?.samples).toBeUndefined()
  })

  it('an anomalous extreme: the rows at it', async () => {
    const db = MetricDB.memory()
    await db.putMetrics(
      Array.from({ length: 7 }, (_, i) => ({
        metric: 'maximum(qty)',
        dataset: 'orders',
        date: `2026-11-${18 + i}`,
        tags: {},
        value: 20,
        suite: 's',
        runId: 'r',
      })),
    )
    const [r] = await runOne(
      (mp, ctx) => {
        ctx
          .assertThat(mp.maximum('qty'))
          .where({ name: 'max' })
          .isNotAnomalous({ method: 'relativeChange', window: 7 })
      },
      { db },
    )
    const maxQty = Math.max(...rows.map((o) => o.qty))
    expect(r).toMatchObject({ status: 'FAILED', value: maxQty })
    expect(r?.error).toBeUndefined()
    expect(r?.samples?.total).toBe(rows.filter((o) => o.qty === maxQty).length)
  })

  it('minLength/maxLength: lengths in characters, violating rows or the extreme', async () => {
    const results = await runOne(
      (mp, ctx) => {
        ctx.assertThat(mp.minLength('name')).where({ name: 'min geq' }).isGeq(3)
        ctx.assertThat(mp.maxLength('name')).where({ name: 'max lt' }).isLt(10)
        ctx.assertThat(mp.maxLength('name')).where({ name: 'max eq' }).isEq(3)
      },
      { sampleLimit: 1000 },
    )
    const r = Object.fromEntries(results.map((x) => [x.assertion, x]))
    const names = (pred: (n: number) => boolean) =>
      rows.filter((o) => pred(chars(o.name))).map((o) => ({ name: o.name }))
    expect(r['min geq']?.samples).toEqual({ rows: names((n) => n < 3), total: names((n) => n < 3).length })
    expect(r['max lt']?.samples?.rows).toEqual(names((n) => n >= 10))
    const longest = Math.max(...rows.map((o) => chars(o.name)))
    expect(r['max eq']?.samples?.rows).toEqual(names((n) => n === longest).slice(0, 1000))
    // Characters, not bytes: 'naïve café' (10 characters, 12 bytes) is in, 'emoji 🎉🎉' (8, 14) is not.
    const listed = new Set(r['max lt']?.samples?.rows.map((x) => x.name))
    expect(listed.has('naïve café')).toBe(true)
    expect(listed.has('emoji 🎉🎉')).toBe(false)
  })

  it('expressions: the predicate metrics of today, combined with OR', async () => {
    const results = await runOne(
      (mp, ctx) => {
        ctx.assertThat(mp.nullCount('email').div(mp.numRows())).where({ name: 'rate' }).isLt(0.01)
        ctx
          .assertThat(mp.nullCount('email').add(mp.nullCount('price')))
          .where({ name: 'either' })
          .isZero()
        ctx
          .assertThat(mp.nullCount('email').sub(mp.nullCount('email', { lag: 1 })))
          .where({ name: 'lagged' })
          .isZero()
        ctx.assertThat(mp.numRows()).where({ name: 'no predicate' }).isLt(1)
        ctx.assertThat(mp.countValues('status', [])).where({ name: 'empty list' }).isPositive()
        ctx
          .assertThat(mp.countValues('status', []).add(mp.nullCount('email')))
          .where({ name: 'one usable' })
          .isZero()
        ctx
          .assertThat(mp.nullCount('email').add(mp.countValues('email', ['nobody'])))
          .where({ name: 'same column' })
          .isZero()
      },
      { sampleLimit: 1000 },
    )
    const r = Object.fromEntries(results.map((x) => [x.assertion, x]))
    const nulls = rows.filter((o) => o.email === null)
    expect(r.rate?.samples?.total).toBe(nulls.length)
    const either = rows.filter((o) => o.email === null || o.price === null)
    expect(r.either?.samples?.total).toBe(either.length)
    expect(r.either?.samples?.rows).toEqual(either.map((o) => ({ email: o.email, price: o.price })))
    // FAILED with an error (no history for the lagged value): not sampled.
    expect(r.lagged?.error).toBeDefined()
    expect(r.lagged?.samples).toBeUndefined()
    expect(r['no predicate']).toMatchObject({ status: 'FAILED' })
    expect(r['no predicate']?.samples).toBeUndefined()
    expect(r['empty list']).toMatchObject({ status: 'FAILED' })
    expect(r['empty list']?.samples).toBeUndefined()
    expect(r['one usable']?.samples?.total).toBe(nulls.length)
    expect(r['same column']?.samples?.rows[0]).toEqual({ email: null })
  })

  it('no samples for predicate metrics of several datasets, or a minimum with no value', async () => {
    const sources = {
      a: DataSource.fromRecords([{ x: null }, { x: 1 }]),
      b: DataSource.fromRecords([{ y: null }], { schema: { y: 'number' } }),
    }
    const results = await runOne(
      (mp, ctx) => {
        ctx
          .assertThat(mp.nullCount('x', { dataset: 'a' }).add(mp.nullCount('y', { dataset: 'b' })))
          .where({ name: 'two datasets' })
          .isZero()
        ctx
          .assertThat(mp.nullCount('x', { dataset: 'a' }))
          .where({ name: 'one' })
          .isZero()
        ctx
          .assertThat(mp.numRows({ dataset: 'b' }).add(mp.minimum('y', { dataset: 'b' }).mul(0)))
          .where({ name: 'null min' })
          .isZero()
      },
      {},
      sources,
    )
    const r = Object.fromEntries(results.map((x) => [x.assertion, x]))
    expect(r['two datasets']?.samples).toBeUndefined()
    expect(r.one?.samples).toEqual({ rows: [{ x: null }], total: 1 })
    expect(r['null min']?.error).toMatch(/is NULL/)
  })

  it('a source with a dateColumn: only the rows of the run’s date', async () => {
    const day = (d: string) => new Date(`${d}T09:30:00Z`)
    const recs = [
      { day: day('2026-11-24'), v: null, id: 1 },
      { day: day('2026-11-25'), v: null, id: 2 },
      { day: day('2026-11-25'), v: 3, id: 3 },
      { day: day('2026-11-25'), v: null, id: 4 },
      { day: day('2026-11-26'), v: null, id: 5 },
    ]
    const [r] = await runOne(
      (mp, ctx) => {
        ctx
          .assertThat(mp.nullCount('v'))
          .where({ name: 'v', sampleColumns: ['id', 'day'] })
          .isZero()
      },
      {},
      { t: DataSource.fromRecords(recs, { dateColumn: 'day', schema: { v: 'number' } }) },
    )
    expect(r?.samples).toEqual({
      rows: [
        { v: null, id: 2, day: '2026-11-25T09:30:00.000Z' },
        { v: null, id: 4, day: '2026-11-25T09:30:00.000Z' },
      ],
      total: 2,
    })
  })
})

describe('samples are JSON-safe', () => {
  it('bigint, HUGEINT, dates, bytes, NaN, lists, structs', async () => {
    const source = DataSource.sql(`SELECT * FROM (VALUES
      (NULL, 7::BIGINT, 170141183460469231731687303715884105727::HUGEINT, DATE '2026-11-25', TIMESTAMP '2026-11-25 10:00:00',
       'ab'::BLOB, 'nan'::DOUBLE, [1, 2]::BIGINT[], {'k': 3::BIGINT}, 1.5::DECIMAL(4,2))
    ) t(n, big, huge, d, ts, b, nan, l, s, dec)`)
    const [r] = await runOne(
      (mp, ctx) => {
        ctx.assertThat(mp.nullCount('n')).where({ name: 'n' }).isZero()
      },
      { sampleColumns: ['big', 'huge', 'd', 'ts', 'b', 'nan', 'l', 's', 'dec'] },
      { t: source },
    )
    const want = {
      n: null,
      big: 7,
      huge: '170141183460469231731687303715884105727',
      d: '2026-11-25T00:00:00.000Z',
      ts: '2026-11-25T10:00:00.000Z',
      b: 'YWI=',
      nan: 'NaN',
      l: [1, 2],
      s: { k: 3 },
      dec: 1.5,
    }
    expect(r?.samples?.rows).toEqual([want])
    expect(JSON.parse(JSON.stringify(r?.samples))).toEqual({ rows: [want], total: 1 })
  })

  it('an infinite extreme selects the infinite rows', async () => {
    const source = DataSource.sql(`SELECT * FROM (VALUES (1.0), ('inf'::DOUBLE), ('inf'::DOUBLE)) t(x)`)
    const [r] = await runOne(
      (mp, ctx) => ctx.assertThat(mp.maximum('x')).where({ name: 'x' }).isEq(1),
      {},
      { t: source },
    )
    expect(r?.samples).toEqual({ rows: [{ x: 'Infinity' }, { x: 'Infinity' }], total: 2 })
  })

  it('jsonSafe: every kind of value', () => {
    expect(jsonSafe(undefined)).toBeNull()
    expect(jsonSafe(-(2n ** 70n))).toBe('-1180591620717411303424')
    expect(jsonSafe(Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(jsonSafe(new Date(Number.NaN))).toBeNull()
    expect(jsonSafe(Symbol.for('x'))).toBe('Symbol(x)')
    expect(jsonSafe(new Uint8Array([255]))).toBe('/w==')
    expect(jsonSafe({ a: [1n, true, 'x'] })).toEqual({ a: [1, true, 'x'] })
  })
})

describe('when samples are taken', () => {
  const declare: Parameters<typeof check>[1] = (mp, ctx) => {
    ctx.assertThat(mp.nullCount('email')).where({ name: 'nulls ok' }).isLt(1000)
    ctx.assertThat(mp.nullCount('email')).where({ name: 'nulls' }).isZero()
  }

  it('only for FAILED results, logging each sample statement; a metric that counted the rows needs no count', async () => {
    const { logger, lines } = captureLogger()
    const results = await runOne(
      (mp, ctx) => {
        declare(mp, ctx)
        ctx.assertThat(mp.minimum('qty')).where({ name: 'min' }).isGeq(0)
      },
      { logger },
    )
    expect(results[0]).toMatchObject({ status: 'PASSED' })
    expect(results[0]?.samples).toBeUndefined()
    expect(results[1]?.samples?.rows).toHaveLength(10)
    expect(results[1]?.samples?.total).toBe(results[1]?.value)
    const samples = lines.filter((l) => l.msg === 'sample')
    // Record tables are named for their run (dqx_records_<run>_<n>).
    const sql = (l: (typeof lines)[number]) => String(l.sql).replace(/dqx_records_\d+_1/g, 'dqx_records_1')
    expect(samples.map((l) => [l.dataset, l.check, l.assertion, l.kind, sql(l)])).toEqual([
      [
        'orders',
        'c',
        'nulls',
        'rows',
        'SELECT "email" FROM "dqx_records_1" AS dqx_src WHERE "email" IS NULL LIMIT 10',
      ],
      [
        'orders',
        'c',
        'min',
        'count',
        'SELECT count(*) AS total FROM "dqx_records_1" AS dqx_src WHERE "qty" < CAST($1 AS DOUBLE)',
      ],
      [
        'orders',
        'c',
        'min',
        'rows',
        'SELECT "qty" FROM "dqx_records_1" AS dqx_src WHERE "qty" < CAST($1 AS DOUBLE) LIMIT 10',
      ],
    ])
  })

  it('sampleLimit 0 turns them off: no sample statement at all', async () => {
    const query = vi.spyOn(DuckDBSession.prototype, 'query')
    try {
      const results = await runOne(declare, { sampleLimit: 0 })
      expect(results[1]?.status).toBe('FAILED')
      expect(results[1]?.samples).toBeUndefined()
      expect(query.mock.calls.map((c) => String(c[0])).filter((s) => s.includes('IS NULL'))).toEqual([])
    } finally {
      query.mockRestore()
    }
  })

  it('a sample query that fails is logged and leaves the result without samples', async () => {
    // Every statement that selects sample rows fails; everything else runs as usual.
    const original = DuckDBSession.prototype.query
    const spy = vi.spyOn(DuckDBSession.prototype, 'query').mockImplementation(function (
      this: DuckDBSession,
      sql,
      params,
    ) {
      if (String(sql).includes(' LIMIT 10')) return Promise.reject(new Error('disk on fire'))
      return original.call(this, sql, params)
    })
    try {
      const { logger, lines } = captureLogger()
      const results = await runOne(declare, { logger })
      expect(results[1]).toMatchObject({
        status: 'FAILED',
        value: rows.filter((o) => o.email === null).length,
      })
      expect(results[1]?.samples).toBeUndefined()
      const warn = lines.find((l) => l.msg.startsWith('failed-row sample query failed'))
      expect(warn).toMatchObject({ level: 40, dataset: 'orders', check: 'c', assertion: 'nulls' })
      expect(String(warn?.err)).toContain('disk on fire')
    } finally {
      spy.mockRestore()
    }
  })
})

describe('options', () => {
  it('sampleLimit must be a non-negative whole number; sampleColumns an array of names', async () => {
    const c = check({ name: 'c' }, (mp, ctx) =>
      ctx.assertThat(mp.numRows()).where({ name: 'n' }).isPositive(),
    )
    for (const sampleLimit of [-1, 1.5, '10']) {
      const e = await errorOf(
        () => new VerificationSuite({ name: 's', checks: [c], sampleLimit: sampleLimit as number }),
      )
      expect(e.message).toMatch(/^sampleLimit must be a non-negative whole number/)
    }
    for (const sampleColumns of ['id', [''], [1]]) {
      const e = await errorOf(
        () => new VerificationSuite({ name: 's', checks: [c], sampleColumns: sampleColumns as string[] }),
      )
      expect(e.message).toBe("sampleColumns must be an array of column names, e.g. ['order_id']")
    }
    const bad = check({ name: 'c' }, (mp, ctx) => {
      ctx
        .assertThat(mp.numRows())
        .where({ name: 'n', sampleColumns: 'id' as unknown as string[] })
        .isPositive()
    })
    const e = await errorOf(() => new VerificationSuite({ name: 's', checks: [bad] }))
    expect(e).toMatchObject({
      code: 'CHECK_DEFINITION',
      message: "assertion 'n': sampleColumns must be an array of column names",
    })
  })

  it('an assertion’s sampleColumns must exist in its dataset: the run fails before the scan', async () => {
    const scans: unknown[] = []
    const c = check({ name: 'orders check', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.nullCount('email'))
        .where({ name: 'nulls', sampleColumns: ['idd'] })
        .isZero()
    })
    const e = await errorOf(quietSuite([c]).run(orders(), KEY, { onProgress: (ev) => scans.push(ev) }))
    expect(e.code).toBe('MISSING_COLUMN')
    expect(e.message).toBe(
      "check 'orders check', assertion 'nulls': sampleColumns names column 'idd', which dataset 'orders' (records (300 rows)) does not have — did you mean 'id'?; columns are: id, grp, price, qty, email, name, status",
    )
    expect(scans).toEqual([])
    // With samples off, the names are not checked (nothing uses them).
    await expect(quietSuite([c], { sampleLimit: 0 }).run(orders(), KEY)).resolves.toBeDefined()
  })

  it('suite-level sampleColumns are used where a dataset has them, and must exist in at least one', async () => {
    const c = check({ name: 'c', datasets: ['orders', 'users'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.nullCount('email', { dataset: 'orders' }))
        .where({ name: 'o' })
        .isZero()
      ctx
        .assertThat(mp.nullCount('mail', { dataset: 'users' }))
        .where({ name: 'u' })
        .isZero()
    })
    const sources = {
      ...orders(),
      users: DataSource.fromRecords([{ uid: 1, mail: null }], { schema: { mail: 'string' } }),
    }
    const report = await quietSuite([c], { sampleColumns: ['id', 'uid'], sampleLimit: 1 }).run(sources, KEY)
    const first = rows.find((o) => o.email === null) as Order
    expect(report.results.map((r) => r.samples?.rows)).toEqual([
      [{ email: null, id: first.id }],
      [{ mail: null, uid: 1 }],
    ])
    const e = await errorOf(quietSuite([c], { sampleColumns: ['id', 'zzz'] }).run(sources, KEY))
    expect(e).toMatchObject({ code: 'MISSING_COLUMN' })
    expect(e.message).toBe(
      "suite option sampleColumns names column 'zzz', which no dataset of the run has (orders: id, grp, price, qty, email, name, status; users: mail, uid)",
    )
    const one = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) =>
      ctx.assertThat(mp.numRows()).where({ name: 'n' }).isPositive(),
    )
    expect((await errorOf(quietSuite([one], { sampleColumns: ['statuz'] }).run(orders(), KEY))).message).toBe(
      "suite option sampleColumns names column 'statuz', which dataset 'orders' (records (300 rows)) does not have — did you mean 'status'?; columns are: id, grp, price, qty, email, name, status",
    )
    expect(
      (await errorOf(quietSuite([one], { sampleColumns: ['qqqqqqqqq'] }).run(orders(), KEY))).message,
    ).toBe(
      "suite option sampleColumns names column 'qqqqqqqqq', which dataset 'orders' (records (300 rows)) does not have; columns are: id, grp, price, qty, email, name, status",
    )
    // A run whose checks are all skipped binds no dataset: nothing to check the names against.
    const skipped = await quietSuite([one], { sampleColumns: ['nope'] }).run({}, KEY)
    expect(skipped.results[0]?.status).toBe('SKIPPED')
  })
})

describe.skipIf(!hasPg())('PostgreSQL sources', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    db = await freshDatabase(pgUrl(), 'dqx_samples')
    await withClient(db.url, async (c) => {
      await c.query('CREATE TABLE orders (id bigint, qty integer, email text, name text, day date)')
      await c.query(
        `INSERT INTO orders VALUES (1, 5, NULL, 'héllo wörld', '2026-11-25'), (2, -3, 'a@x', 'ab', '2026-11-25'),
         (2, 0, NULL, 'ab', '2026-11-25'), (3, -9, NULL, 'x', '2026-11-24')`,
      )
    })
  })
  afterAll(async () => {
    await db.drop()
  })

  it('runs the sample queries on the server, in its dialect', async () => {
    const { logger, lines } = captureLogger()
    const source = DataSource.postgres({ connectionString: db.url, table: 'orders', dateColumn: 'day' })
    const c = check({ name: 'pg', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.nullCount('email'))
        .where({ name: 'nulls', sampleColumns: ['id'] })
        .isZero()
      ctx
        .assertThat(mp.duplicateCount(['id']))
        .where({ name: 'dups' })
        .isZero()
      // A fractional bound on an integer column: the bound is bound as double precision.
      ctx.assertThat(mp.minimum('qty')).where({ name: 'min' }).isGeq(0.5)
      ctx.assertThat(mp.maxLength('name')).where({ name: 'len' }).isLeq(5)
    })
    const report = await quietSuite([c], { logger }).run({ orders: source }, KEY)
    const r = Object.fromEntries(report.results.map((x) => [x.assertion, x]))
    expect(r.nulls?.samples).toEqual({
      rows: [
        { email: null, id: 1 },
        { email: null, id: 2 },
      ],
      total: 2,
    })
    expect(r.dups?.samples).toEqual({ rows: [{ id: 2 }, { id: 2 }], total: 2 })
    expect(r.min?.samples).toEqual({ rows: [{ qty: -3 }, { qty: 0 }], total: 2 })
    expect(r.len?.samples).toEqual({ rows: [{ name: 'héllo wörld' }], total: 1 })
    const sql = lines.filter((l) => l.msg === 'sample' && l.assertion === 'min' && l.kind === 'rows')[0]?.sql
    expect(sql).toBe(
      'SELECT "qty" FROM "orders" AS dqx_src WHERE CAST("day" AS date) = $1::date AND "qty" < CAST($2 AS double precision) LIMIT 10',
    )
  })
})

describe('every dialect renders the sample queries', () => {
  const predicate: RowPredicate = {
    kind: 'or',
    predicates: [
      { kind: 'isNull', column: 'email' },
      { kind: 'in', column: 'status', values: ['a', 1, true] },
      { kind: 'compare', column: 'qty', length: false, op: '<', value: 0 },
      { kind: 'compare', column: 'name', length: true, op: '>=', value: 10 },
      { kind: 'duplicate', columns: ['grp', 'status'] },
      { kind: 'duplicate', columns: ['id'] },
    ],
  }
  const render = (name: string, plan: Omit<SampleQueryPlan, 'relation'>) => {
    const d = dialects[name] as (typeof dialects)[string]
    const params = new Params(d)
    const sql = d.renderSampleQuery({ ...plan, relation: () => d.quoteIdent('orders') }, params)
    return { sql, values: params.values }
  }

  it.each(Object.keys(dialects))('%s', (name) => {
    const rowsPlan = render(name, {
      predicate,
      dateFilter: { column: 'day', date: '2026-11-25' },
      select: { columns: ['email', 'id'], limit: 5 },
    })
    const count = render(name, { predicate: { kind: 'isNull', column: 'email' }, select: 'count' })
    const d = dialects[name] as (typeof dialects)[string]
    const standalone = d.renderPredicate(
      { kind: 'compare', column: 'c', length: false, op: '=', value: 1.5 },
      new Params(d),
    )
    expect({ rows: rowsPlan, count, standalone }).toMatchSnapshot()
  })

  it('the DuckDB SQL runs and selects what the JS reference selects', async () => {
    const session = new DuckDBSession()
    try {
      await session.query(
        `CREATE TABLE t AS SELECT * FROM (VALUES (1, 'x', NULL), (2, 'y', 5), (2, 'y', -1), (3, 'zzzz', 7)) v(id, name, qty)`,
      )
      const plan = (
        select: SampleQueryPlan['select'],
        p: RowPredicate,
      ): { sql: string; values: unknown[] } => {
        const params = new Params(dialects.duckdb)
        return {
          sql: (dialects.duckdb as (typeof dialects)[string]).renderSampleQuery(
            { relation: () => 't', predicate: p, select },
            params,
          ),
          values: params.values,
        }
      }
      const only = plan('count', { kind: 'duplicate', columns: ['id'] })
      expect(await session.query(only.sql, only.values as never)).toEqual([{ total: 2n }])
      const mixed = plan(
        { columns: ['id'], limit: 10 },
        {
          kind: 'or',
          predicates: [
            { kind: 'duplicate', columns: ['id', 'name'] },
            { kind: 'compare', column: 'name', length: true, op: '>', value: 3 },
          ],
        },
      )
      const got = await session.query(mixed.sql, mixed.values as never)
      expect(got.map((x) => Number(x.id)).sort()).toEqual([2, 2, 3])
    } finally {
      await session.close()
    }
  })
})

describe('sampleTarget', () => {
  it('has nothing to select for an extreme without a value', () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) =>
      ctx.assertThat(mp.minimum('x')).where({ name: 'm' }).isGeq(0),
    )
    const spec = collectAssertions(c).assertions[0] as AssertionSpec
    expect(sampleTarget(spec, () => undefined)).toBeUndefined()
    expect(sampleTarget(spec, () => -1)).toEqual({
      dataset: 'd',
      predicate: { kind: 'compare', column: 'x', length: false, op: '<', value: 0 },
      columns: ['x'],
    })
  })
})
