import { dirname } from 'node:path'
import Table from 'cli-table3'
import type { SuiteEntry } from '../config/load-config.js'
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config.js'
import { DqxError } from '../core/errors.js'
import { truncate } from '../core/format.js'
import type { IsolationMode } from '../suite/isolation/sandbox.js'
import { checkConfigKeys, validateConfig } from '../suite/plugin-config.js'
import { type Ui, withCwd } from './context.js'
import {
  type Discovery,
  discoverForSuites,
  type PluginRow,
  planPlugins,
  suiteIsolation,
} from './plugin-plan.js'
import { wrap } from './report.js'

export interface PluginsFlags {
  config?: string
  json: boolean
  /** Show the plugins as `dqx run --isolate-plugins[=mode]` would run them. */
  isolatePlugins?: IsolationMode | true
}

interface Section {
  /** The suite name, or undefined when there is no config file (discovered plugins only). */
  suite: string | undefined
  plugins: PluginRow[]
  /** pluginConfig keys that name no plugin. */
  problems: string[]
}

/** Checks each plugin's pluginConfig entry against its schema; a bad one becomes status 'invalid config'. */
async function validateRows(
  rows: PluginRow[],
  pluginConfig: Readonly<Record<string, unknown>>,
): Promise<void> {
  for (const r of rows) {
    if (r.status !== 'ok' || !r.plugin) continue
    try {
      await validateConfig(r.plugin, pluginConfig[r.name])
    } catch (err) {
      r.status = 'invalid config'
      r.reason = (err as Error).message
    }
  }
}

async function sections(
  loaded: LoadedConfig | undefined,
  dir: string,
  flag: IsolationMode | true | undefined,
): Promise<{ list: Section[]; root: string | undefined; discovered: boolean }> {
  // Without a config file: what discovery finds, as `dqx run` in this project would load it.
  const entries: SuiteEntry[] = loaded
    ? loaded.suites
    : [{ config: { name: '', checks: [], datasources: {}, audit: false }, path: '', where: '' }]
  const discoveries: (Discovery | undefined)[] = await discoverForSuites(entries, dir, flag)
  const found = discoveries.find((d) => d !== undefined)
  const list: Section[] = []
  for (const [i, entry] of entries.entries()) {
    const plugins = planPlugins(entry, {
      label: loaded?.label ?? '',
      discovery: discoveries[i],
      disabled: new Set(),
      isolation: suiteIsolation(entry, flag),
    })
    if (!loaded) {
      list.push({ suite: undefined, plugins, problems: [] })
      continue
    }
    const pluginConfig = entry.config.pluginConfig ?? {}
    await validateRows(plugins, pluginConfig)
    const problems: string[] = []
    try {
      checkConfigKeys(
        pluginConfig,
        plugins.flatMap((r) => (r.plugin && r.status !== 'shadowed' ? [r.plugin] : [])),
      )
    } catch (err) {
      problems.push((err as Error).message)
    }
    list.push({ suite: entry.config.name, plugins, problems })
  }
  return { list, root: found?.root, discovered: found !== undefined }
}

function render(section: Section, label: string | undefined, ui: Ui): string {
  const c = ui.out
  const title =
    section.suite === undefined
      ? `Plugins discovered (no config file)`
      : `Plugins of suite '${section.suite}' (${label})`
  const lines = [c.bold(title)]
  if (section.plugins.length === 0) lines.push(c.dim('  (none)'))
  else {
    // A Runs column when some plugin runs in a sandbox; else one line below says all run in-process.
    const sandboxed = section.plugins.some((r) => r.runs !== undefined && r.runs !== 'in-process')
    // Border characters (one more than the columns); kind (9+2), runs (10+2), status (14+2) are fixed.
    const fixed = sandboxed ? 6 + 11 + 12 + 16 : 5 + 11 + 16
    const free = Math.max(30, ui.width - fixed)
    const nameW = Math.floor(free * 0.3)
    const sourceW = free - nameW
    const table = new Table({
      head: (sandboxed
        ? ['Name', 'Kind', 'Runs', 'Source', 'Status']
        : ['Name', 'Kind', 'Source', 'Status']
      ).map((h) => c.bold(h)),
      colWidths: sandboxed ? [nameW, 11, 12, sourceW, 16] : [nameW, 11, sourceW, 16],
      style: { head: [], border: [], compact: true },
    })
    for (const r of section.plugins) {
      const status =
        r.status === 'ok'
          ? c.green('ok')
          : r.status === 'failed' || r.status === 'invalid config'
            ? c.red(r.status)
            : c.yellow(r.status)
      const name = truncate(r.name, nameW - 2)
      const source = truncate(r.source, sourceW - 2)
      if (!sandboxed) table.push([name, r.kind, source, status])
      else
        table.push([name, r.kind, r.runs === 'in-process' ? r.runs : c.cyan(r.runs ?? '—'), source, status])
    }
    lines.push(table.toString())
    if (!sandboxed) lines.push(c.dim('  every plugin runs in-process (isolation: docs/isolation.md)'))
  }
  const detail = (mark: string, title: string, reason: string): void => {
    lines.push(`${mark} ${truncate(title, ui.width - 2)}`)
    for (const l of wrap(reason, ui.width - 4)) lines.push(`    ${c.dim(l)}`)
  }
  for (const r of section.plugins) {
    if (r.reason)
      detail(r.status === 'shadowed' ? c.yellow('○') : c.red('✖'), `${r.name} (${r.source})`, r.reason)
    else if (r.warning) detail(c.yellow('○'), `${r.name} (${r.source})`, r.warning)
  }
  for (const p of section.problems) detail(c.red('✖'), 'pluginConfig', p)
  return `${lines.join('\n')}\n`
}

const bad = (s: Section): boolean =>
  s.problems.length > 0 || s.plugins.some((r) => r.status === 'failed' || r.status === 'invalid config')

/**
 * `dqx plugins`: every plugin each suite would run — built-in, configured,
 * discovered — with its source, kind and status. Exit 1 when any plugin
 * failed to load or has an invalid pluginConfig entry.
 */
export async function pluginsCommand(flags: PluginsFlags, ui: Ui): Promise<number> {
  let file: string | undefined
  try {
    file = findConfigFile(ui.io.cwd, flags.config)
  } catch (err) {
    // Without a config file the command still lists what discovery finds.
    if (flags.config !== undefined || !(err instanceof DqxError)) throw err
  }
  const dir = file ? dirname(file) : ui.io.cwd
  return withCwd(dir, async () => {
    const loaded = file ? await loadConfig(file, ui.io.cwd) : undefined
    const { list, root, discovered } = await sections(loaded, dir, flags.isolatePlugins)
    if (flags.json) {
      const json = {
        config: loaded?.label ?? null,
        project: root ?? null,
        suites: list.map((s) => ({
          suite: s.suite ?? null,
          plugins: s.plugins.map(({ plugin: _p, ...row }) => row),
          problems: s.problems,
        })),
      }
      ui.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
    } else {
      ui.io.stdout.write(list.map((s) => render(s, loaded?.label, ui)).join('\n'))
      if (discovered && root === undefined) {
        ui.io.stdout.write(`${ui.out.dim('no package.json found: plugin discovery skipped')}\n`)
      }
    }
    return list.some(bad) ? 1 : 0
  })
}
