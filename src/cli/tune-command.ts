import { dirname } from 'node:path'
import { findConfigFile, loadConfig } from '../config/load-config.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import { parseIsoDate, ResultKey } from '../core/result-key.js'
import type { Severity } from '../core/types.js'
import type { TunableChange } from '../engine/tunable-changes.js'
import type { VerificationSuite } from '../suite/verification-suite.js'
import { configSuite } from './config-suite.js'
import { type Ui, withCwd } from './context.js'
import { parseLevel } from './logger.js'
import { blockingCounts, formatReport, reportToJson } from './report.js'
import { parseTags, selectSuites, todayUtc } from './run-command.js'

export interface TuneFlags {
  config?: string
  /** The tunable; without it every tunable of the selected suites is listed. */
  name?: string
  /** The new value; without it the tunable's value and audit trail are shown. */
  value?: string
  why?: string
  who?: string
  suite: string[]
  /** Judge the latest stored run of --date (and --tag) again with the new value. */
  reevaluate: boolean
  date?: string
  tag: string[]
  failOn: Severity
  json: boolean
  verbose: boolean
}

function describeChange(c: TunableChange): string {
  return `${c.changedAt} ${c.who}: ${c.oldValue} → ${c.newValue} (${c.why})`
}

/** A number as typed on the command line: decimal or exponent notation, nothing else. */
function parseValue(name: string, text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw new DqxError('INVALID_ARGUMENT', `dqx tune ${name}: the value must be a number, got '${text}'`)
  }
  return n
}

/**
 * `dqx tune`: lists the tunables of the config's suites; `dqx tune <name>` shows one with its audit
 * trail; `dqx tune <name> <value> --why …` records a change (who: --who, else $USER) in the suite's
 * MetricDB, and with --reevaluate judges the latest stored run of --date again without reading data.
 * 0 done, 1 re-evaluated failures at or above --fail-on, 2 usage, config and out-of-bounds errors.
 */
export async function tuneCommand(flags: TuneFlags, ui: Ui): Promise<number> {
  if (flags.value !== undefined && (flags.why === undefined || flags.why.trim() === '')) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `dqx tune ${flags.name} ${flags.value} needs --why "<reason>": every change is recorded with who made it and why`,
    )
  }
  const who = flags.who ?? ui.io.env.USER ?? ui.io.env.USERNAME
  if (flags.value !== undefined && (who === undefined || who.trim() === '')) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      'dqx tune: say who makes the change with --who <name> ($USER is not set)',
    )
  }
  if (flags.reevaluate && flags.value === undefined) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      'dqx tune: --reevaluate goes with a new value: dqx tune <name> <value> --why …',
    )
  }
  const date = flags.date ?? todayUtc()
  parseIsoDate(date, '--date')
  const key = new ResultKey(date, parseTags(flags.tag))
  const file = findConfigFile(ui.io.cwd, flags.config)
  return withCwd(dirname(file), async () => {
    const loaded = await loadConfig(file, ui.io.cwd)
    const suites = selectSuites(loaded, flags.suite).map((entry) =>
      // Tuning reads no data and calls no plugin: the suite is built without them.
      configSuite(entry, {
        ui,
        label: loaded.label,
        level: parseLevel(ui.io.env.DQX_LOG_LEVEL) ?? (flags.verbose ? 'debug' : 'warn'),
        verbose: flags.verbose,
      }),
    )
    try {
      if (flags.name === undefined) return await list(suites, flags, ui)
      const holders = suites.filter((s) => s.tunableNames.includes(flags.name as string))
      if (holders.length === 0) {
        const known = [...new Set(suites.flatMap((s) => s.tunableNames))]
        const hint = didYouMean(flags.name, known)
        throw new DqxError(
          'TUNABLE',
          `no suite of ${loaded.label} has a tunable '${flags.name}'${hint ? ` — did you mean '${hint}'?` : ''} (tunables: ${known.join(', ') || 'none'})`,
        )
      }
      if (flags.value === undefined) return await show(holders, flags.name, flags, ui)
      const value = parseValue(flags.name, flags.value)
      let code = 0
      const out: unknown[] = []
      for (const suite of holders) {
        const change = await suite.setTunable(flags.name, value, {
          who: who as string,
          why: flags.why as string,
        })
        ui.status.write(`${ui.err.green('✔')} ${suite.name}: ${flags.name} ${describeChange(change)}\n`)
        if (!flags.reevaluate) {
          out.push(change)
          continue
        }
        const report = await suite.reevaluate(key)
        const verdict = { failOn: flags.failOn, allowSkipped: true }
        const blocking = blockingCounts(report, verdict)
        if (blocking.failed > 0) code = 1
        if (flags.json) out.push({ change, report: reportToJson(report) })
        else ui.io.stdout.write(`${formatReport(report, { width: ui.width, colors: ui.out, ...verdict })}\n`)
      }
      if (flags.json) ui.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
      return code
    } finally {
      for (const s of suites) await s.db.close()
    }
  })
}

async function list(suites: VerificationSuite[], flags: TuneFlags, ui: Ui): Promise<number> {
  const all: unknown[] = []
  for (const suite of suites) {
    const tunables = await suite.tunables()
    if (flags.json) {
      all.push({ suite: suite.name, tunables })
      continue
    }
    ui.io.stdout.write(`${ui.out.bold(suite.name)}\n`)
    if (tunables.length === 0) ui.io.stdout.write(`  ${ui.out.dim('(no tunables)')}\n`)
    for (const t of tunables) {
      const changed = t.value === t.default ? '' : ui.out.yellow(` (default ${t.default})`)
      ui.io.stdout.write(`  ${t.name} = ${t.value}${changed} ${ui.out.dim(`in [${t.min}, ${t.max}]`)}\n`)
    }
  }
  if (flags.json) ui.io.stdout.write(`${JSON.stringify(all, null, 2)}\n`)
  return 0
}

async function show(suites: VerificationSuite[], name: string, flags: TuneFlags, ui: Ui): Promise<number> {
  const all: unknown[] = []
  for (const suite of suites) {
    const t = (await suite.tunables()).find((x) => x.name === name)
    const changes = await suite.tunableChanges(name)
    if (flags.json) {
      all.push({ suite: suite.name, ...t, changes })
      continue
    }
    ui.io.stdout.write(
      `${ui.out.bold(suite.name)}: ${name} = ${t?.value} ${ui.out.dim(`(default ${t?.default}, in [${t?.min}, ${t?.max}])`)}\n`,
    )
    if (changes.length === 0) ui.io.stdout.write(`  ${ui.out.dim('never changed')}\n`)
    for (const c of changes) ui.io.stdout.write(`  ${describeChange(c)}\n`)
  }
  if (flags.json) ui.io.stdout.write(`${JSON.stringify(all, null, 2)}\n`)
  return 0
}
