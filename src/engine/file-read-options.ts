// How CSV and JSON files are read: the options users pass to DataSource.csv/json, checked when
// the source is constructed so a typo fails before any data is touched.
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'

/** A type for `types`: a logical name, or any DuckDB type name (`'DECIMAL(10,2)'`, `'UBIGINT'`). */
export type ColumnType = 'text' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | (string & {})

/** Options shared by CSV and JSON files. */
export interface FileReadOptions {
  /** See SourceOptions.dateColumn. */
  dateColumn?: string
  /** See SourceOptions.skipDates. */
  skipDates?: readonly string[]
  /** Column types that replace DuckDB's guess, by column name. */
  types?: Readonly<Record<string, ColumnType>>
  /** Rows DuckDB looks at to guess types; `-1` = the whole file. Default 20 480. */
  sampleSize?: number
  /** Read every column as text; `types` still applies on top. */
  allText?: boolean
}

export interface CsvOptions extends FileReadOptions {
  /** Field values that mean NULL. Replaces the default (`['']`): include `''` to keep it. */
  nullValues?: readonly string[]
  /** The field separator (one character, or a short string such as `'||'`). Default: detected. */
  delimiter?: string
  /** Whether the first line names the columns. Default: detected. */
  header?: boolean
  /**
   * Default `true`: a row with more or fewer fields than the header is an error naming the
   * line. `false` reads it anyway: extra fields are dropped, missing ones are NULL.
   */
  strict?: boolean
}

export type JsonOptions = FileReadOptions

/** DuckDB type for each logical name. */
export const LOGICAL_TYPES: Readonly<Record<string, string>> = {
  text: 'VARCHAR',
  integer: 'BIGINT',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
}

// DuckDB's scalar type names and aliases that a CSV or JSON column can be read as.
const DUCKDB_TYPES = [
  'VARCHAR',
  'TEXT',
  'STRING',
  'CHAR',
  'BPCHAR',
  'BIGINT',
  'INT8',
  'LONG',
  'INTEGER',
  'INT',
  'INT4',
  'SIGNED',
  'SMALLINT',
  'INT2',
  'SHORT',
  'TINYINT',
  'INT1',
  'HUGEINT',
  'INT128',
  'UBIGINT',
  'UINTEGER',
  'USMALLINT',
  'UTINYINT',
  'UHUGEINT',
  'DOUBLE',
  'FLOAT8',
  'FLOAT',
  'FLOAT4',
  'REAL',
  'DECIMAL',
  'NUMERIC',
  'BOOLEAN',
  'BOOL',
  'LOGICAL',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'DATETIME',
  'TIMESTAMPTZ',
  'TIMESTAMP WITH TIME ZONE',
  'TIMESTAMP_S',
  'TIMESTAMP_MS',
  'TIMESTAMP_NS',
  'INTERVAL',
  'UUID',
  'BLOB',
  'JSON',
]

const CSV_KEYS = [
  'dateColumn',
  'skipDates',
  'types',
  'sampleSize',
  'allText',
  'nullValues',
  'delimiter',
  'header',
  'strict',
]
const JSON_KEYS = ['dateColumn', 'skipDates', 'types', 'sampleSize', 'allText']
const CSV_ONLY = CSV_KEYS.filter((k) => !JSON_KEYS.includes(k))

/** The DuckDB type a `types` value names, or a DqxError that lists what is accepted. */
export function duckdbType(column: string, type: unknown, where: string): string {
  if (typeof type !== 'string' || type.trim() === '') {
    throw new DqxError('DATA_SOURCE', `${where}: types.${column} must be a type name, got ${typeof type}`)
  }
  const logical = LOGICAL_TYPES[type]
  if (logical !== undefined) return logical
  const upper = type.trim().replace(/\s+/g, ' ').toUpperCase()
  if (DUCKDB_TYPES.includes(upper)) return upper
  if (/^(DECIMAL|NUMERIC)\(\s*\d{1,2}\s*(,\s*\d{1,2}\s*)?\)$/.test(upper)) return upper.replace(/\s/g, '')
  const hint = didYouMean(type, [...Object.keys(LOGICAL_TYPES), ...DUCKDB_TYPES.map((t) => t.toLowerCase())])
  throw new DqxError(
    'DATA_SOURCE',
    `${where}: types.${column} is '${type}', which is not a type${hint ? ` — did you mean '${hint}'?` : ''}; use one of ${Object.keys(LOGICAL_TYPES).join(', ')} or a DuckDB type name such as 'DECIMAL(10,2)'`,
  )
}

/** The checked options, with `types` resolved to DuckDB type names. */
export interface ResolvedReadOptions {
  readonly types: ReadonlyMap<string, string>
  readonly sampleSize: number | undefined
  readonly allText: boolean
  readonly nullValues: readonly string[] | undefined
  readonly delimiter: string | undefined
  readonly header: boolean | undefined
  readonly strict: boolean
}

/** Checks the options of DataSource.csv/json; unknown keys get a did-you-mean. */
export function resolveReadOptions(kind: 'csv' | 'json', options: unknown): ResolvedReadOptions {
  const where = `DataSource.${kind}()`
  if (options === undefined) options = {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DqxError('DATA_SOURCE', `${where} options must be an object, got ${describeValue(options)}`)
  }
  const o = options as Record<string, unknown>
  const allowed = kind === 'csv' ? CSV_KEYS : JSON_KEYS
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue
    if (kind === 'json' && CSV_ONLY.includes(key)) {
      throw new DqxError(
        'DATA_SOURCE',
        `${where}: '${key}' is a CSV option; DuckDB's JSON reader has no equivalent (JSON options: ${JSON_KEYS.join(', ')})`,
      )
    }
    const hint = didYouMean(key, allowed)
    throw new DqxError(
      'DATA_SOURCE',
      `${where}: unknown option '${key}'${hint ? ` — did you mean '${hint}'?` : ''} (options: ${allowed.join(', ')})`,
    )
  }

  const types = new Map<string, string>()
  if (o.types !== undefined) {
    if (typeof o.types !== 'object' || o.types === null || Array.isArray(o.types)) {
      throw new DqxError(
        'DATA_SOURCE',
        `${where}: types must map column names to types, e.g. { id: 'text' }, got ${describeValue(o.types)}`,
      )
    }
    for (const [column, type] of Object.entries(o.types)) types.set(column, duckdbType(column, type, where))
  }

  const sampleSize = o.sampleSize
  if (
    sampleSize !== undefined &&
    !(sampleSize === -1 || (Number.isSafeInteger(sampleSize) && Number(sampleSize) > 0))
  ) {
    throw new DqxError(
      'DATA_SOURCE',
      `${where}: sampleSize must be a positive whole number of rows, or -1 for the whole file, got ${describeValue(sampleSize)}`,
    )
  }
  const flag = (key: string): boolean | undefined => {
    const v = o[key]
    if (v !== undefined && typeof v !== 'boolean') {
      throw new DqxError('DATA_SOURCE', `${where}: ${key} must be true or false, got ${describeValue(v)}`)
    }
    return v
  }

  const nullValues = o.nullValues
  if (
    nullValues !== undefined &&
    (!Array.isArray(nullValues) || nullValues.length === 0 || !nullValues.every((v) => typeof v === 'string'))
  ) {
    throw new DqxError(
      'DATA_SOURCE',
      `${where}: nullValues must be a non-empty array of strings, e.g. ['', 'NA'], got ${describeValue(nullValues)}`,
    )
  }
  const delimiter = o.delimiter
  if (
    delimiter !== undefined &&
    (typeof delimiter !== 'string' || delimiter.length === 0 || delimiter.length > 4)
  ) {
    throw new DqxError(
      'DATA_SOURCE',
      `${where}: delimiter must be a string of 1 to 4 characters, e.g. ';' or '\\t', got ${describeValue(delimiter)}`,
    )
  }
  return {
    types,
    sampleSize: sampleSize as number | undefined,
    allText: flag('allText') ?? false,
    nullValues: nullValues as readonly string[] | undefined,
    delimiter: delimiter as string | undefined,
    header: flag('header'),
    strict: flag('strict') ?? true,
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `'${v}'`
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return typeof v
}
