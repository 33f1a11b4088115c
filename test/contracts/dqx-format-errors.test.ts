// Every way a dqx-format contract can be wrong, each answered with file:line:col, the field and the fix.
import { writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { DataContract } from '../../src/contracts/data-contract.js'
import { DqxError } from '../../src/core/errors.js'
import { tempDir } from '../helpers/data.js'

const tmp = tempDir('dqx-contract-errors-')
afterAll(() => tmp.cleanup())
let count = 0

/** Writes `text` to a fresh file and returns the error fromYaml raises, with the file name replaced by F. */
function errorOf(text: string): string {
  const file = tmp.file(`c${count++}.dqx.yaml`)
  writeFileSync(file, text)
  try {
    DataContract.fromYaml(file)
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('CONTRACT')
    return (err as Error).message.replaceAll(file, 'F')
  }
  throw new Error('expected a DqxError')
}

const head = 'datasets:\n  orders:\n'

describe('dqx contract errors', () => {
  it('names a file that does not exist', () => {
    expect(() => DataContract.fromYaml(tmp.file('missing.yaml'))).toThrow(
      /missing\.yaml: cannot read the contract file \(ENOENT\); check the path/,
    )
  })

  it('reports YAML syntax errors at their position', () => {
    expect(errorOf('datasets:\n  orders: [\n')).toMatch(/^F:3:1: invalid YAML: /)
    expect(errorOf('a: 1\na: 2\n')).toMatch(/^F:2:1: invalid YAML: Map keys must be unique/)
  })

  it('needs datasets', () => {
    expect(errorOf('name: x\n')).toBe('F:1:1: datasets must map dataset names to their rules')
  })

  it('points at an unknown key with a did-you-mean', () => {
    expect(errorOf(`${head}    rules:\n      - metric: numRows\n        isGte: 1\n`)).toBe(
      "F:5:9: datasets.orders.rules[0].isGte is not a known key — did you mean 'isGt'?; remove it or fix its spelling",
    )
    expect(errorOf(`${head}    colums: {}\n`)).toBe(
      "F:3:5: datasets.orders.colums is not a known key — did you mean 'columns'?; remove it or fix its spelling",
    )
  })

  it('names the expected type of a wrong value', () => {
    expect(errorOf(`${head}    rules:\n      - metric: numRows\n        isGt: five\n`)).toBe(
      'F:5:15: datasets.orders.rules[0].isGt must be a number, e.g. isLt: 0.05',
    )
    expect(errorOf(`${head}    severity: high\n`)).toBe(
      'F:3:15: datasets.orders.severity must be one of P0, P1, P2, P3',
    )
    expect(errorOf(`${head}    columns:\n      id:\n        - metric: count\n          isGt: 0\n`)).toBe(
      'F:5:19: datasets.orders.columns.id[0].metric must be one of sum, average, minimum, maximum, nullCount, variance, stddev, uniqueCount, approxDistinct, minLength, maxLength, countValues, matchCount, validCount, duplicateCount',
    )
    expect(errorOf(`${head}    rules:\n      - metric: nullCount\n        isGt: 0\n`)).toBe(
      'F:4:17: datasets.orders.rules[0].metric must be one of numRows, duplicateCount, customSql (column metrics go under columns.<name>)',
    )
    expect(errorOf(`${head}    rules:\n      - metric: numRows\n        isBetween: [1]\n`)).toMatch(
      /^F:5:20: datasets\.orders\.rules\[0\]\.isBetween must be a list of two numbers \[low, high\]/,
    )
  })

  it('needs exactly one assertion per rule', () => {
    expect(errorOf(`${head}    rules:\n      - metric: numRows\n`)).toBe(
      'F:4:9: datasets.orders.rules[0] has no assertion; give exactly one of isGt, isGeq, isLt, isLeq, isEq, isNeq, isBetween, isNotBetween, isPositive, isNegative, isZero, noop (one rule per assertion)',
    )
    expect(errorOf(`${head}    rules:\n      - metric: numRows\n        isGt: 0\n        isLt: 9\n`)).toMatch(
      /^F:4:9: datasets\.orders\.rules\[0\] has 2 assertions \(isGt, isLt\); give exactly one of/,
    )
  })

  it('rejects a between with low above high', () => {
    expect(errorOf(`${head}    rules:\n      - metric: numRows\n        isBetween: [9, 1]\n`)).toBe(
      'F:5:20: datasets.orders.rules[0].isBetween has low 9 above high 1; write [low, high]',
    )
  })

  it('asks for what each metric needs and refuses what it does not read', () => {
    expect(errorOf(`${head}    rules:\n      - metric: customSql\n        isGt: 0\n`)).toBe(
      "F:4:9: datasets.orders.rules[0] needs sql: '<aggregate expression>' for metric: customSql",
    )
    expect(errorOf(`${head}    rules:\n      - metric: duplicateCount\n        isEq: 0\n`)).toBe(
      'F:4:9: datasets.orders.rules[0] needs columns: [<column>, …] for metric: duplicateCount',
    )
    expect(errorOf(`${head}    columns:\n      s:\n        - metric: countValues\n          isEq: 0\n`)).toBe(
      'F:5:11: datasets.orders.columns.s[0] needs values: [<value>, …] for metric: countValues',
    )
    expect(
      errorOf(`${head}    rules:\n      - metric: numRows\n        sql: count(*)\n        isGt: 0\n`),
    ).toBe('F:5:9: datasets.orders.rules[0].sql is only read by metric: customSql; remove it')
    expect(
      errorOf(
        `${head}    columns:\n      s:\n        - metric: nullCount\n          values: [a]\n          isEq: 0\n`,
      ),
    ).toBe('F:6:11: datasets.orders.columns.s[0].values is only read by metric: countValues; remove it')
    expect(
      errorOf(`${head}    rules:\n      - metric: numRows\n        columns: [a]\n        isGt: 0\n`),
    ).toBe('F:5:9: datasets.orders.rules[0].columns is only read by metric: duplicateCount; remove it')
  })

  it('needs the rule of matchCount and validCount, and refuses it elsewhere', () => {
    const col = (body: string) => `${head}    columns:\n      s:\n        - metric: ${body}`
    expect(errorOf(col('matchCount\n          isEq: 0\n'))).toBe(
      "F:5:11: datasets.orders.columns.s[0] needs pattern: '<regular expression>' for metric: matchCount",
    )
    expect(errorOf(col('validCount\n          in: [a]\n          format: email\n          isEq: 0\n'))).toBe(
      'F:5:11: datasets.orders.columns.s[0] needs exactly one of in: [...], between: [low, high] or format: <name> for metric: validCount',
    )
    expect(errorOf(col('nullCount\n          pattern: x\n          isEq: 0\n'))).toBe(
      'F:6:11: datasets.orders.columns.s[0].pattern is only read by metric: matchCount; remove it',
    )
    expect(errorOf(col('nullCount\n          format: email\n          isEq: 0\n'))).toBe(
      'F:6:11: datasets.orders.columns.s[0].format is only read by metric: validCount; remove it',
    )
    expect(errorOf(col('validCount\n          format: phone\n          isEq: 0\n'))).toMatch(
      /^F:5:19: datasets\.orders\.columns\.s\[0\]\.metric cannot be built: validCount\(s\)/,
    )
    expect(errorOf(col('average\n          rate: true\n          isEq: 0\n'))).toMatch(
      /^F:5:19: datasets\.orders\.columns\.s\[0\]\.metric cannot be built: \.rate\(\) divides a count by numRows\(\)/,
    )
  })

  it('reports a metric dqx refuses to build at the rule', () => {
    expect(
      errorOf(
        `${head}    rules:\n      - metric: customSql\n        sql: count(*); drop table x\n        isGt: 0\n`,
      ),
    ).toBe(
      "F:4:17: datasets.orders.rules[0].metric cannot be built: customSql(count(*); drop table x): one expression only, without ';'",
    )
    expect(errorOf(`${head}    columns:\n      "":\n        - metric: nullCount\n          isEq: 0\n`)).toBe(
      "F:5:19: datasets.orders.columns.[0].metric cannot be built: nullCount() needs a column name (a non-empty string), got ''",
    )
  })

  it('refuses two rules with the same name in one dataset, naming both places', () => {
    const text = `${head}    rules:\n      - metric: numRows\n        isGt: 0\n      - metric: numRows\n        isGt: 0\n`
    expect(errorOf(text)).toBe(
      "F:6:9: duplicate assertion name 'numRows isGt 0' in dataset 'orders' (first at F:4:9); give one of them its own `name`",
    )
  })
})
