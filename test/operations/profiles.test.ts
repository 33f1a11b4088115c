import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { Metric } from '../../src/core/expression.js'
import { assertion, permanentProfile, ScaledExpr, seasonalProfile, tag } from '../../src/core/profile.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { audit } from '../../src/suite/audit.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'
import { storesFor } from './stores.js'

const { stores } = storesFor('dqx_prof')

const day = (revenue: number) =>
  DataSource.fromRecords(Array.from({ length: 4 }, (_, i) => ({ id: i, revenue: revenue / 4, legacy: null })))

const sales = check({ name: 'sales', datasets: ['orders'] }, (mp, ctx) => {
  ctx
    .assertThat(mp.sum('revenue').dayOverDay())
    .where({ name: 'revenue stable', severity: 'P1', tags: ['revenue'] })
    .isBetween(0.5, 2)
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.nullCount('legacy'))
    .where({ name: 'legacy filled', tags: ['legacy'] })
    .isZero()
})

const blackFriday = seasonalProfile({
  name: 'black friday',
  startDate: '2026-11-27',
  endDate: '2026-11-30',
  rules: [
    tag('revenue')
      .scale(1 / 3)
      .set({ severity: 'P3' }),
  ],
})
const noLegacy = permanentProfile({ name: 'legacy export retired', rules: [tag('legacy').disable()] })

const byName = (results: readonly AssertionResult[], name: string) =>
  results.find((r) => r.assertion === name) as AssertionResult

describe.each(stores)('profiles against the $name store', ({ make }) => {
  it('scale, severity and disable apply on active dates only, and the report says which profile did what', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const seen: (readonly string[] | undefined)[] = []
    const suite = new VerificationSuite({
      name: 'shop',
      checks: [sales],
      db,
      logger,
      profiles: [blackFriday, noLegacy],
      plugins: [{ name: 'sink', process: (_r, _s, _n, ctx) => void seen.push(ctx.profiles) }],
    })
    try {
      // An ordinary day, then Black Friday with triple revenue.
      await suite.run({ orders: day(100) }, new ResultKey('2026-11-26'))
      const normal = await suite.run({ orders: day(300) }, new ResultKey('2026-11-26'))
      expect(normal.profiles).toEqual(['legacy export retired'])
      expect(byName(normal.results, 'legacy filled')).toMatchObject({
        status: 'SKIPPED',
        value: null,
        skipCause: 'disabled-by-profile',
        error: 'disabled by profile \'legacy export retired\' (tag("legacy"))',
        profiles: [{ profile: 'legacy export retired', rule: 'tag("legacy")', disabled: true }],
      })
      expect(byName(normal.results, 'revenue stable').profiles).toBeUndefined()

      const friday = await suite.run({ orders: day(900) }, new ResultKey('2026-11-27'))
      expect(friday.profiles).toEqual(['black friday', 'legacy export retired'])
      const revenue = byName(friday.results, 'revenue stable')
      // dayOverDay is 3; scaled by 1/3 it is judged as 1.
      expect(revenue.status).toBe('PASSED')
      expect(revenue.value).toBeCloseTo(1, 12)
      expect(revenue).toMatchObject({
        severity: 'P3',
        expression: 'dayOverDay(sum(revenue))',
        profiles: [{ profile: 'black friday', rule: 'tag("revenue")', scale: 1 / 3, severity: 'P3' }],
      })
      expect(byName(friday.results, 'has rows')).toMatchObject({ status: 'PASSED', severity: 'P0' })
      expect(byName(friday.results, 'has rows').profiles).toBeUndefined()
      // The disabled assertion's metric was not computed.
      expect(friday.symbols.map((s) => s.metric)).not.toContain('nullCount(legacy)')

      // Plugins see the active profiles too.
      expect(seen.slice(-2)).toEqual([['legacy export retired'], ['black friday', 'legacy export retired']])
      // After the season, the same tripling fails at its own severity.
      await suite.run({ orders: day(900) }, new ResultKey('2026-11-30'))
      const after = await suite.run({ orders: day(2700) }, new ResultKey('2026-12-01'))
      expect(after.profiles).toEqual(['legacy export retired'])
      expect(byName(after.results, 'revenue stable')).toMatchObject({
        status: 'FAILED',
        severity: 'P1',
        value: 3,
      })

      // What the stored run keeps: the per-assertion effects.
      const stored = await db.getRun({ suite: 'shop', date: '2026-11-27', tags: {} })
      expect(byName(stored?.results ?? [], 'revenue stable').profiles).toEqual(revenue.profiles)
      const results = await db.getResults({ suite: 'shop', date: '2026-11-27', tags: {} })
      expect(byName(results, 'revenue stable')).toMatchObject({ severity: 'P3', status: 'PASSED' })
    } finally {
      await db.close()
    }
  })

  it('the audit summary names the active profiles', async () => {
    const db = make()
    let text = ''
    const suite = new VerificationSuite({
      name: 'audited',
      checks: [sales],
      db,
      logger: captureLogger('warn').logger,
      profiles: [blackFriday, noLegacy],
      audit: false,
      plugins: [audit({ stream: { write: (t: string) => (text += t) } })],
    })
    await suite.run({ orders: day(300) }, new ResultKey('2026-11-27'))
    expect(text).toContain('\n  Profiles:   black friday, legacy export retired\n')
    const none = new VerificationSuite({
      name: 'audited',
      checks: [sales],
      db,
      logger: captureLogger('warn').logger,
      profiles: [blackFriday],
      audit: false,
      plugins: [audit({ stream: { write: (t: string) => (text += t) } })],
    })
    text = ''
    await none.run({ orders: day(300) }, new ResultKey('2026-12-02'))
    expect(text).toContain('\n  Profiles:   None\n')
    await db.close()
  })

  it('a profile added after the run applies when the stored run is re-evaluated', async () => {
    const db = make()
    const { logger } = captureLogger('warn')
    const plain = new VerificationSuite({ name: 'late', checks: [sales], db, logger })
    await plain.run({ orders: day(300) }, new ResultKey('2026-11-26'))
    const friday = await plain.run({ orders: day(900) }, new ResultKey('2026-11-27'))
    expect(byName(friday.results, 'revenue stable').status).toBe('FAILED')
    expect(friday.profiles).toBeUndefined()
    const withProfile = new VerificationSuite({
      name: 'late',
      checks: [sales],
      db,
      logger,
      profiles: [blackFriday],
    })
    const again = await withProfile.reevaluate(friday)
    expect(again.profiles).toEqual(['black friday'])
    expect(byName(again.results, 'revenue stable')).toMatchObject({ status: 'PASSED', severity: 'P3' })
    await db.close()
  })
})

describe('profile rules', () => {
  it('select by tag, by check, by check and assertion name; factors multiply, the last severity wins, the first disable is named', async () => {
    const { logger } = captureLogger('warn')
    const key = new ResultKey('2026-11-26')
    const suite = new VerificationSuite({
      name: 'rules',
      checks: [sales],
      logger,
      profiles: [
        permanentProfile({
          name: 'a',
          rules: [assertion('sales').set({ severity: 'P2' }), assertion('sales', 'has rows').scale(2)],
        }),
        permanentProfile({
          name: 'b',
          rules: [assertion('sales', 'has rows').scale(3).set({ severity: 'P3' }), tag('legacy').disable()],
        }),
        permanentProfile({ name: 'c', rules: [assertion('sales', 'legacy filled').disable()] }),
      ],
    })
    const report = await suite.run({ orders: day(100) }, key)
    expect(byName(report.results, 'has rows')).toMatchObject({ value: 24, severity: 'P3' })
    expect(byName(report.results, 'has rows').profiles).toEqual([
      { profile: 'a', rule: 'assertion("sales")', severity: 'P2' },
      { profile: 'a', rule: 'assertion("sales", "has rows")', scale: 2 },
      { profile: 'b', rule: 'assertion("sales", "has rows")', scale: 3, severity: 'P3' },
    ])
    expect(byName(report.results, 'legacy filled')).toMatchObject({
      status: 'SKIPPED',
      severity: 'P2',
      error: 'disabled by profile \'b\' (tag("legacy"))',
    })
    expect(byName(report.results, 'legacy filled').profiles?.map((e) => e.profile)).toEqual(['a', 'b', 'c'])
  })

  it('seasonal profiles are active on their first and last day, inclusive', () => {
    expect(
      ['2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01'].map((d) => blackFriday.isActive(d)),
    ).toEqual([false, true, true, false])
    expect(noLegacy.isActive('1999-01-01')).toBe(true)
    expect(blackFriday).toMatchObject({ kind: 'seasonal', startDate: '2026-11-27', endDate: '2026-11-30' })
    expect(noLegacy.kind).toBe('permanent')
  })

  it('refuses malformed profiles and rules with messages naming the profile and the fix', () => {
    const err = (fn: () => unknown): DqxError => {
      try {
        fn()
      } catch (e) {
        return e as DqxError
      }
      throw new Error('did not throw')
    }
    const cases: [() => unknown, string | RegExp][] = [
      [() => tag(''), 'tag() must be a non-empty string, got ""'],
      [() => assertion('sales', ''), 'assertion(): the assertion name must be a non-empty string, got ""'],
      [() => assertion(3 as never), 'assertion(): the check name must be a non-empty string, got 3'],
      [() => tag('x').scale(0), 'tag("x").scale(): the factor must be a finite number above 0, got 0'],
      [() => tag('x').scale(Number.POSITIVE_INFINITY), /got Infinity/],
      [
        () => tag('x').set({ severity: 'P9' as never }),
        'tag("x").set(): severity must be one of P0, P1, P2, P3, got "P9"',
      ],
      [() => tag('x').set(null as never), /severity must be one of P0, P1, P2, P3, got undefined/],
      [
        () => seasonalProfile({ name: 'bf', startDate: '2026-11-30', endDate: '2026-11-27', rules: [] }),
        "profile 'bf': startDate 2026-11-30 is after endDate 2026-11-27",
      ],
      [
        () => seasonalProfile({ name: 'bf', startDate: '2026-02-30', endDate: '2026-11-27', rules: [] }),
        /profile 'bf': startDate '2026-02-30' does not exist/,
      ],
      [
        () => seasonalProfile(null as never),
        /seasonalProfile\(\) takes options, e.g. seasonalProfile\(\{ name: 'black friday', startDate/,
      ],
      [
        () => permanentProfile(undefined as never),
        /permanentProfile\(\) takes options, e.g. permanentProfile\(\{ name: 'black friday', rules/,
      ],
      [
        () => permanentProfile({ name: '', rules: [] }),
        'permanentProfile(): name must be a non-empty string, got ""',
      ],
      [() => permanentProfile({ name: 'p', rules: 'x' as never }), /profile 'p': rules must be an array/],
      [() => permanentProfile({ name: 'p', rules: [{}] as never }), /profile 'p': rules\[0\] is not a rule/],
      [
        () => permanentProfile({ name: 'p', rules: [tag('x')] }),
        'profile \'p\': rules[0] tag("x") changes nothing; add .disable(), .set({ severity }) or .scale(factor)',
      ],
    ]
    for (const [fn, message] of cases) {
      const e = err(fn)
      expect(e).toBeInstanceOf(DqxError)
      expect(e.code).toBe(
        typeof message === 'string' || !/does not exist/.test(String(message)) ? 'PROFILE' : 'INVALID_DATE',
      )
      if (typeof message === 'string') expect(e.message).toBe(message)
      else expect(e.message).toMatch(message)
    }
  })

  it('a rule naming a check or assertion the suite lacks is a warning with a did-you-mean', () => {
    const { logger, lines } = captureLogger('warn')
    new VerificationSuite({
      name: 'typos',
      checks: [sales],
      logger,
      profiles: [
        permanentProfile({
          name: 'p',
          rules: [
            assertion('sale').disable(),
            assertion('sales', 'has row').disable(),
            assertion('sales', 'has rows').disable(),
            assertion('elsewhere').disable(),
            tag('nowhere').disable(),
          ],
        }),
      ],
    })
    expect(lines.map((l) => [l.suite, l.msg])).toEqual([
      [
        'typos',
        `profile 'p': assertion("sale") names no check of this suite — did you mean 'sales'?; the rule selects nothing here`,
      ],
      [
        'typos',
        `profile 'p': assertion("sales", "has row"): check 'sales' has no such assertion — did you mean 'has rows'?; the rule selects nothing here`,
      ],
      [
        'typos',
        `profile 'p': assertion("elsewhere") names no check of this suite; the rule selects nothing here`,
      ],
    ])
    const quiet = captureLogger('warn')
    new VerificationSuite({
      name: 'typos',
      checks: [sales],
      logger: quiet.logger,
      profiles: [permanentProfile({ name: 'p', rules: [assertion('sales', 'zzzzzzzzzz').disable()] })],
    })
    expect(quiet.lines.map((l) => l.msg)).toEqual([
      `profile 'p': assertion("sales", "zzzzzzzzzz"): check 'sales' has no such assertion; the rule selects nothing here`,
    ])
  })

  it('the suite refuses a profiles option that is not a list of distinct profiles', () => {
    const make = (profiles: unknown) => () =>
      new VerificationSuite({ name: 's', checks: [sales], profiles: profiles as never })
    expect(make('x')).toThrow(
      'profiles must be an array, e.g. [seasonalProfile({ … }), permanentProfile({ … })]',
    )
    expect(make([{ name: 'x' }])).toThrow(/profiles\[0\] is not a profile; create it with seasonalProfile/)
    expect(make([noLegacy, noLegacy])).toThrow(
      "profiles has a duplicate name 'legacy export retired'; give each profile its own name",
    )
  })
})

describe('ScaledExpr', () => {
  it('reads and prints as the expression it wraps, passes errors through and binds datasets', () => {
    const scaled = new ScaledExpr(new Metric({ kind: 'numRows' }, undefined, 0).div(2), 3)
    expect(scaled.toString()).toBe('numRows() / 2')
    expect(scaled.evaluate(() => ({ ok: true, value: 4 }))).toEqual({ ok: true, value: 6 })
    expect(scaled.evaluate(() => ({ ok: false, error: 'gone' }))).toEqual({ ok: false, error: 'gone' })
    const bound = scaled.withDataset('orders')
    expect(bound.refs().map((r) => r.dataset)).toEqual(['orders'])
    expect(bound.evaluate(() => ({ ok: true, value: 1 }))).toEqual({ ok: true, value: 1.5 })
    expect(bound.tunables()).toEqual([])
  })
})
