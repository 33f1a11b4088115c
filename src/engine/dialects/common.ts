import { DqxError } from '../../core/errors.js'
import type { MetricLiteral } from '../../core/metric-spec.js'
import type { Params } from '../sql.js'

/** An engine's type name for each kind of countValues literal. */
export interface LiteralTypes {
  string: string
  number: string
  boolean: string
}

/**
 * Binds each literal as a parameter with an explicit type (`CAST($1 AS text)`),
 * so the engine compares like with like instead of guessing the parameter's type.
 */
export function typedParams(values: readonly MetricLiteral[], params: Params, types: LiteralTypes): string {
  return values.map((v) => `CAST(${params.add(v)} AS ${types[typeof v as keyof LiteralTypes]})`).join(', ')
}

/** Backtick quoting (BigQuery, ClickHouse): backslash and backtick are escaped with a backslash. */
export function quoteBacktick(name: string): string {
  if (name.includes('\u0000')) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `identifier ${JSON.stringify(name)} contains a NUL character, which SQL cannot quote`,
    )
  }
  return `\`${name.replace(/[\\`]/g, '\\$&')}\``
}
