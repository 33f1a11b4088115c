// Every error dqx raises on purpose is a DqxError (name 'DqxError', a stable code) whose message
// names what is wrong: suite and check definitions, metric arguments, dates, tags, data sources.
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError, type DqxErrorCode } from '../../src/core/errors.js'
import { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { quietSuite, rng, silentLogger, type TempDir, tempDir } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25')
const mp = new MetricProvider()

function dqxError(fn: () => unknown, code: DqxErrorCode): DqxError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).name).toBe('DqxError')
    expect((err as DqxError).code).toBe(code)
    return err as DqxError
  }
  throw new Error(`expected a DqxError ${code}`)
}

async function rejected(p: Promise<unknown>, code: DqxErrorCode): Promise<DqxError> {
  const err = await p.then(
    () => {
      throw new Error(`expected a DqxError ${code}`)
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DqxError)
  expect((err as DqxError).name).toBe('DqxError')
  expect((err as DqxError).code).toBe(code)
  return err as DqxError
}

const rowsCheck = (name = 'rows') =>
  check({ name, datasets: ['d'] }, (m, ctx) => {
    ctx.assertThat(m.numRows()).where({ name: 'rows' }).isPositive()
  })

let dir: TempDir
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.cleanup())

describe('suite definition', () => {
  it('needs at least one check', () => {
    const err = dqxError(
      () => new VerificationSuite({ name: 'nightly', checks: [], logger: silentLogger() }),
      'EMPTY_CHECKS',
    )
    expect(err.message).toBe("suite 'nightly' has no checks: pass at least one check() in checks")
  })

  it('refuses duplicate check names, naming the check', () => {
    const err = dqxError(
      () => quietSuite([rowsCheck('orders are sane'), rowsCheck('orders are sane')]),
      'DUPLICATE_CHECK',
    )
    expect(err.message).toMatch(/duplicate/)
    expect(err.message).toMatch(/'orders are sane'/)
  })

  it('refuses duplicate assertion names within a check', () => {
    const c = check({ name: 'dup', datasets: ['d'] }, (m, ctx) => {
      ctx.assertThat(m.numRows()).where({ name: 'same' }).isPositive()
      ctx.assertThat(m.sum('x')).where({ name: 'same' }).isPositive()
    })
    const err = dqxError(() => quietSuite([c]), 'CHECK_DEFINITION')
    expect(err.message).toBe(
      "check 'dup' has a duplicate assertion name 'same'; give each assertion its own name",
    )
  })

  it('allows the same assertion name in different checks', () => {
    expect(() => quietSuite([rowsCheck('a'), rowsCheck('b')])).not.toThrow()
  })
})

describe('check definition', () => {
  it('validates check() arguments', () => {
    expect(dqxError(() => check(null as never, () => {}), 'CHECK_DEFINITION').message).toMatch(
      /takes options first/,
    )
    expect(dqxError(() => check({ name: ' ' }, () => {}), 'CHECK_DEFINITION').message).toMatch(
      /non-empty name/,
    )
    expect(dqxError(() => check({ name: 'c' }, 'nope' as never), 'CHECK_DEFINITION').message).toMatch(
      /check 'c' needs a function/,
    )
    expect(
      dqxError(() => check({ name: 'c', datasets: [''] }, () => {}), 'CHECK_DEFINITION').message,
    ).toMatch(/datasets must be an array of non-empty names/)
    expect(
      dqxError(() => check({ name: 'c', datasets: 'd' as never }, () => {}), 'CHECK_DEFINITION').code,
    ).toBe('CHECK_DEFINITION')
  })

  it('wraps anything a check function throws, naming the check', () => {
    const c = check({ name: 'throws' }, () => {
      throw new TypeError('boom')
    })
    const err = dqxError(() => quietSuite([c]), 'CHECK_DEFINITION')
    expect(err.message).toBe("check 'throws' threw while declaring its assertions: TypeError: boom")
    expect(err.cause).toBeInstanceOf(TypeError)
  })

  it('requires assertThat() to take an expression', () => {
    const c = check({ name: 'bad' }, (_m, ctx) => {
      ctx.assertThat(42 as never)
    })
    expect(dqxError(() => quietSuite([c]), 'CHECK_DEFINITION').message).toMatch(
      /check 'bad': assertThat\(\) takes a metric expression/,
    )
  })

  it('requires metrics of a check with several datasets to name their dataset', () => {
    const c = check({ name: 'two', datasets: ['a', 'b'] }, (m, ctx) => {
      ctx
        .assertThat(m.numRows({ dataset: 'a' }).div(m.numRows()))
        .where({ name: 'ratio' })
        .isPositive()
    })
    expect(dqxError(() => quietSuite([c]), 'CHECK_DEFINITION').message).toBe(
      "check 'two', assertion 'ratio': numRows() must name its dataset ({ dataset: '…' }) because the check reads 'a', 'b'",
    )
  })

  it('refuses a metric naming a dataset the check does not declare', () => {
    const c = check({ name: 'one', datasets: ['a'] }, (m, ctx) => {
      ctx
        .assertThat(m.numRows({ dataset: 'b' }))
        .where({ name: 'rows' })
        .isPositive()
    })
    expect(dqxError(() => quietSuite([c]), 'CHECK_DEFINITION').message).toBe(
      "check 'one', assertion 'rows': dataset 'b' is not among the check's datasets (a); add it to datasets",
    )
  })
})

describe('metric arguments', () => {
  it('needs a non-empty column name', () => {
    expect(dqxError(() => mp.sum(''), 'CHECK_DEFINITION').message).toBe(
      "sum() needs a column name (a non-empty string), got ''",
    )
    expect(dqxError(() => mp.average(undefined as never), 'CHECK_DEFINITION').message).toMatch(
      /got undefined/,
    )
    expect(dqxError(() => mp.duplicateCount([]), 'CHECK_DEFINITION').message).toMatch(/non-empty array/)
    expect(dqxError(() => mp.duplicateCount('id' as never), 'CHECK_DEFINITION').code).toBe('CHECK_DEFINITION')
    expect(dqxError(() => mp.duplicateCount(['id', '']), 'CHECK_DEFINITION').message).toMatch(
      /duplicateCount\(\)/,
    )
  })

  it('refuses NULL, NaN and objects as countValues values', () => {
    expect(dqxError(() => mp.countValues('s', null as never), 'CHECK_DEFINITION').message).toBe(
      'countValues(s): values must be strings, finite numbers or booleans, got null; count NULLs with nullCount()',
    )
    expect(dqxError(() => mp.countValues('s', ['a', null as never]), 'CHECK_DEFINITION').message).toMatch(
      /got null/,
    )
    expect(dqxError(() => mp.countValues('s', [Number.NaN]), 'CHECK_DEFINITION').message).toMatch(/got NaN/)
    expect(dqxError(() => mp.countValues('s', [Number.POSITIVE_INFINITY]), 'CHECK_DEFINITION').code).toBe(
      'CHECK_DEFINITION',
    )
    expect(dqxError(() => mp.countValues('s', [{}] as never), 'CHECK_DEFINITION').code).toBe(
      'CHECK_DEFINITION',
    )
    expect(dqxError(() => mp.countValues('', ['a']), 'CHECK_DEFINITION').message).toMatch(
      /countValues\(\) needs a column/,
    )
  })

  it('needs a non-negative whole lag and a non-empty dataset', () => {
    expect(dqxError(() => mp.numRows({ lag: -1 }), 'CHECK_DEFINITION').message).toBe(
      'numRows(): lag must be a non-negative whole number of days, got -1',
    )
    expect(dqxError(() => mp.sum('x', { lag: 1.5 }), 'CHECK_DEFINITION').message).toMatch(/sum\(\): lag/)
    expect(dqxError(() => mp.sum('x', { dataset: '' }), 'CHECK_DEFINITION').message).toBe(
      'sum(): dataset must be a non-empty string',
    )
    expect(dqxError(() => mp.numRows({ dataset: 5 as never }), 'CHECK_DEFINITION').code).toBe(
      'CHECK_DEFINITION',
    )
  })

  it('needs customSql to be one expression', () => {
    expect(dqxError(() => mp.customSql('  '), 'CHECK_DEFINITION').message).toMatch(
      /needs a SQL aggregate expression/,
    )
    expect(dqxError(() => mp.customSql('count(*); DROP TABLE t'), 'CHECK_DEFINITION').message).toMatch(
      /one expression only, without ';'/,
    )
    expect(dqxError(() => mp.customSql('count(*) -- all rows'), 'CHECK_DEFINITION').message).toBe(
      "customSql(count(*) -- all rows): use /* … */ comments, not '--'",
    )
    expect(() => mp.customSql('count(*) /* all rows */')).not.toThrow()
  })
})

describe('ResultKey', () => {
  it.each([
    ['2026-02-30', /does not exist in the calendar/],
    ['2026-13-01', /does not exist in the calendar/],
    ['2026-00-10', /does not exist in the calendar/],
    ['2025-02-29', /does not exist in the calendar/],
    ['yesterday', /is not in 'YYYY-MM-DD' form/],
    ['2026-1-5', /is not in 'YYYY-MM-DD' form/],
    ['2026-11-25T00:00:00Z', /is not in 'YYYY-MM-DD' form/],
    ['', /is not in 'YYYY-MM-DD' form/],
  ])('refuses the date %j', (date, message) => {
    expect(dqxError(() => new ResultKey(date), 'INVALID_DATE').message).toMatch(message)
  })

  it('refuses a date that is not a string', () => {
    expect(dqxError(() => new ResultKey(20261125 as never), 'INVALID_DATE').message).toBe(
      "ResultKey date must be a 'YYYY-MM-DD' string, got number",
    )
  })

  it('accepts leap days and the full range of years', () => {
    expect(new ResultKey('2024-02-29').date).toBe('2024-02-29')
    expect(new ResultKey('0099-03-01').lag(1).date).toBe('0099-02-28')
    expect(new ResultKey('0001-01-01').date).toBe('0001-01-01')
    expect(new ResultKey('2000-03-01').lag(1).date).toBe('2000-02-29')
  })

  it.each([['bad key'], ['1st'], [''], ['a/b'], ['é']])('refuses the tag name %j', (name) => {
    expect(dqxError(() => new ResultKey('2026-11-25', { [name]: 'x' }), 'INVALID_ARGUMENT').message).toMatch(
      /tag name .* is not allowed/,
    )
  })

  it('refuses non-string tag values and non-object tags', () => {
    expect(dqxError(() => new ResultKey('2026-11-25', { env: 1 as never }), 'INVALID_ARGUMENT').message).toBe(
      "ResultKey tag 'env' must be a string, got number",
    )
    expect(dqxError(() => new ResultKey('2026-11-25', null as never), 'INVALID_ARGUMENT').code).toBe(
      'INVALID_ARGUMENT',
    )
    expect(dqxError(() => new ResultKey('2026-11-25', ['a'] as never), 'INVALID_ARGUMENT').code).toBe(
      'INVALID_ARGUMENT',
    )
  })

  it('refuses a negative or fractional lag', () => {
    expect(dqxError(() => KEY.lag(-1), 'INVALID_ARGUMENT').message).toBe(
      'lag must be a non-negative whole number of days, got -1',
    )
    expect(dqxError(() => KEY.lag(0.5), 'INVALID_ARGUMENT').code).toBe('INVALID_ARGUMENT')
  })
})

describe('data source definitions', () => {
  it('validates paths, queries, records and dateColumn', () => {
    expect(dqxError(() => DataSource.parquet(''), 'DATA_SOURCE').message).toBe(
      'DataSource.parquet() needs a file path or glob, got string',
    )
    expect(dqxError(() => DataSource.csv(42 as never), 'DATA_SOURCE').message).toMatch(/got number/)
    expect(dqxError(() => DataSource.json(' '), 'DATA_SOURCE').code).toBe('DATA_SOURCE')
    expect(dqxError(() => DataSource.sql(''), 'DATA_SOURCE').message).toMatch(/needs a SELECT query/)
    expect(dqxError(() => DataSource.sql('SELECT 1; SELECT 2'), 'DATA_SOURCE').message).toMatch(
      /single query/,
    )
    expect(dqxError(() => DataSource.fromRecords({} as never), 'DATA_SOURCE').message).toMatch(
      /needs an array of row objects, got object/,
    )
    expect(dqxError(() => DataSource.fromRecords([], { dateColumn: '' }), 'DATA_SOURCE').message).toBe(
      'dateColumn must be a non-empty column name',
    )
  })

  it('accepts a trailing semicolon on a SQL source', async () => {
    const report = await quietSuite([rowsCheck()]).run({ d: DataSource.sql('SELECT 1 AS x;  ') }, KEY)
    expect(report.results[0]?.value).toBe(1)
  })

  it('describes each source', () => {
    expect(DataSource.parquet('data/*.parquet').describe()).toBe('parquet data/*.parquet')
    expect(DataSource.csv('a.csv').describe()).toBe('csv a.csv')
    expect(DataSource.json('a.json').describe()).toBe('json a.json')
    expect(DataSource.fromRecords([{ a: 1 }]).describe()).toBe('records (1 row)')
    expect(DataSource.sql('SELECT 1').describe()).toBe('sql SELECT 1')
    expect(DataSource.sql(`SELECT ${'x, '.repeat(40)}1`).describe()).toMatch(/^sql SELECT x, .{40,}\.\.\.$/)
    expect(DataSource.sql(`SELECT ${'x, '.repeat(40)}1`).describe()).toHaveLength(64)
    expect(DataSource.parquet('a.parquet', { dateColumn: 'day' }).dateColumn).toBe('day')
  })

  it('refuses records it cannot load, naming dataset, record and column', async () => {
    const run = (records: unknown[], schema?: Record<string, string>) =>
      quietSuite([rowsCheck()]).run(
        {
          d: DataSource.fromRecords(
            records as Record<string, unknown>[],
            schema ? { schema: schema as never } : {},
          ),
        },
        KEY,
      )
    expect((await rejected(run([{ a: 1 }, null]), 'DATA_SOURCE')).message).toBe(
      "dataset 'd': record 1 is not an object",
    )
    expect((await rejected(run([{ a: [1] }]), 'DATA_SOURCE')).message).toBe(
      "dataset 'd': record 0, column 'a' holds a array; records take numbers, strings, booleans, bigints, Dates or null",
    )
    expect((await rejected(run([{ a: { b: 1 } }]), 'DATA_SOURCE')).message).toMatch(
      /column 'a' holds a object/,
    )
    expect((await rejected(run([{ a: 1 }, { a: 'x' }]), 'DATA_SOURCE')).message).toBe(
      "dataset 'd': column 'a' mixes number and string values (record 1); convert them to one type or declare it in schema",
    )
    expect((await rejected(run([], { a: 'float' }), 'DATA_SOURCE')).message).toBe(
      "dataset 'd': schema type 'float' for column 'a' is not one of number, string, boolean, bigint, date",
    )
    expect((await rejected(run([], { a: 'toString' }), 'DATA_SOURCE')).message).toMatch(
      /schema type 'toString'/,
    )
  })
})

describe('run errors', () => {
  const people = DataSource.fromRecords([{ price: 1, email: 'a@b.c', name: 'ann' }])

  it('names dataset, column and check for an unknown column, with a did-you-mean', async () => {
    const c = check({ name: 'prices', datasets: ['orders'] }, (m, ctx) => {
      ctx.assertThat(m.average('Price')).where({ name: 'avg' }).isPositive()
    })
    const err = await rejected(quietSuite([c]).run({ orders: people }, KEY), 'MISSING_COLUMN')
    expect(err.message).toBe(
      "check 'prices': column 'Price' (in average(Price)) does not exist in dataset 'orders' (records (1 row)) — did you mean 'price'?; columns are: price, email, name",
    )
  })

  it('suggests a column that contains the name, or none', async () => {
    const c = (col: string) =>
      check({ name: 'c', datasets: ['orders'] }, (m, ctx) => {
        ctx.assertThat(m.nullCount(col)).where({ name: 'nulls' }).isZero()
      })
    const near = await rejected(quietSuite([c('emails')]).run({ orders: people }, KEY), 'MISSING_COLUMN')
    expect(near.message).toMatch(/did you mean 'email'\?/)
    const far = await rejected(quietSuite([c('zzz')]).run({ orders: people }, KEY), 'MISSING_COLUMN')
    expect(far.message).not.toMatch(/did you mean/)
    const none = await rejected(
      quietSuite([c('zzz')]).run({ orders: DataSource.fromRecords([]) }, KEY),
      'MISSING_COLUMN',
    )
    expect(none.message).toMatch(
      /columns are: \(none — for empty records declare columns with fromRecords\(\[\], { schema }\)\)$/,
    )
  })

  it('names the dateColumn when the dataset lacks it', async () => {
    const err = await rejected(
      quietSuite([rowsCheck()]).run({ d: DataSource.fromRecords([{ a: 1 }], { dateColumn: 'day' }) }, KEY),
      'MISSING_COLUMN',
    )
    expect(err.message).toBe("dataset 'd': dateColumn 'day' does not exist (records (1 row)); columns are: a")
  })

  it('refuses a non-numeric column for sum, naming its type', async () => {
    const c = check({ name: 'sums', datasets: ['orders'] }, (m, ctx) => {
      ctx.assertThat(m.sum('email')).where({ name: 'sum' }).isPositive()
    })
    const err = await rejected(quietSuite([c]).run({ orders: people }, KEY), 'CHECK_DEFINITION')
    expect(err.message).toBe(
      "check 'sums': sum(email) needs a numeric column, but 'email' in dataset 'orders' is VARCHAR",
    )
  })

  it('refuses boolean and list columns for numeric metrics', async () => {
    const c = (metric: 'average' | 'sum' | 'variance', col: string) =>
      check({ name: 'c', datasets: ['d'] }, (m, ctx) => {
        ctx.assertThat(m[metric](col)).where({ name: 'v' }).noop()
      })
    const src = DataSource.sql('SELECT true AS ok, [1, 2] AS xs, 1.5::DECIMAL(4,1) AS dec')
    expect(
      (await rejected(quietSuite([c('average', 'ok')]).run({ d: src }, KEY), 'CHECK_DEFINITION')).message,
    ).toMatch(/'ok' in dataset 'd' is BOOLEAN/)
    expect(
      (await rejected(quietSuite([c('sum', 'xs')]).run({ d: src }, KEY), 'CHECK_DEFINITION')).message,
    ).toMatch(/'xs' in dataset 'd' is INTEGER\[\]/)
    const ok = await quietSuite([c('variance', 'dec')]).run({ d: src }, KEY)
    expect(ok.results[0]?.error).toMatch(/is NULL/) // one value: no sample variance, but no error
  })

  it('names the path of a missing file', async () => {
    const path = dir.file('nope.parquet')
    const err = await rejected(
      quietSuite([rowsCheck()]).run({ d: DataSource.parquet(path) }, KEY),
      'DATA_SOURCE',
    )
    expect(err.message).toMatch(/^dataset 'd': parquet file not found at .*nope\.parquet; check the path/)
    expect(err.message).toContain(path)
  })

  it('names the glob that matches no file', async () => {
    const glob = dir.file('none-*.parquet')
    const err = await rejected(
      quietSuite([rowsCheck()]).run({ d: DataSource.parquet(glob) }, KEY),
      'DATA_SOURCE',
    )
    expect(err.message).toMatch(
      /^dataset 'd' \(parquet .*none-\*\.parquet\) could not be read: IO Error: No files found/,
    )
  })

  it('reports a corrupt parquet file as unreadable, naming it', async () => {
    const path = dir.file('corrupt.parquet')
    writeFileSync(path, 'this is not parquet at all, just some bytes that are long enough')
    const err = await rejected(
      quietSuite([rowsCheck()]).run({ d: DataSource.parquet(path) }, KEY),
      'DATA_SOURCE',
    )
    expect(err.message).toMatch(/^dataset 'd' \(parquet .*corrupt\.parquet\) could not be read: /)
    expect(err.cause).toBeInstanceOf(Error)
  })

  it('reports a CSV file that does not parse as unreadable', async () => {
    const path = dir.file('bad.csv')
    // DuckDB's CSV sniffer forgives a lot (ragged rows, stray quotes); binary noise it cannot sniff.
    const noise = rng(7)
    writeFileSync(path, Buffer.from(Array.from({ length: 4096 }, () => Math.floor(noise() * 256))))
    const err = await rejected(quietSuite([rowsCheck()]).run({ d: DataSource.csv(path) }, KEY), 'DATA_SOURCE')
    expect(err.message).toMatch(/^dataset 'd' \(csv .*bad\.csv\) could not be read: /)
  })

  it('reports a JSON file that does not parse as unreadable', async () => {
    const path = dir.file('bad.json')
    writeFileSync(path, '{"a": 1}\n{"a": \n')
    const err = await rejected(
      quietSuite([rowsCheck()]).run({ d: DataSource.json(path) }, KEY),
      'DATA_SOURCE',
    )
    expect(err.message).toMatch(/^dataset 'd' \(json .*bad\.json\) could not be read: /)
  })

  it('reports a bad SQL source as SQL, naming the dataset', async () => {
    const err = await rejected(
      quietSuite([rowsCheck()]).run({ d: DataSource.sql('SELECT * FROM no_such_table') }, KEY),
      'SQL',
    )
    expect(err.message).toMatch(/^dataset 'd' \(sql SELECT \* FROM no_such_table\): Catalog Error/)
  })

  it('reports customSql with a syntax error as SQL, naming dataset, check and metric', async () => {
    const c = check({ name: 'custom', datasets: ['orders'] }, (m, ctx) => {
      ctx.assertThat(m.numRows()).where({ name: 'rows' }).isPositive()
      ctx.assertThat(m.customSql('count(*) filter (wher price > 0)')).where({ name: 'bad' }).isPositive()
    })
    const err = await rejected(quietSuite([c]).run({ orders: people }, KEY), 'SQL')
    expect(err.message).toMatch(/dataset 'orders'/)
    expect(err.message).toMatch(/check 'custom'/)
    expect(err.message).toContain('customSql(count(*) filter (wher price > 0))')
    expect(err.message).not.toMatch(/^Parser Error/)
  })

  it('reports customSql naming an unknown column as SQL, naming dataset and check', async () => {
    const c = check({ name: 'custom cols', datasets: ['orders'] }, (m, ctx) => {
      ctx.assertThat(m.customSql('sum(nope)')).where({ name: 'bad' }).isPositive()
    })
    const err = await rejected(quietSuite([c]).run({ orders: people }, KEY), 'SQL')
    expect(err.message).toMatch(/check 'custom cols'/)
    expect(err.message).toMatch(/dataset 'orders'/)
    expect(err.message).toContain('customSql(sum(nope))')
  })

  it('reports a value that cannot be converted while scanning as SQL, naming the dataset and checks', async () => {
    const c = check({ name: 'counts', datasets: ['orders'] }, (m, ctx) => {
      ctx.assertThat(m.countValues('price', 'cheap')).where({ name: 'cheap' }).noop()
    })
    const err = await rejected(quietSuite([c]).run({ orders: people }, KEY), 'SQL')
    expect(err.message).toMatch(/dataset 'orders'/)
    expect(err.message).toMatch(/check 'counts'/)
  })

  it('skips the assertions of a check whose dataset is not provided, saying which', async () => {
    const c = check({ name: 'orders', datasets: ['orders', 'users'] }, (m, ctx) => {
      ctx
        .assertThat(m.numRows({ dataset: 'orders' }))
        .where({ name: 'rows' })
        .isPositive()
    })
    const report = await quietSuite([c]).run({ orders: people }, KEY)
    expect(report.results).toHaveLength(1)
    expect(report.results[0]).toMatchObject({ status: 'SKIPPED', value: null })
    expect(report.results[0]?.error).toBe("dataset 'users' not provided to this run (available: 'orders')")
  })
})
