import { writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { createEngineSession } from '../../src/engine/engine-session.js'
import { columnKind, profile, profileSql, profileValue, uniqueColumns } from '../../src/engine/profile.js'
import {
  keyCandidates,
  rangeWithMargin,
  roundOutward,
  suggestChecks,
  tsString,
} from '../../src/engine/profile-suggestions.js'
import { check, DataSource, DqxError, MetricDB, ResultKey, VerificationSuite } from '../../src/index.js'
import { tempDir } from '../helpers/data.js'

const tmp = tempDir('dqx-profile-')
afterAll(() => tmp.cleanup())

/** 200 rows: id unique, status of 3 values, price with 10 nulls, name with an empty string. */
const rows = Array.from({ length: 200 }, (_, i) => ({
  id: i + 1,
  status: ['new', 'paid', "it's shipped"][i % 3] as string,
  price: i % 20 === 0 ? null : 1 + (i % 50) * 0.5,
  name: i === 7 ? '' : `name ${i % 40}`,
  day: new Date(Date.UTC(2026, 10, 1 + (i % 30))),
  flag: i % 2 === 0,
}))
/** The same rows with the types a file would have (BIGINT id, DATE day). */
const typed = DataSource.sql(`SELECT
  i + 1 AS id,
  ['new', 'paid', 'it''s shipped'][1 + i % 3] AS status,
  CASE WHEN i % 20 = 0 THEN NULL ELSE 1 + (i % 50) * 0.5 END::DOUBLE AS price,
  CASE WHEN i = 7 THEN '' ELSE 'name ' || (i % 40) END AS name,
  DATE '2026-11-01' + CAST(i % 30 AS INTEGER) AS day,
  i % 2 = 0 AS flag
FROM range(200) t(i)`)

describe('profile()', () => {
  it('computes every statistic in one scan, matching the data', async () => {
    const p = await profile(typed, { dataset: 'orders' })
    expect(p.dataset).toBe('orders')
    expect(p.rows).toBe(200)
    const col = (name: string) => {
      const c = p.columns.find((x) => x.name === name)
      if (!c) throw new Error(`no column ${name}`)
      return c
    }
    expect(col('id')).toMatchObject({
      kind: 'integer',
      nullCount: 0,
      nullRate: 0,
      distinct: 200,
      min: 1,
      max: 200,
    })
    expect(col('id').quantiles?.p50).toBeCloseTo(100.5, 0)
    expect(col('id').mean).toBeCloseTo(100.5, 9)
    const prices = rows.map((r) => r.price).filter((v): v is number => v !== null)
    expect(col('price')).toMatchObject({
      kind: 'number',
      nullCount: 10,
      nullRate: 0.05,
      min: Math.min(...prices),
      max: Math.max(...prices),
      topValues: [],
    })
    expect(col('status')).toMatchObject({ kind: 'string', distinct: 3, min: "it's shipped", max: 'paid' })
    expect([...col('status').topValues].sort()).toEqual(["it's shipped", 'new', 'paid'])
    expect(col('name')).toMatchObject({ minLength: 0, maxLength: 7 })
    expect(col('day')).toMatchObject({ kind: 'temporal', min: '2026-11-01', max: '2026-11-30' })
    expect(col('flag')).toMatchObject({ kind: 'boolean', distinct: 2, min: false, max: true })
  })

  it('profiles files: parquet dates as ISO days, nested columns with nulls only, progress reported', async () => {
    const file = tmp.file('t.parquet')
    const session = createEngineSession()
    try {
      await session.duckdb.query(
        `COPY (SELECT i AS id, DATE '2026-01-01' + CAST(i % 10 AS INTEGER) AS d, [i, i] AS pair, 18446744073709551615::UBIGINT AS big FROM range(300000) t(i)) TO '${file}' (FORMAT parquet)`,
      )
    } finally {
      await session.close()
    }
    const seen: number[] = []
    const p = await profile(DataSource.parquet(file), {
      topK: 3,
      onProgress: (x) => seen.push(x.percentage),
      progressIntervalMs: 1,
    })
    expect(p.dataset).toBe('data')
    const d = p.columns.find((c) => c.name === 'd')
    expect(d).toMatchObject({ kind: 'temporal', min: '2026-01-01', max: '2026-01-10', distinct: 10 })
    expect(d?.topValues).toHaveLength(3)
    const pair = p.columns.find((c) => c.name === 'pair')
    expect(pair).toMatchObject({ kind: 'other', distinct: 0, min: null, max: null, topValues: [] })
    // Beyond 2^53: kept exact as text.
    expect(p.columns.find((c) => c.name === 'big')?.max).toBe('18446744073709551615')
    for (const v of seen) expect(v).toBeGreaterThanOrEqual(0)
  })

  it('uses a caller session and reports an empty dataset as empty', async () => {
    const session = createEngineSession()
    try {
      const p = await profile(DataSource.sql('SELECT 1 AS x WHERE false'), { session })
      expect(p.rows).toBe(0)
      expect(p.columns[0]).toMatchObject({ nullCount: 0, nullRate: 0, min: null, max: null })
      expect(p.columns[0]?.quantiles).toBeUndefined()
      expect(p.columns[0]?.mean).toBeUndefined()
      expect(suggestChecks(p)).toEqual([
        expect.objectContaining({ name: 'data has rows', assertion: 'isPositive()' }),
      ])
    } finally {
      await session.close()
    }
  })

  it('rejects a bad topK and sources it cannot profile', async () => {
    await expect(profile(DataSource.fromRecords(rows), { topK: 0 })).rejects.toThrow(
      /topK must be a whole number/,
    )
    const pg = DataSource.postgres({ connectionString: 'postgres://nobody@127.0.0.1:1/x', table: 't' })
    await expect(profile(pg, { dataset: 'remote' })).rejects.toThrow(
      /dataset 'remote' .* is read by postgres; profiling runs on DuckDB-read sources/,
    )
    await expect(profile(DataSource.parquet(tmp.file('missing.parquet')))).rejects.toBeInstanceOf(DqxError)
  })

  it('names column kinds and values', () => {
    expect(['BIGINT', 'UINTEGER', 'HUGEINT', 'INT4'].map(columnKind)).toEqual([
      'integer',
      'integer',
      'integer',
      'integer',
    ])
    expect(['DOUBLE', 'DECIMAL(10,2)', 'FLOAT', 'REAL'].map(columnKind)).toEqual([
      'number',
      'number',
      'number',
      'number',
    ])
    expect(
      ['VARCHAR', 'BOOLEAN', 'TIMESTAMP WITH TIME ZONE', 'INTEGER[]', 'STRUCT(a INTEGER)', 'BLOB'].map(
        columnKind,
      ),
    ).toEqual(['string', 'boolean', 'temporal', 'other', 'other', 'other'])
    expect(profileValue(undefined, 'X')).toBeNull()
    expect(profileValue(5n, 'BIGINT')).toBe(5)
    expect(profileValue({ toString: () => 'uuid' }, 'UUID')).toBe('uuid')
    expect(profileSql([{ name: 'a"b', type: 'VARCHAR' }], 'rel', 5)).toContain('approx_top_k("a""b", 5)')
  })
})

describe('uniqueColumns', () => {
  it('confirms exact uniqueness in one query, and needs no query for no columns', async () => {
    const source = DataSource.fromRecords([
      { a: 1, b: 1 },
      { a: 2, b: 1 },
      { a: 3, b: null },
    ])
    expect(await uniqueColumns(source, ['a', 'b'])).toEqual(['a'])
    expect(await uniqueColumns(source, [])).toEqual([])
  })
})

describe('suggestions', () => {
  it('writes strings as TypeScript literals and rounds bounds outward', () => {
    expect(tsString(`it's a \\ path\n\r\u2028\u2029`)).toBe(`'it\\'s a \\\\ path\\n\\r\\u2028\\u2029'`)
    expect(roundOutward(123.456, 'down')).toBe(123)
    expect(roundOutward(123.456, 'up')).toBe(124)
    expect(roundOutward(-0.012345, 'down')).toBe(-0.0124)
    expect(roundOutward(0, 'up')).toBe(0)
    expect(rangeWithMargin({ kind: 'integer', min: 10, max: 20 })).toEqual([9, 21])
    expect(rangeWithMargin({ kind: 'number', min: -5, max: -5 })).toEqual([-5.5, -4.5])
    expect(rangeWithMargin({ kind: 'number', min: 0, max: 0 })).toEqual([0, 1])
    expect(rangeWithMargin({ kind: 'number', min: 1.5, max: 2.5 })).toEqual([1.4, 2.6])
    expect(rangeWithMargin({ kind: 'number', min: null, max: null })).toBeUndefined()
  })

  it('suggests checks that hold on the profiled data, and they run as a suite', async () => {
    const source = typed
    const p = await profile(source, { dataset: 'orders' })
    expect(keyCandidates(p)).toEqual(['id'])
    expect(keyCandidates({ ...p, rows: 1 })).toEqual([])
    const unique = await uniqueColumns(source, keyCandidates(p))
    const list = suggestChecks(p, { uniqueColumns: unique })
    const names = list.map((s) => s.name)
    expect(names).toEqual([
      'orders has rows',
      'orders row count is normal',
      'id is never null',
      'id is unique',
      'status is never null',
      'status in allowed set',
      'price lower bound',
      'price upper bound',
      'name is never null',
      'day is never null',
      'flag is never null',
    ])
    // Without the confirmation, no uniqueness: an estimate is not a proof.
    expect(suggestChecks(p).map((s) => s.name)).not.toContain('id is unique')

    // The suggestions as a real check: everything passes (the anomaly one is skipped without history).
    const suggested = check({ name: 'suggested', datasets: ['orders'] }, (mp, ctx) => {
      for (const s of list) {
        // The generated code is plain JS too: run each suggestion exactly as the config would.
        const fn = new Function(
          'mp',
          'ctx',
          `ctx.assertThat(${s.metric}).where({ name: ${tsString(s.name)}, severity: '${s.severity}' }).${s.assertion}`,
        )
        fn(mp, ctx)
      }
    })
    const suite = new VerificationSuite({
      name: 's',
      checks: [suggested],
      db: MetricDB.memory(),
      audit: false,
    })
    const report = await suite.run({ orders: source }, new ResultKey('2026-11-25'))
    expect(report.summary.failed).toBe(0)
    expect(report.summary.passed).toBe(list.length - 1)
    expect(report.results.find((r) => r.status === 'SKIPPED')?.assertion).toBe('orders row count is normal')
  })

  it('suggests no allowed set for few rows or many values, and a non-empty check for strings', async () => {
    const few = await profile(DataSource.fromRecords([{ s: 'a' }, { s: 'b' }, { s: 'c' }]))
    expect(suggestChecks(few).map((s) => s.name)).toContain('s is never empty')
    expect(suggestChecks(few).map((s) => s.name)).not.toContain('s in allowed set')
    const many = await profile(DataSource.sql('SELECT CAST(i % 20 AS INTEGER) AS n FROM range(100) t(i)'), {
      topK: 21,
    })
    expect(suggestChecks(many).map((s) => s.name)).toEqual(
      expect.arrayContaining(['n lower bound', 'n upper bound']),
    )
    expect(suggestChecks(many, { maxAllowedValues: 20 }).map((s) => s.name)).toContain('n in allowed set')
  })
})

describe('profile on CSV', () => {
  it('profiles records: JS numbers are DOUBLE, JS dates TIMESTAMP', async () => {
    const p = await profile(DataSource.fromRecords(rows))
    expect(p.columns.find((c) => c.name === 'id')?.kind).toBe('number')
    expect(p.columns.find((c) => c.name === 'day')?.min).toBe('2026-11-01T00:00:00.000Z')
  })

  it('profiles a CSV file by path', async () => {
    const file = tmp.file('a.csv')
    writeFileSync(file, 'a,b\n1,x\n2,\n')
    const p = await profile(DataSource.csv(file))
    expect(p.columns.map((c) => [c.name, c.nullCount])).toEqual([
      ['a', 0],
      ['b', 1],
    ])
  })
})
