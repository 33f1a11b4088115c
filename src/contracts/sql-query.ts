import { quoteIdent } from './metric-mapping.js'

/** The query as an aggregate expression dqx can place in its scan, or why it cannot. */
export type SqlMapping = { ok: true; sql: string } | { ok: false; reason: string }

const SHAPE =
  /^\s*select\s+([\s\S]+?)\s+from\s+("[^"]+"|`[^`]+`|[\w.${}]+)(?:\s+where\s+([\s\S]+?))?\s*;?\s*$/i
const FORBIDDEN =
  /\b(select|from|join|union|intersect|except|group\s+by|having|order\s+by|limit|offset|over|window|with|insert|update|delete|drop|create|alter|copy|attach|pragma|call)\b|;|--|\/\*/i
const AGGREGATE =
  /\b(count|sum|avg|min|max|stddev|stddev_samp|stddev_pop|variance|var_samp|var_pop|median|bool_and|bool_or|approx_count_distinct)\s*\(/i

/**
 * Maps an ODCS `type: sql` query onto `mp.customSql` when it is `SELECT <one aggregate expression>
 * FROM <this dataset> [WHERE <condition>]` — the only shape that can run inside dqx's one scan per
 * dataset without reading other tables. A WHERE clause becomes `FILTER (WHERE …)` on a single
 * `count(*)`. `${object}` and `${property}` are ODCS's placeholders for the table and column.
 */
export function sqlQueryToAggregate(
  query: string,
  tables: readonly string[],
  column: string | undefined,
): SqlMapping {
  let text = query
  if (column !== undefined) text = text.replaceAll(`\${property}`, quoteIdent(column))
  else if (text.includes(`\${property}`))
    return { ok: false, reason: `\${property} is used in a schema-level rule, which has no column` }
  const m = SHAPE.exec(text)
  if (!m) {
    const clause = /\b(join|union|intersect|except|group\s+by|having|order\s+by|limit|with)\b/i.exec(text)
    const why = clause ? `it uses ${clause[1]?.toUpperCase()}, which` : 'it'
    return {
      ok: false,
      reason: `${why} is not of the form SELECT <aggregate> FROM <this dataset> [WHERE <condition>], the only query dqx runs inside its scan`,
    }
  }
  const [, expr = '', rawTable = '', condition] = m
  const table = rawTable.replace(/^["`]|["`]$/g, '')
  const known = [`\${object}`, ...tables].map((t) => t.toLowerCase())
  const tail = table.toLowerCase().split('.').at(-1) as string
  if (!known.includes(table.toLowerCase()) && !known.includes(tail)) {
    return { ok: false, reason: `the query reads '${table}', not this dataset (${tables.join(' / ')})` }
  }
  for (const [part, label] of [
    [expr, 'select list'],
    [condition ?? '', 'WHERE clause'],
  ] as const) {
    const bad = FORBIDDEN.exec(part)
    if (bad)
      return {
        ok: false,
        reason: `its ${label} contains '${bad[0]}': only one aggregate expression over this dataset can run safely`,
      }
  }
  if (hasTopLevelComma(expr)) return { ok: false, reason: 'the query selects more than one value' }
  if (!AGGREGATE.test(expr))
    return { ok: false, reason: 'the select list is not an aggregate (count, sum, avg, min, max, …)' }
  if (condition === undefined) return { ok: true, sql: expr.trim() }
  if (!/^count\s*\(\s*\*\s*\)$/i.test(expr.trim())) {
    return {
      ok: false,
      reason:
        'a WHERE clause is only mapped for SELECT COUNT(*); use FILTER (WHERE …) inside the aggregate instead',
    }
  }
  return { ok: true, sql: `count(*) filter (where ${condition.trim()})` }
}

function hasTopLevelComma(expr: string): boolean {
  let depth = 0
  let quote: string | undefined
  for (const ch of expr) {
    if (quote) {
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"') quote = ch
    else if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === ',' && depth === 0) return true
  }
  return false
}
