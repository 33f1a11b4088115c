// Bad input of every kind is a DqxError with a stable `code` and a message that names the thing
// and says how to fix it — never a crash, a bare TypeError or a raw DuckDB stack. Odd but valid input
// (empty datasets, NaN/±Infinity values, odd tag values) is data: it fails only the assertions it
// touches, with an `error` saying why.
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type Check, check } from '../../src/core/check.js'
import { DqxError, type DqxErrorCode } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { definePlugin, definePreset, type PluginOption } from '../../src/suite/plugin.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { duckdbRun, silentLogger, type TempDir, tempDir } from '../helpers/data.js'

const KEY = new ResultKey('2026-11-25')
const rows = check({ name: 'rows', datasets: ['d'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})
const suite = (checks: Check[], extra: Record<string, unknown> = {}) =>
  new VerificationSuite({ name: 'bad-input', checks, audit: false, logger: silentLogger(), ...extra })
const withPlugins = (plugins: unknown[], extra: Record<string, unknown> = {}) =>
  suite([rows], { plugins: plugins as PluginOption[], ...extra })

/** The error `fn` throws (or its promise rejects with). */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
  } catch (e) {
    return e
  }
  throw new Error('expected an error, got none')
}

/**
 * A DqxError with this code whose message mentions every `names` entry and matches `fix`, and
 * carries nothing that looks like a stack trace or an unexplained DuckDB error class.
 */
async function expectDqx(
  fn: () => unknown,
  code: DqxErrorCode,
  names: string[],
  fix: RegExp,
): Promise<DqxError> {
  const err = await caught(fn)
  expect(err, String(err)).toBeInstanceOf(DqxError)
  const e = err as DqxError
  expect(e.name).toBe('DqxError')
  expect(e.code, e.message).toBe(code)
  for (const n of names) expect(e.message).toContain(n)
  expect(e.message).toMatch(fix)
  expect(e.message).not.toMatch(/\n\s+at /)
  expect(e.message).not.toMatch(/^(Binder|Catalog|Parser|Conversion) Error/)
  return e
}

let dir: TempDir
beforeAll(() => {
  dir = tempDir('dqx-bad-input-')
})
afterAll(() => dir.cleanup())

describe('suite definitions', () => {
  it('empty checks', async () => {
    await expectDqx(() => suite([]), 'EMPTY_CHECKS', ["suite 'bad-input'"], /pass at least one check\(\)/)
    await expectDqx(() => suite(undefined as never), 'EMPTY_CHECKS', [], /pass at least one check/)
  })

  it('no options, no name, a check that is not a check', async () => {
    await expectDqx(
      () => new VerificationSuite(null as never),
      'INVALID_ARGUMENT',
      ['VerificationSuite takes options'],
      /new VerificationSuite\(\{ name: 'nightly', checks: \[\.\.\.\] \}\)/,
    )
    await expectDqx(
      () => suite([rows], { name: ' ' }),
      'INVALID_ARGUMENT',
      ['non-empty name'],
      /\{ name: 'nightly' \}/,
    )
    await expectDqx(
      () => suite([rows, 42 as never]),
      'INVALID_ARGUMENT',
      ['checks[1] is not a check'],
      /create it with check\(\{ name \}, fn\)/,
    )
  })

  it('duplicate check names', async () => {
    await expectDqx(() => suite([rows, rows]), 'DUPLICATE_CHECK', ["'rows'", 'duplicate'], /must be unique/)
  })

  it('duplicate plugin names, also across presets, naming both positions', async () => {
    const p = definePlugin({ name: 'slack', apply() {} })
    await expectDqx(
      () => withPlugins([p, { name: 'slack', process() {} }]),
      'DUPLICATE_PLUGIN',
      ["'slack'", 'plugins[0]', 'plugins[1]'],
      /give one of them another name/,
    )
    const preset = definePreset('alerts', () => [p])
    await expectDqx(
      () => withPlugins([p, preset()]),
      'DUPLICATE_PLUGIN',
      ['plugins[0]', "plugins[1] (preset 'alerts')[0]"],
      /another name/,
    )
  })

  it('invalid plugin shapes: {}, a number, a string, a class, half-objects, a non-array', async () => {
    class Slack {
      name = 'slack'
      apply() {}
    }
    const shapes: [unknown, string[], RegExp][] = [
      [
        {},
        ['plugins[0]', 'an empty object {}'],
        /expected a function \(suite\) => \{ … \}, \{ name, apply\(suite\) \}/,
      ],
      [42, ['plugins[0]', 'number 42'], /expected a function/],
      ['email', ['plugins[0]', 'string email'], /expected a function/],
      [Slack, ['plugins[0]', 'is a class (Slack)'], /pass an instance .*new Slack\(\)/],
      [{ name: 'half' }, ['plugins[0]', 'keys name'], /\{ name, apply\(suite\) \}/],
      [{ apply() {} }, ['plugins[0]', 'keys apply'], /\{ name, apply\(suite\) \}/],
      [{ name: '', apply() {} }, ['plugins[0]'], /expected a function/],
      [[null, [false, Symbol('x')]], ['plugins[0][1][1]'], /expected a function/],
    ]
    for (const [shape, names, fix] of shapes)
      await expectDqx(() => withPlugins([shape]), 'INVALID_PLUGIN', names, fix)
    await expectDqx(
      () => suite([rows], { plugins: { name: 'x', apply() {} } }),
      'INVALID_PLUGIN',
      ['plugins must be an array'],
      /got an object/,
    )
    await expectDqx(
      () => withPlugins([{ name: 'z', apply() {}, configSchema: { parse() {} } }]),
      'INVALID_PLUGIN',
      ["plugin 'z'", 'plugins[0]'],
      /configSchema must be a Standard Schema/,
    )
  })

  it('invalid plugin config: names plugin, field and expected type; also for async schemas', async () => {
    const slack = definePlugin({
      name: 'slack',
      configSchema: z.object({ channel: z.string(), retries: z.number().int() }),
      apply() {},
    })
    await expectDqx(
      () => withPlugins([slack], { pluginConfig: { slack: { channel: '#dq', retries: 'three' } } }),
      'INVALID_PLUGIN_CONFIG',
      ["plugin 'slack'", 'retries', 'expected number'],
      /invalid pluginConfig/,
    )
    await expectDqx(
      () => withPlugins([slack]),
      'INVALID_PLUGIN_CONFIG',
      ["plugin 'slack'", '(root)', 'expected object'],
      /invalid pluginConfig/,
    )
    const asyncSchema = definePlugin({
      name: 'async-cfg',
      configSchema: z
        .object({ n: z.number() })
        .refine(async (v) => v.n > 0, { message: 'n must be positive', path: ['n'] }),
      apply() {},
    })
    const s = withPlugins([asyncSchema], { pluginConfig: { 'async-cfg': { n: -1 } } })
    await expectDqx(
      () => s.run({ d: DataSource.fromRecords([{ a: 1 }]) }, KEY),
      'INVALID_PLUGIN_CONFIG',
      ["plugin 'async-cfg'", 'n: n must be positive'],
      /invalid pluginConfig/,
    )
    await expectDqx(
      () => withPlugins([], { pluginConfig: [] }),
      'INVALID_PLUGIN_CONFIG',
      ['pluginConfig must be an object'],
      /keyed by plugin name/,
    )
  })

  it('unknown config keys: a pluginConfig key naming no plugin (did-you-mean), an unknown field under a strict schema', async () => {
    const slack = definePlugin({ name: 'slack', apply() {} })
    await expectDqx(
      () => withPlugins([slack], { pluginConfig: { slak: {} } }),
      'UNKNOWN_PLUGIN_CONFIG',
      ["unknown plugin 'slak' in pluginConfig"],
      /did you mean 'slack'\?/,
    )
    await expectDqx(
      () => withPlugins([slack], { pluginConfig: { zzzzzz: {} } }),
      'UNKNOWN_PLUGIN_CONFIG',
      ["'zzzzzz'", 'plugins: slack'],
      /unknown plugin/,
    )
    const strict = definePlugin({
      name: 'strict',
      configSchema: z.strictObject({ channel: z.string() }),
      apply() {},
    })
    await expectDqx(
      () => withPlugins([strict], { pluginConfig: { strict: { channel: '#x', chanel: '#y' } } }),
      'INVALID_PLUGIN_CONFIG',
      ["plugin 'strict'", 'chanel'],
      /Unrecognized key/,
    )
  })

  it('bad suite options', async () => {
    await expectDqx(
      () => suite([rows], { pluginTimeoutMs: -5 }),
      'INVALID_ARGUMENT',
      ['pluginTimeoutMs', '-5'],
      /non-negative whole number/,
    )
    await expectDqx(
      () => suite([rows], { pluginTimeoutMs: Number.NaN }),
      'INVALID_ARGUMENT',
      ['pluginTimeoutMs'],
      /whole number/,
    )
    await expectDqx(
      () => suite([rows], { concurrency: 1.5 }),
      'INVALID_ARGUMENT',
      ['concurrency', '1.5'],
      /positive whole number/,
    )
    await expectDqx(
      () => suite([rows], { db: {} }),
      'INVALID_ARGUMENT',
      ['db must be a MetricDB'],
      /MetricDB\.duckdb/,
    )
  })
})

describe('data sources', () => {
  const sumCheck = check({ name: 'amounts', datasets: ['d'] }, (mp, ctx) => {
    ctx.assertThat(mp.sum('amount')).where({ name: 'sum' }).isPositive()
  })

  it('missing columns: names dataset, column, check and the columns there are', async () => {
    await expectDqx(
      () => suite([sumCheck]).run({ d: DataSource.fromRecords([{ amonut: 1, id: 2 }]) }, KEY),
      'MISSING_COLUMN',
      ["check 'amounts'", "column 'amount'", "dataset 'd'"],
      /columns are: amonut, id/,
    )
    const file = dir.file('no-amount.parquet')
    await duckdbRun(`COPY (SELECT 1 AS id) TO '${file}' (FORMAT parquet)`)
    await expectDqx(
      () => suite([sumCheck]).run({ d: DataSource.parquet(file) }, KEY),
      'MISSING_COLUMN',
      ["column 'amount'", file],
      /columns are: id/,
    )
  })

  it('missing files and globs matching nothing: names dataset and path', async () => {
    const missing = dir.file('nope.parquet')
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.parquet(missing) }, KEY),
      'DATA_SOURCE',
      ["dataset 'd'", missing],
      /not found .*check the path/,
    )
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.csv(dir.file('nope.csv')) }, KEY),
      'DATA_SOURCE',
      ['nope.csv'],
      /not found/,
    )
    const glob = dir.file('nope-*.parquet')
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.parquet(glob) }, KEY),
      'DATA_SOURCE',
      ["dataset 'd'", glob],
      /could not be read: .*No files found/,
    )
    await expectDqx(
      () => DataSource.parquet(''),
      'DATA_SOURCE',
      ['DataSource.parquet()'],
      /needs a file path/,
    )
  })

  it('corrupt and empty parquet files, malformed JSON: names dataset and path, one line, no stack', async () => {
    const corrupt = dir.file('corrupt.parquet')
    writeFileSync(
      corrupt,
      Buffer.from('PAR1 this is not parquet \u0000\u0001\u0002\u00ff garbage garbage garbage'),
    )
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.parquet(corrupt) }, KEY),
      'DATA_SOURCE',
      ["dataset 'd'", corrupt],
      /could not be read/,
    )
    const empty = dir.file('empty.parquet')
    writeFileSync(empty, '')
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.parquet(empty) }, KEY),
      'DATA_SOURCE',
      [empty],
      /could not be read: .*too small/,
    )
    const json = dir.file('bad.json')
    writeFileSync(json, '{ "a": ')
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.json(json) }, KEY),
      'DATA_SOURCE',
      [json],
      /could not be read: .*Malformed JSON/,
    )
  })

  it('a MetricDB path that is a directory', async () => {
    const db = MetricDB.duckdb(dir.path)
    await expectDqx(
      () => suite([rows], { db }).run({ d: DataSource.fromRecords([{ a: 1 }]) }, KEY),
      'METRIC_DB',
      [dir.path],
      /cannot open the MetricDB file/,
    )
  })

  it('records that are not records: names the record and column', async () => {
    await expectDqx(
      () => DataSource.fromRecords({ a: 1 } as never),
      'DATA_SOURCE',
      ['DataSource.fromRecords()'],
      /needs an array of row objects/,
    )
    const run = (recs: unknown[]) => suite([rows]).run({ d: DataSource.fromRecords(recs as never) }, KEY)
    await expectDqx(() => run([null]), 'DATA_SOURCE', ['record 0'], /is not an object/)
    await expectDqx(
      () => run([{ a: { nested: 1 } }]),
      'DATA_SOURCE',
      ["record 0, column 'a'"],
      /records take numbers, strings/,
    )
    await expectDqx(
      () => run([{ a: 1 }, { a: 'x' }]),
      'DATA_SOURCE',
      ["column 'a'", 'record 1'],
      /convert them to one type or declare it in schema/,
    )
    await expectDqx(
      () => suite([rows]).run({ d: [{ a: 1 }] as never }, KEY),
      'DATA_SOURCE',
      ["datasource 'd'"],
      /create it with DataSource\./,
    )
  })

  it('empty datasets: no rows is data, not an error — assertions fail with a reason', async () => {
    const c = check({ name: 'empty', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
      ctx.assertThat(mp.sum('amount')).where({ name: 'sum' }).isPositive()
      ctx.assertThat(mp.nullCount('amount')).where({ name: 'nulls' }).isZero()
      ctx.assertThat(mp.nullCount('amount').div(mp.numRows())).where({ name: 'null rate' }).isLt(0.1)
    })
    const expectEmpty = (report: RunReport) =>
      expect(report.results.map((r) => [r.assertion, r.status, r.value, r.error ?? null])).toEqual([
        ['rows', 'FAILED', 0, null],
        ['sum', 'FAILED', null, expect.stringMatching(/^sum\(amount\) on 'd' is NULL \(/)],
        ['nulls', 'PASSED', 0, null],
        [
          'null rate',
          'FAILED',
          null,
          expect.stringMatching(/^division by zero in nullCount\(amount\) \/ numRows\(\)/),
        ],
      ])
    expectEmpty(
      await suite([c]).run({ d: DataSource.fromRecords([], { schema: { amount: 'number' } }) }, KEY),
    )
    const file = dir.file('empty-rows.parquet')
    await duckdbRun(`COPY (SELECT 1.5::DOUBLE AS amount WHERE false) TO '${file}' (FORMAT parquet)`)
    expectEmpty(await suite([c]).run({ d: DataSource.parquet(file) }, KEY))
    // Without rows or a schema there are no columns to read: a MISSING_COLUMN naming the source and the fix.
    await expectDqx(
      () => suite([c]).run({ d: DataSource.fromRecords([]) }, KEY),
      'MISSING_COLUMN',
      ['records (0 rows)', "column 'amount'"],
      /columns are: \(none.*\{ schema \}/,
    )
  })
})

describe('values', () => {
  it('NaN and ±Infinity in records: NaN fails the aggregates it reaches; infinities are values', async () => {
    const c = check({ name: 'weird numbers', datasets: ['nan', 'inf', 'ninf'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.sum('x', { dataset: 'nan' }))
        .where({ name: 'nan sum' })
        .isPositive()
      ctx
        .assertThat(mp.average('x', { dataset: 'nan' }))
        .where({ name: 'nan avg' })
        .isPositive()
      ctx
        .assertThat(mp.nullCount('x', { dataset: 'nan' }))
        .where({ name: 'nan is not null' })
        .isZero()
      ctx
        .assertThat(mp.numRows({ dataset: 'nan' }))
        .where({ name: 'nan rows' })
        .isEq(3)
      ctx
        .assertThat(mp.sum('x', { dataset: 'inf' }))
        .where({ name: 'inf sum' })
        .isPositive()
      ctx
        .assertThat(mp.sum('x', { dataset: 'inf' }))
        .where({ name: 'inf sum bounded' })
        .isLt(1e9)
      ctx
        .assertThat(mp.minimum('x', { dataset: 'ninf' }))
        .where({ name: 'ninf min' })
        .isNegative()
      ctx
        .assertThat(mp.sum('x', { dataset: 'ninf' }).add(mp.sum('x', { dataset: 'inf' })))
        .where({ name: 'inf - inf' })
        .noop()
    })
    const report = await suite([c]).run(
      {
        nan: DataSource.fromRecords([{ x: 1 }, { x: Number.NaN }, { x: 2 }]),
        inf: DataSource.fromRecords([{ x: 1 }, { x: Number.POSITIVE_INFINITY }]),
        ninf: DataSource.fromRecords([{ x: 1 }, { x: Number.NEGATIVE_INFINITY }]),
      },
      KEY,
    )
    expect(report.results.map((r) => [r.assertion, r.status, r.value, r.error ?? null])).toEqual([
      [
        'nan sum',
        'FAILED',
        null,
        expect.stringMatching(/^sum\(x\) on 'nan' is NaN \(the data contains NaN\)/),
      ],
      [
        'nan avg',
        'FAILED',
        null,
        expect.stringMatching(/^average\(x\) on 'nan' is NaN \(the data contains NaN\)/),
      ],
      ['nan is not null', 'PASSED', 0, null],
      ['nan rows', 'PASSED', 3, null],
      ['inf sum', 'PASSED', Number.POSITIVE_INFINITY, null],
      ['inf sum bounded', 'FAILED', Number.POSITIVE_INFINITY, null],
      ['ninf min', 'PASSED', Number.NEGATIVE_INFINITY, null],
      ['inf - inf', 'FAILED', null, expect.stringMatching(/is NaN$/)],
    ])
  })

  // Regression (found by this suite, fixed in the engine): variance/stddev over a column holding NaN
  // or ±Infinity made DuckDB raise "Out of Range Error: VARSAMP is out of range!", which failed the
  // WHOLE run with a DqxError 'SQL' quoting DuckDB instead of failing just those assertions.
  it('variance/stddev over NaN/±Infinity fail only their own assertions', async () => {
    const c = check({ name: 'spread', datasets: ['d'] }, (mp, ctx) => {
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(2)
      ctx.assertThat(mp.stddev('x')).where({ name: 'stddev' }).isLt(10)
      ctx.assertThat(mp.variance('x')).where({ name: 'variance' }).isLt(10)
    })
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const report = await suite([c]).run({ d: DataSource.fromRecords([{ x: 1 }, { x: bad }]) }, KEY)
      expect(report.results.map((r) => [r.assertion, r.status])).toEqual([
        ['rows', 'PASSED'],
        ['stddev', 'FAILED'],
        ['variance', 'FAILED'],
      ])
      expect(report.results[1]?.error).toMatch(/NaN|Infinity|out of range/)
    }
  })

  it('dates that do not exist, or are not YYYY-MM-DD: INVALID_DATE naming the value', async () => {
    for (const date of ['2026-02-30', '2025-02-29', '2026-04-31', '2026-01-00', '2026-13-01', '2026-00-10']) {
      await expectDqx(
        () => new ResultKey(date),
        'INVALID_DATE',
        [`'${date}'`],
        /does not exist in the calendar; use a real day such as '\d{4}-\d\d-01'/,
      )
    }
    for (const date of ['2026-1-1', '2026-11-25T00:00:00Z', ' 2026-11-25', '25/11/2026', '']) {
      await expectDqx(
        () => new ResultKey(date),
        'INVALID_DATE',
        [`'${date}'`],
        /is not in 'YYYY-MM-DD' form, e\.g\. '2026-11-25'/,
      )
    }
    for (const date of [new Date(), 20261125, null]) {
      await expectDqx(
        () => new ResultKey(date as never),
        'INVALID_DATE',
        ['ResultKey date'],
        /must be a 'YYYY-MM-DD' string/,
      )
    }
    expect(new ResultKey('2024-02-29').date).toBe('2024-02-29') // a real leap day
    await expectDqx(() => KEY.lag(-1), 'INVALID_ARGUMENT', ['-1'], /non-negative whole number of days/)
  })

  // Regression (found by this suite, fixed in src/core/result-key.ts): for an invalid month the
  // "real day" it suggested kept the month: "'2026-13-01' does not exist …; use a real day such as '2026-13-01'".
  it('the suggested real day exists', async () => {
    for (const date of ['2026-13-01', '2026-00-10']) {
      const e = await caught(() => new ResultKey(date))
      const suggested = /such as '([^']+)'/.exec((e as Error).message)?.[1] as string
      expect(() => new ResultKey(suggested)).not.toThrow()
    }
  })

  // Regression (found by this suite, fixed in src/engine/records-table.ts): an Invalid Date in records
  // crashed the run with a bare RangeError ("The number NaN cannot be converted to a BigInt") instead of a DqxError
  // naming the record and column.
  it('an Invalid Date in records is a DqxError naming record and column', async () => {
    await expectDqx(
      () =>
        suite([rows]).run(
          { d: DataSource.fromRecords([{ at: new Date('2026-11-25') }, { at: new Date('not a date') }]) },
          KEY,
        ),
      'DATA_SOURCE',
      ["column 'at'", 'record 1'],
      /invalid date|Invalid Date/i,
    )
  })
})

describe('ResultKey tags', () => {
  it('tag names are restricted: letters, digits, _ . : - (starting with a letter or _)', async () => {
    for (const name of [
      'my tag',
      "it's",
      'a"b',
      'x;y',
      '',
      '1st',
      '-lead',
      'région',
      '日本',
      'a/b',
      'a=b',
      'a,b',
    ]) {
      await expectDqx(
        () => new ResultKey('2026-11-25', { [name]: 'v' }),
        'INVALID_ARGUMENT',
        [`ResultKey tag name ${JSON.stringify(name)}`],
        /use letters, digits, '_', '\.', ':' or '-', starting with a letter or '_'/,
      )
    }
    for (const name of ['env', 'Team_2', '_private', 'k8s.namespace', 'aws:region', 'a-b']) {
      expect(new ResultKey('2026-11-25', { [name]: 'v' }).tags[name]).toBe('v')
    }
    await expectDqx(
      () => new ResultKey('2026-11-25', { env: 1 as never }),
      'INVALID_ARGUMENT',
      ["tag 'env'"],
      /must be a string, got number/,
    )
    await expectDqx(
      () => new ResultKey('2026-11-25', ['x'] as never),
      'INVALID_ARGUMENT',
      ['ResultKey tags'],
      /object of string values/,
    )
  })

  it('tag values are free text: quotes, SQL, newlines, NUL, unicode and "" round-trip through the MetricDB', async () => {
    const tags = {
      env: 'it\'s "prod"; DROP TABLE dqx_results; -- /* */',
      path: 'C:\\data\\x\u0000y\n\tz',
      team: '日本 🎉 👍🏽',
      empty: '',
    }
    const key = new ResultKey('2026-11-25', tags)
    const db = MetricDB.duckdb(dir.file('tags.duckdb'))
    try {
      const c = check({ name: 'c', datasets: ['d'] }, (mp, ctx) => {
        ctx.assertThat(mp.sum('x')).where({ name: 'sum' }).isEq(3)
      })
      const report = await suite([c], { db }).run({ d: DataSource.fromRecords([{ x: 1 }, { x: 2 }]) }, key)
      expect(report.results[0]).toMatchObject({ status: 'PASSED', tags })
      const stored = await db.getResults({ suite: 'bad-input', date: key.date, tags })
      expect(stored.map((r) => r.tags)).toEqual([tags])
      expect((await db.getMetric({ metric: 'sum(x)', dataset: 'd', date: key.date, tags }))?.value).toBe(3)
      // A different value is a different key: no prefix or escaping collisions.
      expect(
        await db.getResults({
          suite: 'bad-input',
          date: key.date,
          tags: { ...tags, env: tags.env.slice(0, -1) },
        }),
      ).toEqual([])
    } finally {
      await db.close()
    }
  })

  // Regression (found by this suite, fixed in src/core/result-key.ts): a tag named `__proto__` (e.g.
  // from JSON.parse) passed the name check, then `clean[k] = v` set the prototype: the tag vanished.
  it('a tag named __proto__ is refused or kept, never silently dropped', async () => {
    const tags = JSON.parse('{"__proto__": "x", "env": "prod"}') as Record<string, string>
    let key: ResultKey | undefined
    try {
      key = new ResultKey('2026-11-25', tags)
    } catch (e) {
      expect(e).toBeInstanceOf(DqxError)
      return
    }
    expect(Object.keys(key.tags).sort()).toEqual(['__proto__', 'env'])
  })
})

describe('run() arguments', () => {
  it('a ResultKey, DataSources, and a check whose dataset is absent is SKIPPED (not an error)', async () => {
    await expectDqx(
      () => suite([rows]).run({ d: DataSource.fromRecords([{ a: 1 }]) }, '2026-11-25' as never),
      'INVALID_ARGUMENT',
      ['ResultKey'],
      /new ResultKey\('2026-11-25'\)/,
    )
    await expectDqx(
      () => suite([rows]).run(null as never, KEY),
      'INVALID_ARGUMENT',
      ['datasources'],
      /DataSource\.parquet/,
    )
    const report = await suite([rows]).run({ other: DataSource.fromRecords([{ a: 1 }]) }, KEY)
    expect(report.results[0]).toMatchObject({
      status: 'SKIPPED',
      error: "dataset 'd' not provided to this run (available: 'other')",
    })
  })
})
