import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MetricDB, ResultKey } from '../../src/index.js'
import {
  changeLine,
  formatSampleValue,
  sampleCaption,
  samplePairs,
  sampleTable,
  scopeText,
} from '../../src/plugins/render.js'
import {
  assertionKey,
  atOrAbove,
  changeCounts,
  detectChanges,
  planMessages,
  previousResults,
  routeLabel,
  scopeLabel,
  scopeView,
  sendAll,
  wanted,
} from '../../src/plugins/routing.js'
import { captureLogger, createResultsContext, makeResult } from '../../src/testing/index.js'

const dir = mkdtempSync(join(tmpdir(), 'dqx-routing-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const failed = (assertion: string, severity: 'P0' | 'P1' | 'P2' | 'P3' = 'P1') =>
  makeResult({ assertion, severity, status: 'FAILED', value: 7, bound: '< 5' })
const passed = (assertion: string, severity: 'P0' | 'P1' | 'P2' | 'P3' = 'P1') =>
  makeResult({ assertion, severity, status: 'PASSED' })

describe('severity scopes', () => {
  it('orders severities with P0 the worst', () => {
    expect(atOrAbove('P0', 'P1')).toBe(true)
    expect(atOrAbove('P1', 'P1')).toBe(true)
    expect(atOrAbove('P2', 'P1')).toBe(false)
    expect(atOrAbove('P3', 'P3')).toBe(true)
    expect(['P0', 'P1', 'P2', 'P3'].map((s) => scopeLabel(s as 'P0'))).toEqual([
      'P0',
      'P0–P1',
      'P0–P2',
      'P0–P3',
    ])
    expect(routeLabel(2, 'P1')).toBe('routes[2] (P0–P1)')
  })

  it("scopes a view to a route's severities, recounting the summary", () => {
    const view = createResultsContext({
      results: [
        failed('a', 'P0'),
        passed('b', 'P0'),
        failed('c', 'P2'),
        failed('d', 'P3'),
        failed('e', 'P3'),
      ],
    })
    expect(scopeView(view, undefined, undefined)).toBe(view)
    const p1 = scopeView(view, 'P1', undefined)
    expect(p1.results.map((r) => r.assertion)).toEqual(['a', 'b'])
    expect(p1.summary).toMatchObject({ total: 2, failed: 1, passed: 1 })
    expect(p1.route).toEqual({
      minSeverity: 'P1',
      omitted: [
        ['P2', 1],
        ['P3', 2],
      ],
    })
    expect(p1.changes).toBeUndefined()
    expect(scopeText(p1)).toBe('P0–P1; failures below not listed: P2: 1, P3: 2')
    expect(scopeText(scopeView(view, 'P3', undefined))).toBe('P0–P3')
    expect(scopeText({})).toBeUndefined()
    // The run's own view is untouched.
    expect(view.summary.failed).toBe(4)
  })
})

describe('change detection', () => {
  it('classifies status moves; a new assertion counts only when it FAILED', () => {
    const results = [
      failed('was passing'),
      failed('still failing'),
      passed('fixed'),
      makeResult({ assertion: 'now skipped', status: 'SKIPPED' }),
      passed('steady'),
      failed('brand new'),
      passed('new and fine'),
    ]
    const previous = new Map(
      [
        passed('was passing'),
        failed('still failing'),
        failed('fixed'),
        failed('now skipped'),
        passed('steady'),
      ].map((r) => [assertionKey(r), r]),
    )
    const changes = detectChanges(results, previous)
    expect(changes.map((c) => [c.result.assertion, c.kind, c.previous])).toEqual([
      ['was passing', 'newly failing', 'PASSED'],
      ['fixed', 'recovered', 'FAILED'],
      ['now skipped', 'changed', 'FAILED'],
      ['brand new', 'newly failing', undefined],
    ])
    expect(changeCounts(changes)).toBe('2 newly failing, 1 recovered, 1 changed')
    expect(changeCounts([])).toBe('')
    expect(changes.map(changeLine)).toEqual([
      'newly failing: P1 test-check › was passing (PASSED → FAILED)',
      'recovered: P1 test-check › fixed (FAILED → PASSED)',
      'changed: P1 test-check › now skipped (FAILED → SKIPPED)',
      'newly failing: P1 test-check › brand new (new → FAILED)',
    ])
  })

  it('keys assertions by check and name', () => {
    expect(assertionKey({ check: 'a', assertion: 'b' })).not.toBe(
      assertionKey({ check: 'a b', assertion: '' }),
    )
  })

  for (const kind of ['memory', 'duckdb'] as const) {
    it(`finds the previous run: a re-run of the day first, then earlier days (${kind})`, async () => {
      const db = kind === 'memory' ? MetricDB.memory() : MetricDB.duckdb(join(dir, 'prev.duckdb'))
      try {
        const tags = { env: 'prod' }
        const at = (date: string, status: 'PASSED' | 'FAILED', assertion = 'x') =>
          makeResult({ date, suite: 's', check: 'c', assertion, status, tags })
        await db.putResults('r-old', [at('2026-11-01', 'PASSED', 'x'), at('2026-11-01', 'FAILED', 'old')])
        await db.putResults('r-23', [at('2026-11-23', 'FAILED', 'x')])
        await db.putResults('r-25a', [at('2026-11-25', 'PASSED', 'y')])
        // Another tag set and another suite are other histories.
        await db.putResults('r-other', [{ ...at('2026-11-25', 'FAILED', 'x'), tags: { env: 'dev' } }])
        await db.putResults('r-suite', [{ ...at('2026-11-25', 'FAILED', 'x'), suite: 't' }])
        await db.putResults('r-now', [at('2026-11-25', 'PASSED', 'x'), at('2026-11-25', 'PASSED', 'y')])
        const wanted = new Set(
          ['x', 'y', 'old', 'never'].map((a) => assertionKey({ check: 'c', assertion: a })),
        )
        const q = { suite: 's', date: '2026-11-25', tags, runId: 'r-now', wanted }
        const found = await previousResults(db, q)
        expect(
          Object.fromEntries([...found].map(([k, r]) => [JSON.parse(k)[1], `${r.runId}:${r.status}`])),
        ).toEqual({ x: 'r-23:FAILED', y: 'r-25a:PASSED', old: 'r-old:FAILED' })
        // A shorter lookback does not reach 2026-11-01.
        const near = await previousResults(db, { ...q, lookbackDays: 3 })
        expect([...near.keys()].map((k) => JSON.parse(k)[1]).sort()).toEqual(['x', 'y'])
      } finally {
        await db.close()
      }
    })
  }
})

describe('planMessages', () => {
  const dest = [
    { target: 'all', label: '' },
    { target: 'p0', minSeverity: 'P0' as const, label: routeLabel(1, 'P0') },
  ]

  it('applies notifyOn to each scoped view', async () => {
    const db = MetricDB.memory()
    const { logger, lines } = captureLogger('debug')
    const view = createResultsContext({ results: [passed('a', 'P0'), failed('b', 'P2')], logger })
    const plan = (notifyOn: 'always' | 'failure' | 'success') =>
      planMessages(view, { notifyOn, destinations: dest, db }).then((m) => m.map((x) => x.destination.target))
    expect(await plan('failure')).toEqual(['all'])
    expect(await plan('success')).toEqual(['p0'])
    expect(await plan('always')).toEqual(['all', 'p0'])
    expect(lines.filter((l) => l.msg === 'nothing to send for this run').map((l) => l.route ?? '')).toEqual([
      'routes[1] (P0)',
      '',
    ])
  })

  it("'change' compares with the previous run, and a run error is always news (but not for 'success')", async () => {
    const db = MetricDB.memory()
    await db.putResults('before', [passed('a', 'P0'), failed('b', 'P2')])
    const view = createResultsContext({ results: [failed('a', 'P0'), failed('b', 'P2')] })
    const messages = await planMessages(view, { notifyOn: 'change', destinations: dest, db, lookbackDays: 0 })
    expect(
      messages.map((m) => [m.destination.target, m.view.changes?.map((c) => c.result.assertion)]),
    ).toEqual([
      ['all', ['a']],
      ['p0', ['a']],
    ])
    const quiet = createResultsContext({ results: [passed('a', 'P0'), failed('b', 'P2')] })
    await db.putResults('test-run', quiet.results)
    expect(await planMessages(quiet, { notifyOn: 'change', destinations: dest, db })).toEqual([])
    const broken = { ...quiet, results: [], error: new Error('no such column') }
    expect(wanted('change', broken)).toBe(true)
    expect(wanted('success', broken)).toBe(false)
    expect(wanted('change', quiet)).toBe(false) // a view without changes has nothing to say
    expect(
      (await planMessages(broken, { notifyOn: 'change', destinations: dest, db })).map((m) => m.view.changes),
    ).toEqual([undefined, undefined])
  })

  it('counts every failure as new when the history cannot be read, and says so', async () => {
    const { logger, lines } = captureLogger('warn')
    const db = {
      getResults: async () => {
        throw new Error('database is locked')
      },
    } as unknown as MetricDB
    const view = createResultsContext({ results: [failed('a'), passed('b')], logger })
    const [m] = await planMessages(view, { notifyOn: 'change', destinations: [dest[0]!], db })
    expect(m?.view.changes?.map((c) => [c.result.assertion, c.kind])).toEqual([['a', 'newly failing']])
    expect(lines).toMatchObject([
      {
        level: 40,
        err: 'database is locked',
        msg: "notifyOn 'change': could not read the previous run; every failure counts as newly failing",
      },
    ])
  })
})

describe('sendAll', () => {
  it('sends everything, rethrows a single failure as is, joins several', async () => {
    const sent: number[] = []
    await sendAll([1, 2], async (n) => void sent.push(n))
    expect(sent).toEqual([1, 2])
    const boom = new Error('one down')
    await expect(
      sendAll([1, 2, 3], async (n) => {
        if (n === 2) throw boom
        sent.push(n)
      }),
    ).rejects.toBe(boom)
    expect(sent).toEqual([1, 2, 1, 3])
    await expect(
      sendAll([1, 2], async (n) => {
        throw n === 1 ? new Error('first') : 'second'
      }),
    ).rejects.toThrow(/^first; second$/)
  })
})

describe('sample rendering', () => {
  const withSamples = makeResult({
    status: 'FAILED',
    samples: {
      rows: [
        { id: 1, email: null, note: 'x'.repeat(100), meta: { a: [1, 2] } },
        { id: 2, 'a\nkey': 'line\nbreak', flag: true },
      ],
      total: 1,
    },
  })

  it('formats values compactly', () => {
    expect(formatSampleValue(null)).toBe('null')
    expect(formatSampleValue(undefined)).toBe('undefined')
    expect(formatSampleValue(42.5)).toBe('42.5')
    expect(formatSampleValue({ a: [1, 2] })).toBe('{"a":[1,2]}')
    expect(formatSampleValue('y'.repeat(50))).toBe(`${'y'.repeat(39)}…`)
    expect(formatSampleValue(' two\n lines ')).toBe('two lines')
  })

  it('picks the first rows and their columns', () => {
    const t = sampleTable(withSamples, 3)
    expect(t?.columns).toEqual(['id', 'email', 'note', 'meta', 'a\nkey', 'flag'])
    // total is never below the rows shown.
    expect(sampleCaption(t!)).toBe('2 of 2 rows')
    expect(sampleCaption({ rows: [{}], total: 1 })).toBe('1 of 1 row')
    expect(sampleTable(withSamples, 1)?.rows).toHaveLength(1)
    expect(sampleTable(withSamples, 0)).toBeUndefined()
    expect(sampleTable(withSamples, -1)).toBeUndefined()
    expect(sampleTable(makeResult({ status: 'FAILED' }), 3)).toBeUndefined()
    expect(sampleTable(makeResult({ status: 'FAILED', samples: { rows: [], total: 0 } }), 3)).toBeUndefined()
  })

  it('renders a row as key=value pairs, cut when long', () => {
    const [first, second] = withSamples.samples!.rows
    expect(samplePairs(first!)).toBe(`id=1, email=null, note=${'x'.repeat(39)}…, meta={"a":[1,2]}`)
    expect(samplePairs(second!)).toBe('id=2, a key=line break, flag=true')
    expect(samplePairs(first!, 20)).toBe('id=1, email=null, n…')
  })
})

describe('ResultKey tags in the previous-run lookup', () => {
  it('match regardless of key order', async () => {
    const db = MetricDB.memory()
    const tags = new ResultKey('2026-11-25', { b: '2', a: '1' }).tags
    await db.putResults('prev', [makeResult({ suite: 's', tags: { a: '1', b: '2' }, status: 'FAILED' })])
    const found = await previousResults(db, {
      suite: 's',
      date: '2026-11-25',
      tags,
      runId: 'now',
      wanted: new Set([assertionKey(makeResult())]),
    })
    expect([...found.values()].map((r) => r.runId)).toEqual(['prev'])
  })
})
