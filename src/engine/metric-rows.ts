import type { Severity } from '../core/types.js'
import type { StoredMetric, StoredResult, StoredSchema } from './metric-db.js'

/**
 * Row mapping shared by the SQL MetricDB stores (DuckDB file, PostgreSQL):
 * both keep the same columns — tags and assertion tags as JSON text, dates as
 * 'YYYY-MM-DD' text when read back.
 */
export type DbRow = Record<string, unknown>

export function toStoredMetric(r: DbRow): StoredMetric {
  return {
    metric: String(r.metric),
    dataset: String(r.dataset),
    date: String(r.date),
    tags: JSON.parse(String(r.tags)) as Record<string, string>,
    value: r.value === null ? null : Number(r.value),
    suite: String(r.suite),
    runId: String(r.run_id),
  }
}

export function toStoredSchema(r: DbRow): StoredSchema {
  return {
    runId: String(r.run_id),
    dataset: String(r.dataset),
    suite: String(r.suite),
    date: String(r.date),
    tags: JSON.parse(String(r.tags)) as Record<string, string>,
    columns: JSON.parse(String(r.columns)) as StoredSchema['columns'],
  }
}

export function toStoredResult(r: DbRow): StoredResult {
  const out: StoredResult = {
    runId: String(r.run_id),
    suite: String(r.suite),
    check: String(r.check_name),
    assertion: String(r.assertion),
    date: String(r.date),
    tags: JSON.parse(String(r.tags)) as Record<string, string>,
    severity: String(r.severity) as Severity,
    status: String(r.status) as StoredResult['status'],
    value: r.value === null ? null : Number(r.value),
    expression: String(r.expression),
    assertionTags: JSON.parse(String(r.assertion_tags)) as string[],
  }
  if (r.error !== null) out.error = String(r.error)
  if (r.bound !== null) out.bound = String(r.bound)
  return out
}
