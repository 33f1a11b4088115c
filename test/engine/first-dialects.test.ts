// mp.first(col, { orderBy }) as each dialect spells it (inline snapshots). DuckDB, PostgreSQL and
// ClickHouse execute it in first-metric.test.ts; BigQuery, Trino and Snowflake cannot run here, so
// for them these snapshots, reviewed against each engine's documentation, are the test.
import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../../src/core/metric-spec.js'
import type { Dialect } from '../../src/engine/dialect.js'
import { clickhouseInlineDialect } from '../../src/engine/dialects/clickhouse.js'
import { dialects } from '../../src/engine/dialects/index.js'
import { Params } from '../../src/engine/sql.js'

const FIRST: MetricSpec = { kind: 'first', column: 'price', orderBy: 'updated at' }
const render = (d: Dialect): string => d.renderMetric(FIRST, new Params(d))

describe('first() per dialect', () => {
  it('renders one aggregate per engine, binding nothing', () => {
    const out = Object.fromEntries(
      [...Object.entries(dialects), ['clickhouse 18.x', clickhouseInlineDialect] as const].map(
        ([name, d]) => [name, render(d)],
      ),
    )
    expect(out).toMatchInlineSnapshot(`
      {
        "bigquery": "array_agg(if(\`updated at\` IS NULL, NULL, STRUCT(CAST(\`price\` AS FLOAT64) AS v)) IGNORE NULLS ORDER BY \`updated at\` LIMIT 1)[safe_offset(0)].v",
        "clickhouse": "if(countIf(isNotNull(\`updated at\`)) = 0 OR tupleElement(argMinIf(tuple(isNull(\`price\`), toFloat64(ifNull(\`price\`, 0))), assumeNotNull(\`updated at\`), isNotNull(\`updated at\`)), 1) = 1, NULL, tupleElement(argMinIf(tuple(isNull(\`price\`), toFloat64(ifNull(\`price\`, 0))), assumeNotNull(\`updated at\`), isNotNull(\`updated at\`)), 2))",
        "clickhouse 18.x": "if(countIf(isNotNull(\`updated at\`)) = 0 OR tupleElement(argMinIf(tuple(isNull(\`price\`), toFloat64(ifNull(\`price\`, 0))), assumeNotNull(\`updated at\`), isNotNull(\`updated at\`)), 1) = 1, NULL, tupleElement(argMinIf(tuple(isNull(\`price\`), toFloat64(ifNull(\`price\`, 0))), assumeNotNull(\`updated at\`), isNotNull(\`updated at\`)), 2))",
        "duckdb": "CAST(arg_min_null("price", "updated at") FILTER (WHERE "updated at" IS NOT NULL) AS DOUBLE)",
        "postgres": "CAST((array_agg("price" ORDER BY "updated at") FILTER (WHERE "updated at" IS NOT NULL))[1] AS double precision)",
        "snowflake": "CAST(min_by("price", "updated at") AS DOUBLE)",
        "trino": "CAST(min_by("price", "updated at") AS double)",
      }
    `)
  })
})
