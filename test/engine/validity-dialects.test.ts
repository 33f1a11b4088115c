// The validity metrics in every dialect (inline snapshots: the exact SQL each engine gets, with
// the patterns and values bound), the orphanCount anti-join query and the sample predicates.
// DuckDB and PostgreSQL execute them in validity.test.ts, ClickHouse (18.16 and current, both
// ClickHouse dialects) in clickhouse-validity.test.ts; BigQuery, Trino and Snowflake cannot run
// here, so for them these snapshots, reviewed against each engine's documentation, are the test.
import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../../src/core/metric-spec.js'
import type { Dialect, RowPredicate } from '../../src/engine/dialect.js'
import { clickhouseInlineDialect } from '../../src/engine/dialects/clickhouse.js'
import { quantileLiteral } from '../../src/engine/dialects/common.js'
import { dialects } from '../../src/engine/dialects/index.js'
import { Params } from '../../src/engine/sql.js'

const SPECS: MetricSpec[] = [
  { kind: 'matchCount', column: 'e"mail', pattern: "^a'; --" },
  { kind: 'validCount', column: 'status', rule: { kind: 'in', values: ['paid', 2, false] } },
  { kind: 'validCount', column: 'status', rule: { kind: 'in', values: [] } },
  { kind: 'validCount', column: 'amount', rule: { kind: 'between', lo: 0, hi: 99.5 } },
  { kind: 'validCount', column: 'code', rule: { kind: 'format', format: 'uuid' } },
  { kind: 'quantile', column: 'amount', q: 0.25 },
  { kind: 'median', column: 'amount' },
  { kind: 'approxQuantile', column: 'amount', q: 0.9 },
  { kind: 'freshnessHours', column: 'seen at', relativeTo: 'keyEnd' },
]

function render(dialect: Dialect): string {
  const params = new Params(dialect)
  const lines = SPECS.map((spec) => {
    try {
      return `${spec.kind}: ${dialect.renderMetric(spec, params)}`
    } catch (err) {
      return `${spec.kind}: throws ${(err as Error).message}`
    }
  })
  return `${lines.join('\n')}\nvalues: ${JSON.stringify(params.values)}`
}

function orphanQuery(dialect: Dialect): { sql: string; values: unknown[] } {
  const params = new Params(dialect)
  const sql = dialect.renderOrphanQuery(
    {
      relation: (p) => `read_parquet(${p.add('orders.parquet')})`,
      reference: (p) => `read_parquet(${p.add('customers.parquet')})`,
      dateFilter: { column: 'day', date: '2026-11-25' },
      keys: [
        { column: 'customer id', refColumn: 'id' },
        { column: 'seller', refColumn: 'id' },
      ],
    },
    params,
  )
  return { sql, values: params.values }
}

const PREDICATES: RowPredicate[] = [
  { kind: 'match', column: 'e', pattern: 'x$', negate: false },
  { kind: 'match', column: 'e', pattern: 'x$', negate: true },
  { kind: 'valid', column: 'n', rule: { kind: 'between', lo: 1, hi: 2 }, negate: true },
  { kind: 'orphan', column: 'c', reference: { relation: () => 'customers', column: 'id' } },
]

describe('validity metrics per dialect', () => {
  it('duckdb', () => {
    expect(render(dialects.duckdb as Dialect)).toMatchInlineSnapshot(`
      "matchCount: count(*) FILTER (WHERE regexp_matches(CAST("e""mail" AS VARCHAR), $1))
      validCount: count(*) FILTER (WHERE "status" IN (CAST($2 AS VARCHAR), CAST($3 AS DOUBLE), CAST($4 AS BOOLEAN)))
      validCount: count(*) FILTER (WHERE (1 = 0))
      validCount: count(*) FILTER (WHERE "amount" BETWEEN CAST($5 AS DOUBLE) AND CAST($6 AS DOUBLE))
      validCount: count(*) FILTER (WHERE regexp_matches(CAST("code" AS VARCHAR), $7))
      quantile: CAST(quantile_cont("amount", 0.25) AS DOUBLE)
      median: CAST(quantile_cont("amount", 0.5) AS DOUBLE)
      approxQuantile: CAST(approx_quantile("amount", 0.9) AS DOUBLE)
      freshnessHours: CAST(epoch(max("seen at")) AS DOUBLE)
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
  })
  it('postgres', () => {
    expect(render(dialects.postgres as Dialect)).toMatchInlineSnapshot(`
      "matchCount: count(*) FILTER (WHERE CAST("e""mail" AS text) ~ $1)
      validCount: count(*) FILTER (WHERE "status" IN (CAST($2 AS text), CAST($3 AS double precision), CAST($4 AS boolean)))
      validCount: count(*) FILTER (WHERE (1 = 0))
      validCount: count(*) FILTER (WHERE "amount" BETWEEN CAST($5 AS double precision) AND CAST($6 AS double precision))
      validCount: count(*) FILTER (WHERE CAST("code" AS text) ~ $7)
      quantile: percentile_cont(0.25) WITHIN GROUP (ORDER BY CAST("amount" AS double precision))
      median: percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST("amount" AS double precision))
      approxQuantile: percentile_cont(0.9) WITHIN GROUP (ORDER BY CAST("amount" AS double precision))
      freshnessHours: CAST(extract(epoch FROM max("seen at")) AS double precision)
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
  })
  it('bigquery', () => {
    expect(render(dialects.bigquery as Dialect)).toMatchInlineSnapshot(`
      "matchCount: countif(regexp_contains(CAST(\`e"mail\` AS STRING), @p1))
      validCount: countif(\`status\` IN (CAST(@p2 AS STRING), CAST(@p3 AS FLOAT64), CAST(@p4 AS BOOL)))
      validCount: countif((1 = 0))
      validCount: countif(\`amount\` BETWEEN CAST(@p5 AS FLOAT64) AND CAST(@p6 AS FLOAT64))
      validCount: countif(regexp_contains(CAST(\`code\` AS STRING), @p7))
      quantile: throws BigQuery has no exact quantile aggregate: use mp.approxQuantile() (APPROX_QUANTILES) for datasets on BigQuery
      median: throws BigQuery has no exact quantile aggregate: use mp.approxQuantile() (APPROX_QUANTILES) for datasets on BigQuery
      approxQuantile: APPROX_QUANTILES(CAST(\`amount\` AS FLOAT64), 1000)[SAFE_OFFSET(900)]
      freshnessHours: UNIX_MICROS(CAST(MAX(\`seen at\`) AS TIMESTAMP)) / 1e6
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
  })
  it('trino', () => {
    expect(render(dialects.trino as Dialect)).toMatchInlineSnapshot(`
      "matchCount: count(*) FILTER (WHERE regexp_like(CAST("e""mail" AS varchar), ?))
      validCount: count(*) FILTER (WHERE "status" IN (CAST(? AS varchar), CAST(? AS double), CAST(? AS boolean)))
      validCount: count(*) FILTER (WHERE (1 = 0))
      validCount: count(*) FILTER (WHERE "amount" BETWEEN CAST(? AS double) AND CAST(? AS double))
      validCount: count(*) FILTER (WHERE regexp_like(CAST("code" AS varchar), ?))
      quantile: throws Trino has no exact quantile aggregate: use mp.approxQuantile() (approx_percentile) for datasets on Trino
      median: throws Trino has no exact quantile aggregate: use mp.approxQuantile() (approx_percentile) for datasets on Trino
      approxQuantile: approx_percentile(CAST("amount" AS double), 0.9)
      freshnessHours: to_unixtime(CAST(max("seen at") AS timestamp(6) with time zone))
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
  })
  it('clickhouse', () => {
    expect(render(dialects.clickhouse as Dialect)).toMatchInlineSnapshot(`
      "matchCount: countIf(ifNull(match(toString(\`e"mail\`), {p1:String}), 0))
      validCount: countIf(ifNull(\`status\` IN (CAST({p2:String} AS String), CAST({p3:Float64} AS Float64), CAST({p4:UInt8} AS UInt8)), 0))
      validCount: countIf(ifNull((1 = 0), 0))
      validCount: countIf(ifNull(\`amount\` BETWEEN CAST({p5:Float64} AS Float64) AND CAST({p6:Float64} AS Float64), 0))
      validCount: countIf(ifNull(match(toString(\`code\`), {p7:String}), 0))
      quantile: if(count(\`amount\`) = 0, NULL, quantileExactInclusive(0.25)(toFloat64(\`amount\`)))
      median: if(count(\`amount\`) = 0, NULL, quantileExactInclusive(0.5)(toFloat64(\`amount\`)))
      approxQuantile: if(count(\`amount\`) = 0, NULL, quantile(0.9)(toFloat64(\`amount\`)))
      freshnessHours: toFloat64(toUnixTimestamp64Micro(toDateTime64(maxOrNull(\`seen at\`), 6, 'UTC'))) / 1e6
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
  })

  it('clickhouse before 20.5 (18.x spellings, values inlined)', () => {
    expect(render(clickhouseInlineDialect)).toMatchInlineSnapshot(`
      "matchCount: countIf(ifNull(match(toString(\`e"mail\`), '^a\\'; --'), 0))
      validCount: countIf(ifNull(\`status\` IN (CAST('paid' AS String), CAST((2) AS Float64), CAST(0 AS UInt8)), 0))
      validCount: countIf(ifNull((1 = 0), 0))
      validCount: countIf(ifNull(\`amount\` BETWEEN CAST((0) AS Float64) AND CAST(reinterpretAsFloat64(unhex('0000000000e05840')) AS Float64), 0))
      validCount: countIf(ifNull(match(toString(\`code\`), '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'), 0))
      quantile: if(count(\`amount\`) = 0, NULL, arrayElement(arraySort(groupArray(toFloat64(\`amount\`))), toUInt64(floor(0.25 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) + 1) + (0.25 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1) - floor(0.25 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) * (arrayElement(arraySort(groupArray(toFloat64(\`amount\`))), toUInt64(ceil(0.25 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) + 1) - arrayElement(arraySort(groupArray(toFloat64(\`amount\`))), toUInt64(floor(0.25 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) + 1)))
      median: if(count(\`amount\`) = 0, NULL, arrayElement(arraySort(groupArray(toFloat64(\`amount\`))), toUInt64(floor(0.5 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) + 1) + (0.5 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1) - floor(0.5 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) * (arrayElement(arraySort(groupArray(toFloat64(\`amount\`))), toUInt64(ceil(0.5 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) + 1) - arrayElement(arraySort(groupArray(toFloat64(\`amount\`))), toUInt64(floor(0.5 * (length(arraySort(groupArray(toFloat64(\`amount\`)))) - 1))) + 1)))
      approxQuantile: if(count(\`amount\`) = 0, NULL, quantile(0.9)(toFloat64(\`amount\`)))
      freshnessHours: if(count(\`seen at\`) = 0, NULL, toFloat64(toUnixTimestamp(toDateTime(max(\`seen at\`), 'UTC'))))
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
    const params = new Params(clickhouseInlineDialect)
    expect(
      clickhouseInlineDialect.renderOrphanQuery(
        { relation: () => 'orders', reference: () => 'customers', keys: [{ column: 'c', refColumn: 'id' }] },
        params,
      ),
    ).toMatchInlineSnapshot(
      `"SELECT (SELECT count() FROM orders AS dqx_src WHERE dqx_src.\`c\` IS NOT NULL AND toString(dqx_src.\`c\`) GLOBAL NOT IN (SELECT toString(\`id\`) FROM customers AS dqx_ref WHERE \`id\` IS NOT NULL)) AS m0"`,
    )
  })

  it('snowflake', () => {
    expect(render(dialects.snowflake as Dialect)).toMatchInlineSnapshot(`
      "matchCount: count_if(regexp_instr(CAST("e""mail" AS VARCHAR), ?) > 0)
      validCount: count_if("status" IN (CAST(? AS VARCHAR), CAST(? AS DOUBLE), CAST(? AS BOOLEAN)))
      validCount: count_if((1 = 0))
      validCount: count_if("amount" BETWEEN CAST(? AS DOUBLE) AND CAST(? AS DOUBLE))
      validCount: count_if(regexp_instr(CAST("code" AS VARCHAR), ?) > 0)
      quantile: PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY CAST("amount" AS DOUBLE))
      median: PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST("amount" AS DOUBLE))
      approxQuantile: APPROX_PERCENTILE(CAST("amount" AS DOUBLE), 0.9)
      freshnessHours: DATE_PART(EPOCH_MICROSECOND, CAST(MAX("seen at") AS TIMESTAMP_TZ)) / 1e6
      values: ["^a'; --","paid",2,false,0,99.5,"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"]"
    `)
  })

  it('a pattern or value never appears in the SQL text: it is a bound parameter', () => {
    for (const dialect of Object.values(dialects)) {
      const text = render(dialect).split('\nvalues: ')[0] as string
      expect(text).not.toContain("^a'; --")
      expect(text).not.toContain('paid')
    }
  })

  it('orphanCount is never an aggregate of the scan', () => {
    for (const dialect of Object.values(dialects)) {
      expect(() =>
        dialect.renderMetric(
          { kind: 'orphanCount', column: 'c', reference: { dataset: 'd', column: 'id' } },
          new Params(dialect),
        ),
      ).toThrow('orphanCount is computed by renderOrphanQuery')
    }
  })

  it('a quantile level outside [0, 1] never reaches SQL text', () => {
    expect(() => quantileLiteral(2)).toThrow('quantile level must be between 0 and 1')
    expect(quantileLiteral(1e-7)).toBe('1e-7')
  })
})

describe('the orphanCount query: one anti-join count per key, placeholders in text order', () => {
  it.each(Object.keys(dialects))('%s', (name) => {
    const { sql, values } = orphanQuery(dialects[name] as Dialect)
    expect({ sql, values }).toMatchSnapshot()
    // Each key: the dataset's file, the date, then the referenced file (positional `?` binds in order).
    expect(values).toEqual([
      'orders.parquet',
      '2026-11-25',
      'customers.parquet',
      'orders.parquet',
      '2026-11-25',
      'customers.parquet',
    ])
  })
})

describe('sample predicates of the validity metrics', () => {
  it.each(Object.keys(dialects))('%s', (name) => {
    const dialect = dialects[name] as Dialect
    const params = new Params(dialect)
    expect({
      sql: PREDICATES.map((p) => dialect.renderPredicate(p, params)),
      values: params.values,
    }).toMatchSnapshot()
  })
})
