import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import { tunable } from '../../src/core/tunable.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { SCAN_CHANNEL, type ScanEvent } from '../../src/engine/scan-events.js'
import type { ResultProcessor } from '../../src/suite/plugin.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'
import { storesFor } from './stores.js'

const { stores } = storesFor('dqx_tune')

const maxNullRate = tunable('max_null_rate', 0.05, { min: 0, max: 0.5 })
const minRows = tunable('min_rows', 3, { min: 1, max: 100 })

/** 10 orders, 2 without an email: a null rate of 0.2. */
const orders = () =>
  DataSource.fromRecords(
    Array.from({ length: 10 }, (_, i) => ({ id: i, email: i < 2 ? null : `u${i}@x.io`, amount: 10 + i })),
  )

const quality = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.nullCount('email').rate()).where({ name: 'email null rate' }).isLt(maxNullRate)
  ctx.assertThat(mp.numRows()).where({ name: 'enough rows' }).isGeq(minRows)
  // A tunable as an operand: rows above the minimum.
  ctx.assertThat(mp.numRows().sub(minRows)).where({ name: 'rows above minimum' }).isGeq(0)
})

const byName = (results: readonly AssertionResult[], name: string) =>
  results.find((r) => r.assertion === name) as AssertionResult

function countScans(): { count(): number; stop(): void } {
  const events: ScanEvent[] = []
  const on = (e: unknown) => events.push(e as ScanEvent)
  subscribe(SCAN_CHANNEL, on)
  return {
    count: () => events.filter((e) => e.phase === 'start').length,
    stop: () => unsubscribe(SCAN_CHANNEL, on),
  }
}

describe.each(stores)('tunables against the $name store', ({ make }) => {
  it('judges bounds and operands with the current value; setTunable + reevaluate scans nothing and records who/why', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const key = new ResultKey('2026-11-25', { env: 'prod' })
    const suite = new VerificationSuite({ name: 'tuned', checks: [quality], db, logger })
    try {
      const first = await suite.run({ orders: orders() }, key)
      const rate = byName(first.results, 'email null rate')
      expect(rate).toMatchObject({ status: 'FAILED', value: 0.2, bound: '< 0.05 (max_null_rate)' })
      expect(byName(first.results, 'enough rows')).toMatchObject({
        status: 'PASSED',
        bound: '>= 3 (min_rows)',
      })
      expect(byName(first.results, 'rows above minimum')).toMatchObject({
        status: 'PASSED',
        value: 7,
        expression: 'numRows() - min_rows',
      })

      const before = Date.now()
      const change = await suite.setTunable('max_null_rate', 0.25, {
        who: 'ana',
        why: 'email capture outage',
      })
      await suite.setTunable('min_rows', 12, { who: 'bo', why: 'more traffic expected' })
      expect(change).toMatchObject({ suite: 'tuned', name: 'max_null_rate', oldValue: 0.05, newValue: 0.25 })

      const scans = countScans()
      let again: Awaited<ReturnType<typeof suite.reevaluate>>
      try {
        again = await suite.reevaluate(first)
      } finally {
        scans.stop()
      }
      expect(scans.count()).toBe(0)
      expect(again.reevaluatedFrom).toBe(first.runId)
      expect(again.runId).not.toBe(first.runId)
      expect(byName(again.results, 'email null rate')).toMatchObject({
        status: 'PASSED',
        value: 0.2,
        bound: '< 0.25 (max_null_rate)',
      })
      expect(byName(again.results, 'enough rows')).toMatchObject({
        status: 'FAILED',
        bound: '>= 12 (min_rows)',
      })
      expect(byName(again.results, 'rows above minimum')).toMatchObject({ status: 'FAILED', value: -2 })
      expect(again.symbols.map((s) => [s.metric, s.value])).toEqual(
        first.symbols.map((s) => [s.metric, s.value]),
      )

      // The audit trail: who, why, old and new value, when.
      const trail = await suite.tunableChanges()
      expect(trail.map((c) => [c.name, c.oldValue, c.newValue, c.who, c.why])).toEqual([
        ['max_null_rate', 0.05, 0.25, 'ana', 'email capture outage'],
        ['min_rows', 3, 12, 'bo', 'more traffic expected'],
      ])
      for (const c of trail) expect(Date.parse(c.changedAt)).toBeGreaterThanOrEqual(before - 1000)
      expect((await suite.tunableChanges('min_rows')).map((c) => c.who)).toEqual(['bo'])
      expect(await suite.tunables()).toEqual([
        { name: 'max_null_rate', value: 0.25, default: 0.05, min: 0, max: 0.5 },
        { name: 'min_rows', value: 12, default: 3, min: 1, max: 100 },
      ])

      // The re-evaluation is stored: it is now the key's latest run (replay and reports see it).
      const latest = await db.getRun({ suite: 'tuned', date: key.date, tags: key.tags })
      expect(latest?.runId).toBe(again.runId)
      expect(latest?.results.map((r) => r.status)).toEqual(again.results.map((r) => r.status))
      const results = await db.getResults({ suite: 'tuned', date: key.date, tags: key.tags })
      expect(results[0]?.runId).toBe(again.runId)
    } finally {
      await suite.close()
      await db.close()
    }
  })

  it('a second suite over the same MetricDB (another process, the CLI) runs with the stored value', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const a = new VerificationSuite({ name: 'shared', checks: [quality], db, logger })
    await a.setTunable('max_null_rate', 0.3, { who: 'ops', why: 'known gap' })
    const b = new VerificationSuite({ name: 'shared', checks: [quality], db, logger })
    const report = await b.run({ orders: orders() }, new ResultKey('2026-11-26'))
    expect(byName(report.results, 'email null rate')).toMatchObject({
      status: 'PASSED',
      bound: '< 0.3 (max_null_rate)',
    })
    // Another suite's changes do not leak in.
    const other = new VerificationSuite({ name: 'other', checks: [quality], db, logger })
    expect((await other.tunables())[0]?.value).toBe(0.05)
    expect(await other.tunableChanges()).toEqual([])
    await db.close()
  })

  it('refuses values outside the bounds, unknown names and a missing who/why, recording nothing', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({ name: 'strict', checks: [quality], db, logger })
    const out = await suite
      .setTunable('max_null_rate', 0.9, { who: 'ana', why: 'x' })
      .catch((e: unknown) => e as DqxError)
    expect(out).toBeInstanceOf(DqxError)
    expect((out as DqxError).code).toBe('TUNABLE')
    expect((out as DqxError).message).toBe(
      "tunable 'max_null_rate' must stay within [0, 0.5], got 0.9; pick a value in range or widen its bounds where it is declared",
    )
    await expect(suite.setTunable('max_nul_rate', 0.1, { who: 'a', why: 'b' })).rejects.toThrow(
      "suite 'strict' has no tunable 'max_nul_rate' — did you mean 'max_null_rate'? (tunables: max_null_rate, min_rows)",
    )
    await expect(suite.setTunable('max_null_rate', 0.1, { who: '', why: 'b' })).rejects.toThrow(
      /who must be a non-empty string/,
    )
    await expect(
      suite.setTunable('max_null_rate', 0.1, undefined as unknown as { who: string; why: string }),
    ).rejects.toThrow(/needs \{ who, why \}/)
    await expect(suite.setTunable('max_null_rate', Number.NaN, { who: 'a', why: 'b' })).rejects.toThrow(
      "tunable 'max_null_rate' needs a finite number in [0, 0.5], got NaN",
    )
    expect(await suite.tunableChanges()).toEqual([])
    await db.close()
  })

  it('a stored value the narrowed bounds no longer allow stops the run before any scan', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const wide = tunable('max_null_rate', 0.05, { min: 0, max: 0.5 })
    const narrow = tunable('max_null_rate', 0.05, { min: 0, max: 0.1 })
    const make2 = (t: typeof wide) =>
      new VerificationSuite({
        name: 'narrowed',
        checks: [
          check({ name: 'c', datasets: ['orders'] }, (mp, ctx) =>
            ctx.assertThat(mp.nullCount('email').rate()).where({ name: 'r' }).isLt(t),
          ),
        ],
        db,
        logger,
      })
    await make2(wide).setTunable('max_null_rate', 0.4, { who: 'a', why: 'b' })
    const scans = countScans()
    try {
      await expect(make2(narrow).run({ orders: orders() }, new ResultKey('2026-11-25'))).rejects.toThrow(
        "tunable 'max_null_rate' of suite 'narrowed' was set to 0.4",
      )
    } finally {
      scans.stop()
    }
    expect(scans.count()).toBe(0)
    await db.close()
  })

  it('reevaluate(key) takes the latest stored run, keeps schema and unavailable-data verdicts, and replay sends it', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const seen: AssertionResult[][] = []
    const sink: ResultProcessor = { name: 'sink', process: (results) => void seen.push([...results]) }
    const t = tunable('max_amount', 15, { min: 0, max: 100 })
    const checks = [
      check({ name: 'amounts', datasets: ['orders'] }, (mp, ctx) => {
        ctx.assertThat(mp.maximum('amount')).where({ name: 'max amount' }).isLeq(t)
        ctx.assertThat(mp.sum('amount').dayOverDay()).where({ name: 'dod' }).isBetween(0.5, 2)
        ctx.expectSchema('orders', { columns: { email: 'string' }, allowExtra: true })
      }),
      check({ name: 'refunds', datasets: ['refunds'] }, (mp, ctx) => {
        ctx.assertThat(mp.numRows()).where({ name: 'refund rows' }).isGeq(0)
      }),
    ]
    const suite = new VerificationSuite({ name: 'keep', checks, db, logger, plugins: [sink], audit: false })
    const key = new ResultKey('2026-11-25')
    const first = await suite.run({ orders: orders() }, key, { enablePlugins: false })
    expect(first.results.map((r) => [r.assertion, r.status])).toEqual([
      ['max amount', 'FAILED'],
      ['dod', 'FAILED'],
      ['schema of orders', 'PASSED'],
      ['refund rows', 'SKIPPED'],
    ])
    await suite.setTunable('max_amount', 20, { who: 'a', why: 'new price list' })
    const again = await suite.reevaluate(key)
    expect(again.reevaluatedFrom).toBe(first.runId)
    expect(again.results.map((r) => [r.assertion, r.status])).toEqual([
      ['max amount', 'PASSED'],
      ['dod', 'FAILED'],
      ['schema of orders', 'PASSED'],
      ['refund rows', 'SKIPPED'],
    ])
    expect(byName(again.results, 'dod').error).toMatch(/no value of sum\(amount\)/)
    expect(byName(again.results, 'refund rows')).toEqual(byName(first.results, 'refund rows'))
    expect(seen).toEqual([])
    const replayed = await suite.replay(key)
    expect(replayed.runId).toBe(again.runId)
    expect(seen[0]?.map((r) => r.status)).toEqual(['PASSED', 'FAILED', 'PASSED', 'SKIPPED'])
    // Naming a run that is not stored says so, with the dates that are.
    await expect(suite.reevaluate(key, { runId: 'nope' })).rejects.toThrow(
      "reevaluate(): no stored run with runId 'nope' of suite 'keep' for 2026-11-25",
    )
    await expect(suite.reevaluate({} as never)).rejects.toThrow(/takes a RunReport or a ResultKey/)
    await suite.close()
    await db.close()
  })
})
