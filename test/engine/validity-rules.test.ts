// Validity rules end to end: schema assertions (declared and unchanged, stored in every MetricDB),
// freshness against the clock and its type errors, failed-row samples of the validity metrics,
// per-assertion tolerance, cross-dataset reconciliation, orphanCount's errors, and hostile regex
// and in-set values (fast-check) that are bound, never spliced, on DuckDB and PostgreSQL.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check, collectAssertions } from '../../src/core/check.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { sampleTarget } from '../../src/engine/samples.js'
import { quietSuite, type TempDir, tempDir } from '../helpers/data.js'
import { freshDatabase, hasPg, pgUrl as testPgUrl, withClient } from './pg-helpers.js'

const KEY = new ResultKey('2026-11-25')
const pgUrl = testPgUrl()

const orders = [
  { id: 1, email: 'ann@example.com', customer: 1, amount: 10, at: new Date('2026-11-25T06:00:00Z') },
  { id: 2, email: 'not an email', customer: 2, amount: 20, at: new Date('2026-11-24T12:00:00Z') },
  { id: 3, email: null, customer: 7, amount: null, at: null },
  { id: 4, email: 'bob@example.com', customer: null, amount: 40, at: new Date('2026-11-23T00:00:00Z') },
  { id: 5, email: 'x@y', customer: 8, amount: 50, at: new Date('2026-11-22T00:00:00Z') },
]
const customers = [{ id: 1 }, { id: 2 }, { id: 3 }]
const sources = () => ({
  orders: DataSource.fromRecords(orders),
  customers: DataSource.fromRecords(customers),
})

describe('schema assertions', () => {
  it('expectSchema: logical types, allowExtra, and every difference listed', async () => {
    const c = check({ name: 'schema', datasets: ['orders'] }, (_mp, ctx) => {
      ctx.expectSchema('orders', {
        columns: { id: 'number', email: 'string', at: 'timestamp', customer: 'number', amount: 'DOUBLE' },
      })
      ctx
        .expectSchema('orders', {
          columns: { id: 'integer', email: 'boolean', gone: 'date' },
          allowExtra: true,
        })
        .where({ name: 'strict types', severity: 'P0', tags: ['schema'] })
    })
    const report = await quietSuite([c]).run(sources(), KEY)
    const [ok, bad] = report.results
    expect(ok).toMatchObject({
      assertion: 'schema of orders',
      status: 'PASSED',
      value: 0,
      expression: 'schema(orders)',
    })
    expect(bad).toMatchObject({
      assertion: 'strict types',
      status: 'FAILED',
      value: 3,
      severity: 'P0',
      assertionTags: ['schema'],
    })
    expect(bad?.error).toBe(
      "schema of 'orders': column 'id' is DOUBLE, expected integer; column 'email' is VARCHAR, expected boolean; missing column 'gone' (expected date)",
    )
    expect(report.schemas?.orders?.map((c) => c.name)).toEqual(['id', 'email', 'customer', 'amount', 'at'])
  })

  it('unexpected columns fail without allowExtra', async () => {
    const c = check({ name: 'schema', datasets: ['orders'] }, (_mp, ctx) => {
      ctx.expectSchema('orders', { columns: { id: 'number' } })
    })
    const [r] = (await quietSuite([c]).run(sources(), KEY)).results
    expect(r?.status).toBe('FAILED')
    expect(r?.error).toContain("unexpected column 'email' (VARCHAR)")
    expect(r?.value).toBe(4)
  })

  it('a metric on a missing column fails alone when the schema is declared; without it the run fails', async () => {
    const declared = check({ name: 'declared', datasets: ['orders'] }, (mp, ctx) => {
      ctx.expectSchema('orders', { columns: { id: 'number', phone: 'string' }, allowExtra: true })
      ctx.assertThat(mp.nullCount('phone')).where({ name: 'phones' }).isZero()
      ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(5)
    })
    const report = await quietSuite([declared]).run(sources(), KEY)
    expect(report.error).toBeUndefined()
    expect(report.results.map((r) => [r.assertion, r.status])).toEqual([
      ['schema of orders', 'FAILED'],
      ['phones', 'FAILED'],
      ['rows', 'PASSED'],
    ])
    expect(report.results[0]?.error).toContain("missing column 'phone'")
    expect(report.results[1]?.error).toContain(
      "column 'phone' (in nullCount(phone)) does not exist in dataset 'orders'",
    )

    const undeclared = check({ name: 'undeclared', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.nullCount('phone')).where({ name: 'phones' }).isZero()
    })
    await expect(quietSuite([undeclared]).run(sources(), KEY)).rejects.toMatchObject({
      code: 'MISSING_COLUMN',
    })
  })

  it('a schema assertion on a dataset the run lacks is SKIPPED', async () => {
    const c = check({ name: 'no dataset' }, (_mp, ctx) => {
      ctx.expectSchema('elsewhere', { columns: { id: 'number' } })
    })
    const [r] = (await quietSuite([c]).run(sources(), KEY)).results
    expect(r).toMatchObject({ status: 'SKIPPED', error: "dataset 'elsewhere' not provided to this run" })
  })

  const unchangedAcrossRuns = async (db: MetricDB) => {
    const c = check({ name: 'unchanged', datasets: ['orders'] }, (_mp, ctx) => {
      ctx.expectSchemaUnchanged('orders')
    })
    const suite = quietSuite([c], { db })
    const runOn = async (rows: object[]) =>
      (await suite.run({ orders: DataSource.fromRecords(rows) }, KEY)).results[0]
    expect(await runOn(orders)).toMatchObject({ status: 'SKIPPED' })
    expect(await runOn(orders)).toMatchObject({ status: 'PASSED', value: 0 })
    const changed = orders.map(({ amount, ...rest }) => ({
      ...rest,
      amount: amount === null ? null : String(amount),
      extra: 1,
    }))
    const r = await runOn(changed)
    expect(r?.status).toBe('FAILED')
    expect(r?.error).toBe(
      "schema of 'orders': column 'amount' changed type from DOUBLE to VARCHAR; column 'extra' (DOUBLE) was added",
    )
    // The changed schema is now the stored one.
    expect(await runOn(changed)).toMatchObject({ status: 'PASSED' })
    const stored = await db.getSchema({ suite: 'test', dataset: 'orders', tags: {} })
    expect(stored?.columns.at(-1)).toEqual({ name: 'extra', type: 'DOUBLE' })
    expect(await db.getSchema({ suite: 'other', dataset: 'orders', tags: {} })).toBeUndefined()
    await db.close()
  }

  let dir: TempDir
  beforeAll(() => {
    dir = tempDir('dqx-schema-')
  })
  afterAll(() => dir.cleanup())

  it('expectSchemaUnchanged compares with the previous run: memory MetricDB', () =>
    unchangedAcrossRuns(MetricDB.memory()))
  it('expectSchemaUnchanged: DuckDB-file MetricDB', () =>
    unchangedAcrossRuns(MetricDB.duckdb(dir.file('m.duckdb'))))
  it.skipIf(!hasPg())('expectSchemaUnchanged: PostgreSQL MetricDB', async () => {
    const db = await freshDatabase(pgUrl, 'dqx_schema')
    try {
      await unchangedAcrossRuns(MetricDB.postgres(db.url))
    } finally {
      await db.drop()
    }
  })

  it('reordered columns are a change', async () => {
    const db = MetricDB.memory()
    const c = check({ name: 'unchanged', datasets: ['t'] }, (_mp, ctx) => {
      ctx.expectSchemaUnchanged('t')
    })
    const suite = quietSuite([c], { db })
    await suite.run({ t: DataSource.fromRecords([{ a: 1, b: 2 }]) }, KEY)
    const r = (await suite.run({ t: DataSource.fromRecords([{ b: 2, a: 1 }]) }, KEY)).results[0]
    expect(r).toMatchObject({ status: 'FAILED', error: "schema of 't': the columns were reordered" })
  })
})

describe('freshnessHours', () => {
  it("relativeTo 'now' measures to the clock", async () => {
    const c = check({ name: 'fresh', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.freshnessHours('at', { relativeTo: 'now' }))
        .where({ name: 'now' })
        .noop()
      ctx.assertThat(mp.freshnessHours('at')).where({ name: 'key end' }).isEq(18)
    })
    const before = Date.now()
    const report = await quietSuite([c]).run(sources(), KEY)
    const after = Date.now()
    const latest = Date.parse('2026-11-25T06:00:00Z')
    const value = report.results[0]?.value as number
    expect(value).toBeGreaterThanOrEqual((before - latest) / 3_600_000 - 1e-6)
    expect(value).toBeLessThanOrEqual((after - latest) / 3_600_000 + 1e-6)
    expect(report.results[1]?.status).toBe('PASSED')
  })

  it.skipIf(!hasPg())(
    'a DATE column counts from its midnight UTC (PostgreSQL date and timestamptz too)',
    async () => {
      const db = await freshDatabase(pgUrl, 'dqx_fresh')
      try {
        await withClient(db.url, async (cl) => {
          await cl.query('CREATE TABLE t (d date, tz timestamptz, s text)')
          await cl.query(
            "INSERT INTO t VALUES ('2026-11-24', '2026-11-25 12:00:00+02', '2026-11-25'), (NULL, NULL, NULL)",
          )
        })
        const c = check({ name: 'fresh', datasets: ['t'] }, (mp, ctx) => {
          ctx.assertThat(mp.freshnessHours('d')).where({ name: 'date' }).isEq(48)
          ctx.assertThat(mp.freshnessHours('tz')).where({ name: 'timestamptz' }).isEq(14)
        })
        const pg = DataSource.postgres({ connectionString: db.url, table: 't' })
        const report = await quietSuite([c]).run({ t: pg }, KEY)
        expect(report.results.map((r) => [r.status, r.value])).toEqual([
          ['PASSED', 48],
          ['PASSED', 14],
        ])
        const text = check({ name: 'text', datasets: ['t'] }, (mp, ctx) => {
          ctx.assertThat(mp.freshnessHours('s')).where({ name: 'text' }).isLt(24)
        })
        await expect(quietSuite([text]).run({ t: pg }, KEY)).rejects.toThrow(
          "check 'text': freshnessHours(s) needs a DATE, TIMESTAMP or TIMESTAMPTZ column, but 's' in dataset 't'",
        )
        const duck = DataSource.sql(
          "SELECT DATE '2026-11-24' AS d, TIMESTAMPTZ '2026-11-25 12:00:00+02' AS tz",
        )
        const again = await quietSuite([c]).run({ t: duck }, KEY)
        expect(again.results.map((r) => [r.status, r.value])).toEqual([
          ['PASSED', 48],
          ['PASSED', 14],
        ])
      } finally {
        await db.drop()
      }
    },
  )

  it('a string column is a DqxError naming the column and its type', async () => {
    const c = check({ name: 'fresh', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.freshnessHours('email')).where({ name: 'f' }).isLt(24)
    })
    await expect(quietSuite([c]).run(sources(), KEY)).rejects.toMatchObject({
      name: 'DqxError',
      message: expect.stringContaining("'email' in dataset 'orders' (records (5 rows)) is VARCHAR"),
    })
  })
})

describe('failed-row samples of validity metrics', () => {
  it('invalid rows of a failing validCount rate; matching rows of a failing matchCount; orphans', async () => {
    const c = check({ name: 'samples', datasets: ['orders'] }, (mp, ctx) => {
      ctx
        .assertThat(mp.validCount('email', { format: 'email' }).rate())
        .where({ name: 'valid emails' })
        .isGeq(0.9)
      ctx.assertThat(mp.matchCount('email', '@example\\.com$')).where({ name: 'no example.com' }).isZero()
      ctx.assertThat(mp.matchCount('email', '@').rate()).where({ name: 'mostly @' }).isGeq(0.9)
      ctx
        .assertThat(mp.validCount('amount', { between: [0, 30] }))
        .where({ name: 'few small' })
        .isLeq(1)
      ctx
        .assertThat(mp.orphanCount('customer', { dataset: 'customers', column: 'id' }))
        .where({ name: 'orphans', sampleColumns: ['id'] })
        .isZero()
    })
    const report = await quietSuite([c]).run(sources(), KEY)
    const by = (name: string) => report.results.find((r) => r.assertion === name)
    expect(by('valid emails')?.samples).toEqual({
      rows: [{ email: 'not an email' }, { email: null }, { email: 'x@y' }],
      total: 3,
    })
    expect(by('no example.com')?.samples).toEqual({
      rows: [{ email: 'ann@example.com' }, { email: 'bob@example.com' }],
      total: 2,
    })
    expect(by('mostly @')?.samples).toEqual({ rows: [{ email: 'not an email' }, { email: null }], total: 2 })
    expect(by('few small')?.samples).toEqual({ rows: [{ amount: 10 }, { amount: 20 }], total: 2 })
    expect(by('orphans')?.samples).toEqual({
      rows: [
        { customer: 7, id: 3 },
        { customer: 8, id: 5 },
      ],
      total: 2,
    })
  })

  it.skipIf(!hasPg())('orphans on PostgreSQL: sampled by the same anti-join', async () => {
    const db = await freshDatabase(pgUrl, 'dqx_orphans')
    try {
      await withClient(db.url, async (cl) => {
        await cl.query('CREATE TABLE o (id int, "customer id" int)')
        await cl.query('CREATE TABLE "Customers" (id int)')
        await cl.query('INSERT INTO o VALUES (1, 1), (2, 5), (3, NULL), (4, 6)')
        await cl.query('INSERT INTO "Customers" VALUES (1), (NULL)')
      })
      const c = check({ name: 'fk', datasets: ['o'] }, (mp, ctx) => {
        ctx
          .assertThat(mp.orphanCount('customer id', { dataset: 'c', column: 'id' }))
          .where({ name: 'fk', sampleColumns: ['id'] })
          .isZero()
      })
      const report = await quietSuite([c]).run(
        {
          o: DataSource.postgres({ connectionString: db.url, table: 'o' }),
          c: DataSource.postgres({ connectionString: db.url, table: 'Customers' }),
        },
        KEY,
      )
      expect(report.results[0]).toMatchObject({ status: 'FAILED', value: 2 })
      expect(report.results[0]?.samples?.total).toBe(2)
      expect(report.results[0]?.samples?.rows).toEqual(
        expect.arrayContaining([
          { 'customer id': 5, id: 2 },
          { 'customer id': 6, id: 4 },
        ]),
      )
    } finally {
      await db.drop()
    }
  })
})

describe('orphanCount errors', () => {
  const fk = (dataset: string, column: string) =>
    check({ name: 'fk', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.orphanCount('customer', { dataset, column })).where({ name: 'fk' }).isZero()
    })
  it('a referenced dataset missing from the run', async () => {
    await expect(quietSuite([fk('customer', 'id')]).run(sources(), KEY)).rejects.toThrow(
      "references dataset 'customer', which is not among the run's datasources ('orders', 'customers') — did you mean 'customers'?",
    )
  })
  it('a referenced column missing from the referenced dataset', async () => {
    await expect(quietSuite([fk('customers', 'ID')]).run(sources(), KEY)).rejects.toMatchObject({
      code: 'MISSING_COLUMN',
      message: expect.stringContaining(
        "column 'ID' does not exist in the referenced dataset 'customers' (records (3 rows)) — did you mean 'id'?",
      ),
    })
  })
  it('the referenced dataset is read whole while the dataset is filtered to the day (dateColumn)', async () => {
    const day = (d: string) => new Date(`${d}T08:00:00Z`)
    const rows = [
      { day: day('2026-11-25'), customer: 1 },
      { day: day('2026-11-25'), customer: 9 },
      { day: day('2026-11-24'), customer: 8 },
    ]
    const c = check({ name: 'fk', datasets: ['orders'] }, (mp, ctx) => {
      const orphans = mp.orphanCount('customer', { dataset: 'customers', column: 'id' })
      ctx.assertThat(orphans).where({ name: 'today' }).isEq(1)
      ctx
        .assertThat(mp.orphanCount('customer', { dataset: 'customers', column: 'id' }, { lag: 1 }))
        .where({ name: 'yesterday' })
        .isEq(1)
    })
    const report = await quietSuite([c]).run(
      {
        orders: DataSource.fromRecords(rows, { dateColumn: 'day' }),
        customers: DataSource.fromRecords(customers),
      },
      KEY,
    )
    expect(report.results.map((r) => r.status)).toEqual(['PASSED', 'PASSED'])
  })
})

describe('tolerance and reconciliation', () => {
  it('where({ tolerance }) widens one assertion; the default stays 1e-9', async () => {
    const c = check({ name: 'tol', datasets: ['orders'] }, (mp, ctx) => {
      ctx.assertThat(mp.average('amount')).where({ name: 'loose', tolerance: 0.5 }).isEq(30.4)
      ctx.assertThat(mp.average('amount')).where({ name: 'strict' }).isEq(30.4)
      ctx.assertThat(mp.sum('amount')).where({ name: 'loose geq', tolerance: 1 }).isGeq(121)
    })
    const report = await quietSuite([c]).run(sources(), KEY)
    expect(report.results.map((r) => r.status)).toEqual(['PASSED', 'FAILED', 'PASSED'])
  })

  it('cross-dataset row count and sum reconciliation with expressions', async () => {
    const loaded = orders.filter((o) => o.id !== 3) // the warehouse copy lost one row
    const c = check({ name: 'reconcile', datasets: ['source', 'warehouse'] }, (mp, ctx) => {
      const rows = (dataset: string) => mp.numRows({ dataset })
      const total = (dataset: string) => mp.sum('amount', { dataset })
      ctx
        .assertThat(rows('warehouse').sub(rows('source')))
        .where({ name: 'row counts agree' })
        .isZero()
      ctx
        .assertThat(total('warehouse').div(total('source')))
        .where({ name: 'amount sums agree', tolerance: 1e-6 })
        .isEq(1)
    })
    const report = await quietSuite([c]).run(
      { source: DataSource.fromRecords(orders), warehouse: DataSource.fromRecords(loaded) },
      KEY,
    )
    expect(report.results.map((r) => [r.status, r.value])).toEqual([
      ['FAILED', -1],
      ['PASSED', 1],
    ])
  })
})

// Regular-expression metacharacters escaped, so that a generated string is a literal pattern in
// RE2, PostgreSQL AREs and JavaScript alike.
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const hostile = fc.oneof(
  fc.constantFrom(
    "'; DROP TABLE t; --",
    '$1',
    '"',
    "''",
    '\\',
    '?',
    '%',
    '_',
    'ü',
    '漢字',
    '👍🏽',
    ') OR 1=1 --',
  ),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ maxLength: 6 }),
)
const hostileValue = fc.string({ maxLength: 8 }).filter((s) => !s.includes('\u0000'))

describe('regex and in-set values are bound, never spliced (fast-check)', () => {
  const make = (values: string[]) => values.map((v, i) => ({ id: i, v }))

  it('DuckDB: matchCount and validCount({ in }) equal plain JS for hostile values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileValue, { minLength: 1, maxLength: 6 }),
        hostile,
        fc.array(hostileValue, { maxLength: 3 }),
        async (values, needle, set) => {
          const pattern = escapeRegex(needle) || 'x'
          const c = check({ name: 'p', datasets: ['t'] }, (mp, ctx) => {
            ctx.assertThat(mp.matchCount('v', pattern)).where({ name: 'match' }).noop()
            ctx
              .assertThat(mp.validCount('v', { in: set }))
              .where({ name: 'in' })
              .noop()
          })
          const report = await quietSuite([c]).run({ t: DataSource.fromRecords(make(values)) }, KEY)
          expect(report.results.map((r) => r.value)).toEqual([
            values.filter((v) => new RegExp(pattern).test(v)).length,
            values.filter((v) => set.includes(v)).length,
          ])
        },
      ),
      { numRuns: 40 },
    )
  })

  it.skipIf(!hasPg())('PostgreSQL: the same', async () => {
    const db = await freshDatabase(pgUrl, 'dqx_bound')
    let n = 0
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(hostileValue, { minLength: 1, maxLength: 6 }),
          hostile,
          fc.array(hostileValue, { maxLength: 3 }),
          async (values, needle, set) => {
            const pattern = escapeRegex(needle) || 'x'
            const table = `t${n++}`
            await withClient(db.url, async (cl) => {
              await cl.query(`CREATE TABLE ${table} (id int, v text)`)
              for (const [i, v] of values.entries())
                await cl.query(`INSERT INTO ${table} VALUES ($1, $2)`, [i, v])
            })
            const c = check({ name: 'p', datasets: ['t'] }, (mp, ctx) => {
              ctx.assertThat(mp.matchCount('v', pattern)).where({ name: 'match' }).noop()
              ctx
                .assertThat(mp.validCount('v', { in: set }))
                .where({ name: 'in' })
                .noop()
            })
            const report = await quietSuite([c]).run(
              { t: DataSource.postgres({ connectionString: db.url, table }) },
              KEY,
            )
            expect(report.results.map((r) => r.value)).toEqual([
              values.filter((v) => new RegExp(pattern).test(v)).length,
              values.filter((v) => set.includes(v)).length,
            ])
          },
        ),
        { numRuns: 25 },
      )
    } finally {
      await db.drop()
    }
  })
})

describe('schema storage and remaining edges', () => {
  it.skipIf(!hasPg())(
    'each store replaces a run’s schema of a dataset when it is stored again, and keeps runs apart by tags',
    async () => {
      const dir = tempDir('dqx-schema-store-')
      const pg = await freshDatabase(pgUrl, 'dqx_schema_store')
      try {
        for (const db of [
          MetricDB.memory(),
          MetricDB.duckdb(dir.file('s.duckdb')),
          MetricDB.postgres(pg.url),
        ]) {
          const row = {
            suite: 's',
            dataset: 'd',
            date: '2026-11-25',
            tags: { env: 'prod' },
            runId: 'r1',
            columns: [{ name: 'a', type: 'BIGINT' }],
          }
          await db.putSchemas([])
          await db.putSchemas([row])
          await db.putSchemas([{ ...row, columns: [{ name: 'b', type: 'VARCHAR' }] }])
          expect(await db.getSchema({ suite: 's', dataset: 'd', tags: { env: 'prod' } })).toEqual({
            ...row,
            columns: [{ name: 'b', type: 'VARCHAR' }],
          })
          expect(await db.getSchema({ suite: 's', dataset: 'd', tags: {} })).toBeUndefined()
          await db.close()
        }
      } finally {
        dir.cleanup()
        await pg.drop()
      }
    },
  )

  it('reference errors without a near name; sampleTarget of an orphanCount without its reference', async () => {
    const fk = (dataset: string, column: string) =>
      check({ name: 'fk', datasets: ['orders'] }, (mp, ctx) => {
        ctx.assertThat(mp.orphanCount('customer', { dataset, column })).where({ name: 'fk' }).isZero()
      })
    await expect(quietSuite([fk('zzz', 'id')]).run(sources(), KEY)).rejects.toThrow(
      "which is not among the run's datasources ('orders', 'customers'); pass it to run()",
    )
    await expect(quietSuite([fk('customers', 'qqqqqq')]).run(sources(), KEY)).rejects.toThrow(
      "column 'qqqqqq' does not exist in the referenced dataset 'customers' (records (3 rows)); columns are: id",
    )
    const [spec] = collectAssertions(fk('customers', 'id')).assertions
    expect(sampleTarget(spec as never, () => 2)).toBeUndefined()
  })
})
