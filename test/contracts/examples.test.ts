// Both example contracts, loaded from examples/contracts and run against the example data as CSV
// and as Parquet (written by DuckDB); every value is checked against a plain-JS computation on
// the same rows.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataContract } from '../../src/contracts/data-contract.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { AssertionResult, Severity } from '../../src/core/types.js'
import { DataSource } from '../../src/engine/data-source.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { freshDatabase, hasPg, pgUrl, withClient } from '../engine/pg-helpers.js'
import { tempDir } from '../helpers/data.js'

const DIR = resolve(import.meta.dirname, '../../examples/contracts')
const CSV = join(DIR, 'data/orders.csv')
const KEY = new ResultKey('2026-11-24')

type Row = Record<string, string | null>
/** The example CSV as DuckDB reads it: an empty field is NULL. */
function readRows(): Row[] {
  const [head, ...lines] = readFileSync(CSV, 'utf8').trim().split('\n')
  const cols = (head as string).split(',')
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v === '' ? null : v])))
}
const rows = readRows()
const n = rows.length
const col = (c: string) => rows.map((r) => r[c] ?? null)
const nulls = (c: string) => col(c).filter((v) => v === null).length
const nums = (c: string) =>
  col(c)
    .filter((v): v is string => v !== null)
    .map(Number)
const inList = (c: string, list: string[]) => col(c).filter((v) => v !== null && list.includes(v)).length
const dupes = (cs: string[]) => n - new Set(rows.map((r) => JSON.stringify(cs.map((c) => r[c])))).size
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const variance = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))

/** Expected [value, passes, severity] per assertion name, computed from the rows. */
function expectedOdcs(): Record<string, [number, boolean, Severity]> {
  const emailMissing = ((nulls('customer_email') + inList('customer_email', ['', 'n/a'])) / n) * 100
  const badEmail = col('customer_email').filter(
    (v) => v !== null && !/^[^@ ]+@[^@ ]+\.[a-z]+$/.test(v),
  ).length
  const valid = ['placed', 'shipped', 'delivered', 'returned']
  const badStatus = col('status').filter((v) => v !== null && !valid.includes(v)).length
  const countryNullPct = (nulls('country') / n) * 100
  const avgAmount = mean(nums('amount'))
  const negatives = nums('amount').filter((x) => x < 0).length
  return {
    'rowCount mustBeGreaterThan 5': [n, n > 5, 'P1'],
    'duplicateValues mustBeLessOrEqualTo 1': [
      dupes(['order_id', 'placed_at']),
      dupes(['order_id', 'placed_at']) <= 1,
      'P2',
    ],
    'no negative amounts': [negatives, negatives === 0, 'P2'],
    'order_id nullValues mustBe 0': [nulls('order_id'), nulls('order_id') === 0, 'P1'],
    'order_id duplicateValues mustBe 0': [dupes(['order_id']), dupes(['order_id']) === 0, 'P1'],
    'customer_email missingValues mustBeLessThan 20 %': [emailMissing, emailMissing < 20, 'P2'],
    'customer_email invalidValues mustBeLessOrEqualTo 1': [badEmail, badEmail <= 1, 'P1'],
    'status invalidValues mustBe 0': [badStatus, badStatus === 0, 'P1'],
    'country nullValues mustNotBeBetween [5, 100] %': [
      countryNullPct,
      !(countryNullPct >= 5 && countryNullPct <= 100),
      'P3',
    ],
    'average amount': [avgAmount, avgAmount >= 10 && avgAmount <= 500, 'P1'],
    'amount nullValues mustNotBe 12': [nulls('amount'), nulls('amount') !== 12, 'P3'],
    'amount nullValues mustBeGreaterOrEqualTo 0': [nulls('amount'), nulls('amount') >= 0, 'P1'],
  }
}

function expectedDqx(): Record<string, [number, boolean, Severity]> {
  const amount = nums('amount')
  const country = col('country').filter((v): v is string => v !== null)
  const statusRate = inList('status', ['placed', 'shipped', 'delivered', 'returned']) / n
  const distinctStatus = new Set(col('status').filter((v) => v !== null)).size
  const lengths = country.map((c) => [...c].length)
  const emailOk = col('customer_email').filter((v) => v !== null && /^[^@ ]+@[^@ ]+\.[a-z]+$/.test(v)).length
  const inRange = amount.filter((x) => x >= 0 && x <= 1000).length
  return {
    'numRows isGt 5': [n, n > 5, 'P0'],
    'order ids are unique': [dupes(['order_id']), dupes(['order_id']) === 0, 'P1'],
    'no negative amounts': [amount.filter((x) => x < 0).length, amount.every((x) => x >= 0), 'P2'],
    'order_id nullCount isEq 0': [nulls('order_id'), nulls('order_id') === 0, 'P1'],
    'customer_email nullCount rate isLt 0.2': [
      nulls('customer_email') / n,
      nulls('customer_email') / n < 0.2,
      'P1',
    ],
    'customer_email countValues isLeq 1': [
      inList('customer_email', ['', 'n/a']),
      inList('customer_email', ['', 'n/a']) <= 1,
      'P1',
    ],
    'status countValues rate isGeq 0.95': [statusRate, statusRate >= 0.95, 'P1'],
    'customer_email matchCount rate isGeq 0.8': [emailOk / n, emailOk / n >= 0.8, 'P1'],
    'known statuses': [statusRate * n, statusRate * n >= 10, 'P1'],
    'amounts in range': [inRange / n, inRange / n >= 0.9, 'P1'],
    'status uniqueCount isBetween 3 6': [distinctStatus, distinctStatus >= 3 && distinctStatus <= 6, 'P1'],
    'amount average isBetween 10 500': [mean(amount), mean(amount) >= 10 && mean(amount) <= 500, 'P1'],
    'amount sum isPositive': [amount.reduce((a, b) => a + b, 0), amount.reduce((a, b) => a + b, 0) > 0, 'P1'],
    'amount minimum isNotBetween -1000 -100': [
      Math.min(...amount),
      !(Math.min(...amount) >= -1000 && Math.min(...amount) <= -100),
      'P1',
    ],
    'amount maximum isLeq 1000': [Math.max(...amount), Math.max(...amount) <= 1000, 'P1'],
    'amount stddev noop': [Math.sqrt(variance(amount)), true, 'P1'],
    'amount variance isNeq 0': [variance(amount), variance(amount) !== 0, 'P1'],
    // approxDistinct is exact at this size (HyperLogLog's error shows only on many distinct values).
    'country approxDistinct isGeq 3': [new Set(country).size, new Set(country).size >= 3, 'P1'],
    'country minLength isEq 2': [Math.min(...lengths), Math.min(...lengths) === 2, 'P1'],
    'country maxLength isEq 2': [Math.max(...lengths), Math.max(...lengths) === 2, 'P3'],
  }
}

function expectMatches(
  results: readonly AssertionResult[],
  expected: Record<string, [number, boolean, Severity]>,
): void {
  expect(results.map((r) => r.assertion).sort()).toEqual(Object.keys(expected).sort())
  for (const r of results) {
    const [value, passes, severity] = expected[r.assertion] as [number, boolean, Severity]
    expect(r.value, r.assertion).not.toBeNull()
    expect(near(r.value as number, value), `${r.assertion}: ${r.value} vs ${value}`).toBe(true)
    expect(r.status, r.assertion).toBe(passes ? 'PASSED' : 'FAILED')
    expect(r.severity, r.assertion).toBe(severity)
  }
}

const tmp = tempDir('dqx-contracts-')
const PARQUET = tmp.file('orders.parquet')
beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  await conn.run(`COPY (SELECT * FROM read_csv('${CSV}')) TO '${PARQUET}' (FORMAT parquet)`)
  conn.closeSync()
  db.closeSync()
})
afterAll(() => tmp.cleanup())

async function run(contract: DataContract, source: DataSource) {
  const suite = new VerificationSuite({ name: 'contract', checks: contract.toChecks(), audit: false })
  return (await suite.run({ orders: source }, KEY)).results
}

describe('the ODCS example (examples/contracts/orders.odcs.yaml)', () => {
  const contract = DataContract.fromOdcs(join(DIR, 'orders.odcs.yaml'))

  it('takes its name from the contract and makes one check per schema object', () => {
    expect(contract.name).toBe('shop-orders')
    expect(contract.datasets).toEqual(['orders'])
    expect(contract.toChecks().map((c) => c.name)).toEqual(['shop-orders/orders'])
  })

  it('lists exactly the rules dqx cannot run, with the reason', () => {
    expect(contract.unsupported).toEqual([
      {
        rule: "orders quality[3] 'amounts match the ledger'",
        reason:
          'it uses JOIN, which is not of the form SELECT <aggregate> FROM <this dataset> [WHERE <condition>], the only query dqx runs inside its scan',
      },
      {
        rule: "orders quality[4] 'loaded within an hour'",
        reason: 'type: text is a description for people; there is nothing to compute',
      },
      {
        rule: 'orders.amount quality[3]',
        reason: 'type: custom is written for a specific engine (soda); dqx cannot run it',
      },
    ])
  })

  it('maps tags and dimensions onto assertion tags', () => {
    const tagsOf = (name: string) => contract.rules.find((r) => r.name === name)?.tags
    expect(tagsOf('customer_email invalidValues mustBeLessOrEqualTo 1')).toEqual(['pii'])
    expect(tagsOf('order_id duplicateValues mustBe 0')).toEqual(['uniqueness'])
  })

  it('runs on the CSV with the values plain JS computes', async () => {
    expectMatches(await run(contract, DataSource.csv(CSV)), expectedOdcs())
  })

  it('runs on Parquet with the same values', async () => {
    expectMatches(await run(contract, DataSource.parquet(PARQUET)), expectedOdcs())
  })
})

describe("dqx's own format (examples/contracts/orders.dqx.yaml)", () => {
  const contract = DataContract.fromYaml(join(DIR, 'orders.dqx.yaml'))

  it('has no unsupported rules and applies the dataset defaults', () => {
    expect(contract.unsupported).toEqual([])
    expect(contract.rules.find((r) => r.name === 'customer_email nullCount rate isLt 0.2')?.tags).toEqual([
      'orders',
      'pii',
    ])
  })

  it('runs on the CSV with the values plain JS computes', async () => {
    expectMatches(await run(contract, DataSource.csv(CSV)), expectedDqx())
  })

  it('runs on Parquet with the same values', async () => {
    expectMatches(await run(contract, DataSource.parquet(PARQUET)), expectedDqx())
  })

  it('fromFile tells the two formats apart', () => {
    expect(DataContract.fromFile(join(DIR, 'orders.dqx.yaml')).rules.length).toBe(20)
    expect(DataContract.fromFile(join(DIR, 'orders.odcs.yaml')).unsupported.length).toBe(3)
  })
})

describe.skipIf(!hasPg())('both examples on PostgreSQL (the same rules, rendered in its dialect)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => {
    db = await freshDatabase(pgUrl(), 'dqx_contracts')
    await withClient(db.url, async (c) => {
      await c.query(
        'CREATE TABLE orders (order_id integer, customer_email text, status text, country text, amount double precision, placed_at date)',
      )
      for (const r of rows) {
        await c.query('INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6)', [
          r.order_id,
          r.customer_email,
          r.status,
          r.country,
          r.amount,
          r.placed_at,
        ])
      }
    })
  })
  afterAll(async () => db?.drop())
  const source = () => DataSource.postgres({ connectionString: db.url, table: 'orders' })

  it('ODCS', async () => {
    expectMatches(await run(DataContract.fromOdcs(join(DIR, 'orders.odcs.yaml')), source()), expectedOdcs())
  })
  it('dqx format', async () => {
    expectMatches(await run(DataContract.fromYaml(join(DIR, 'orders.dqx.yaml')), source()), expectedDqx())
  })
})
