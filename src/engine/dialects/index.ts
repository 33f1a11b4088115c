import type { Dialect } from '../dialect.js'
import { bigqueryDialect } from './bigquery.js'
import { clickhouseDialect } from './clickhouse.js'
import { duckdbDialect } from './duckdb.js'
import { postgresDialect } from './postgres.js'
import { trinoDialect } from './trino.js'

export { bigqueryDialect, clickhouseDialect, duckdbDialect, postgresDialect, trinoDialect }

/** Every dialect dqx ships, by name. DuckDB and PostgreSQL execute; the others render SQL only. */
export const dialects: Readonly<Record<string, Dialect>> = Object.freeze({
  duckdb: duckdbDialect,
  postgres: postgresDialect,
  bigquery: bigqueryDialect,
  trino: trinoDialect,
  clickhouse: clickhouseDialect,
})
