import { DqxError } from '../core/errors.js'

/** Values that may be bound as SQL parameters. */
export type SqlParam = string | number | boolean | bigint | null

/**
 * How an engine spells the placeholder of the n-th bound value (1-based): `$1`, `?`, `@p1`,
 * ClickHouse's typed `{p1:String}` (which is why the value is passed too).
 */
export interface PlaceholderStyle {
  placeholder(index: number, value: SqlParam): string
}

/** `$1`, `$2` …: DuckDB and PostgreSQL. */
export const DOLLAR_PLACEHOLDERS: PlaceholderStyle = { placeholder: (index) => `$${index}` }

/**
 * Collects bound parameters while SQL text is rendered and hands out the
 * placeholder text of the engine the SQL is for (a dialect is a
 * `PlaceholderStyle`; the default is `$n`). User values go here; they are
 * never spliced into SQL text. `values[n - 1]` is the value of the n-th
 * placeholder, whatever its spelling.
 */
export class Params {
  readonly values: SqlParam[] = []
  constructor(private readonly style: PlaceholderStyle = DOLLAR_PLACEHOLDERS) {}
  add(value: SqlParam): string {
    this.values.push(value)
    return this.style.placeholder(this.values.length, value)
  }
}

/**
 * A SQL string literal: single quotes doubled (DuckDB's and PostgreSQL's standard strings treat
 * backslash as text). For configuration the engine must splice (a file path in `read_parquet`,
 * CSV options); data values are always bound as parameters.
 */
export function sqlLiteral(s: string): string {
  if (s.includes('\u0000')) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(s)} contains a NUL character, which SQL cannot quote`,
    )
  }
  return `'${s.replaceAll("'", "''")}'`
}

/**
 * A DuckDB string expression for any text, NUL included (spelled `chr(0)`, which a quoted
 * literal cannot hold). For the data values the engine splices rather than binds where a bound
 * statement's preparation would cost more than the statement (see duckdb-metric-db.ts).
 */
export function duckdbText(s: string): string {
  return s
    .split('\u0000')
    .map((part) => `'${part.replaceAll("'", "''")}'`)
    .join(' || chr(0) || ')
}

/** Double-quotes an identifier, doubling embedded quotes, so any column name is read as a name. */
export function quoteIdent(name: string): string {
  // A DqxError like every deliberate error (a record key or column name can carry a NUL).
  if (name.includes('\u0000')) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `identifier ${JSON.stringify(name)} contains a NUL character, which SQL cannot quote`,
    )
  }
  return `"${name.replaceAll('"', '""')}"`
}
