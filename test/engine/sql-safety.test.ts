// Column names, values and paths holding quotes, double quotes, semicolons, `--` comments and
// unicode are read as data: the tests assert on computed results, never on SQL text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { duckdbRun, quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25', { team: 'it\'s "a" b; --c' })

const HOSTILE_COLUMNS = [
  "it's",
  'say "hi"',
  'x; DROP TABLE t; --',
  '-- comment',
  "'); DELETE FROM dqx_metrics; --",
  'naïve 列 🎉',
  'a"";b',
]
const HOSTILE_VALUES = [
  "O'Brien",
  'say "hi"',
  "x'; DROP TABLE t; --",
  '-- not a comment',
  "'); DELETE FROM dqx_metrics; --",
  '日本語 🎉',
  '\\', // a lone backslash
  '$1',
  '?',
]

/** 3 rows per hostile value in every hostile column, plus a 'plain' row. */
function hostileRecords(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  for (const v of HOSTILE_VALUES) {
    for (let i = 0; i < 3; i++) rows.push(Object.fromEntries(HOSTILE_COLUMNS.map((c) => [c, v])))
  }
  rows.push(Object.fromEntries(HOSTILE_COLUMNS.map((c) => [c, 'plain'])))
  return rows
}

const hostileCheck = check({ name: 'it\'s a "check"; --', datasets: ['weird; "ds"'] }, (mp, ctx) => {
  for (const col of HOSTILE_COLUMNS) {
    ctx
      .assertThat(mp.countValues(col, HOSTILE_VALUES))
      .where({ name: `count ${col}` })
      .isEq(27)
    ctx
      .assertThat(mp.countValues(col, HOSTILE_VALUES[2] as string))
      .where({ name: `one ${col}` })
      .isEq(3)
    ctx
      .assertThat(mp.uniqueCount(col))
      .where({ name: `unique ${col}` })
      .isEq(HOSTILE_VALUES.length + 1)
    ctx
      .assertThat(mp.nullCount(col))
      .where({ name: `nulls ${col}` })
      .isZero()
    ctx
      .assertThat(mp.duplicateCount([col, HOSTILE_COLUMNS[0] as string]))
      .where({ name: `dups ${col}` })
      .isEq(18)
    ctx
      .assertThat(mp.maxLength(col))
      .where({ name: `len ${col}` })
      .isEq(31)
  }
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(28)
})

let dir: TempDir
beforeAll(() => {
  dir = tempDir('dqx it\'s "quoted" -- ')
})
afterAll(() => dir.cleanup())

describe('hostile names and values are data', () => {
  it('in records: column names and countValues values', async () => {
    const db = MetricDB.memory()
    const report = await quietSuite([hostileCheck], { db }).run(
      { 'weird; "ds"': DataSource.fromRecords(hostileRecords()) },
      KEY,
    )
    const failed = report.results.filter((r) => r.status !== 'PASSED')
    expect(failed).toEqual([])
    expect(report.results).toHaveLength(HOSTILE_COLUMNS.length * 6 + 1)
    // Stored under the hostile names and tags, and readable back.
    const stored = await db.getMetric({
      metric: `countValues(${JSON.stringify(HOSTILE_COLUMNS[2])}, [${JSON.stringify(HOSTILE_VALUES[2])}])`,
      dataset: 'weird; "ds"',
      date: KEY.date,
      tags: KEY.tags,
    })
    expect(stored?.value).toBe(3)
  })

  it('in a parquet file with hostile column names, at a hostile path', async () => {
    const file = dir.file('it\'s; a "file" -- .parquet')
    const cols = HOSTILE_COLUMNS.map((c) => `v AS "${c.replaceAll('"', '""')}"`).join(', ')
    const values = [...HOSTILE_VALUES.flatMap((v) => [v, v, v]), 'plain']
      .map((v) => `('${v.replaceAll("'", "''")}')`)
      .join(', ')
    await duckdbRun(
      `COPY (SELECT ${cols} FROM (VALUES ${values}) t(v)) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`,
    )
    const report = await quietSuite([hostileCheck]).run({ 'weird; "ds"': DataSource.parquet(file) }, KEY)
    expect(report.results.filter((r) => r.status !== 'PASSED')).toEqual([])
  })

  it('in a MetricDB file at a hostile path, with hostile metric names, datasets and tags', async () => {
    const db = MetricDB.duckdb(dir.file("metrics'; --.duckdb"))
    try {
      const suite = quietSuite([hostileCheck], { db })
      const source = DataSource.fromRecords(hostileRecords())
      await suite.run({ 'weird; "ds"': source }, KEY.lag(1))
      const trend = check({ name: 'trend', datasets: ['weird; "ds"'] }, (mp, ctx) => {
        ctx
          .assertThat(mp.countValues(HOSTILE_COLUMNS[4] as string, HOSTILE_VALUES).dayOverDay())
          .where({ name: 'dod' })
          .isEq(1)
      })
      const report = await quietSuite([trend], { db }).run({ 'weird; "ds"': source }, KEY)
      expect(report.results[0]).toMatchObject({ status: 'PASSED', value: 1 })
      const results = await db.getResults({ suite: 'test', date: KEY.lag(1).date, tags: KEY.tags })
      expect(results.map((r) => r.check)).toContain('it\'s a "check"; --')
    } finally {
      await db.close()
    }
  })

  it('a hostile dateColumn name filters by date', async () => {
    const col = "day'; --"
    const recs = [
      { [col]: new Date('2026-11-25T01:00:00Z'), v: 1 },
      { [col]: new Date('2026-11-24T01:00:00Z'), v: 2 },
    ]
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.sum('v')).where({ name: 'today' }).isEq(1)
    })
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords(recs, { dateColumn: col }) }, KEY)
    expect(report.results[0]).toMatchObject({ status: 'PASSED', value: 1 })
  })

  it('number and boolean countValues are compared as values, not text', async () => {
    const recs = [
      { n: 1, b: true },
      { n: 1.5, b: false },
      { n: 2, b: true },
      { n: null, b: null },
    ]
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.countValues('n', [1, 2]))
        .where({ name: 'ints' })
        .isEq(2)
      ctx.assertThat(mp.countValues('n', 1.5)).where({ name: 'fraction' }).isEq(1)
      ctx.assertThat(mp.countValues('b', true)).where({ name: 'true' }).isEq(2)
      ctx
        .assertThat(mp.countValues('b', [false]))
        .where({ name: 'false' })
        .isEq(1)
    })
    const report = await quietSuite([c]).run({ d: DataSource.fromRecords(recs) }, KEY)
    expect(report.results.map((r) => [r.assertion, r.status])).toEqual([
      ['ints', 'PASSED'],
      ['fraction', 'PASSED'],
      ['true', 'PASSED'],
      ['false', 'PASSED'],
    ])
  })

  it('refuses a NUL character in a column name with a DqxError', async () => {
    const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
    })
    const err = await quietSuite([c])
      .run({ d: DataSource.fromRecords([{ 'a\u0000b': 1 }]) }, KEY)
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toMatchObject({ name: 'DqxError' })
    expect((err as Error).message).toMatch(/NUL/)
  })
})
