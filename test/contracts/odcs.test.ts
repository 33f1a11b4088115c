// ODCS v3 quality rules: what maps, what is listed as unsupported (and why), and the errors for
// files that are not valid ODCS, each with file:line:col.
import { writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { DataContract } from '../../src/contracts/data-contract.js'
import { DqxError } from '../../src/core/errors.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { tempDir } from '../helpers/data.js'

const tmp = tempDir('dqx-odcs-')
afterAll(() => tmp.cleanup())
let count = 0

function write(text: string): string {
  const file = tmp.file(`c${count++}.odcs.yaml`)
  writeFileSync(file, text)
  return file
}
const HEAD = 'apiVersion: v3.1.0\nkind: DataContract\nid: t\n'

/** A contract with one schema object `t` whose schema-level and property `c` quality lists are given. */
function contract(schemaQuality: string, propertyQuality = ''): DataContract {
  const props =
    propertyQuality === '' ? '' : `    properties:\n      - name: c\n        quality:\n${propertyQuality}`
  const q = schemaQuality === '' ? '' : `    quality:\n${schemaQuality}`
  return DataContract.fromOdcs(write(`${HEAD}schema:\n  - name: t\n${q}${props}`))
}

function errorOf(text: string): string {
  const file = write(text)
  try {
    DataContract.fromOdcs(file)
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    return (err as Error).message.replaceAll(file, 'F')
  }
  throw new Error('expected a DqxError')
}

describe('ODCS rules dqx cannot express are listed with the reason', () => {
  const cases: [string, string, string, string][] = [
    // [schema quality, property quality, rule, reason]
    [
      '',
      '          - metric: nullValues\n',
      't.c quality[0]',
      'it has no operator (mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween)',
    ],
    [
      '',
      '          - metric: nullValues\n            mustBe: 0\n            mustBeLessThan: 1\n',
      't.c quality[0]',
      'it has 2 operators (mustBe, mustBeLessThan); dqx maps one per rule',
    ],
    [
      '',
      '          - metric: freshness\n            mustBe: 0\n',
      't.c quality[0]',
      "metric 'freshness' is not one dqx maps (nullValues, missingValues, invalidValues, duplicateValues, rowCount)",
    ],
    [
      '',
      '          - type: library\n            mustBe: 0\n',
      't.c quality[0]',
      'type: library without a metric (nullValues, missingValues, invalidValues, duplicateValues, rowCount)',
    ],
    [
      '',
      '          - type: great-expectations\n            mustBe: 0\n',
      't.c quality[0]',
      'type: great-expectations is not an ODCS quality type dqx knows (library, sql)',
    ],
    [
      '',
      '          - type: custom\n            mustBe: 0\n',
      't.c quality[0]',
      'type: custom is written for a specific engine; dqx cannot run it',
    ],
    [
      '',
      '          - metric: rowCount\n            mustBe: 0\n',
      't.c quality[0]',
      'rowCount is a schema-level metric; put it under the schema object',
    ],
    [
      '      - metric: nullValues\n        mustBe: 0\n',
      '',
      't quality[0]',
      "nullValues is a property-level metric; put it under a property's quality",
    ],
    [
      '',
      '          - metric: missingValues\n            arguments: { missingValues: [[1]] }\n            mustBe: 0\n',
      't.c quality[0]',
      'arguments.missingValues must be a list of strings, numbers, booleans or null',
    ],
    [
      '',
      '          - metric: invalidValues\n            mustBe: 0\n',
      't.c quality[0]',
      'invalidValues needs arguments.validValues or arguments.pattern',
    ],
    [
      '',
      '          - metric: invalidValues\n            arguments: { validValues: [] }\n            mustBe: 0\n',
      't.c quality[0]',
      'arguments.validValues must be a non-empty list of strings, numbers or booleans',
    ],
    [
      '      - metric: duplicateValues\n        mustBe: 0\n',
      '',
      't quality[0]',
      'schema-level duplicateValues needs arguments.properties: [<column>, …]',
    ],
    [
      '      - metric: rowCount\n        unit: percent\n        mustBe: 0\n',
      '',
      't quality[0]',
      'rowCount in percent has no meaning (percent of the rows themselves)',
    ],
    [
      '      - type: sql\n        query: SELECT COUNT(*) FROM t\n        unit: percent\n        mustBe: 0\n',
      '',
      't quality[0]',
      'unit: percent has no meaning for a SQL query, which returns its own value',
    ],
    [
      '',
      "          - metric: invalidValues\n            arguments: { pattern: '' }\n            mustBe: 0\n            name: empty\n",
      "t.c quality[0] 'empty'",
      'dqx cannot build it: matchCount(c): the regular expression is empty (it matches every row)',
    ],
  ]
  for (const [schemaQ, propQ, rule, reason] of cases) {
    it(reason, () => {
      const c = contract(schemaQ, propQ)
      expect(c.unsupported).toEqual([{ rule, reason }])
      expect(c.rules).toEqual([])
    })
  }
})

describe('ODCS type: sql', () => {
  it('maps a count with WHERE and a property aggregate onto customSql and runs them', async () => {
    const c = contract(
      `      - type: sql\n        query: SELECT COUNT(*) FROM \${object} WHERE c > 2\n        mustBe: 2\n`,
      `          - type: sql\n            query: select max(\${property}) from t\n            mustBeLessThan: 10\n`,
    )
    expect(c.unsupported).toEqual([])
    expect(c.rules.map((r) => r.metric)).toEqual([
      { kind: 'customSql', sql: 'count(*) filter (where c > 2)' },
      { kind: 'customSql', sql: 'max("c")' },
    ])
    const suite = new VerificationSuite({ name: 's', checks: c.toChecks(), audit: false })
    const data = [1, 2, 3, 4].map((v) => ({ c: v }))
    const report = await suite.run({ t: DataSource.fromRecords(data) }, new ResultKey('2026-11-24'))
    expect(report.results.map((r) => [r.value, r.status])).toEqual([
      [data.filter((r) => r.c > 2).length, 'PASSED'],
      [Math.max(...data.map((r) => r.c)), 'PASSED'],
    ])
  })
})

describe('ODCS severities and names', () => {
  it('maps critical/error/warning/info to P0..P3 and numbers repeated default names', () => {
    const q = (sev: string) =>
      `          - metric: nullValues\n            mustBe: 0\n            severity: ${sev}\n`
    const c = contract(
      '',
      q('critical') +
        q('error') +
        q('Warning') +
        q('info') +
        '          - metric: nullValues\n            mustBe: 0\n',
    )
    expect(c.rules.map((r) => [r.name, r.severity])).toEqual([
      ['c nullValues mustBe 0', 'P0'],
      ['c nullValues mustBe 0 #2', 'P1'],
      ['c nullValues mustBe 0 #3', 'P2'],
      ['c nullValues mustBe 0 #4', 'P3'],
      ['c nullValues mustBe 0 #5', 'P1'],
    ])
  })

  it('names the contract after name, else id, else the file', () => {
    expect(DataContract.fromOdcs(write(`${HEAD}name: shop\n`)).name).toBe('shop')
    expect(DataContract.fromOdcs(write(HEAD)).name).toBe('t')
    const file = tmp.file('orders.odcs.yaml')
    writeFileSync(file, 'apiVersion: v3.0.2\nkind: DataContract\n')
    const c = DataContract.fromOdcs(file)
    expect([c.name, c.rules, c.unsupported, c.toChecks()]).toEqual(['orders', [], [], []])
  })
})

describe('ODCS files that are not valid', () => {
  it('needs kind: DataContract and a v3 apiVersion', () => {
    expect(errorOf('apiVersion: v3.1.0\nkind: Contract\n')).toBe(
      "F:2:7: kind must be 'DataContract' (an ODCS v3 document)",
    )
    expect(errorOf('apiVersion: v2.2.0\nkind: DataContract\n')).toBe(
      "F:1:13: apiVersion must be an ODCS v3 version such as 'v3.1.0' (dqx reads ODCS v3)",
    )
  })

  it('needs schema to be a list of named objects', () => {
    expect(errorOf(`${HEAD}schema: orders\n`)).toBe('F:4:9: schema must be a list of schema objects')
    expect(errorOf(`${HEAD}schema:\n  - physicalName: orders\n`)).toBe(
      'F:5:5: schema[0].name must be a non-empty string',
    )
  })

  it('points at a wrong operator value, unit, severity or between', () => {
    const rule = (body: string) =>
      `${HEAD}schema:\n  - name: t\n    quality:\n      - metric: rowCount\n${body}`
    expect(errorOf(rule('        mustBe: zero\n'))).toBe(
      'F:8:17: schema[0].quality[0].mustBe must be a number, e.g. mustBe: 0',
    )
    expect(errorOf(rule('        mustBeBetween: 3\n'))).toBe(
      'F:8:24: schema[0].quality[0].mustBeBetween must be a list of two numbers [low, high], e.g. mustBeBetween: [0, 10]',
    )
    expect(errorOf(rule('        mustBeBetween: [5, 1]\n'))).toBe(
      'F:8:24: schema[0].quality[0].mustBeBetween has low 5 above high 1; write [low, high]',
    )
    expect(errorOf(rule('        mustBe: 1\n        unit: bytes\n'))).toBe(
      'F:9:15: schema[0].quality[0].unit must be rows or percent',
    )
    expect(errorOf(rule('        mustBe: 1\n        severity: blocker\n'))).toBe(
      "F:9:19: schema[0].quality[0].severity 'blocker' is not a severity dqx maps; use critical, error, warning, info (→ P0…P3)",
    )
  })

  it('needs a query for type: sql', () => {
    expect(errorOf(`${HEAD}schema:\n  - name: t\n    quality:\n      - type: sql\n        mustBe: 0\n`)).toBe(
      `F:7:9: schema[0].quality[0] is type: sql without a query; add query: 'SELECT count(*) FROM \${object} WHERE …'`,
    )
  })
})
