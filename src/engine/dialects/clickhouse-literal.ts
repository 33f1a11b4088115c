import { DqxError } from '../../core/errors.js'
import type { SqlParam } from '../sql.js'

/**
 * The one place dqx writes a value into ClickHouse SQL text. ClickHouse before query
 * parameters (19.x; Debian ships 18.16) cannot bind values, so the ClickHouse source inlines
 * them through this function and nothing else. Property tests round-trip arbitrary strings and
 * numbers through real servers (test/engine/clickhouse-literal.test.ts).
 *
 * - strings: single-quoted; ClickHouse reads backslash escapes inside quotes, so every `\` and
 *   `'` is escaped, and every control character (including NUL) becomes `\xHH`: the literal is
 *   printable ASCII plus the string's own non-ASCII characters, which ClickHouse copies as bytes.
 * - numbers: safe integers as digits, in parentheses so a minus sign never joins an operator
 *   before it; every other double (fractions, ±0, subnormals, NaN, ±Infinity) by its eight IEEE-754
 *   bytes, `reinterpretAsFloat64(unhex('…'))`, because ClickHouse 18.16's parser rejects some
 *   valid decimal spellings (`5e-324`) and the bytes are exact on every version.
 * - booleans: 1 / 0 (UInt8: ClickHouse had no Bool type before 21.12).
 * - bigints: their decimal digits; null: NULL.
 */
export function clickhouseLiteral(value: SqlParam): string {
  switch (typeof value) {
    case 'string':
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
      return `'${value.replace(/[\\'\u0000-\u001f\u007f]/g, escapeChar)}'`
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return `(${String(value)})`
      return `reinterpretAsFloat64(unhex('${littleEndianHex(value)}'))`
    case 'boolean':
      return value ? '1' : '0'
    case 'bigint':
      return `(${value.toString()})`
    default:
      if (value === null) return 'NULL'
      throw new DqxError('INVALID_ARGUMENT', `cannot write a ${typeof value} as a ClickHouse literal`)
  }
}

/** The eight bytes of a double, least significant first, as hex digits. */
function littleEndianHex(value: number): string {
  const bytes = new Uint8Array(new Float64Array([value]).buffer)
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return hex
}

function escapeChar(c: string): string {
  if (c === '\\' || c === "'") return `\\${c}`
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
}

/** ClickHouse's type for a bound value, as `{name:Type}` query parameters spell it. */
export function clickhouseParamType(value: SqlParam): string {
  switch (typeof value) {
    case 'string':
      return 'String'
    case 'number':
      return 'Float64'
    case 'boolean':
      return 'UInt8'
    case 'bigint':
      return value < 0n ? 'Int64' : 'UInt64'
    default:
      return 'Nullable(String)'
  }
}

/**
 * `{ p1: v1, p2: v2 … }` for `{pN:Type}` placeholders, with values in the form ClickHouse's
 * parameter parser reads for that type (booleans as 1/0, non-finite numbers as nan/inf).
 */
export function clickhouseQueryParams(values: readonly SqlParam[]): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {}
  values.forEach((v, i) => {
    const key = `p${i + 1}`
    if (typeof v === 'boolean') out[key] = v ? 1 : 0
    else if (typeof v === 'bigint') out[key] = v.toString()
    else if (typeof v === 'number' && !Number.isFinite(v))
      out[key] = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'
    else out[key] = v
  })
  return out
}
