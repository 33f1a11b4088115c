import type { Dialect } from '../dialect.js'
import { bigqueryDialect } from './bigquery.js'
import { clickhouseDialect, clickhouseDialectFor, clickhouseInlineDialect } from './clickhouse.js'
import { duckdbDialect } from './duckdb.js'
import { postgresDialect } from './postgres.js'
import { snowflakeDialect } from './snowflake.js'
import { trinoDialect } from './trino.js'

export {
  bigqueryDialect,
  clickhouseDialect,
  clickhouseDialectFor,
  clickhouseInlineDialect,
  duckdbDialect,
  postgresDialect,
  snowflakeDialect,
  trinoDialect,
}

/**
 * Every dialect dqx ships, by name. DuckDB, PostgreSQL and ClickHouse execute through their own
 * DataSources; every one executes through `DataSource.warehouse({ dialect, execute })`.
 */
export const dialects: Readonly<Record<string, Dialect>> = Object.freeze({
  duckdb: duckdbDialect,
  postgres: postgresDialect,
  bigquery: bigqueryDialect,
  trino: trinoDialect,
  clickhouse: clickhouseDialect,
  snowflake: snowflakeDialect,
})
