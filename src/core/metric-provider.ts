import { DqxError } from './errors.js'
import { Metric } from './expression.js'
import { ExtendedMetrics } from './history-stddev.js'
import {
  assertColumnName,
  type FreshnessReference,
  type MetricLiteral,
  type MetricSpec,
  VALID_FORMATS,
  type ValidFormat,
  type ValidRule,
} from './metric-spec.js'

/** Options every metric accepts as its last argument. */
export interface MetricOptions {
  /** Read the value `lag` days before the run's date (from the MetricDB, or the source's dateColumn). */
  lag?: number
  /** Which dataset to read when the check declares several. */
  dataset?: string
  /**
   * Days the MetricDB keeps this metric's values after their date (default: the store's
   * `defaultTtlDays`, else forever). Expired values are never read and are deleted after each
   * run. Several assertions on one metric: the longest ttlDays wins. See docs/operations.md.
   */
  ttlDays?: number
}

function make(spec: MetricSpec, opts: MetricOptions | undefined, name: string): Metric {
  const lag = opts?.lag ?? 0
  if (!Number.isInteger(lag) || lag < 0) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${name}(): lag must be a non-negative whole number of days, got ${lag}`,
    )
  }
  const dataset = opts?.dataset
  if (dataset !== undefined && (typeof dataset !== 'string' || dataset === '')) {
    throw new DqxError('CHECK_DEFINITION', `${name}(): dataset must be a non-empty string`)
  }
  const ttlDays = opts?.ttlDays
  if (
    ttlDays !== undefined &&
    (typeof ttlDays !== 'number' || !Number.isSafeInteger(ttlDays) || ttlDays < 1)
  ) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${name}(): ttlDays must be a positive whole number of days, got ${ttlDays === null ? 'null' : String(ttlDays)}`,
    )
  }
  return new Metric(spec, dataset, lag, ttlDays)
}

/** `validCount`'s rule: exactly one of a value set, an inclusive numeric range, or a named format. */
export type ValidCountRule =
  | { in: MetricLiteral[]; between?: never; format?: never }
  | { between: readonly [number, number]; in?: never; format?: never }
  | { format: ValidFormat; in?: never; between?: never }

/** `first` options: the column that orders the rows, besides the usual metric options. */
export interface FirstOptions extends MetricOptions {
  /** The row with the smallest non-NULL value of this column is the first one. */
  orderBy: string
}

/** `freshnessHours` options: where the hours are measured from, besides the usual metric options. */
export interface FreshnessOptions extends MetricOptions {
  /** 'keyEnd' (default): the end of the ResultKey's day, 24:00 UTC. 'now': the moment of the scan. */
  relativeTo?: FreshnessReference
}

function checkLiterals(values: readonly unknown[], what: string): MetricLiteral[] {
  for (const v of values) {
    const t = typeof v
    if (!(t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(v)))) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `${what}: values must be strings, finite numbers or booleans, got ${v === null ? 'null' : String(v)}; count NULLs with nullCount()`,
      )
    }
  }
  return [...(values as MetricLiteral[])]
}

function quantileLevel(q: unknown, what: string): number {
  if (typeof q !== 'number' || !Number.isFinite(q) || q < 0 || q > 1) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${what} needs a quantile level between 0 and 1 (0.5 is the median), got ${String(q)}`,
    )
  }
  return q
}

/** A regex as the engines receive it: a string (RegExp source, `i` becomes a leading `(?i)`). */
function regexSource(col: string, regex: unknown): string {
  const what = `matchCount(${col})`
  let source: string
  let flags = ''
  if (regex instanceof RegExp) {
    source = regex.source
    flags = regex.flags
  } else if (typeof regex === 'string') {
    source = regex
  } else {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${what} needs a regular expression (a string or RegExp), got ${regex === null ? 'null' : typeof regex}`,
    )
  }
  if (source === '' || source === '(?:)') {
    throw new DqxError('CHECK_DEFINITION', `${what}: the regular expression is empty (it matches every row)`)
  }
  if (source.includes('\u0000')) {
    throw new DqxError('CHECK_DEFINITION', `${what}: the regular expression contains a NUL character`)
  }
  const unsupported = [...flags].filter((f) => f !== 'i')
  if (unsupported.length > 0) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${what}: flag${unsupported.length > 1 ? 's' : ''} '${unsupported.join('')}' cannot be passed to SQL engines; only 'i' (case-insensitive) is supported`,
    )
  }
  try {
    new RegExp(source)
  } catch (err) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${what}: ${JSON.stringify(source)} is not a valid regular expression (${(err as Error).message})`,
    )
  }
  return flags === 'i' ? `(?i)${source}` : source
}

function validRule(col: string, rule: unknown): ValidRule {
  const what = `validCount(${col})`
  const keys =
    rule !== null && typeof rule === 'object'
      ? Object.keys(rule).filter((k) => (rule as Record<string, unknown>)[k] !== undefined)
      : []
  if (keys.length !== 1 || !['in', 'between', 'format'].includes(keys[0] as string)) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${what} needs exactly one rule: { in: [...] }, { between: [lo, hi] } or { format: 'email' | 'uuid' | 'date' | 'iso-timestamp' | 'url' }`,
    )
  }
  const r = rule as Record<string, unknown>
  if (keys[0] === 'in') {
    if (!Array.isArray(r.in)) {
      throw new DqxError('CHECK_DEFINITION', `${what}: 'in' takes an array of values`)
    }
    return { kind: 'in', values: checkLiterals(r.in, what) }
  }
  if (keys[0] === 'between') {
    const b = r.between
    if (
      !Array.isArray(b) ||
      b.length !== 2 ||
      !b.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      (b[0] as number) > (b[1] as number)
    ) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `${what}: 'between' takes [lo, hi], two finite numbers with lo <= hi, got ${JSON.stringify(b)}`,
      )
    }
    return { kind: 'between', lo: b[0] as number, hi: b[1] as number }
  }
  const f = r.format
  if (typeof f !== 'string' || !Object.hasOwn(VALID_FORMATS, f)) {
    throw new DqxError(
      'CHECK_DEFINITION',
      `${what}: unknown format ${JSON.stringify(f)}; use one of ${Object.keys(VALID_FORMATS).join(', ')}`,
    )
  }
  return { kind: 'format', format: f as ValidFormat }
}

type ColumnKind = 'sum' | 'average' | 'minimum' | 'maximum' | 'variance' | 'stddev'
type ColumnKind2 = 'nullCount' | 'uniqueCount' | 'approxDistinct' | 'minLength' | 'maxLength' | 'median'

function column(kind: ColumnKind | ColumnKind2, col: string, opts: MetricOptions | undefined): Metric {
  return make({ kind, column: assertColumnName(col, kind) } as MetricSpec, opts, kind)
}

/**
 * The metrics a check can ask for. Each call returns a `Metric` expression;
 * nothing is computed here — the engine batches all of a dataset's metrics
 * into one scan.
 */
export class MetricProvider {
  /** Metrics derived from stored history: `mp.ext.stddev(mp.sum('revenue'), { n: 7 })`. */
  readonly ext = new ExtendedMetrics()
  /** Number of rows. */
  numRows(opts?: MetricOptions): Metric {
    return make({ kind: 'numRows' }, opts, 'numRows')
  }
  sum(col: string, opts?: MetricOptions): Metric {
    return column('sum', col, opts)
  }
  average(col: string, opts?: MetricOptions): Metric {
    return column('average', col, opts)
  }
  minimum(col: string, opts?: MetricOptions): Metric {
    return column('minimum', col, opts)
  }
  maximum(col: string, opts?: MetricOptions): Metric {
    return column('maximum', col, opts)
  }
  /** Rows where the column is NULL. */
  nullCount(col: string, opts?: MetricOptions): Metric {
    return column('nullCount', col, opts)
  }
  /** Sample variance (var_samp). */
  variance(col: string, opts?: MetricOptions): Metric {
    return column('variance', col, opts)
  }
  /** Sample standard deviation (stddev_samp). */
  stddev(col: string, opts?: MetricOptions): Metric {
    return column('stddev', col, opts)
  }
  /** Exact number of distinct non-null values. */
  uniqueCount(col: string, opts?: MetricOptions): Metric {
    return column('uniqueCount', col, opts)
  }
  /**
   * Approximate number of distinct non-null values (HyperLogLog): cheap on large data. DuckDB 1.5's
   * estimator keeps 64 registers, a standard error of about 13% (duckdb/duckdb#20916); use
   * `uniqueCount` where a few percent matter.
   */
  approxDistinct(col: string, opts?: MetricOptions): Metric {
    return column('approxDistinct', col, opts)
  }
  /** Rows minus distinct combinations of `columns` (surplus rows; NULLs compare equal). */
  duplicateCount(columns: string[], opts?: MetricOptions): Metric {
    if (!Array.isArray(columns) || columns.length === 0) {
      throw new DqxError(
        'CHECK_DEFINITION',
        'duplicateCount() needs a non-empty array of column names, e.g. ["id"]',
      )
    }
    return make(
      { kind: 'duplicateCount', columns: columns.map((c) => assertColumnName(c, 'duplicateCount')) },
      opts,
      'duplicateCount',
    )
  }
  /** Rows whose column equals one of `values`. */
  countValues(col: string, values: MetricLiteral | MetricLiteral[], opts?: MetricOptions): Metric {
    const list = Array.isArray(values) ? values : [values]
    const checked = checkLiterals(list, `countValues(${String(col)})`)
    return make(
      { kind: 'countValues', column: assertColumnName(col, 'countValues'), values: checked },
      opts,
      'countValues',
    )
  }
  /**
   * Rows whose value (as text) contains a match of `regex` (anchor it with ^…$ for a whole-value
   * match); NULLs never match. The pattern is a bound parameter. Engines: DuckDB and BigQuery RE2,
   * PostgreSQL POSIX AREs, Trino Java, ClickHouse RE2; keep to their common subset.
   */
  matchCount(col: string, regex: string | RegExp, opts?: MetricOptions): Metric {
    const column = assertColumnName(col, 'matchCount')
    return make({ kind: 'matchCount', column, pattern: regexSource(column, regex) }, opts, 'matchCount')
  }
  /**
   * Rows whose value is valid: in a set (`{ in: [...] }`), in an inclusive numeric range
   * (`{ between: [lo, hi] }`), or of a format (`{ format: 'email' }`). NULLs are never valid, so
   * `validCount(c, r).rate()` is the share of rows that hold a valid value.
   */
  validCount(col: string, rule: ValidCountRule, opts?: MetricOptions): Metric {
    const column = assertColumnName(col, 'validCount')
    return make({ kind: 'validCount', column, rule: validRule(column, rule) }, opts, 'validCount')
  }
  /** The `q` quantile (0…1) of the non-null values, continuous with linear interpolation (exact). */
  quantile(col: string, q: number, opts?: MetricOptions): Metric {
    const column = assertColumnName(col, 'quantile')
    return make({ kind: 'quantile', column, q: quantileLevel(q, `quantile(${column})`) }, opts, 'quantile')
  }
  /** An approximate `q` quantile (DuckDB's t-digest `approx_quantile`); cheaper on large data. */
  approxQuantile(col: string, q: number, opts?: MetricOptions): Metric {
    const column = assertColumnName(col, 'approxQuantile')
    return make(
      { kind: 'approxQuantile', column, q: quantileLevel(q, `approxQuantile(${column})`) },
      opts,
      'approxQuantile',
    )
  }
  /** The median of the non-null values: quantile(col, 0.5). */
  median(col: string, opts?: MetricOptions): Metric {
    return column('median', col, opts)
  }
  /**
   * Hours from the latest value of a DATE/TIMESTAMP/TIMESTAMPTZ column to the end of the
   * ResultKey's day (24:00 UTC), or to now with `{ relativeTo: 'now' }`. NULL when the column has
   * no value. A DATE counts from its midnight (UTC), a TIMESTAMP without time zone as UTC.
   */
  freshnessHours(col: string, opts?: FreshnessOptions): Metric {
    const column = assertColumnName(col, 'freshnessHours')
    const relativeTo = opts?.relativeTo ?? 'keyEnd'
    if (relativeTo !== 'keyEnd' && relativeTo !== 'now') {
      throw new DqxError(
        'CHECK_DEFINITION',
        `freshnessHours(${column}): relativeTo must be 'keyEnd' or 'now', got ${JSON.stringify(relativeTo)}`,
      )
    }
    return make({ kind: 'freshnessHours', column, relativeTo }, opts, 'freshnessHours')
  }
  /**
   * Rows whose non-null `col` has no equal value in `reference.column` of `reference.dataset`
   * (referential integrity). The referenced dataset must be among the run's datasources (not
   * necessarily the check's datasets) and on the same engine; it is read whole, without the date
   * filter. Computed by one extra anti-join query per pair of datasets.
   */
  orphanCount(col: string, reference: { dataset: string; column: string }, opts?: MetricOptions): Metric {
    const column = assertColumnName(col, 'orphanCount')
    if (
      reference === null ||
      typeof reference !== 'object' ||
      typeof reference.dataset !== 'string' ||
      reference.dataset === ''
    ) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `orphanCount(${column}) needs the referenced key: { dataset: 'customers', column: 'id' }`,
      )
    }
    const refColumn = assertColumnName(reference.column, 'orphanCount')
    return make(
      { kind: 'orphanCount', column, reference: { dataset: reference.dataset, column: refColumn } },
      opts,
      'orphanCount',
    )
  }
  /**
   * The value of `col` in the first row ordered by `orderBy` (ascending): the row with the smallest
   * non-NULL `orderBy`, so `mp.first('price', { orderBy: 'updated_at' })` is the day's opening price.
   * NULL when no row has an `orderBy` value, and when that row's `col` is NULL. Rows tied on
   * `orderBy` are in no defined order: order by a unique column. Computed in the dataset's one scan.
   */
  first(col: string, opts: FirstOptions): Metric {
    const column = assertColumnName(col, 'first')
    if (opts === null || typeof opts !== 'object' || opts.orderBy === undefined) {
      throw new DqxError(
        'CHECK_DEFINITION',
        `first(${column}) needs the column that orders the rows, e.g. first('${column}', { orderBy: 'updated_at' }): SQL rows have no order of their own`,
      )
    }
    const orderBy = assertColumnName(opts.orderBy, 'first')
    return make({ kind: 'first', column, orderBy }, opts, 'first')
  }
  /** Shortest string length in characters (not bytes). */
  minLength(col: string, opts?: MetricOptions): Metric {
    return column('minLength', col, opts)
  }
  /** Longest string length in characters (not bytes). */
  maxLength(col: string, opts?: MetricOptions): Metric {
    return column('maxLength', col, opts)
  }
  /**
   * The documented raw-SQL escape hatch: an aggregate expression inserted as
   * written into the dataset's SELECT (e.g. `count(*) filter (where amount < 0)`).
   * Only use SQL you wrote yourself; it is not escaped.
   */
  customSql(sqlExpr: string, opts?: MetricOptions): Metric {
    if (typeof sqlExpr !== 'string' || sqlExpr.trim() === '') {
      throw new DqxError(
        'CHECK_DEFINITION',
        'customSql() needs a SQL aggregate expression, e.g. "count(*) filter (where x < 0)"',
      )
    }
    if (sqlExpr.includes(';')) {
      throw new DqxError('CHECK_DEFINITION', `customSql(${sqlExpr}): one expression only, without ';'`)
    }
    // The expression is placed inside the scan's SELECT list: a `--` comment would swallow the rest
    // of the line (its closing parenthesis, the next metrics) and break the whole scan.
    if (sqlExpr.includes('--')) {
      throw new DqxError('CHECK_DEFINITION', `customSql(${sqlExpr}): use /* … */ comments, not '--'`)
    }
    return make({ kind: 'customSql', sql: sqlExpr.trim() }, opts, 'customSql')
  }
}
