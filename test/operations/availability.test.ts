import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { SCAN_CHANNEL, type ScanEvent } from '../../src/engine/scan-events.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'
import { storesFor } from './stores.js'

const { stores, dir } = storesFor('dqx_avail')

const rows = (revenue: number) => Array.from({ length: 4 }, (_, i) => ({ id: i, revenue: revenue / 4 }))

const trend = check({ name: 'trend', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
  ctx.assertThat(mp.sum('revenue').dayOverDay()).where({ name: 'dod' }).isBetween(0.5, 2)
  ctx.assertThat(mp.sum('revenue').weekOverWeek()).where({ name: 'wow' }).isBetween(0.5, 2)
  // Today against the mean of the three days before: needs three stored values.
  ctx
    .assertThat(
      mp.sum('revenue').div(
        mp
          .sum('revenue', { lag: 1 })
          .add(mp.sum('revenue', { lag: 2 }))
          .add(mp.sum('revenue', { lag: 3 }))
          .div(3),
      ),
    )
    .where({ name: 'vs 3-day mean' })
    .isBetween(0.5, 2)
})

const byName = (results: readonly AssertionResult[], name: string) =>
  results.find((r) => r.assertion === name) as AssertionResult

function scanDates(): { dates(): string[]; stop(): void } {
  const events: ScanEvent[] = []
  const on = (e: unknown) => events.push(e as ScanEvent)
  subscribe(SCAN_CHANNEL, on)
  return {
    dates: () => events.filter((e) => e.phase === 'start').map((e) => `${e.dataset}@${e.date}`),
    stop: () => unsubscribe(SCAN_CHANNEL, on),
  }
}

describe.each(stores)('data availability against the $name store', ({ make }) => {
  it('a lagged value on a declared skip date SKIPs the assertion naming the date; the others are judged', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({ name: 'avail', checks: [trend], db, logger })
    try {
      for (const [date, revenue] of [
        ['2026-11-22', 100],
        ['2026-11-23', 100],
        ['2026-11-24', 5],
      ] as const) {
        await suite.run({ orders: DataSource.fromRecords(rows(revenue)) }, new ResultKey(date))
      }
      // The 24th was a broken load: declared, it no longer counts as history.
      const orders = DataSource.fromRecords(rows(100), { skipDates: ['2026-11-24'] })
      const report = await suite.run({ orders }, new ResultKey('2026-11-25'))
      expect(byName(report.results, 'has rows').status).toBe('PASSED')
      expect(byName(report.results, 'dod')).toMatchObject({
        status: 'SKIPPED',
        skipCause: 'data-unavailable',
        value: null,
        error:
          "data unavailable: 'orders' on 2026-11-24 declared in skipDates (1 of 2 needed values available)",
      })
      expect(byName(report.results, 'vs 3-day mean')).toMatchObject({
        status: 'SKIPPED',
        error:
          "data unavailable: 'orders' on 2026-11-24 declared in skipDates (3 of 4 needed values available)",
      })
      // No threshold: history that is simply missing (the 18th) still FAILS, as without skip dates.
      expect(byName(report.results, 'wow')).toMatchObject({ status: 'FAILED', value: null })
      expect(byName(report.results, 'wow').error).toMatch(
        /no value of sum\(revenue\) on 'orders' for 2026-11-18/,
      )
      expect(report.summary).toMatchObject({ passed: 1, failed: 1, skipped: 2 })
      // Stored as SKIPPED: the next day's anomaly baselines and reports see why.
      const stored = await db.getResults({ suite: 'avail', date: '2026-11-25', tags: {} })
      expect(byName(stored, 'dod')).toMatchObject({
        status: 'SKIPPED',
        error: byName(report.results, 'dod').error,
      })
    } finally {
      await db.close()
    }
  })

  it('the run date declared skipped: its assertions are SKIPPED and the dataset is not scanned', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const other = check({ name: 'customers', datasets: ['customers'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'customers exist' }).isPositive()
    })
    const suite = new VerificationSuite({ name: 'outage', checks: [trend, other], db, logger })
    const scans = scanDates()
    let report: Awaited<ReturnType<typeof suite.run>>
    try {
      report = await suite.run(
        {
          orders: DataSource.fromRecords(rows(100), { skipDates: ['2026-11-20', '2026-11-25'] }),
          customers: DataSource.fromRecords([{ id: 1 }]),
        },
        new ResultKey('2026-11-25'),
      )
    } finally {
      scans.stop()
    }
    expect(scans.dates()).toEqual(['customers@2026-11-25'])
    for (const name of ['has rows', 'dod', 'wow', 'vs 3-day mean']) {
      expect(byName(report.results, name)).toMatchObject({
        status: 'SKIPPED',
        skipCause: 'data-unavailable',
        error: "data unavailable: 'orders' on 2026-11-25 declared in skipDates",
      })
    }
    expect(byName(report.results, 'customers exist').status).toBe('PASSED')
    // Nothing was computed for the skipped day, so nothing of it is stored.
    expect(
      await db.getMetric({ metric: 'numRows()', dataset: 'orders', date: '2026-11-25', tags: {} }),
    ).toBeUndefined()
    await db.close()
  })

  it('dataAvThreshold: missing history below the threshold SKIPs naming the missing dates; at or above it, the assertion is judged', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({
      name: 'threshold',
      checks: [trend],
      db,
      logger,
      dataAvThreshold: 0.75,
    })
    // Stored: the 22nd and 24th. Missing: the 23rd (and the 18th for weekOverWeek).
    for (const date of ['2026-11-22', '2026-11-24']) {
      await suite.run({ orders: DataSource.fromRecords(rows(100)) }, new ResultKey(date))
    }
    const report = await suite.run({ orders: DataSource.fromRecords(rows(100)) }, new ResultKey('2026-11-25'))
    expect(byName(report.results, 'dod')).toMatchObject({ status: 'PASSED', value: 1 })
    expect(byName(report.results, 'wow')).toMatchObject({
      status: 'SKIPPED',
      skipCause: 'data-unavailable',
      error:
        "data unavailable: no stored value for 'orders' on 2026-11-18 (1 of 2 needed values available, below dataAvThreshold 0.75)",
    })
    // 3 of 4 values: not below 0.75, so it is judged, and the missing value FAILS it with the reason.
    expect(byName(report.results, 'vs 3-day mean')).toMatchObject({ status: 'FAILED', value: null })
    expect(byName(report.results, 'vs 3-day mean').error).toMatch(
      /no value of sum\(revenue\) on 'orders' for 2026-11-23/,
    )

    const strict = new VerificationSuite({
      name: 'threshold',
      checks: [trend],
      db,
      logger,
      dataAvThreshold: 1,
    })
    const again = await strict.run({ orders: DataSource.fromRecords(rows(100)) }, new ResultKey('2026-11-25'))
    expect(byName(again.results, 'vs 3-day mean')).toMatchObject({
      status: 'SKIPPED',
      error:
        "data unavailable: no stored value for 'orders' on 2026-11-23 (3 of 4 needed values available, below dataAvThreshold 1)",
    })
    await db.close()
  })

  it('anomaly baselines leave declared days out, and below dataAvThreshold the assertion is SKIPPED naming the days', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const anomaly = check({ name: 'volume', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('revenue'))
        .where({ name: 'revenue normal' })
        .isNotAnomalous({ method: 'relativeChange', window: 5, minHistory: 1 })
    })
    const seed = new VerificationSuite({ name: 'anomaly', checks: [anomaly], db, logger })
    // 20th–24th stored except the 22nd; the 23rd was a spike (a bad load).
    for (const [date, revenue] of [
      ['2026-11-20', 100],
      ['2026-11-21', 100],
      ['2026-11-23', 5000],
      ['2026-11-24', 100],
    ] as const) {
      await seed.run({ orders: DataSource.fromRecords(rows(revenue)) }, new ResultKey(date))
    }
    const orders = DataSource.fromRecords(rows(100), { skipDates: ['2026-11-23'] })
    // Without a threshold the declared day just leaves the baseline: 3 days judged, the spike ignored.
    const plain = await seed.run({ orders }, new ResultKey('2026-11-25'))
    expect(byName(plain.results, 'revenue normal')).toMatchObject({
      status: 'PASSED',
      anomaly: { n: 3, center: 100 },
    })

    const strict = new VerificationSuite({
      name: 'anomaly',
      checks: [anomaly],
      db,
      logger,
      dataAvThreshold: 0.8,
    })
    const report = await strict.run({ orders }, new ResultKey('2026-11-25'))
    expect(byName(report.results, 'revenue normal')).toMatchObject({
      status: 'SKIPPED',
      skipCause: 'data-unavailable',
      value: 100,
      error:
        'data unavailable: 2026-11-23 declared in skipDates; no stored value for 2026-11-22 (3 of 5 baseline days available, below dataAvThreshold 0.8)',
      anomaly: { n: 3, from: '2026-11-20', to: '2026-11-24' },
    })
    // Re-evaluated (no data sources, so no skip dates): the stored unavailable verdict is kept.
    expect(byName((await strict.reevaluate(report)).results, 'revenue normal')).toEqual(
      byName(report.results, 'revenue normal'),
    )
    // A pinned range is the baseline the user chose: used as pinned, whatever the threshold.
    await db.pinBaseline({
      metric: 'sum(revenue)',
      dataset: 'orders',
      tags: {},
      from: '2026-11-20',
      to: '2026-11-24',
    })
    const pinned = await strict.run({ orders }, new ResultKey('2026-11-30'))
    expect(byName(pinned.results, 'revenue normal')).toMatchObject({ anomaly: { baseline: 'pinnedRange' } })
    expect(byName(pinned.results, 'revenue normal').skipCause).toBeUndefined()
    await db.unpinBaseline({ metric: 'sum(revenue)', dataset: 'orders', tags: {} })
    const loose = new VerificationSuite({
      name: 'anomaly',
      checks: [anomaly],
      db,
      logger,
      dataAvThreshold: 0.6,
    })
    expect(
      byName((await loose.run({ orders }, new ResultKey('2026-11-25'))).results, 'revenue normal').status,
    ).toBe('PASSED')
    // Only declared days, or only missing values: each named alone.
    await seed.run({ orders: DataSource.fromRecords(rows(100)) }, new ResultKey('2026-11-22'))
    const onlyDeclared = await strict.run(
      { orders: DataSource.fromRecords(rows(100), { skipDates: ['2026-11-21', '2026-11-22'] }) },
      new ResultKey('2026-11-26'),
    )
    expect(byName(onlyDeclared.results, 'revenue normal').error).toBe(
      'data unavailable: 2026-11-21, 2026-11-22 declared in skipDates (3 of 5 baseline days available, below dataAvThreshold 0.8)',
    )
    const onlyMissing = await strict.run(
      { orders: DataSource.fromRecords(rows(100)) },
      new ResultKey('2026-11-29'),
    )
    expect(byName(onlyMissing.results, 'revenue normal').error).toBe(
      'data unavailable: no stored value for 2026-11-27, 2026-11-28 (3 of 5 baseline days available, below dataAvThreshold 0.8)',
    )
    await db.close()
  })

  it('re-evaluation keeps the SKIPPED verdicts of unavailable data', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({ name: 'reeval', checks: [trend], db, logger })
    const orders = DataSource.fromRecords(rows(100), { skipDates: ['2026-11-24'] })
    const first = await suite.run({ orders }, new ResultKey('2026-11-25'))
    const again = await suite.reevaluate(first)
    expect(byName(again.results, 'dod')).toEqual(byName(first.results, 'dod'))
    await db.close()
  })
})

describe('availability options', () => {
  it('skipDates and dataAvThreshold are checked when they are given', () => {
    expect(() => DataSource.fromRecords([], { skipDates: '2026-11-24' as never })).toThrow(
      "skipDates must be an array of 'YYYY-MM-DD' days, e.g. ['2026-11-24']",
    )
    expect(() => DataSource.fromRecords([], { skipDates: ['2026-11-31'] })).toThrow(
      "skipDates entry '2026-11-31' does not exist in the calendar",
    )
    expect(() => DataSource.csv(dir().file('x.csv'), { skipDates: ['2026-11-24'] })).not.toThrow()
    expect(() => DataSource.json(dir().file('x.json'), { skipDates: ['2026-11-24'] })).not.toThrow()
    for (const bad of [-0.1, 1.5, Number.NaN, '0.9']) {
      let error: unknown
      try {
        new VerificationSuite({ name: 's', checks: [trend], dataAvThreshold: bad as number })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DqxError)
      expect((error as DqxError).message).toBe(
        `dataAvThreshold must be a number from 0 to 1 (the share of needed history that must be available, e.g. 0.9), got ${String(bad)}`,
      )
    }
  })
})
