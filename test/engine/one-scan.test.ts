// All metrics of one dataset for one date are computed by ONE SQL statement: counted from the
// engine's debug log ('scan' with { dataset, date, sql }).
import { describe, expect, it, vi } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { captureLogger, type LogLine, makeOrders, quietSuite } from '../helpers/data.js'

const rows = makeOrders(500)
const users = Array.from({ length: 40 }, (_, i) => ({ uid: i, country: i % 3 === 0 ? 'DE' : 'FR' }))

const many = check({ name: 'orders: many metrics', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
  ctx.assertThat(mp.sum('price')).where({ name: 'sum' }).isPositive()
  ctx.assertThat(mp.average('price')).where({ name: 'avg' }).isPositive()
  ctx.assertThat(mp.minimum('qty')).where({ name: 'min' }).noop()
  ctx.assertThat(mp.maximum('qty')).where({ name: 'max' }).noop()
  ctx.assertThat(mp.nullCount('email').div(mp.numRows())).where({ name: 'null rate' }).isLt(0.5)
  ctx.assertThat(mp.variance('price')).where({ name: 'var' }).isPositive()
  ctx.assertThat(mp.stddev('price')).where({ name: 'sd' }).isPositive()
  ctx.assertThat(mp.uniqueCount('email')).where({ name: 'unique' }).isPositive()
  ctx.assertThat(mp.approxDistinct('email')).where({ name: 'approx' }).isPositive()
  ctx
    .assertThat(mp.duplicateCount(['grp', 'status']))
    .where({ name: 'dups' })
    .noop()
  ctx
    .assertThat(mp.countValues('status', ['paid', 'new']))
    .where({ name: 'count' })
    .noop()
  ctx.assertThat(mp.minLength('name')).where({ name: 'min len' }).isPositive()
  ctx.assertThat(mp.maxLength('name')).where({ name: 'max len' }).isPositive()
  ctx.assertThat(mp.customSql('count(*) filter (where qty < 0)')).where({ name: 'custom' }).noop()
})
// Reuses metrics of the first check: computed once, not twice.
const overlapping = check({ name: 'orders: overlap', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.sum('price').div(mp.numRows())).where({ name: 'mean again' }).isPositive()
  ctx
    .assertThat(mp.sum('price', { lag: 1 }))
    .where({ name: 'yesterday' })
    .noop()
})
const people = check({ name: 'users', datasets: ['users'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(40)
  ctx.assertThat(mp.countValues('country', 'DE')).where({ name: 'de' }).isEq(14)
  ctx.assertThat(mp.uniqueCount('uid')).where({ name: 'ids' }).isEq(40)
})

const scans = (lines: LogLine[]) => lines.filter((l) => l.msg === 'scan')

describe('one scan per dataset per date', () => {
  it('issues exactly one SELECT per dataset with every aggregate in it', async () => {
    const { logger, lines } = captureLogger()
    const db = MetricDB.memory()
    const suite = quietSuite([many, overlapping, people], { logger, db })
    const sources = { orders: DataSource.fromRecords(rows), users: DataSource.fromRecords(users) }
    const report = await suite.run(sources, new ResultKey('2026-11-25'))
    expect(report.results.filter((r) => r.status === 'FAILED').map((r) => r.assertion)).toEqual(['yesterday'])

    const found = scans(lines)
    expect(found.map((l) => [l.dataset, l.date])).toEqual([
      ['orders', '2026-11-25'],
      ['users', '2026-11-25'],
    ])
    const sql = String(found[0]?.sql)
    expect(sql.startsWith('SELECT ')).toBe(true)
    expect(sql).not.toContain(';')
    for (const part of [
      'count(*)',
      'sum("price")',
      'avg("price")',
      'min("qty")',
      'max("qty")',
      'count("email")',
      'var_samp("price")',
      'stddev_samp("price")',
      'count(DISTINCT "email")',
      'approx_count_distinct("email")',
      'row("grp", "status")',
      'FILTER (WHERE "status" IN',
      'min(length(',
      'max(length(',
      '(count(*) filter (where qty < 0))',
    ]) {
      expect(sql, part).toContain(part)
    }
    // 15 distinct metrics, each once, although several assertions and checks share them.
    expect(found[0]?.metrics).toBe(15)
    expect(sql.split('sum("price")').length - 1).toBe(1)
    expect(sql.match(/ AS m\d+/g)).toHaveLength(15)
    expect(found[1]?.metrics).toBe(3)
  })

  it('adds one scan per lagged date only when the value must come from the source', async () => {
    const day = (d: string) => new Date(`${d}T08:00:00Z`)
    const recs = [
      ...rows.slice(0, 200).map((r) => ({ ...r, day: day('2026-11-24') })),
      ...rows.slice(200).map((r) => ({ ...r, day: day('2026-11-25') })),
    ]
    const { logger, lines } = captureLogger()
    const db = MetricDB.memory()
    const suite = quietSuite([many, overlapping], { logger, db })
    const source = DataSource.fromRecords(recs, { dateColumn: 'day' })
    await suite.run({ orders: source }, new ResultKey('2026-11-25'))
    expect(scans(lines).map((l) => l.date)).toEqual(['2026-11-25', '2026-11-24'])
    expect(scans(lines)[1]?.metrics).toBe(1) // only sum(price) is needed for yesterday

    // The next day, 2026-11-25 is in the MetricDB: one scan again.
    lines.length = 0
    const report = await suite.run({ orders: source }, new ResultKey('2026-11-26'))
    expect(scans(lines).map((l) => l.date)).toEqual(['2026-11-26'])
    expect(report.results.find((r) => r.assertion === 'yesterday')?.status).toBe('PASSED')
  })

  it('issues no failed-row sample query when nothing fails: the same statements as with samples off', async () => {
    const passing = check({ name: 'passing', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.nullCount('email')).where({ name: 'nulls' }).isLt(1000)
      ctx
        .assertThat(mp.duplicateCount(['id']))
        .where({ name: 'ids' })
        .isZero()
      ctx.assertThat(mp.minimum('qty')).where({ name: 'min' }).isGeq(-100)
      ctx.assertThat(mp.maxLength('name')).where({ name: 'len' }).isLeq(100)
      ctx
        .assertThat(mp.countValues('status', ['nope']))
        .where({ name: 'values' })
        .isZero()
    })
    const statements = async (sampleLimit: number): Promise<string[]> => {
      const query = vi.spyOn(DuckDBSession.prototype, 'query')
      const { logger, lines } = captureLogger()
      try {
        const report = await quietSuite([passing], { logger, sampleLimit }).run(
          { orders: DataSource.fromRecords(rows) },
          new ResultKey('2026-11-25'),
        )
        expect(report.summary.failed).toBe(0)
        expect(lines.filter((l) => l.msg === 'sample')).toEqual([])
        return query.mock.calls.map((c) => String(c[0]))
      } finally {
        query.mockRestore()
      }
    }
    const withSamples = await statements(10)
    expect(withSamples).toEqual(await statements(0))
    // CREATE TABLE (the records), DESCRIBE, and the one scan: nothing else.
    expect(withSamples.map((sql) => sql.split(' ', 1)[0])).toEqual(['CREATE', 'DESCRIBE', 'SELECT'])
    expect(withSamples.filter((sql) => sql.includes('LIMIT'))).toEqual([])
  })
})
