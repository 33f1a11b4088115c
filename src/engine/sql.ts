/** Values that may be bound as SQL parameters. */
export type SqlParam = string | number | boolean | bigint | null

/**
 * Collects bound parameters while SQL text is rendered, handing out `$n`
 * placeholders (both DuckDB and PostgreSQL take them). User values go here;
 * they are never spliced into SQL text.
 */
export class Params {
  readonly values: SqlParam[] = []
  add(value: SqlParam): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

/** Double-quotes an identifier, doubling embedded quotes, so any column name is read as a name. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains a NUL character')
  return `"${name.replaceAll('"', '""')}"`
}
