// Cross-engine equality on a real two-shard ClickHouse: 3 000 generated rows (NULLs, unicode,
// extreme doubles) split over two servers' MergeTree tables and scanned through the Distributed
// table; the same rows read back from ClickHouse, written to parquet and scanned by DuckDB.
// Exact metrics must be identical, floating-point ones within a relative 1e-9; approxDistinct is
// an estimate in both (ClickHouse uniq, DuckDB HyperLogLog) and is compared with the exact count.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chQuery } from '../../scripts/clickhouse.mjs'
import { check } from '../../src/core/check.js'
import type { MetricProvider } from '../../src/core/metric-provider.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { RunReport } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import {
  chUrl,
  chUrl2,
  clickhouseUp,
  distributedTable,
  dropDistributed,
  loggedQueries,
  uniqueTable,
} from './ch-helpers.js'

const N = 3000
const FLOAT_REL = 1e-9
/** DuckDB's HyperLogLog is coarse (see postgres-cross-engine.test.ts); ClickHouse's uniq is within a few %. */
const DUCK_APPROX_REL = 0.4
const CH_APPROX_REL = 0.05

function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
const DAYS = ['2026-11-24', '2026-11-25', '2026-11-26']

type Row = {
  id: number
  name: string | null
  city: string | null
  category: string | null
  flag: number | null
  amount: number | null
  qty: number | null
  big: number | null
  day: string
}

function generate(): Row[] {
  const r = rng(20261207)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const maybe = <T>(p: number, v: () => T): T | null => (r() < p ? null : v())
  return Array.from({ length: N }, (_, id) => ({
    id,
    name: maybe(0.08, () => (r() < 0.3 ? pick(WORDS) : `${pick(WORDS)} ${Math.floor(r() * 2000)}`)),
    city: pick(CITIES),
    category: maybe(0.1, () => pick(['a', 'b', 'c'])),
    flag: maybe(0.1, () => (r() < 0.5 ? 1 : 0)),
    amount: maybe(0.05, () => (r() < 0.02 ? 0 : (r() * 2 - 1) * 1e6)),
    qty: maybe(0.05, () => Math.floor(r() * 2001) - 1000),
    big: maybe(0.05, () => pick(BIG)),
    day: `${pick(DAYS)} ${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:00`,
  }))
}

type Kind = 'exact' | 'float' | 'approx'
const METRICS: [Kind, (mp: MetricProvider) => ReturnType<MetricProvider['numRows']>][] = [
  ['exact', (mp) => mp.numRows()],
  ['exact', (mp) => mp.nullCount('name')],
  ['exact', (mp) => mp.nullCount('city')],
  ['exact', (mp) => mp.nullCount('flag')],
  ['exact', (mp) => mp.nullCount('amount')],
  ['exact', (mp) => mp.uniqueCount('name')],
  ['exact', (mp) => mp.uniqueCount('city')],
  ['exact', (mp) => mp.uniqueCount('qty')],
  ['exact', (mp) => mp.uniqueCount('big')],
  ['exact', (mp) => mp.duplicateCount(['city'])],
  ['exact', (mp) => mp.duplicateCount(['city', 'category'])],
  ['exact', (mp) => mp.duplicateCount(['city', 'category', 'flag'])],
  ['exact', (mp) => mp.duplicateCount(['name', 'big'])],
  ['exact', (mp) => mp.countValues('city', ['Zürich', '東京'])],
  ['exact', (mp) => mp.countValues('name', ['', 'e\u0301', '👨‍👩‍👧', "it's", 'back\\slash'])],
  ['exact', (mp) => mp.countValues('qty', [0, 1, -1])],
  ['exact', (mp) => mp.countValues('flag', [true])],
  ['exact', (mp) => mp.countValues('big', [0, 1e300, Number.MAX_VALUE])],
  ['exact', (mp) => mp.minLength('name')],
  ['exact', (mp) => mp.maxLength('name')],
  ['exact', (mp) => mp.minLength('city')],
  ['exact', (mp) => mp.maxLength('city')],
  ['exact', (mp) => mp.minimum('qty')],
  ['exact', (mp) => mp.maximum('qty')],
  ['exact', (mp) => mp.minimum('amount')],
  ['exact', (mp) => mp.maximum('amount')],
  ['exact', (mp) => mp.minimum('big')],
  ['exact', (mp) => mp.maximum('big')],
  ['exact', (mp) => mp.sum('qty')],
  ['exact', (mp) => mp.customSql('sum(CASE WHEN qty > 0 THEN 1 ELSE 0 END)')],
  ['float', (mp) => mp.sum('amount')],
  ['float', (mp) => mp.average('amount')],
  ['float', (mp) => mp.average('qty')],
  ['float', (mp) => mp.variance('amount')],
  ['float', (mp) => mp.stddev('amount')],
  ['float', (mp) => mp.variance('qty')],
  ['float', (mp) => mp.stddev('qty')],
  ['approx', (mp) => mp.approxDistinct('name')],
  ['approx', (mp) => mp.approxDistinct('qty')],
  ['approx', (mp) => mp.approxDistinct('city')],
]

function suite(): { suite: VerificationSuite; kinds: Map<string, Kind> } {
  const kinds = new Map<string, Kind>()
  const checks = ['all', 'daily'].map((dataset) =>
    check({ name: `metrics of ${dataset}`, datasets: [dataset] }, (mp, ctx) => {
      METRICS.forEach(([kind, m], i) => {
        const metric = m(mp)
        kinds.set(String(metric), kind)
        ctx
          .assertThat(metric)
          .where({ name: `m${i}` })
          .noop()
      })
    }),
  )
  const s = new VerificationSuite({
    name: 'clickhouse-cross-engine',
    checks,
    db: MetricDB.memory(),
    logger: pino({ level: 'silent' }),
    audit: false,
  })
  return { suite: s, kinds }
}

const valuesOf = (report: RunReport): Map<string, number | null> =>
  new Map(report.symbols.map((s) => [`${s.dataset} ${s.metric}`, s.value]))

describe.skipIf(!clickhouseUp())(
  'a Distributed ClickHouse table over two shards and DuckDB over parquet compute the same metrics',
  () => {
    const rows = generate()
    const key = new ResultKey('2026-11-25')
    const table = uniqueTable('facts')
    const dir = mkdtempSync(join(tmpdir(), 'dqx-ch-parquet-'))
    let duck: Map<string, number | null>
    let ch: Map<string, number | null>
    let kinds: Map<string, Kind>
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
      const built = suite()
      kinds = built.kinds
      const chTable = (dateColumn?: string) =>
        DataSource.clickhouse({ url: chUrl, table, ...(dateColumn ? { dateColumn } : {}) })
      const pq = (dateColumn?: string) => DataSource.parquet(parquet, dateColumn ? { dateColumn } : {})
      duck = valuesOf(await built.suite.run({ all: pq(), daily: pq('day') }, key))
      ch = valuesOf(await built.suite.run({ all: chTable(), daily: chTable('day') }, key))
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

    it('every metric of both datasets has a value in both engines', () => {
      expect(duck.size).toBe(METRICS.length * 2)
      expect([...ch.keys()].sort()).toEqual([...duck.keys()].sort())
      for (const [k, v] of ch) expect({ k, v }).toEqual({ k, v: expect.any(Number) })
    })

    it('exact metrics are identical', () => {
      const diffs: string[] = []
      for (const [k, d] of duck) {
        if (kinds.get(k.slice(k.indexOf(' ') + 1)) !== 'exact') continue
        if (d !== ch.get(k)) diffs.push(`${k}: duckdb ${d} clickhouse ${ch.get(k)}`)
      }
      expect(diffs).toEqual([])
    })

    it(`floating-point metrics agree within a relative ${FLOAT_REL}`, () => {
      const diffs: string[] = []
      for (const [k, d] of duck) {
        if (kinds.get(k.slice(k.indexOf(' ') + 1)) !== 'float') continue
        const c = ch.get(k) as number
        const rel = Math.abs((d as number) - c) / Math.max(Math.abs(c), Number.MIN_VALUE)
        if (!(rel <= FLOAT_REL)) diffs.push(`${k}: duckdb ${d} clickhouse ${c} (rel ${rel})`)
      }
      expect(diffs).toEqual([])
    })

    it('approxDistinct estimates the exact distinct count in both engines', () => {
      for (const [k, d] of duck) {
        if (kinds.get(k.slice(k.indexOf(' ') + 1)) !== 'approx') continue
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
