// Shared by the ClickHouse tests: the two-shard pair started by test/setup/clickhouse.ts.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { chQuery, createDistributedTable } from '../../scripts/clickhouse.mjs'
import { serverAvailable } from '../helpers/servers.js'

export const chUrl = process.env.DQX_TEST_CH_URL ?? ''
export const chUrl2 = process.env.DQX_TEST_CH_URL2 ?? ''

/** True when the pair runs; otherwise prints why once (and throws under DQX_REQUIRE_SERVERS=1). */
export function clickhouseUp(): boolean {
  const missing =
    chUrl !== '' && chUrl2 !== ''
      ? undefined
      : (process.env.DQX_TEST_CH_MISSING ??
        'DQX_TEST_CH_URL is not set (test/setup/clickhouse.ts starts the servers)')
  return serverAvailable('ClickHouse', missing)
}

/** A unique table name: test files run in parallel against one pair of servers. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}

/**
 * `${name}_local` on both servers and the Distributed `${name}` over them; `rows` go to the
 * shards by `shardOf(row)` (0 or 1), written straight into the local tables so the split is known.
 */
export async function distributedTable<T extends object>(
  name: string,
  columns: string,
  rows: readonly T[],
  shardOf: (row: T, index: number) => 0 | 1,
): Promise<void> {
  await createDistributedTable([chUrl, chUrl2], name, columns)
  const parts: [string[], string[]] = [[], []]
  rows.forEach((r, i) => {
    parts[shardOf(r, i)].push(JSON.stringify(r))
  })
  for (const [i, url] of [chUrl, chUrl2].entries()) {
    const lines = parts[i as 0 | 1]
    if (lines.length > 0)
      await chQuery(url, `INSERT INTO ${name}_local FORMAT JSONEachRow\n${lines.join('\n')}`)
  }
}

export async function dropDistributed(name: string): Promise<void> {
  for (const url of [chUrl, chUrl2]) {
    await chQuery(url, `DROP TABLE IF EXISTS ${name}`)
    await chQuery(url, `DROP TABLE IF EXISTS ${name}_local`)
  }
}

/** Queries one server logged (flushed first): `initial` ones a client sent, others a shard received. */
export async function loggedQueries(url: string, like: string, initial: boolean): Promise<string[]> {
  await chQuery(url, 'SYSTEM FLUSH LOGS')
  const text = await chQuery(
    url,
    `SELECT query FROM system.query_log WHERE toUInt8(type) = 2 AND is_initial_query = ${initial ? 1 : 0} AND query LIKE '%${like}%' AND query NOT LIKE '%system.query_log%' FORMAT JSONEachRow`,
  )
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { query: string }).query)
}

export const CHDB_MISSING =
  'the chdb package (current ClickHouse in-process) is not installed: npm install --no-save chdb@3.4.0'

/** The part of chDB's API the tests use (typed here: chdb is not a dependency, so its types may be absent). */
export interface ChdbSession {
  query(sql: string, format?: string): string
  queryBind(sql: string, args: object, format?: string): string
  cleanup(): void
}
export interface Chdb {
  Session: new () => ChdbSession
}

/** chDB, an optional dev install (~540 MB): .ci/run installs it; locally its tests skip without it. */
export function loadChdb(): Chdb | undefined {
  try {
    return createRequire(import.meta.url)('chdb') as Chdb
  } catch {
    return undefined
  }
}
