// Reading CSV and JSON files so that the columns are what the user sees in the file, and every
// reading problem is a DqxError naming the file, the line, the column and the fix in dqx's
// option names.
//
// DuckDB guesses the dialect and types from a sample. Where that guess is wrong it is silent
// (a ragged CSV becomes one column; a JSON column of strings and numbers becomes type JSON,
// whose text keeps the quote marks), so each file is sniffed once here and then read with its
// columns spelled out: the scan never guesses again, and a row that breaks the guess fails with
// DuckDB's error, which is rewritten below into dqx's words.
import { readFileSync, statSync } from 'node:fs'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError, toError } from '../core/errors.js'
import type { ColumnInfo } from './data-source.js'
import type { DuckDBSession, Row } from './duckdb-session.js'
import type { ResolvedReadOptions } from './file-read-options.js'
import { type Params, sqlLiteral } from './sql.js'

/** DuckDB's default `sample_size` for CSV and JSON. */
const DEFAULT_SAMPLE = 20_480
/** DuckDB samples whole vectors: `sample_size` rounds up to a multiple of this. */
const VECTOR = 2048

/** A file read with explicit columns, and a translator for the errors its scan can raise. */
export interface FileRead {
  relation(p: Params): string
  readonly columns: ColumnInfo[]
  /** DuckDB's error for a row that breaks the columns, in dqx's words; undefined for anything else. */
  explain(err: unknown): Promise<DqxError | undefined>
}

export interface Target {
  /** What the reader is given: the absolute path, or the glob. */
  readonly pattern: string
  readonly glob: boolean
  /** The file kind, for messages: `csv` or `json`. */
  readonly kind: string
  /** `dataset 'd' (csv data/x.csv)`, the start of every message. */
  readonly label: string
}

function columnsSpec(columns: readonly ColumnInfo[]): string {
  return `{${columns.map((c) => `${sqlLiteral(c.name)}: ${sqlLiteral(c.type)}`).join(', ')}}`
}

/** True when the file holds nothing but whitespace (DuckDB reads such a file as one made-up column). */
function isBlank(path: string): boolean {
  const size = statSync(path).size
  if (size === 0) return true
  return size <= 4096 && readFileSync(path, 'utf8').trim() === ''
}

/** The file to sniff: the path itself, or the first non-blank file the glob matches. */
async function sampleFile(duckdb: DuckDBSession, t: Target): Promise<string> {
  if (!t.glob) {
    if (statSync(t.pattern).isDirectory()) {
      throw new DqxError(
        'DATA_SOURCE',
        `${t.label}: ${t.pattern} is a directory; name a file, or a glob such as ${t.pattern}/*.${t.kind}`,
      )
    }
    if (isBlank(t.pattern)) {
      throw new DqxError(
        'DATA_SOURCE',
        `${t.label}: the file ${t.pattern} is empty; there are no columns or rows to check`,
      )
    }
    return t.pattern
  }
  const files = (await duckdb.query('SELECT file FROM glob($1) ORDER BY file', [t.pattern])).map((r) =>
    String(r.file),
  )
  if (files.length === 0) {
    throw new DqxError(
      'DATA_SOURCE',
      `${t.label}: no files match ${t.pattern}; check the glob and the directory`,
    )
  }
  const first = files.find((f) => !isBlank(f))
  if (first === undefined) {
    throw new DqxError(
      'DATA_SOURCE',
      `${t.label}: every file matching ${t.pattern} is empty (${files.length} file${files.length === 1 ? '' : 's'}); there are no columns or rows to check`,
    )
  }
  return first
}

/** Applies allText and `types` to the detected columns; a `types` key naming no column is an error. */
function finalColumns(detected: ColumnInfo[], opts: ResolvedReadOptions, label: string): ColumnInfo[] {
  const names = detected.map((c) => c.name)
  for (const name of opts.types.keys()) {
    if (names.includes(name)) continue
    const hint = didYouMean(name, names)
    throw new DqxError(
      'DATA_SOURCE',
      `${label}: types names column '${name}', which the file does not have${hint ? ` — did you mean '${hint}'?` : ''}; columns are: ${names.join(', ')}`,
    )
  }
  return detected.map((c) => ({
    name: c.name,
    type: opts.types.get(c.name) ?? (opts.allText ? 'VARCHAR' : c.type),
  }))
}

function sniffError(err: unknown, label: string, what: string): DqxError {
  const first = toError(err).message.split('\n', 1)[0] as string
  return new DqxError('DATA_SOURCE', `${label} could not be read: ${what}: ${first}`, { cause: err })
}

// sniff_csv shows an unset quote, escape or comment character as '(empty)'.
const sniffed = (v: unknown): string => (v === '(empty)' || v === null || v === undefined ? '' : String(v))

/**
 * Sniffs the CSV file with `ignore_errors` so that a ragged row does not make DuckDB fall back
 * to a one-column reading (it then picks `|` and names the column after the whole header), and
 * returns a strict read of the detected dialect with the columns spelled out.
 */
export async function readCsv(
  duckdb: DuckDBSession,
  target: Target,
  opts: ResolvedReadOptions,
): Promise<FileRead> {
  const file = await sampleFile(duckdb, target)
  const hints = ['ignore_errors=true']
  if (opts.delimiter !== undefined) hints.push(`delim=${sqlLiteral(opts.delimiter)}`)
  if (opts.header !== undefined) hints.push(`header=${opts.header}`)
  if (opts.sampleSize !== undefined) hints.push(`sample_size=${opts.sampleSize}`)
  // Setting nullstr replaces DuckDB's default (''), in the sniff and in the read alike.
  const nullstr = opts.nullValues ? `nullstr=[${opts.nullValues.map(sqlLiteral).join(', ')}]` : undefined
  if (nullstr) hints.push(nullstr)
  let row: Row
  try {
    // sniff_csv returns exactly one row.
    row = (await duckdb.query(`SELECT * FROM sniff_csv($1, ${hints.join(', ')})`, [file]))[0] as Row
  } catch (err) {
    throw sniffError(err, target.label, `DuckDB could not detect the CSV dialect of ${file}`)
  }
  const detected = (row.Columns as { name: unknown; type: unknown }[]).map((c) => ({
    name: String(c.name),
    type: String(c.type),
  }))
  const columns = finalColumns(detected, opts, target.label)
  const options = [
    'auto_detect=false',
    `delim=${sqlLiteral(sniffed(row.Delimiter))}`,
    `quote=${sqlLiteral(sniffed(row.Quote))}`,
    `escape=${sqlLiteral(sniffed(row.Escape))}`,
    `new_line=${sqlLiteral(sniffed(row.NewLineDelimiter))}`,
    `skip=${Number(row.SkipRows) || 0}`,
    `comment=${sqlLiteral(sniffed(row.Comment))}`,
    `header=${row.HasHeader === true}`,
    `columns=${columnsSpec(columns)}`,
    opts.strict ? 'strict_mode=true' : 'strict_mode=false, null_padding=true',
  ]
  if (nullstr) options.push(nullstr)
  if (sniffed(row.DateFormat) !== '') options.push(`dateformat=${sqlLiteral(sniffed(row.DateFormat))}`)
  if (sniffed(row.TimestampFormat) !== '') {
    options.push(`timestampformat=${sqlLiteral(sniffed(row.TimestampFormat))}`)
  }
  return {
    relation: (p) => `read_csv(${p.add(target.pattern)}, ${options.join(', ')})`,
    columns,
    explain: async (err) => explainCsv(err, target, opts, sampleWords(opts, target, file)),
  }
}

/** The sample the guess was made from, in words (of which file, for a glob). */
function sampleWords(opts: ResolvedReadOptions, target: Target, file: string): string {
  const size = opts.sampleSize ?? DEFAULT_SAMPLE
  const rows = size === -1 ? 'the whole file' : `the first ${Math.ceil(size / VECTOR) * VECTOR} rows`
  return target.glob ? `${rows} of ${file}` : rows
}

/** A single-quoted JS string, as users write option values. */
function jsString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
}

/** The option that would read `column` as text, spelled as the user writes it. */
function textFix(column: string): string {
  return `types: { ${/^[A-Za-z_$][\w$]*$/.test(column) ? column : jsString(column)}: 'text' }`
}

function fileOf(message: string, target: Target): string {
  return /\n\s*file = (.*)\n/.exec(message)?.[1] ?? target.pattern
}

/** DuckDB's CSV scan error in dqx's words; exported for the messages a real file cannot produce. */
export function explainCsv(
  err: unknown,
  target: Target,
  opts: ResolvedReadOptions,
  sample: string,
): DqxError | undefined {
  const message = toError(err).message
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1]
  if (line === undefined) return undefined
  const file = fileOf(message, target)
  const original = /\nOriginal Line: (.*)\n/.exec(message)?.[1]
  const shown =
    original === undefined
      ? ''
      : ` (${JSON.stringify(original.length > 120 ? `${original.slice(0, 117)}...` : original)})`
  const ragged = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message)
  if (ragged) {
    const [, expected, found] = ragged
    return new DqxError(
      'DATA_SOURCE',
      `${target.label}: line ${line} of ${file} has ${found} fields where the header has ${expected}${shown}. Fix the file, or read it with strict: false (extra fields are dropped, missing ones are NULL)`,
      { cause: err },
    )
  }
  const conversion = /Error when converting column "(.*)"\. Could not convert string "(.*)" to '(.+?)'/.exec(
    message,
  )
  if (conversion) {
    const [, column = '', value = '', type = ''] = conversion
    const fixes = opts.types.has(column)
      ? `Change types.${column}, fix the value, or list it in nullValues if it means "missing"`
      : `Read the column as text with ${textFix(column)}, let DuckDB look at the whole file with sampleSize: -1, or list it in nullValues if it means "missing" (nullValues: ['', ${jsString(value)}])`
    const why = opts.types.has(column) ? 'as the types option says' : `as guessed from ${sample}`
    return new DqxError(
      'DATA_SOURCE',
      `${target.label}: column '${column}' is read as ${type} (${why}), but line ${line} of ${file} has the value "${value}"${shown}. ${fixes}`,
      { cause: err },
    )
  }
  return undefined
}

/**
 * Reads a JSON / NDJSON file with its columns spelled out. A column DuckDB types as `JSON`
 * (strings mixed with numbers, or differently shaped objects) is read as text: its string value
 * rather than its JSON spelling, so `maxLength` does not count quote marks and `countValues`
 * compares against what the file says.
 */
export async function readJson(
  duckdb: DuckDBSession,
  target: Target,
  opts: ResolvedReadOptions,
): Promise<FileRead> {
  const file = await sampleFile(duckdb, target)
  const sample = opts.sampleSize === undefined ? '' : `, sample_size=${opts.sampleSize}`
  let rows: Row[]
  try {
    rows = await duckdb.query(`DESCRIBE SELECT * FROM read_json($1${sample})`, [file])
  } catch (err) {
    throw sniffError(err, target.label, `DuckDB could not read ${file} as JSON`)
  }
  const detected = rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
  // A top-level `[]` or a file of scalars reads as one column `json` of type JSON.
  if (detected.length === 1 && detected[0]?.name === 'json' && detected[0].type === 'JSON') {
    const n = await duckdb.query('SELECT count(*)::INTEGER AS n FROM read_json($1)', [file])
    if (n[0]?.n === 0) {
      throw new DqxError(
        'DATA_SOURCE',
        `${target.label}: the file ${file} is empty (no records); there are no columns or rows to check`,
      )
    }
  }
  const columns = finalColumns(
    detected.map((c) => ({ name: c.name, type: c.type === 'JSON' ? 'VARCHAR' : c.type })),
    opts,
    target.label,
  )
  const spec = columnsSpec(columns)
  return {
    relation: (p) => `read_json(${p.add(target.pattern)}, columns=${spec})`,
    columns,
    explain: (err) => explainJson(err, duckdb, columns, opts, target.label, sampleWords(opts, target, file)),
  }
}

/**
 * DuckDB's JSON error names the record and the value but not the column: read that record
 * again with every column as raw JSON and name the column(s) holding that value.
 */
export async function explainJson(
  err: unknown,
  duckdb: DuckDBSession,
  columns: readonly ColumnInfo[],
  opts: ResolvedReadOptions,
  label: string,
  sample: string,
): Promise<DqxError | undefined> {
  const message = toError(err).message
  const m = /JSON transform error in file "(.*)", in (line|record\/value) (\d+): (.*)/.exec(message)
  if (!m) return undefined
  const [, file = '', unit = '', position = '', detail = ''] = m
  const where = unit === 'line' ? `line ${position}` : `record ${position}`
  const value = /: (.*)$/.exec(detail)?.[1]
  let culprits: ColumnInfo[] = []
  if (value !== undefined) {
    try {
      const raw = columns.map((c) => ({ name: c.name, type: 'JSON' }))
      const record = (
        await duckdb.query(`SELECT * FROM read_json($1, columns=${columnsSpec(raw)}) LIMIT 1 OFFSET $2`, [
          file,
          Number(position) - 1,
        ])
      )[0]
      culprits = columns.filter(
        (c) => c.type !== 'VARCHAR' && record !== undefined && record[c.name] === value,
      )
    } catch {
      // The message below still names the file, the record and the value.
    }
  }
  const culprit = culprits.length === 1 ? culprits[0] : undefined
  if (culprit === undefined) {
    return new DqxError(
      'DATA_SOURCE',
      `${label}: ${where} of ${file} does not fit the column types guessed from ${sample} (${detail}). Set that column's type with types: { column: 'text' }, or let DuckDB look at the whole file with sampleSize: -1`,
      { cause: err },
    )
  }
  const why = opts.types.has(culprit.name) ? 'as the types option says' : `as guessed from ${sample}`
  const fix = opts.types.has(culprit.name)
    ? `Change types.${culprit.name} or fix the value`
    : `Read the column as text with ${textFix(culprit.name)}, or let DuckDB look at the whole file with sampleSize: -1`
  return new DqxError(
    'DATA_SOURCE',
    `${label}: column '${culprit.name}' is read as ${culprit.type} (${why}), but ${where} of ${file} has the value ${value}. ${fix}`,
    { cause: err },
  )
}
