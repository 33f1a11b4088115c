// Cross-engine equality on a real two-shard ClickHouse: 3 000 generated rows (NULLs, unicode,
// extreme doubles) split over two servers' MergeTree tables and scanned through the Distributed
// table; the same rows read back from ClickHouse, written to parquet and scanned by DuckDB.
// Exact metrics must be identical, floating-point ones within a relative 1e-9; approxDistinct is
// an estimate in both (ClickHouse uniq, DuckDB HyperLogLog) and is compared with the exact count.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chQuery } from '../../scripts/clickhouse.mjs'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import {
  chUrl,
  chUrl2,
  clickhouseUp,
  distributedTable,
  dropDistributed,
  loggedQueries,
  uniqueTable,
} from './ch-helpers.js'
import {
  agreementTests,
  COMMON_METRICS,
  type CrossEngineRun,
  generateFacts,
  type MetricCase,
  N,
  ofKind,
  runBothEngines,
  type Values,
} from './cross-engine.js'

/** DuckDB's HyperLogLog is coarse (see postgres-cross-engine.test.ts); ClickHouse's uniq is within a few %. */
const DUCK_APPROX_REL = 0.4
const CH_APPROX_REL = 0.05

const WORDS = [
  'plain',
  'café',
  'naïve',
  'e\u0301',
  '漢字テスト',
  '한국어',
  '👍🏽',
  '👨‍👩‍👧',
  "it's",
  'a"b',
  'back\\slash',
  '',
  'x'.repeat(500),
]
const CITIES = ['Zürich', 'São Paulo', '東京', 'Paris', 'Kraków', '🏙️ Metro', null]
const BIG = [1e300, -1e300, 1e-300, 0, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, -123.456]
const generate = () =>
  generateFacts({
    seed: 20261207,
    words: WORDS,
    cities: CITIES,
    big: BIG,
    flag: (yes) => (yes ? 1 : 0),
    day: (date, time) => `${date} ${time}`,
  })

const METRICS: MetricCase[] = [
  ...COMMON_METRICS,
  ['exact', (mp) => mp.countValues('name', ['', 'e\u0301', '👨‍👩‍👧', "it's", 'back\\slash'])],
  ['exact', (mp) => mp.customSql('sum(CASE WHEN qty > 0 THEN 1 ELSE 0 END)')],
]

describe.skipIf(!clickhouseUp())(
  'a Distributed ClickHouse table over two shards and DuckDB over parquet compute the same metrics',
  () => {
    const rows = generate()
    const key = new ResultKey('2026-11-25')
    const table = uniqueTable('facts')
    const dir = mkdtempSync(join(tmpdir(), 'dqx-ch-parquet-'))
    let both: CrossEngineRun
    let duck: Values
    let ch: Values
    let perShard: number[]

    beforeAll(async () => {
      await distributedTable(
        table,
        `id UInt64, name Nullable(String), city Nullable(String), category Nullable(String), flag Nullable(UInt8),
       amount Nullable(Float64), qty Nullable(Int32), big Nullable(Float64), day DateTime('UTC')`,
        rows,
        (_, i) => (i % 2 === 0 ? 0 : 1),
      )
      perShard = await Promise.all(
        [chUrl, chUrl2].map(async (u) =>
          Number((await chQuery(u, `SELECT count() FROM ${table}_local`)).trim()),
        ),
      )
      // The same rows as ClickHouse stores them, through DuckDB into parquet.
      const stored = await chQuery(
        `${chUrl}/?output_format_json_quote_64bit_integers=0`,
        `SELECT * FROM ${table} ORDER BY id FORMAT JSONEachRow`,
      )
      const ndjson = join(dir, 'rows.ndjson')
      writeFileSync(ndjson, stored)
      const parquet = join(dir, 'facts.parquet')
      const duckdb = new DuckDBSession()
      try {
        await duckdb.query(
          `COPY (SELECT id, name, city, category, CAST(flag AS BOOLEAN) AS flag, amount, qty, big, day
               FROM read_json($1, format = 'newline_delimited', columns = {id: 'UBIGINT', name: 'VARCHAR',
                 city: 'VARCHAR', category: 'VARCHAR', flag: 'UTINYINT', amount: 'DOUBLE', qty: 'INTEGER',
                 big: 'DOUBLE', day: 'TIMESTAMP'})) TO '${parquet}' (FORMAT parquet)`,
          [ndjson],
        )
      } finally {
        await duckdb.close()
      }
      both = await runBothEngines({
        name: 'clickhouse-cross-engine',
        metrics: METRICS,
        key,
        duck: (options) => DataSource.parquet(parquet, options),
        other: (options) => DataSource.clickhouse({ url: chUrl, table, ...options }),
      })
      ;({ duck, other: ch } = both)
    })

    afterAll(async () => {
      await dropDistributed(table)
      rmSync(dir, { recursive: true, force: true })
    })

    it('read both shards: the Distributed row count is the sum of the two local tables, each holding half', () => {
      expect(perShard).toEqual([N / 2, N / 2])
      expect(ch.get('all numRows()')).toBe(N)
      expect(duck.get('all numRows()')).toBe(N)
      expect(ch.get('daily numRows()')).toBe(rows.filter((x) => x.day.startsWith('2026-11-25')).length)
    })

    it('one SELECT per dataset and date, which the server fans out to both shards', async () => {
      const scans = await loggedQueries(chUrl, `AS m0%FROM \`${table}\``, true)
      // Two datasets (all, daily), one date each.
      expect(scans).toHaveLength(2)
      // Shard 2 received one query per scan from shard 1's Distributed table.
      const remote = await loggedQueries(chUrl2, `${table}_local`, false)
      expect(remote.filter((q) => q.includes('m0') || q.includes('count'))).toHaveLength(2)
    })

    agreementTests('clickhouse', () => both, METRICS.length)

    it('approxDistinct estimates the exact distinct count in both engines', () => {
      for (const [k, d] of ofKind(both, 'approx')) {
        const exact = ch.get(k.replace('approxDistinct', 'uniqueCount')) as number
        expect(Math.abs((ch.get(k) as number) - exact) / exact, `clickhouse ${k}`).toBeLessThanOrEqual(
          CH_APPROX_REL,
        )
        expect(Math.abs((d as number) - exact) / exact, `duckdb ${k}`).toBeLessThanOrEqual(DUCK_APPROX_REL)
      }
    })

    it('the values are right, not merely equal: checked against plain JS', () => {
      const cp = (s: string) => [...s].length
      const names = rows.map((x) => x.name).filter((x): x is string => x !== null)
      const qtys = rows.map((x) => x.qty).filter((x): x is number => x !== null)
      expect(ch.get('all nullCount(name)')).toBe(N - names.length)
      expect(ch.get('all uniqueCount(name)')).toBe(new Set(names).size)
      expect(ch.get('all minLength(name)')).toBe(Math.min(...names.map(cp)))
      expect(ch.get('all sum(qty)')).toBe(qtys.reduce((a, b) => a + b, 0))
      expect(ch.get('all maximum(big)')).toBe(Number.MAX_VALUE)
      expect(ch.get('all countValues(name, ["", "e\u0301", "👨‍👩‍👧", "it\'s", "back\\\\slash"])')).toBe(
        names.filter((n) => ['', 'e\u0301', '👨‍👩‍👧', "it's", 'back\\slash'].includes(n)).length,
      )
    })
  },
)
