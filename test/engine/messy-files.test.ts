// Real-shaped messy files (test/engine/fixtures/messy/, plus two large files generated in a temp
// dir): a JSON column mixing strings and numbers, a ragged CSV, empty files, a type change after
// DuckDB's sample, leading-zero IDs after the sample, `NA` nulls. Every value is compared with a
// plain-JS reading of the same file, every error with the line, value and fix found in JS.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import type { Expr, Metric } from '../../src/core/expression.js'
import type { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { resolveReadOptions } from '../../src/engine/file-read-options.js'
import { explainCsv, explainJson } from '../../src/engine/file-reading.js'
import { quietSuite, type TempDir, tempDir } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25')
const FIXTURES = join(import.meta.dirname, 'fixtures', 'messy')
const fixture = (name: string): string => join(FIXTURES, name)

let dir: TempDir
beforeAll(() => {
  dir = tempDir('dqx-messy-')
})
afterAll(() => dir.cleanup())

type Metrics = Record<string, (mp: MetricProvider) => Expr | Metric>

/** Each metric's value from one run over `source`, by name. */
async function values(source: DataSource, metrics: Metrics): Promise<Record<string, number | null>> {
  const c = check({ name: 'messy', datasets: ['d'] }, (mp, ctx) => {
    for (const [name, metric] of Object.entries(metrics)) ctx.assertThat(metric(mp)).where({ name }).noop()
  })
  const report = await quietSuite([c]).run({ d: source }, KEY)
  const out: Record<string, number | null> = {}
  for (const r of report.results) {
    expect(r.error ?? null, r.assertion).toBeNull()
    out[r.assertion] = r.value
  }
  return out
}

/** The DqxError a run over `source` rejects with. */
async function readError(
  source: DataSource,
  metric: Metrics[string] = (mp) => mp.numRows(),
): Promise<DqxError> {
  const c = check({ name: 'messy', datasets: ['d'] }, (mp, ctx) => {
    ctx.assertThat(metric(mp)).where({ name: 'm' }).noop()
  })
  const err = await quietSuite([c])
    .run({ d: source }, KEY)
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  expect(err).toBeInstanceOf(DqxError)
  expect((err as DqxError).code).toBe('DATA_SOURCE')
  return err as DqxError
}

// ---- plain-JS readings -------------------------------------------------------------------------

/** Lines of a simple CSV (no quoted fields), split on `delim`. */
function csvLines(path: string, delim = ','): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(delim))
}

const chars = (s: string): number => [...s].length
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
const duplicates = (xs: readonly unknown[]): number => xs.length - new Set(xs).size

// ---- JSON: a column of strings and numbers ------------------------------------------------------

describe('a JSON column mixing strings and numbers (movies.json Title)', () => {
  const rows = JSON.parse(readFileSync(fixture('movies.json'), 'utf8')) as Record<string, unknown>[]
  const titles = rows.map((r) => r.Title).filter((t) => t !== null && t !== undefined)
  // What a user sees in the file: the string value, numbers as written.
  const text = titles.map((t) => String(t))

  it('is read as text: string metrics and countValues see the value, not its JSON spelling', async () => {
    expect(new Set(titles.map((t) => typeof t))).toEqual(new Set(['string', 'number']))
    const v = await values(DataSource.json(fixture('movies.json')), {
      maxLength: (mp) => mp.maxLength('Title'),
      minLength: (mp) => mp.minLength('Title'),
      avatar: (mp) => mp.countValues('Title', ['Avatar', '1776']),
      quoted: (mp) => mp.countValues('Title', ['The "Quoted" One']),
      unique: (mp) => mp.uniqueCount('Title'),
      nulls: (mp) => mp.nullCount('Title'),
    })
    expect(v.maxLength).toBe(Math.max(...text.map(chars)))
    expect(v.minLength).toBe(Math.min(...text.map(chars)))
    expect(v.avatar).toBe(text.filter((t) => t === 'Avatar' || t === '1776').length)
    expect(v.quoted).toBe(text.filter((t) => t === 'The "Quoted" One').length)
    expect(v.unique).toBe(new Set(text).size)
    expect(v.nulls).toBe(rows.length - titles.length)
  })

  it('numeric columns stay numeric', async () => {
    const years = rows.map((r) => r.Year as number)
    const ratings = rows.map((r) => r.Rating).filter((x): x is number => typeof x === 'number')
    const v = await values(DataSource.json(fixture('movies.json')), {
      avgYear: (mp) => mp.average('Year'),
      maxRating: (mp) => mp.maximum('Rating'),
      sumRating: (mp) => mp.sum('Rating'),
    })
    expect(v.avgYear).toBeCloseTo(sum(years) / years.length, 9)
    expect(v.maxRating).toBe(Math.max(...ratings))
    expect(v.sumRating).toBeCloseTo(sum(ratings), 9)
  })
})

// ---- CSV: ragged rows ---------------------------------------------------------------------------

describe('a ragged CSV (a row with more fields than the header)', () => {
  const lines = csvLines(fixture('ragged.csv'))
  const header = lines[0] as string[]
  const badIndex = lines.findIndex((l) => l.length !== header.length)
  const bad = lines[badIndex] as string[]

  it('is an error naming the file, the line, the expected and found field counts, and the fix', async () => {
    const err = await readError(DataSource.csv(fixture('ragged.csv')))
    expect(err.message).toContain(`line ${badIndex + 1} of ${fixture('ragged.csv')}`)
    expect(err.message).toContain(`has ${bad.length} fields where the header has ${header.length}`)
    expect(err.message).toContain(JSON.stringify(bad.join(',')))
    expect(err.message).toContain('strict: false')
  })

  it('with strict: false, keeps the header columns: extra fields dropped', async () => {
    const body = lines.slice(1)
    const v = await values(DataSource.csv(fixture('ragged.csv'), { strict: false }), {
      rows: (mp) => mp.numRows(),
      price: (mp) => mp.sum('price'),
      name: (mp) => mp.maxLength('name'),
    })
    expect(v.rows).toBe(body.length)
    expect(v.price).toBeCloseTo(sum(body.map((l) => Number(l[2]))), 9)
    expect(v.name).toBe(Math.max(...body.map((l) => chars(l[1] as string))))
  })

  it('with strict: false, a short row has NULLs in its missing fields', async () => {
    const path = dir.file('short.csv')
    writeFileSync(path, 'a,b,c\n1,2,3\n4,5\n6,7,8\n')
    const body = csvLines(path).slice(1)
    const v = await values(DataSource.csv(path, { strict: false }), {
      nullC: (mp) => mp.nullCount('c'),
      sumC: (mp) => mp.sum('c'),
    })
    expect(v.nullC).toBe(body.filter((l) => l[2] === undefined).length)
    expect(v.sumC).toBe(sum(body.map((l) => Number(l[2] ?? 0))))
    const err = await readError(DataSource.csv(path))
    expect(err.message).toContain('line 3 of')
    expect(err.message).toContain('has 2 fields where the header has 3')
  })
})

// ---- empty files --------------------------------------------------------------------------------

describe('empty files', () => {
  it('a 0-byte or blank CSV is an error saying the file is empty', async () => {
    expect(readFileSync(fixture('empty.csv')).length).toBe(0)
    const err = await readError(DataSource.csv(fixture('empty.csv')))
    expect(err.message).toBe(
      `dataset 'd' (csv ${fixture('empty.csv')}): the file ${fixture('empty.csv')} is empty; there are no columns or rows to check`,
    )
    const blank = dir.file('blank.csv')
    writeFileSync(blank, '\n  \n')
    expect((await readError(DataSource.csv(blank))).message).toMatch(/blank\.csv is empty/)
  })

  it('a CSV with only a header has its columns and zero rows', async () => {
    const lines = csvLines(fixture('header-only.csv'))
    const v = await values(DataSource.csv(fixture('header-only.csv')), {
      rows: (mp) => mp.numRows(),
      nulls: (mp) => mp.nullCount(lines[0]?.[0] as string),
    })
    expect(v.rows).toBe(lines.length - 1)
    expect(v.nulls).toBe(0)
  })

  it('an empty JSON file, or one holding only [], is an error saying so', async () => {
    const zero = dir.file('zero.json')
    writeFileSync(zero, '')
    expect((await readError(DataSource.json(zero))).message).toMatch(
      /zero\.json is empty; there are no columns/,
    )
    const none = dir.file('none.json')
    writeFileSync(none, '[]')
    expect((await readError(DataSource.json(none))).message).toMatch(/none\.json is empty \(no records\)/)
  })

  it('a glob whose files are all empty says so; one empty file among others is skipped for sniffing', async () => {
    writeFileSync(dir.file('g-a.csv'), '')
    writeFileSync(dir.file('g-b.csv'), '')
    const err = await readError(DataSource.csv(join(dir.path, 'g-*.csv')))
    expect(err.message).toMatch(/every file matching .*g-\*\.csv is empty \(2 files\)/)
    writeFileSync(dir.file('g-c.csv'), 'x\n1\n2\n')
    const v = await values(DataSource.csv(join(dir.path, 'g-*.csv')), { sum: (mp) => mp.sum('x') })
    expect(v.sum).toBe(3)
    const none = await readError(DataSource.csv(join(dir.path, 'nothing-*.csv')))
    expect(none.message).toMatch(/no files match .*nothing-\*\.csv/)
  })
})

// ---- a type change after DuckDB's sample ---------------------------------------------------------

describe('a value that breaks the guessed type after the sample (N/A on line 30,002)', () => {
  const ROWS = 30_005
  let path: string
  let lines: string[][]
  beforeAll(() => {
    path = dir.file('late.csv')
    const out = ['id,amount']
    for (let i = 1; i <= ROWS; i++) out.push(`${i},${i === 30_001 ? 'N/A' : i % 97}`)
    writeFileSync(path, `${out.join('\n')}\n`)
    lines = csvLines(path)
  })

  it('names the column, the line, the value and the fix in dqx option names', async () => {
    const badLine = lines.findIndex((l) => l[1] === 'N/A') + 1
    expect(badLine).toBe(30_002)
    const err = await readError(DataSource.csv(path), (mp) => mp.sum('amount'))
    expect(err.message).toContain(`column 'amount' is read as BIGINT (as guessed from the first 20480 rows)`)
    expect(err.message).toContain(`line ${badLine} of ${path} has the value "N/A"`)
    expect(err.message).toContain("types: { amount: 'text' }")
    expect(err.message).toContain('sampleSize: -1')
    expect(err.message).toContain("nullValues: ['', 'N/A']")
    expect(err.message).not.toMatch(/sample_size|types=\{/)
  })

  it('each fix reads the file: nullValues, types and sampleSize', async () => {
    const amounts = lines.slice(1).map((l) => l[1] as string)
    const numbers = amounts.filter((a) => a !== 'N/A').map(Number)
    const asNull = await values(DataSource.csv(path, { nullValues: ['', 'N/A'] }), {
      sum: (mp) => mp.sum('amount'),
      nulls: (mp) => mp.nullCount('amount'),
    })
    expect(asNull).toEqual({ sum: sum(numbers), nulls: amounts.length - numbers.length })
    const asText = await values(DataSource.csv(path, { types: { amount: 'text' } }), {
      na: (mp) => mp.countValues('amount', ['N/A']),
      longest: (mp) => mp.maxLength('amount'),
    })
    expect(asText).toEqual({
      na: amounts.filter((a) => a === 'N/A').length,
      longest: Math.max(...amounts.map(chars)),
    })
    const whole = await values(DataSource.csv(path, { sampleSize: -1 }), {
      na: (mp) => mp.countValues('amount', ['N/A']),
    })
    expect(whole.na).toBe(1)
  })

  it('a type set with `types` that a value breaks says so', async () => {
    const small = dir.file('typed.csv')
    writeFileSync(small, 'id,amount\n1,5\n2,oops\n')
    const err = await readError(DataSource.csv(small, { types: { amount: 'integer' } }), (mp) =>
      mp.sum('amount'),
    )
    expect(err.message).toContain(
      `column 'amount' is read as BIGINT (as the types option says), but line 3 of ${small} has the value "oops"`,
    )
    expect(err.message).toContain('Change types.amount')
  })

  it('the same in NDJSON: the column is found from the record, the fix is in dqx names', async () => {
    const ndjson = dir.file('late.ndjson')
    const records = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, n: i === 30_000 ? 'N/A' : i % 13 }))
    writeFileSync(ndjson, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`)
    const badLine = records.findIndex((r) => r.n === 'N/A') + 1
    const err = await readError(DataSource.json(ndjson), (mp) => mp.sum('n'))
    expect(err.message).toContain(`column 'n' is read as BIGINT (as guessed from the first 20480 rows)`)
    expect(err.message).toContain(`line ${badLine} of ${ndjson} has the value "N/A"`)
    expect(err.message).toContain("types: { n: 'text' }")
    const whole = await values(DataSource.json(ndjson, { sampleSize: -1 }), {
      na: (mp) => mp.countValues('n', ['N/A']),
      zero: (mp) => mp.countValues('n', ['0']),
    })
    expect(whole).toEqual({
      na: records.filter((r) => r.n === 'N/A').length,
      zero: records.filter((r) => r.n === 0).length,
    })
  })

  it('a JSON value breaking a type set with `types`, and one whose column cannot be told apart', async () => {
    const path2 = dir.file('typed.json')
    writeFileSync(
      path2,
      JSON.stringify([
        { a: 1, b: 'x' },
        { a: 'x', b: 'y' },
      ]),
    )
    const typed = await readError(DataSource.json(path2, { types: { a: 'integer' } }), (mp) => mp.sum('a'))
    expect(typed.message).toContain(
      `column 'a' is read as BIGINT (as the types option says), but record 2 of`,
    )
    expect(typed.message).toContain('Change types.a')
    // Both columns typed as numbers hold the same bad value: the message names the record instead.
    const both = dir.file('both.json')
    writeFileSync(
      both,
      JSON.stringify([
        { a: 1, b: 2 },
        { a: 'x', b: 'x' },
      ]),
    )
    const err = await readError(DataSource.json(both, { types: { a: 'integer', b: 'integer' } }), (mp) =>
      mp.sum('a').add(mp.sum('b')),
    )
    expect(err.message).toMatch(/record 2 of .*both\.json does not fit the column types/)
    expect(err.message).toContain('sampleSize: -1')
  })
})

// ---- leading-zero IDs after the sample ----------------------------------------------------------

describe('IDs with leading zeros that first appear after the sample', () => {
  let path: string
  let ids: string[]
  beforeAll(() => {
    path = dir.file('ids.csv')
    ids = Array.from({ length: 25_000 }, (_, i) => String(i + 1))
    ids.push('00042', '0042', '000123')
    writeFileSync(path, `id\n${ids.join('\n')}\n`)
  })

  it('read as text (sampleSize: -1 or types), every ID is distinct, as in the file', async () => {
    for (const source of [
      DataSource.csv(path, { sampleSize: -1 }),
      DataSource.csv(path, { types: { id: 'text' } }),
      DataSource.csv(path, { allText: true }),
    ]) {
      const v = await values(source, {
        dups: (mp) => mp.duplicateCount(['id']),
        zeros: (mp) => mp.countValues('id', ['00042']),
      })
      expect(v).toEqual({ dups: duplicates(ids), zeros: ids.filter((i) => i === '00042').length })
    }
    expect(duplicates(ids)).toBe(0)
  })

  it('with the default sample they are numbers, as docs/datasources.md warns', async () => {
    const v = await values(DataSource.csv(path), { dups: (mp) => mp.duplicateCount(['id']) })
    expect(v.dups).toBe(duplicates(ids.map(Number)))
  })
})

// ---- NA nulls -----------------------------------------------------------------------------------

describe('NA and N/A meaning missing', () => {
  const lines = csvLines(fixture('na-nulls.csv'))
  const header = lines[0] as string[]
  const body = lines.slice(1)
  const col = (name: string): string[] => body.map((l) => l[header.indexOf(name)] ?? '')
  const NULLS = ['', 'NA', 'N/A']

  it('nullValues makes them NULL: counts and averages match', async () => {
    const v = await values(DataSource.csv(fixture('na-nulls.csv'), { nullValues: NULLS }), {
      tempNulls: (mp) => mp.nullCount('temp_c'),
      windNulls: (mp) => mp.nullCount('wind'),
      noteNulls: (mp) => mp.nullCount('note'),
      avgTemp: (mp) => mp.average('temp_c'),
      sumWind: (mp) => mp.sum('wind'),
    })
    const present = (name: string): number[] =>
      col(name)
        .filter((x) => !NULLS.includes(x))
        .map(Number)
    expect(v).toEqual({
      tempNulls: col('temp_c').filter((x) => NULLS.includes(x)).length,
      windNulls: col('wind').filter((x) => NULLS.includes(x)).length,
      noteNulls: col('note').filter((x) => NULLS.includes(x)).length,
      avgTemp: sum(present('temp_c')) / present('temp_c').length,
      sumWind: sum(present('wind')),
    })
  })

  it("without it only '' is NULL, and a column holding NA is text", async () => {
    const v = await values(DataSource.csv(fixture('na-nulls.csv')), {
      noteNulls: (mp) => mp.nullCount('note'),
      na: (mp) => mp.countValues('temp_c', ['NA']),
    })
    expect(v).toEqual({
      noteNulls: col('note').filter((x) => x === '').length,
      na: col('temp_c').filter((x) => x === 'NA').length,
    })
  })
})

// ---- the other options ----------------------------------------------------------------------------

describe('delimiter, header and types', () => {
  it('reads a headerless semicolon file with the given types', async () => {
    const path = dir.file('semi.csv')
    const rows = [
      ['1', '007', '2.50'],
      ['2', '010', '3.25'],
      ['3', '007', '1.00'],
    ]
    writeFileSync(path, `${rows.map((r) => r.join(';')).join('\n')}\n`)
    const v = await values(
      DataSource.csv(path, {
        delimiter: ';',
        header: false,
        types: { column1: 'text', column2: 'DECIMAL(10,2)' },
      }),
      {
        rows: (mp) => mp.numRows(),
        code: (mp) => mp.countValues('column1', ['007']),
        total: (mp) => mp.sum('column2'),
      },
    )
    expect(v).toEqual({
      rows: rows.length,
      code: rows.filter((r) => r[1] === '007').length,
      total: sum(rows.map((r) => Number(r[2]))),
    })
  })

  it('allText and types on JSON', async () => {
    const rows = JSON.parse(readFileSync(fixture('movies.json'), 'utf8')) as Record<string, unknown>[]
    const years = rows.map((r) => String(r.Year))
    const v = await values(
      DataSource.json(fixture('movies.json'), { allText: true, types: { Rating: 'number' } }),
      {
        year: (mp) => mp.countValues('Year', ['2009']),
        rating: (mp) => mp.maximum('Rating'),
      },
    )
    expect(v.year).toBe(years.filter((y) => y === '2009').length)
    expect(v.rating).toBe(
      Math.max(...rows.map((r) => r.Rating).filter((x): x is number => typeof x === 'number')),
    )
  })

  it('a types key naming no column is an error with a did-you-mean', async () => {
    const err = await readError(
      DataSource.csv(fixture('ragged.csv'), { types: { prise: 'number' }, strict: false }),
    )
    expect(err.message).toContain(
      "types names column 'prise', which the file does not have — did you mean 'price'?; columns are: id, name, price",
    )
  })

  it('a file DuckDB cannot parse as JSON is an error naming it', async () => {
    const bad = dir.file('bad.json')
    writeFileSync(bad, '{"a": 1,,}')
    const err = await readError(DataSource.json(bad))
    expect(err.message).toMatch(/could not be read: DuckDB could not read .*bad\.json as JSON: /)
  })
})

describe('options are checked when the source is constructed', () => {
  const bad = (f: () => unknown): string => {
    try {
      f()
    } catch (e) {
      expect(e).toBeInstanceOf(DqxError)
      return (e as Error).message
    }
    throw new Error('expected a DqxError')
  }
  const p = 'data/x.csv'

  it('unknown options get a did-you-mean; CSV options on JSON are named as such', () => {
    expect(bad(() => DataSource.csv(p, { nulValues: ['NA'] } as never))).toBe(
      "DataSource.csv(): unknown option 'nulValues' — did you mean 'nullValues'? (options: dateColumn, skipDates, types, sampleSize, allText, nullValues, delimiter, header, strict)",
    )
    expect(bad(() => DataSource.csv(p, { zzzzzz: 1 } as never))).toMatch(/unknown option 'zzzzzz' \(options:/)
    expect(bad(() => DataSource.json(p, { delimiter: ';' } as never))).toMatch(
      /DataSource.json\(\): 'delimiter' is a CSV option; DuckDB's JSON reader has no equivalent/,
    )
    expect(bad(() => DataSource.csv(p, 5 as never))).toMatch(/options must be an object, got 5/)
  })

  it('types: logical names, DuckDB names, nothing else', () => {
    expect(() =>
      DataSource.csv(p, {
        types: { a: 'text', b: 'ubigint', c: 'decimal(18, 3)', d: 'timestamp with  time zone' },
      }),
    ).not.toThrow()
    expect(bad(() => DataSource.csv(p, { types: { a: 'txt' } }))).toMatch(
      /types.a is 'txt', which is not a type — did you mean 'text'\?; use one of text, integer, number, boolean, date, timestamp/,
    )
    expect(bad(() => DataSource.csv(p, { types: { a: 'qqqqqqqq' } }))).toMatch(
      /which is not a type; use one of/,
    )
    expect(bad(() => DataSource.csv(p, { types: { a: 3 as never } }))).toMatch(
      /types.a must be a type name, got number/,
    )
    expect(bad(() => DataSource.csv(p, { types: ['a'] as never }))).toMatch(
      /types must map column names to types.*got an array/,
    )
  })

  it('sampleSize, flags, nullValues and delimiter', () => {
    for (const s of [0, -2, 1.5, '10']) {
      expect(bad(() => DataSource.csv(p, { sampleSize: s as number }))).toMatch(
        /sampleSize must be a positive whole number/,
      )
    }
    expect(bad(() => DataSource.csv(p, { strict: 'yes' as never }))).toBe(
      "DataSource.csv(): strict must be true or false, got 'yes'",
    )
    expect(bad(() => DataSource.csv(p, { nullValues: [] }))).toMatch(
      /nullValues must be a non-empty array of strings/,
    )
    expect(bad(() => DataSource.csv(p, { nullValues: [null] as never }))).toMatch(/got an array/)
    expect(bad(() => DataSource.csv(p, { nullValues: null as never }))).toMatch(/got null/)
    expect(bad(() => DataSource.csv(p, { delimiter: '' }))).toMatch(
      /delimiter must be a string of 1 to 4 characters/,
    )
    expect(bad(() => DataSource.csv(p, { delimiter: {} as never }))).toMatch(/got object/)
  })
})

describe('more shapes', () => {
  it('dates and timestamps in a non-ISO format are read as dates (dateColumn picks the day)', async () => {
    const path = dir.file('dates.csv')
    const rows = [
      ['25/11/2026', '25/11/2026 10:00:00'],
      ['24/11/2026', '24/11/2026 11:30:00'],
      ['25/11/2026', '25/11/2026 23:59:59'],
    ]
    writeFileSync(path, `day,ts\n${rows.map((r) => r.join(',')).join('\n')}\n`)
    const v = await values(DataSource.csv(path, { dateColumn: 'day' }), { rows: (mp) => mp.numRows() })
    expect(v.rows).toBe(rows.filter((r) => r[0] === '25/11/2026').length)
  })

  it('a column name that is not an identifier is quoted in the suggested fix; long lines are shortened', async () => {
    const path = dir.file('spaced.csv')
    const long = 'y'.repeat(200)
    writeFileSync(path, `unit price,note\n1,a\n2,${long},extra\n`)
    const ragged = await readError(DataSource.csv(path))
    expect(ragged.message).toContain(`("2,${'y'.repeat(115)}...")`)
    const typed = dir.file('spaced2.csv')
    writeFileSync(typed, `unit price\n${'1\n'.repeat(3000)}free\n`)
    const err = await readError(DataSource.csv(typed, { sampleSize: 1 }), (mp) => mp.sum('unit price'))
    // sampleSize rounds up to DuckDB's 2048-row vectors: the message says what was really sampled.
    expect(err.message).toMatch(/\(as guessed from the first 2048 rows\)/)
    expect(err.message).toContain("types: { 'unit price': 'text' }")
  })

  it('for a glob, the message names the file the types were guessed from and the file that broke them', async () => {
    const sub = join(dir.path, 'parts')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(sub)
    writeFileSync(join(sub, 'a.csv'), 'n\n1\n2\n')
    writeFileSync(join(sub, 'b.csv'), 'n\n3\nfour\n')
    const err = await readError(DataSource.csv(join(sub, '*.csv'), { sampleSize: -1 }), (mp) => mp.sum('n'))
    expect(err.message).toContain(`(as guessed from the whole file of ${join(sub, 'a.csv')})`)
    expect(err.message).toContain(`line 3 of ${join(sub, 'b.csv')} has the value "four"`)
    writeFileSync(join(sub, 'c.csv'), '')
    const one = await readError(DataSource.csv(join(sub, 'c*.csv')))
    expect(one.message).toMatch(/is empty \(1 file\)/)
  })

  it('a directory, or a file DuckDB cannot open as CSV, is an error naming it', async () => {
    const err = await readError(DataSource.csv(dir.path))
    expect(err.message).toBe(
      `dataset 'd' (csv ${dir.path}): ${dir.path} is a directory; name a file, or a glob such as ${dir.path}/*.csv`,
    )
    // DuckDB decompresses by extension: a .gz that is not gzip cannot be sniffed.
    const gz = dir.file('plain.csv.gz')
    writeFileSync(gz, 'a,b\n1,2\n')
    const bad = await readError(DataSource.csv(gz))
    expect(bad.message).toMatch(
      /could not be read: DuckDB could not detect the CSV dialect of .*plain\.csv\.gz: IO Error: Input is not a GZIP stream/,
    )
  })

  it('a types key far from every column has no suggestion', async () => {
    const err = await readError(DataSource.csv(fixture('na-nulls.csv'), { types: { zzzzzzzz: 'text' } }))
    expect(err.message).toMatch(
      /types names column 'zzzzzzzz', which the file does not have; columns are: station/,
    )
  })

  it('a JSON file of scalars is one text column named json', async () => {
    const path = dir.file('scalars.json')
    const vals = [1, 2, 'x', 'x']
    writeFileSync(path, vals.map((v) => JSON.stringify(v)).join('\n'))
    const v = await values(DataSource.json(path), { x: (mp) => mp.countValues('json', ['x']) })
    expect(v.x).toBe(vals.filter((x) => x === 'x').length)
  })

  it('errors that are not about reading the file keep their own code', async () => {
    for (const source of [
      DataSource.csv(fixture('ragged.csv'), { strict: false }),
      DataSource.json(fixture('movies.json')),
    ]) {
      const outcome = await quietSuite([
        check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
          ctx.assertThat(mp.customSql('no_such_fn(1)')).where({ name: 'x' }).noop()
        }),
      ])
        .run({ d: source }, KEY)
        .then(
          () => 'resolved',
          (e: unknown) => (e as DqxError).code,
        )
      // A bad customSql is the check's problem, not the file's.
      expect(outcome).toBe('SQL')
    }
  })

  it('DuckDB messages without the expected parts still become a message naming file and line', () => {
    const target = { pattern: '/data/x.csv', glob: false, kind: 'csv', label: "dataset 'd' (csv x.csv)" }
    const opts = resolveReadOptions('csv', {})
    // Real scans always include these parts; a DuckDB upgrade may drop one.
    const bare = explainCsv(
      new Error('Invalid Input Error: CSV Error on Line: 7\nExpected Number of Columns: 2 Found: 3\n'),
      target,
      opts,
      'the first 20480 rows',
    )
    expect(bare?.message).toBe(
      "dataset 'd' (csv x.csv): line 7 of /data/x.csv has 3 fields where the header has 2. Fix the file, or read it with strict: false (extra fields are dropped, missing ones are NULL)",
    )
    expect(explainCsv(new Error('CSV Error on Line: 7\nsomething else'), target, opts, '')).toBeUndefined()
    expect(explainCsv(new Error('Binder Error: x'), target, opts, '')).toBeUndefined()
  })

  it('a JSON error without a value still names the record and the fixes', async () => {
    const duckdb = new DuckDBSession()
    try {
      const opts = resolveReadOptions('json', {})
      const columns = [{ name: 'a', type: 'BIGINT' }]
      const err = await explainJson(
        new Error(
          'Invalid Input Error: JSON transform error in file "/nope.json", in line 3: Object has no key',
        ),
        duckdb,
        columns,
        opts,
        "dataset 'd'",
        'the first 20480 rows',
      )
      expect(err?.message).toBe(
        "dataset 'd': line 3 of /nope.json does not fit the column types guessed from the first 20480 rows (Object has no key). Set that column's type with types: { column: 'text' }, or let DuckDB look at the whole file with sampleSize: -1",
      )
      // The record cannot be read again (the file is gone): the same message, from the value.
      const gone = await explainJson(
        new Error(
          'JSON transform error in file "/nope.json", in record/value 2: Failed to cast value to numerical: "x"',
        ),
        duckdb,
        columns,
        opts,
        "dataset 'd'",
        'the first 20480 rows',
      )
      expect(gone?.message).toMatch(/record 2 of \/nope\.json does not fit the column types/)
      expect(await explainJson(new Error('Binder Error'), duckdb, columns, opts, '', '')).toBeUndefined()
    } finally {
      await duckdb.close()
    }
  })
})
