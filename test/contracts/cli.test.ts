// `dqx run --contract`: a contract alone with --source datasets, a contract added to a config's
// suite, and the errors for bad flags and bad contract files — through the real CLI in process.
import { copyFileSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliInProcess, project } from '../cli/helpers.js'

const EXAMPLES = resolve(import.meta.dirname, '../../examples/contracts')
const proj = project({
  'bad.dqx.yaml': 'datasets:\n  orders:\n    rules:\n      - metric: numRows\n        isGte: 1\n',
  'dqx.config.ts': [
    "import { check, DataSource, defineConfig } from 'dqx'",
    'export default defineConfig({',
    "  name: 'nightly',",
    "  checks: [check({ name: 'own', datasets: ['orders'] }, (mp, ctx) => { ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive() })],",
    "  datasources: { orders: DataSource.csv('data/orders.csv') },",
    '})',
  ].join('\n'),
})
const bare = project({})

beforeAll(async () => {
  for (const dir of [proj.dir, bare.dir]) {
    for (const f of ['orders.odcs.yaml', 'orders.dqx.yaml']) copyFileSync(join(EXAMPLES, f), join(dir, f))
  }
  mkdirSync(join(proj.dir, 'data'))
  copyFileSync(join(EXAMPLES, 'data/orders.csv'), join(proj.dir, 'data/orders.csv'))
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  await conn.run(
    `COPY (SELECT * FROM read_csv('${join(EXAMPLES, 'data/orders.csv')}')) TO '${join(bare.dir, 'orders.parquet')}' (FORMAT parquet)`,
  )
  conn.closeSync()
  db.closeSync()
})
afterAll(() => {
  proj.cleanup()
  bare.cleanup()
})

type JsonReport = { suiteName: string; results: { check: string; assertion: string; status: string }[] }

describe('dqx run --contract', () => {
  it('runs an ODCS contract on --source data without a config and warns about each unsupported rule', async () => {
    const r = await cliInProcess(
      [
        'run',
        '--contract',
        'orders.odcs.yaml',
        '--source',
        'orders=orders.parquet',
        '--json',
        '--no-plugins',
        '--date',
        '2026-11-24',
      ],
      bare.dir,
    )
    const report = JSON.parse(r.stdout) as JsonReport
    expect(report.suiteName).toBe('shop-orders')
    expect(report.results).toHaveLength(12)
    expect(new Set(report.results.map((x) => x.check))).toEqual(new Set(['shop-orders/orders']))
    // The example's data breaks P1 rules (a duplicate order, an unknown status): exit 1.
    expect(r.code).toBe(1)
    const warnings = r.stderr.split('\n').filter((l) => l.includes('not run:'))
    expect(warnings.map((l) => l.slice(l.indexOf('rule ')))).toEqual([
      "rule orders quality[3] 'amounts match the ledger' not run: it uses JOIN, which is not of the form SELECT <aggregate> FROM <this dataset> [WHERE <condition>], the only query dqx runs inside its scan",
      "rule orders quality[4] 'loaded within an hour' not run: type: text is a description for people; there is nothing to compute",
      'rule orders.amount quality[3] not run: type: custom is written for a specific engine (soda); dqx cannot run it',
    ])
  })

  it("adds a contract's checks to the config's suite, which provides the data", async () => {
    const r = await cliInProcess(
      [
        'run',
        '--contract',
        'orders.dqx.yaml',
        '--json',
        '--no-plugins',
        '--fail-on',
        'P0',
        '--date',
        '2026-11-24',
      ],
      proj.dir,
    )
    const report = JSON.parse(r.stdout) as JsonReport
    expect(report.suiteName).toBe('nightly')
    expect(report.results.filter((x) => x.check === 'own').map((x) => x.status)).toEqual(['PASSED'])
    expect(report.results.filter((x) => x.check === 'shop-orders/orders')).toHaveLength(20)
    // The only P0 rule (numRows) passes.
    expect(r.code).toBe(0)
  })

  it('lets --source replace a config datasource', async () => {
    copyFileSync(join(bare.dir, 'orders.parquet'), join(proj.dir, 'orders.parquet'))
    const r = await cliInProcess(
      ['run', '--source', 'orders=orders.parquet', '--json', '--no-plugins', '--date', '2026-11-24'],
      proj.dir,
    )
    expect((JSON.parse(r.stdout) as JsonReport).results.map((x) => x.status)).toEqual(['PASSED'])
    expect(r.code).toBe(0)
  })

  it('stops with exit 2 and file:line:col on a bad contract', async () => {
    const r = await cliInProcess(['run', '--contract', 'bad.dqx.yaml', '--no-plugins'], proj.dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      "bad.dqx.yaml:5:9: datasets.orders.rules[0].isGte is not a known key — did you mean 'isGt'?; remove it or fix its spelling",
    )
  })

  it('stops with exit 2 on a malformed --source', async () => {
    const noEquals = await cliInProcess(
      ['run', '--contract', 'orders.dqx.yaml', '--source', 'orders'],
      bare.dir,
    )
    expect(noEquals.code).toBe(2)
    expect(noEquals.stderr).toContain(
      "--source must look like name=path (e.g. orders=data/orders.parquet), got 'orders'",
    )
    const unknown = await cliInProcess(
      ['run', '--contract', 'orders.dqx.yaml', '--source', 'orders=orders.xlsx'],
      bare.dir,
    )
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(
      "--source 'orders=orders.xlsx': cannot tell the file type of 'orders.xlsx'",
    )
  })

  it('skips the assertions of a contract dataset that no --source provides', async () => {
    const r = await cliInProcess(
      ['run', '--contract', 'orders.dqx.yaml', '--json', '--no-plugins', '--date', '2026-11-24'],
      bare.dir,
    )
    const report = JSON.parse(r.stdout) as JsonReport
    expect(new Set(report.results.map((x) => x.status))).toEqual(new Set(['SKIPPED']))
    expect(r.code).toBe(1)
  })
})

describe('parseSources', () => {
  it('picks the reader by extension and resolves paths from the working directory', async () => {
    const { parseSources } = await import('../../src/cli/contract-run.js')
    const { DataSource } = await import('../../src/engine/data-source.js')
    const names = ['a.parquet', 'b.csv', 'c.tsv', 'd.json', 'e.jsonl', 'f.ndjson', 'g/*.PARQUET']
    const sources = parseSources(
      names.map((f, i) => `s${i}=${f}`),
      '/data',
    )
    expect(Object.keys(sources)).toEqual(names.map((_, i) => `s${i}`))
    for (const s of Object.values(sources)) expect(s).toBeInstanceOf(DataSource)
  })
})
