// All metrics of one dataset for one date are computed by ONE SQL statement: counted from the
// engine's scan events (run option onProgress, also published on the `dqx:scan` channel).

import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it, vi } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { SCAN_CHANNEL, type ScanEvent } from '../../src/engine/scan-events.js'
import { captureLogger, makeOrders, quietSuite } from '../helpers/data.js'

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

/** The run's scans, from the engine's events: one entry per scan, with the statements it issued. */
function recordScans(): {
  events: ScanEvent[]
  scans: () => ScanEvent[]
  onProgress: (e: ScanEvent) => void
} {
  const events: ScanEvent[] = []
  return {
    events,
    onProgress: (e) => events.push(e),
    scans: () => events.filter((e) => e.phase === 'end'),
  }
}

describe('one scan per dataset per date', () => {
  it('issues exactly one SELECT per dataset with every aggregate in it', async () => {
    const db = MetricDB.memory()
    const suite = quietSuite([many, overlapping, people], { db })
    const sources = { orders: DataSource.fromRecords(rows), users: DataSource.fromRecords(users) }
    const rec = recordScans()
    const report = await suite.run(sources, new ResultKey('2026-11-25'), { onProgress: rec.onProgress })
    expect(report.results.filter((r) => r.status === 'FAILED').map((r) => r.assertion)).toEqual(['yesterday'])

    // Datasets are scanned concurrently: compare in dataset order.
    const found = rec.scans().sort((a, b) => a.dataset.localeCompare(b.dataset))
    expect(found.map((e) => [e.dataset, e.date, e.statements])).toEqual([
      ['orders', '2026-11-25', 1],
      ['users', '2026-11-25', 1],
    ])
    expect(rec.events.filter((e) => e.phase === 'start')).toHaveLength(2)
    expect(found.map((e) => e.rows)).toEqual([500, 40])
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
    const db = MetricDB.memory()
    const suite = quietSuite([many, overlapping], { db })
    const source = DataSource.fromRecords(recs, { dateColumn: 'day' })
    const first = recordScans()
    await suite.run({ orders: source }, new ResultKey('2026-11-25'), { onProgress: first.onProgress })
    expect(first.scans().map((e) => e.date)).toEqual(['2026-11-25', '2026-11-24'])
    expect(first.scans()[1]?.metrics).toBe(1) // only sum(price) is needed for yesterday

    // The next day, 2026-11-25 is in the MetricDB: one scan again.
    const next = recordScans()
    const report = await suite.run({ orders: source }, new ResultKey('2026-11-26'), {
      onProgress: next.onProgress,
    })
    expect(next.scans().map((e) => e.date)).toEqual(['2026-11-26'])
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
        // Record tables are named for their run: compare the statements, not the names.
        return query.mock.calls.map((c) => String(c[0]).replace(/dqx_records_\d+_/g, 'dqx_records_N_'))
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

  it('publishes every scan on the dqx:scan diagnostics channel, start and end', async () => {
    const seen: ScanEvent[] = []
    const listener = (e: unknown): void => void seen.push(e as ScanEvent)
    subscribe(SCAN_CHANNEL, listener)
    try {
      const report = await quietSuite([people]).run(
        { users: DataSource.fromRecords(users) },
        new ResultKey('2026-11-25'),
      )
      const mine = seen.filter((e) => e.runId === report.runId)
      expect(mine.map((e) => [e.suite, e.dataset, e.phase, e.statements])).toEqual([
        ['test', 'users', 'start', 1],
        ['test', 'users', 'end', 1],
      ])
      expect(mine[1]?.rows).toBe(40)
      expect(mine[1]?.durationMs).toBeGreaterThanOrEqual(0)
      expect(mine[1]?.error).toBeUndefined()
    } finally {
      unsubscribe(SCAN_CHANNEL, listener)
    }
  })

  it('counts the second statement of a scan over NaN/Infinity, and reports a failing scan', async () => {
    const spread = check({ name: 'spread', datasets: ['v'] }, (mp, ctx) => {
      ctx.assertThat(mp.variance('x')).where({ name: 'var' }).noop()
    })
    const rec = recordScans()
    await quietSuite([spread]).run(
      { v: DataSource.fromRecords([{ x: 1 }, { x: Number.POSITIVE_INFINITY }, { x: 2 }]) },
      new ResultKey('2026-11-25'),
      { onProgress: rec.onProgress },
    )
    expect(rec.scans().map((e) => [e.statements, e.rows])).toEqual([[2, undefined]])

    const broken = check({ name: 'broken', datasets: ['v'] }, (mp, ctx) => {
      ctx.assertThat(mp.customSql('no_such_function(x)')).where({ name: 'bad' }).noop()
    })
    const failing = recordScans()
    await expect(
      quietSuite([broken]).run({ v: DataSource.fromRecords([{ x: 1 }]) }, new ResultKey('2026-11-25'), {
        onProgress: failing.onProgress,
      }),
    ).rejects.toThrow(/no_such_function/)
    expect(failing.scans()[0]?.error?.message).toMatch(/no_such_function/)
  })

  it('a progress listener that throws never fails the run (it is logged)', async () => {
    const { logger, lines } = captureLogger()
    const report = await quietSuite([people], { logger }).run(
      { users: DataSource.fromRecords(users) },
      new ResultKey('2026-11-25'),
      {
        onProgress: () => {
          throw new Error('display broke')
        },
      },
    )
    expect(report.summary.passed).toBe(3)
    expect(lines.filter((l) => l.msg === 'scan listener threw')).toHaveLength(2)
  })

  it('scans datasets concurrently up to scanConcurrency, and validates it', async () => {
    const sources = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`d${i}`, DataSource.fromRecords(users)]),
    )
    const checks = Object.keys(sources).map((d) =>
      check({ name: d, datasets: [d] }, (mp, ctx) => {
        ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(40)
      }),
    )
    for (const scanConcurrency of [1, 3]) {
      let running = 0
      let most = 0
      const report = await quietSuite(checks).run(sources, new ResultKey('2026-11-25'), {
        scanConcurrency,
        onProgress: (e) => {
          running += e.phase === 'start' ? 1 : -1
          most = Math.max(most, running)
        },
      })
      expect(report.summary.passed).toBe(5)
      expect(most).toBeLessThanOrEqual(scanConcurrency)
    }
    await expect(
      quietSuite(checks).run(sources, new ResultKey('2026-11-25'), { scanConcurrency: 0 }),
    ).rejects.toThrow('run(): scanConcurrency must be a positive integer, got 0')
  })

  it('with several broken datasets, always reports the first one in datasource order', async () => {
    const sources = {
      a: DataSource.fromRecords(users),
      b: DataSource.fromRecords(users),
      c: DataSource.fromRecords(users),
    }
    const checks = Object.keys(sources).map((d) =>
      check({ name: d, datasets: [d] }, (mp, ctx) => {
        ctx
          .assertThat(mp.sum(d === 'a' ? 'uid' : 'nope'))
          .where({ name: 'x' })
          .noop()
      }),
    )
    for (let i = 0; i < 3; i++) {
      await expect(quietSuite(checks).run(sources, new ResultKey('2026-11-25'))).rejects.toThrow(
        "check 'b': column 'nope'",
      )
    }
  })
})
