import { existsSync } from 'node:fs'
import { basename, dirname, extname, relative, resolve, sep } from 'node:path'
import Table from 'cli-table3'
import { DqxError } from '../core/errors.js'
import { DataSource } from '../engine/data-source.js'
import { type DatasetProfile, type ProfileValue, profile, uniqueColumns } from '../engine/profile.js'
import { keyCandidates, type SuggestedAssertion, suggestChecks } from '../engine/profile-suggestions.js'
import { writeFileAtomic } from '../plugins/files.js'
import { truncate } from '../plugins/render.js'
import type { Ui } from './context.js'
import { isInteractive } from './io.js'
import { renderProfileConfig, sourceExpression } from './profile-config.js'

export interface ProfileFlags {
  source: string
  dataset?: string
  write?: string
  force: boolean
  json: boolean
  top: number
}

type FileKind = 'parquet' | 'csv' | 'json'

const KINDS: Readonly<Record<string, FileKind>> = {
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.json': 'json',
  '.jsonl': 'json',
  '.ndjson': 'json',
}

/** The reader for a path or glob, from its extension. */
export function fileKind(path: string): FileKind {
  const ext = extname(path.replace(/\.(gz|zst)$/i, '')).toLowerCase()
  const kind = KINDS[ext]
  if (kind === undefined) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `dqx profile: cannot tell how to read '${path}' from its extension; use a .parquet, .csv, .tsv, .json, .jsonl or .ndjson file (or a glob of them)`,
    )
  }
  return kind
}

/** A dataset name from a file name: `data/order-items.parquet` → `order_items`. */
export function datasetName(path: string): string {
  const base = basename(path)
    .replace(/\.(gz|zst)$/i, '')
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return base === '' || /^[0-9]/.test(base) ? `data${base ? `_${base}` : ''}` : base
}

function fileSource(kind: FileKind, path: string): DataSource {
  return kind === 'parquet'
    ? DataSource.parquet(path)
    : kind === 'csv'
      ? DataSource.csv(path)
      : DataSource.json(path)
}

/** A value for the table: numbers to 6 significant digits, long text cut. */
function cell(v: ProfileValue | null | undefined, max = 24): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))
  return truncate(String(v), max)
}

const pct = (rate: number): string =>
  rate === 0 ? '0%' : rate < 0.001 ? '<0.1%' : `${Number((rate * 100).toFixed(1))}%`

/** The profile as a terminal table: one row per column. */
export function formatProfile(p: DatasetProfile, ui: Pick<Ui, 'out' | 'width'>): string {
  const c = ui.out
  const table = new Table({
    head: [
      'column',
      'type',
      'nulls',
      'distinct',
      'min',
      'max',
      'p25 / p50 / p75',
      'length',
      'top values',
    ].map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    wordWrap: false,
  })
  for (const col of p.columns) {
    const q = col.quantiles
    table.push([
      c.cyan(truncate(col.name, 24)),
      c.dim(truncate(col.type, 16)),
      pct(col.nullRate),
      col.kind === 'other' ? '—' : `${col.distinct >= p.rows * 0.98 && p.rows > 1 ? '≈' : ''}${col.distinct}`,
      cell(col.min, 16),
      cell(col.max, 16),
      q ? `${cell(q.p25)} / ${cell(q.p50)} / ${cell(q.p75)}` : '',
      col.minLength !== undefined ? `${col.minLength}–${col.maxLength}` : '',
      truncate(
        col.topValues
          .slice(0, 4)
          .map((v) => cell(v, 12))
          .join(', '),
        40,
      ),
    ])
  }
  const head = `${c.bold(p.dataset)} ${c.dim(`${p.source}: ${p.rows.toLocaleString('en-US')} rows, ${p.columns.length} columns, profiled in ${Math.round(p.durationMs)} ms`)}`
  return `${head}\n${table.toString()}`
}

/** The suggested checks as a list for the terminal. */
export function formatSuggestions(list: readonly SuggestedAssertion[], ui: Pick<Ui, 'out'>): string {
  const c = ui.out
  const lines = list.map(
    (s) =>
      `  ${c.dim(s.severity)} ${s.name} ${c.dim(`— ${s.metric}.${s.assertion.replace(/\(\{.*\}\)$/, '(…)')}`)}`,
  )
  return `${c.bold('Suggested checks')} ${c.dim(`(${list.length})`)}\n${lines.join('\n')}`
}

/** Progress on stderr: a live percentage on a terminal, a line per quarter otherwise. */
export function progressReporter(
  ui: Ui,
  dataset: string,
): (p: { percentage: number; rowsProcessed: number; totalRows: number }) => void {
  const live = isInteractive(ui.io.stderr, ui.io.env)
  let lastQuarter = 0
  return (p) => {
    const text = `profiling ${dataset}: ${Math.floor(p.percentage)}% (${p.rowsProcessed.toLocaleString('en-US')} of ${p.totalRows.toLocaleString('en-US')} rows)`
    if (live) {
      const width = 20
      const filled = Math.round((p.percentage / 100) * width)
      ui.status.update(`${ui.err.cyan('█'.repeat(filled))}${ui.err.dim('░'.repeat(width - filled))} ${text}`)
      return
    }
    const quarter = Math.floor(p.percentage / 25)
    if (quarter > lastQuarter && quarter < 4) {
      lastQuarter = quarter
      ui.status.write(`${text}\n`)
    }
  }
}

/** `dqx profile <source>`: one scan, a profile table, suggested checks, optionally a dqx.config.ts. */
export async function profileCommand(flags: ProfileFlags, ui: Ui): Promise<number> {
  const kind = fileKind(flags.source)
  const absolute = resolve(ui.io.cwd, flags.source)
  const dataset = flags.dataset ?? datasetName(flags.source)
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(dataset)) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `--dataset '${dataset}' must be a name of letters, digits and _ (it becomes the dataset's key in the config)`,
    )
  }
  const target = flags.write !== undefined ? resolve(ui.io.cwd, flags.write) : undefined
  if (target !== undefined && existsSync(target) && !flags.force) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `dqx profile --write would overwrite ${flags.write}; pass --force to overwrite it, or write to another file`,
    )
  }
  const source = fileSource(kind, absolute)
  ui.status.update(`profiling ${dataset} (${kind} ${flags.source})…`)
  let result: DatasetProfile
  try {
    result = await profile(source, {
      dataset,
      topK: flags.top,
      onProgress: progressReporter(ui, dataset),
      progressIntervalMs: 250,
    })
  } finally {
    ui.status.done()
  }
  // Name the source as the user typed it (the scan used the absolute path).
  result.source = `${kind} ${flags.source}`
  // The profile's distinct counts are estimates: confirm key-looking columns exactly before
  // suggesting a uniqueness check that would fail on its first run.
  const candidates = keyCandidates(result)
  const unique = candidates.length > 0 ? await uniqueColumns(source, candidates, { dataset }) : []
  const suggestions = suggestChecks(result, { uniqueColumns: unique })

  if (flags.json) {
    ui.io.stdout.write(`${JSON.stringify({ profile: result, suggestions }, null, 2)}\n`)
  } else {
    ui.io.stdout.write(`${formatProfile(result, ui)}\n\n${formatSuggestions(suggestions, ui)}\n`)
  }
  if (target !== undefined) {
    const rel = relative(dirname(target), absolute).split(sep).join('/')
    const config = renderProfileConfig(
      [{ profile: result, source: sourceExpression(kind, rel), suggestions }],
      {
        suiteName: dataset,
        metricsFile: 'dqx-metrics.duckdb',
        command: `dqx profile ${flags.source}${flags.dataset ? ` --dataset ${flags.dataset}` : ''} --write ${flags.write}`,
      },
    )
    await writeFileAtomic(target, config)
    ui.status.write(
      `${ui.err.green('✔')} wrote ${flags.write} with ${suggestions.length} assertions; next: ${ui.err.bold('npx dqx run')} then ${ui.err.bold('npx dqx report')}\n`,
    )
  }
  return 0
}
