// Every metric rendered by every dialect (inline snapshots: the exact SQL each engine gets), the
// placeholder style each engine takes, identifier quoting, and the DuckDB dialect executing the
// same compiled plan. BigQuery, Trino and Snowflake cannot run here (no servers): for them the
// snapshots are the test, reviewed against each engine's documentation. ClickHouse's SQL runs on
// real servers in clickhouse-*.test.ts and warehouse-source.test.ts.
import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../../src/core/metric-spec.js'
import { compileScan, type Dialect, duckdbDialect as reexported } from '../../src/engine/dialect.js'
import { quoteBacktick, typedParams } from '../../src/engine/dialects/common.js'
import {
  bigqueryDialect,
  clickhouseDialect,
  clickhouseInlineDialect,
  dialects,
  duckdbDialect,
  postgresDialect,
  snowflakeDialect,
  trinoDialect,
} from '../../src/engine/dialects/index.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { loadRecords } from '../../src/engine/records-table.js'
import { DOLLAR_PLACEHOLDERS, Params } from '../../src/engine/sql.js'

/** One spec of every kind (countValues twice: with literals of each type, and empty). */
const ALL: MetricSpec[] = [
  { kind: 'numRows' },
  { kind: 'sum', column: 'price' },
  { kind: 'average', column: 'price' },
  { kind: 'minimum', column: 'price' },
  { kind: 'maximum', column: 'price' },
  { kind: 'variance', column: 'price' },
  { kind: 'stddev', column: 'price' },
  { kind: 'nullCount', column: 'email' },
  { kind: 'uniqueCount', column: 'email' },
  { kind: 'approxDistinct', column: 'email' },
  { kind: 'duplicateCount', columns: ['grp', 'status'] },
  { kind: 'countValues', column: 'status', values: ['paid', 1.5, true] },
  { kind: 'countValues', column: 'status', values: [] },
  { kind: 'minLength', column: 'name' },
  { kind: 'maxLength', column: 'name' },
  { kind: 'customSql', sql: 'sum(qty) * 2' },
]

/** Each metric's SQL on its own line, then the bound values: readable snapshots. */
function renderAll(dialect: Dialect): string {
  const params = new Params(dialect)
  const lines = ALL.map((spec, i) => `m${i} ${spec.kind}: ${dialect.renderMetric(spec, params)}`)
  return `${lines.join('\n')}\nvalues: ${JSON.stringify(params.values)}`
}

/** A whole scan: relation, two metrics with parameters and the date filter, numbered in order. */
function scan(dialect: Dialect): { sql: string; values: unknown[] } {
  const params = new Params(dialect)
  const sql = compileScan(
    dialect,
    {
      relation: () => dialect.quoteIdent('orders'),
      metrics: [{ kind: 'numRows' }, { kind: 'countValues', column: 'status', values: ['paid', 'new'] }],
      dateFilter: { column: 'created_at', date: '2026-11-25' },
    },
    params,
  )
  return { sql, values: params.values }
}

describe('dialects render every metric', () => {
  it('duckdb', () => {
    expect(renderAll(duckdbDialect)).toMatchInlineSnapshot(`
      "m0 numRows: count(*)
      m1 sum: CAST(sum("price") AS DOUBLE)
      m2 average: CAST(avg("price") AS DOUBLE)
      m3 minimum: CAST(min("price") AS DOUBLE)
      m4 maximum: CAST(max("price") AS DOUBLE)
      m5 variance: var_samp("price")
      m6 stddev: stddev_samp("price")
      m7 nullCount: count(*) - count("email")
      m8 uniqueCount: count(DISTINCT "email")
      m9 approxDistinct: approx_count_distinct("email")
      m10 duplicateCount: count(*) - count(DISTINCT row("grp", "status"))
      m11 countValues: count(*) FILTER (WHERE "status" IN (CAST($1 AS VARCHAR), CAST($2 AS DOUBLE), CAST($3 AS BOOLEAN)))
      m12 countValues: CAST(0 AS BIGINT)
      m13 minLength: min(length(CAST("name" AS VARCHAR)))
      m14 maxLength: max(length(CAST("name" AS VARCHAR)))
      m15 customSql: (sum(qty) * 2)
      values: ["paid",1.5,true]"
    `)
  })

  it('postgres', () => {
    expect(renderAll(postgresDialect)).toMatchInlineSnapshot(`
      "m0 numRows: count(*)
      m1 sum: CAST(sum("price") AS double precision)
      m2 average: CAST(sum("price") AS double precision) / NULLIF(count("price"), 0)
      m3 minimum: CAST(min("price") AS double precision)
      m4 maximum: CAST(max("price") AS double precision)
      m5 variance: CAST(var_samp("price") AS double precision)
      m6 stddev: CAST(stddev_samp("price") AS double precision)
      m7 nullCount: count(*) - count("email")
      m8 uniqueCount: count(DISTINCT "email")
      m9 approxDistinct: count(DISTINCT "email")
      m10 duplicateCount: count(*) - count(DISTINCT ROW("grp", "status"))
      m11 countValues: count(*) FILTER (WHERE "status" IN (CAST($1 AS text), CAST($2 AS double precision), CAST($3 AS boolean)))
      m12 countValues: CAST(0 AS bigint)
      m13 minLength: min(length(CAST("name" AS text)))
      m14 maxLength: max(length(CAST("name" AS text)))
      m15 customSql: (sum(qty) * 2)
      values: ["paid",1.5,true]"
    `)
  })

  it('bigquery', () => {
    expect(renderAll(bigqueryDialect)).toMatchInlineSnapshot(`
      "m0 numRows: count(*)
      m1 sum: CAST(sum(\`price\`) AS FLOAT64)
      m2 average: CAST(avg(\`price\`) AS FLOAT64)
      m3 minimum: CAST(min(\`price\`) AS FLOAT64)
      m4 maximum: CAST(max(\`price\`) AS FLOAT64)
      m5 variance: var_samp(\`price\`)
      m6 stddev: stddev_samp(\`price\`)
      m7 nullCount: count(*) - count(\`email\`)
      m8 uniqueCount: count(DISTINCT \`email\`)
      m9 approxDistinct: approx_count_distinct(\`email\`)
      m10 duplicateCount: count(*) - count(DISTINCT to_json_string(STRUCT(\`grp\`, \`status\`)))
      m11 countValues: countif(\`status\` IN (CAST(@p1 AS STRING), CAST(@p2 AS FLOAT64), CAST(@p3 AS BOOL)))
      m12 countValues: CAST(0 AS INT64)
      m13 minLength: min(length(CAST(\`name\` AS STRING)))
      m14 maxLength: max(length(CAST(\`name\` AS STRING)))
      m15 customSql: (sum(qty) * 2)
      values: ["paid",1.5,true]"
    `)
  })

  it('trino', () => {
    expect(renderAll(trinoDialect)).toMatchInlineSnapshot(`
      "m0 numRows: count(*)
      m1 sum: CAST(sum("price") AS double)
      m2 average: CAST(avg("price") AS double)
      m3 minimum: CAST(min("price") AS double)
      m4 maximum: CAST(max("price") AS double)
      m5 variance: var_samp("price")
      m6 stddev: stddev_samp("price")
      m7 nullCount: count(*) - count("email")
      m8 uniqueCount: count(DISTINCT "email")
      m9 approxDistinct: approx_distinct("email")
      m10 duplicateCount: count(*) - count(DISTINCT ROW("grp", "status"))
      m11 countValues: count(*) FILTER (WHERE "status" IN (CAST(? AS varchar), CAST(? AS double), CAST(? AS boolean)))
      m12 countValues: CAST(0 AS bigint)
      m13 minLength: min(length(CAST("name" AS varchar)))
      m14 maxLength: max(length(CAST("name" AS varchar)))
      m15 customSql: (sum(qty) * 2)
      values: ["paid",1.5,true]"
    `)
  })

  it('clickhouse', () => {
    expect(renderAll(clickhouseDialect)).toMatchInlineSnapshot(`
      "m0 numRows: count()
      m1 sum: if(count(\`price\`) = 0, NULL, toFloat64(sum(\`price\`)))
      m2 average: if(count(\`price\`) = 0, NULL, toFloat64(avg(\`price\`)))
      m3 minimum: if(count(\`price\`) = 0, NULL, toFloat64(min(\`price\`)))
      m4 maximum: if(count(\`price\`) = 0, NULL, toFloat64(max(\`price\`)))
      m5 variance: if(count(\`price\`) < 2, NULL, varSampStable(\`price\`))
      m6 stddev: if(count(\`price\`) < 2, NULL, stddevSampStable(\`price\`))
      m7 nullCount: count() - count(\`email\`)
      m8 uniqueCount: uniqExact(\`email\`)
      m9 approxDistinct: uniq(\`email\`)
      m10 duplicateCount: count() - uniqExact(tuple(\`grp\`, \`status\`))
      m11 countValues: countIf(\`status\` IN (CAST({p1:String} AS String), CAST({p2:Float64} AS Float64), CAST({p3:UInt8} AS UInt8)))
      m12 countValues: toUInt64(0)
      m13 minLength: if(count(\`name\`) = 0, NULL, min(lengthUTF8(toString(\`name\`))))
      m14 maxLength: if(count(\`name\`) = 0, NULL, max(lengthUTF8(toString(\`name\`))))
      m15 customSql: (sum(qty) * 2)
      values: ["paid",1.5,true]"
    `)
  })
})

describe('whole scans: relation, placeholders and the date filter', () => {
  it('duckdb and postgres number $n placeholders', () => {
    expect(scan(duckdbDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count(*) AS m0, count(*) FILTER (WHERE "status" IN (CAST($1 AS VARCHAR), CAST($2 AS VARCHAR))) AS m1 FROM "orders" AS dqx_src WHERE CAST("created_at" AS DATE) = CAST($3 AS DATE)",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
    expect(scan(postgresDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count(*) AS m0, count(*) FILTER (WHERE "status" IN (CAST($1 AS text), CAST($2 AS text))) AS m1 FROM "orders" AS dqx_src WHERE CAST("created_at" AS date) = $3::date",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
  })

  it('bigquery names its parameters @p1, @p2 … in the order of values', () => {
    expect(scan(bigqueryDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count(*) AS m0, countif(\`status\` IN (CAST(@p1 AS STRING), CAST(@p2 AS STRING))) AS m1 FROM \`orders\` AS dqx_src WHERE CAST(\`created_at\` AS DATE) = CAST(@p3 AS DATE)",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
  })

  it('snowflake renders every metric', () => {
    expect(renderAll(snowflakeDialect)).toMatchInlineSnapshot(`
      "m0 numRows: count(*)
      m1 sum: CAST(sum("price") AS DOUBLE)
      m2 average: CAST(avg("price") AS DOUBLE)
      m3 minimum: CAST(min("price") AS DOUBLE)
      m4 maximum: CAST(max("price") AS DOUBLE)
      m5 variance: var_samp("price")
      m6 stddev: stddev_samp("price")
      m7 nullCount: count(*) - count("email")
      m8 uniqueCount: count(DISTINCT "email")
      m9 approxDistinct: approx_count_distinct("email")
      m10 duplicateCount: count(*) - count(DISTINCT array_construct("grp", "status"))
      m11 countValues: count_if("status" IN (CAST(? AS VARCHAR), CAST(? AS DOUBLE), CAST(? AS BOOLEAN)))
      m12 countValues: CAST(0 AS BIGINT)
      m13 minLength: min(length(CAST("name" AS VARCHAR)))
      m14 maxLength: max(length(CAST("name" AS VARCHAR)))
      m15 customSql: (sum(qty) * 2)
      values: ["paid",1.5,true]"
    `)
  })

  it('trino and snowflake take positional ? placeholders; clickhouse typed {pN:Type} parameters', () => {
    expect(scan(snowflakeDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count(*) AS m0, count_if("status" IN (CAST(? AS VARCHAR), CAST(? AS VARCHAR))) AS m1 FROM "orders" AS dqx_src WHERE CAST("created_at" AS DATE) = CAST(? AS DATE)",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
    expect(scan(trinoDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count(*) AS m0, count(*) FILTER (WHERE "status" IN (CAST(? AS varchar), CAST(? AS varchar))) AS m1 FROM "orders" AS dqx_src WHERE CAST("created_at" AS date) = CAST(? AS date)",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
    expect(scan(clickhouseDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count() AS m0, countIf(\`status\` IN (CAST({p1:String} AS String), CAST({p2:String} AS String))) AS m1 FROM \`orders\` AS dqx_src WHERE toDate(\`created_at\`) = toDate({p3:String})",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
    expect(scan(clickhouseInlineDialect)).toMatchInlineSnapshot(`
      {
        "sql": "SELECT count() AS m0, countIf(\`status\` IN (CAST('paid' AS String), CAST('new' AS String))) AS m1 FROM \`orders\` AS dqx_src WHERE toDate(\`created_at\`) = toDate('2026-11-25')",
        "values": [
          "paid",
          "new",
          "2026-11-25",
        ],
      }
    `)
  })

  it('a scan without a date filter has no WHERE', () => {
    const params = new Params(trinoDialect)
    expect(
      compileScan(trinoDialect, { relation: () => 'orders', metrics: [{ kind: 'numRows' }] }, params),
    ).toBe('SELECT count(*) AS m0 FROM orders AS dqx_src')
  })

  it('Params defaults to $n and asks the dialect for anything else', () => {
    const plain = new Params()
    expect([plain.add(1), plain.add('x')]).toEqual(['$1', '$2'])
    expect(DOLLAR_PLACEHOLDERS.placeholder(7, 'x')).toBe('$7')
    const bq = new Params(bigqueryDialect)
    expect([bq.add(1), bq.add(null), bq.add(true)]).toEqual(['@p1', '@p2', '@p3'])
    expect(bq.values).toEqual([1, null, true])
  })

  it('user values are never spliced into SQL text', () => {
    const evil = "x'); DROP TABLE orders; --"
    for (const d of Object.values(dialects)) {
      const params = new Params(d)
      const sql = d.renderMetric({ kind: 'countValues', column: 'status', values: [evil] }, params)
      expect(sql).not.toContain('DROP')
      expect(params.values).toEqual([evil])
    }
  })
})

describe('identifier quoting', () => {
  it('double quotes for duckdb, postgres and trino: embedded quotes are doubled', () => {
    for (const d of [duckdbDialect, postgresDialect, trinoDialect]) {
      expect(d.quoteIdent('we"ird col')).toBe('"we""ird col"')
      expect(d.renderMetric({ kind: 'sum', column: 'a"b' }, new Params(d))).toContain('"a""b"')
    }
  })

  it('backticks for bigquery and clickhouse: backtick and backslash are escaped', () => {
    for (const d of [bigqueryDialect, clickhouseDialect]) {
      expect(d.quoteIdent('we`ird\\col')).toBe('`we\\`ird\\\\col`')
      expect(d.quoteIdent('日本 🦆')).toBe('`日本 🦆`')
    }
  })

  it('a NUL character is refused by both quoting styles', () => {
    expect(() => quoteBacktick('a\u0000b')).toThrow(
      expect.objectContaining({ name: 'DqxError', code: 'INVALID_ARGUMENT' }),
    )
    expect(() => trinoDialect.quoteIdent('a\u0000b')).toThrow(/NUL/)
  })

  it('typedParams casts each literal to its engine type', () => {
    const params = new Params()
    expect(typedParams(['a', 2, false], params, { string: 'S', number: 'N', boolean: 'B' })).toBe(
      'CAST($1 AS S), CAST($2 AS N), CAST($3 AS B)',
    )
  })

  it('dialect.ts still exports the DuckDB dialect, and every dialect is listed by name', () => {
    expect(reexported).toBe(duckdbDialect)
    expect(Object.keys(dialects)).toEqual([
      'duckdb',
      'postgres',
      'bigquery',
      'trino',
      'clickhouse',
      'snowflake',
    ])
    for (const [name, d] of Object.entries(dialects)) expect(d.name).toBe(name)
    expect(clickhouseInlineDialect.name).toBe('clickhouse')
    expect(Object.isFrozen(dialects)).toBe(true)
  })
})

describe('the DuckDB dialect executes the compiled plan', () => {
  const rows = [
    { price: 10, email: 'a@x', grp: 1, status: 'paid', name: 'héllo', qty: 1 },
    { price: 20, email: 'a@x', grp: 1, status: 'paid', name: '漢字', qty: 2 },
    { price: null, email: null, grp: null, status: 'new', name: '👍🏽 ok', qty: 3 },
    { price: 30, email: 'b@x', grp: null, status: 'new', name: 'x', qty: 4 },
    { price: 1.5, email: null, grp: null, status: 'new', name: 'naïve café', qty: 5 },
  ]

  it('gives the values each metric means', async () => {
    const session = new DuckDBSession()
    try {
      await loadRecords(session, 't', rows, undefined, 'orders')
      const params = new Params(duckdbDialect)
      // The same plan, except that countValues compares text with text (DuckDB will not cast 'paid' to DOUBLE).
      const plan = ALL.map(
        (m, i): MetricSpec =>
          i === 11 ? { kind: 'countValues', column: 'status', values: ['paid', 'nope'] } : m,
      )
      const sql = compileScan(duckdbDialect, { relation: () => '"t"', metrics: plan }, params)
      const [row] = await session.query(sql, params.values)
      const prices = [10, 20, 30, 1.5]
      const mean = prices.reduce((a, b) => a + b) / prices.length
      const variance = prices.reduce((a, b) => a + (b - mean) ** 2, 0) / (prices.length - 1)
      const values = ALL.map((_, i) => row?.[`m${i}`])
      expect(values.map((v) => (typeof v === 'bigint' ? Number(v) : v))).toEqual([
        5, // numRows
        61.5, // sum
        mean,
        1.5, // min
        30, // max
        expect.closeTo(variance, 9),
        expect.closeTo(Math.sqrt(variance), 9),
        2, // nullCount(email)
        2, // uniqueCount(email): a@x, b@x
        2, // approxDistinct(email)
        3, // duplicateCount(grp, status): (1,paid) ×2 and (NULL,new) ×3 are 2 combinations: NULLs compare equal
        2, // countValues(status, ['paid', 'nope'])
        0, // countValues with no values
        1, // minLength: 'x'
        10, // maxLength: 'naïve café' in characters
        30, // customSql
      ])
    } finally {
      await session.close()
    }
  })
})
