// clickhouseLiteral is the one place dqx writes values into ClickHouse SQL (servers without query
// parameters). Property tests: arbitrary strings and doubles written as literals come back from a
// real ClickHouse 18.16 server (and from current ClickHouse in chDB, when installed) exactly as
// given, with nothing around the literal changed — a value that broke out of its quotes would
// change the query or fail it.
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { chQuery } from '../../scripts/clickhouse.mjs'
import {
  clickhouseLiteral,
  clickhouseParamType,
  clickhouseQueryParams,
} from '../../src/engine/dialects/clickhouse-literal.js'
import { serverAvailable } from '../helpers/servers.js'
import { CHDB_MISSING, type Chdb, type ChdbSession, chUrl, clickhouseUp, loadChdb } from './ch-helpers.js'

const chdb = loadChdb()

/** Strings of any Unicode scalar values: control characters, quotes, backslashes, emoji, NUL. */
const anyString = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      '\\',
      "'",
      '"',
      '`',
      '\u0000',
      '\n',
      '\r',
      '\t',
      '\u007f',
      'x',
      '{',
      '}',
      '?',
      ';',
      '-',
    ),
  }),
  fc.string({ unit: 'grapheme' }),
  // No lone surrogates: UTF-8 (the wire) cannot carry them.
  fc.string({ unit: 'binary' }).filter((s) => !/[\uD800-\uDFFF]/u.test(s)),
)

/**
 * The bytes of a double as `hex(reinterpretAsString(x))` prints them: little-endian, upper case,
 * trailing zero bytes dropped (reinterpretAsString drops them; 18.16 cannot reinterpret as UInt64).
 */
function bits(x: number): string {
  const bytes = new Uint8Array(new Float64Array([x]).buffer)
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('')
  return hex.replace(/(00)+$/, '')
}

type Run = (sql: string) => Promise<string>
let session: ChdbSession | undefined
/** One chDB session for the file: chDB allows no standalone query() while any session is open. */
const chdbSession = (): ChdbSession => {
  session ??= new (chdb as Chdb).Session()
  return session
}
afterAll(() => session?.cleanup())
const engines: [string, boolean, Run][] = [
  ['ClickHouse 18.16 (server)', clickhouseUp(), (sql) => chQuery(chUrl, sql)],
  [
    'current ClickHouse (chDB)',
    serverAvailable('chDB', chdb ? undefined : CHDB_MISSING),
    async (sql) => chdbSession().query(sql, 'JSONEachRow'),
  ],
]

describe('clickhouseLiteral spelling', () => {
  it('escapes quotes, backslashes and control characters; keeps other text', () => {
    expect(clickhouseLiteral("it's a \\ test\n\u0000é👍")).toBe("'it\\'s a \\\\ test\\x0a\\x00é👍'")
    expect(clickhouseLiteral(-5)).toBe('(-5)')
    expect(clickhouseLiteral(1.5)).toBe("reinterpretAsFloat64(unhex('000000000000f83f'))")
    expect(clickhouseLiteral(-0)).toBe("reinterpretAsFloat64(unhex('0000000000000080'))")
    expect(clickhouseLiteral(Number.POSITIVE_INFINITY)).toBe(
      "reinterpretAsFloat64(unhex('000000000000f07f'))",
    )
    expect([true, false, null, 12n].map(clickhouseLiteral)).toEqual(['1', '0', 'NULL', '(12)'])
    expect(() => clickhouseLiteral({} as unknown as string)).toThrow(
      /cannot write a object as a ClickHouse literal/,
    )
  })

  it('types and named values for {pN:Type} query parameters', () => {
    expect(['s', 1.5, true, -1n, 1n, null].map(clickhouseParamType)).toEqual([
      'String',
      'Float64',
      'UInt8',
      'Int64',
      'UInt64',
      'Nullable(String)',
    ])
    expect(
      clickhouseQueryParams(['a', 2, false, 7n, Number.NaN, Number.POSITIVE_INFINITY, -Infinity, null]),
    ).toEqual({
      p1: 'a',
      p2: 2,
      p3: 0,
      p4: '7',
      p5: 'nan',
      p6: 'inf',
      p7: '-inf',
      p8: null,
    })
  })
})

for (const [name, up, run] of engines) {
  describe.skipIf(!up)(`clickhouseLiteral round-trips through ${name}`, () => {
    it('any strings come back unchanged, and the query around them is intact', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(anyString, { minLength: 1, maxLength: 12 }), async (xs) => {
          const out = await run(
            `SELECT [${xs.map(clickhouseLiteral).join(', ')}] AS xs, 'after' AS tail FORMAT JSONEachRow`,
          )
          expect(JSON.parse(out.trim())).toEqual({ xs, tail: 'after' })
        }),
        { numRuns: 60 },
      )
    })

    it('any doubles come back bit for bit (NaN as a NaN), integers and booleans as themselves', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.double(), { minLength: 1, maxLength: 12 }), async (xs) => {
          const cols = xs.map(
            (x, i) =>
              `hex(reinterpretAsString(toFloat64(${clickhouseLiteral(x)}))) AS b${i}, isNaN(toFloat64(${clickhouseLiteral(x)})) AS n${i}`,
          )
          const row = JSON.parse(
            (await run(`SELECT ${cols.join(', ')} FORMAT JSONEachRow`)).trim(),
          ) as Record<string, unknown>
          xs.forEach((x, i) => {
            if (Number.isNaN(x)) expect(row[`n${i}`]).toBe(1)
            else expect({ x, bits: row[`b${i}`] }).toEqual({ x, bits: bits(x) })
          })
        }),
        { numRuns: 60 },
      )
      const out = await run(
        `SELECT ${clickhouseLiteral(true)} AS t, ${clickhouseLiteral(false)} AS f, toString(${clickhouseLiteral(-9007199254740993n)}) AS big, isNull(${clickhouseLiteral(null)}) AS n FORMAT JSONEachRow`,
      )
      expect(JSON.parse(out.trim())).toEqual({ t: 1, f: 0, big: '-9007199254740993', n: 1 })
    })
  })
}
