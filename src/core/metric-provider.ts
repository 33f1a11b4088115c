import { DqxError } from './errors.js'
import { Metric } from './expression.js'
import { assertColumnName, type MetricLiteral, type MetricSpec } from './metric-spec.js'

/** Options every metric accepts as its last argument. */
export interface MetricOptions {
  /** Read the value `lag` days before the run's date (from the MetricDB, or the source's dateColumn). */
  lag?: number
  /** Which dataset to read when the check declares several. */
  dataset?: string
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
  return new Metric(spec, dataset, lag)
}

type ColumnKind = 'sum' | 'average' | 'minimum' | 'maximum' | 'variance' | 'stddev'
type ColumnKind2 = 'nullCount' | 'uniqueCount' | 'approxDistinct' | 'minLength' | 'maxLength'

function column(kind: ColumnKind | ColumnKind2, col: string, opts: MetricOptions | undefined): Metric {
  return make({ kind, column: assertColumnName(col, kind) } as MetricSpec, opts, kind)
}

/**
 * The metrics a check can ask for. Each call returns a `Metric` expression;
 * nothing is computed here — the engine batches all of a dataset's metrics
 * into one scan.
 */
export class MetricProvider {
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
    for (const v of list) {
      const t = typeof v
      if (!(t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(v)))) {
        throw new DqxError(
          'CHECK_DEFINITION',
          `countValues(${String(col)}): values must be strings, finite numbers or booleans, got ${v === null ? 'null' : String(v)}; count NULLs with nullCount()`,
        )
      }
    }
    return make(
      { kind: 'countValues', column: assertColumnName(col, 'countValues'), values: [...list] },
      opts,
      'countValues',
    )
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
