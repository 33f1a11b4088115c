import { dirname } from 'node:path'
import Table from 'cli-table3'
import { findConfigFile, type LoadedConfig, loadConfig } from '../config/load-config.js'
import { DqxError } from '../core/errors.js'
import { truncate } from '../core/format.js'
import { checkConfigKeys, validateConfig } from '../suite/plugin-config.js'
import { type Ui, withCwd } from './context.js'
import { type Discovery, discoverPlugins, type PluginRow, planPlugins } from './plugin-plan.js'
import { wrap } from './report.js'

export interface PluginsFlags {
  config?: string
  json: boolean
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
  discovery: Discovery | undefined,
): Promise<Section[]> {
  if (!loaded) {
    const entry = { config: { name: '', checks: [], datasources: {}, audit: false }, path: '', where: '' }
    return [
      {
        suite: undefined,
        plugins: planPlugins(entry, { label: '', discovery, disabled: new Set() }),
        problems: [],
      },
    ]
  }
  const out: Section[] = []
  for (const entry of loaded.suites) {
    const plugins = planPlugins(entry, { label: loaded.label, discovery, disabled: new Set() })
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
    out.push({ suite: entry.config.name, plugins, problems })
  }
  return out
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
    // 4 columns: 5 border characters; kind (9+2) and status (14+2) are fixed.
    const free = Math.max(30, ui.width - 5 - 11 - 16)
    const nameW = Math.floor(free * 0.3)
    const sourceW = free - nameW
    const table = new Table({
      head: ['Name', 'Kind', 'Source', 'Status'].map((h) => c.bold(h)),
      colWidths: [nameW, 11, sourceW, 16],
      style: { head: [], border: [], compact: true },
    })
    for (const r of section.plugins) {
      const status =
        r.status === 'ok'
          ? c.green('ok')
          : r.status === 'failed' || r.status === 'invalid config'
            ? c.red(r.status)
            : c.yellow(r.status)
      table.push([truncate(r.name, nameW - 2), r.kind, truncate(r.source, sourceW - 2), status])
    }
    lines.push(table.toString())
  }
  const detail = (mark: string, title: string, reason: string): void => {
    lines.push(`${mark} ${truncate(title, ui.width - 2)}`)
    for (const l of wrap(reason, ui.width - 4)) lines.push(`    ${c.dim(l)}`)
  }
  for (const r of section.plugins) {
    if (r.reason)
      detail(r.status === 'shadowed' ? c.yellow('○') : c.red('✖'), `${r.name} (${r.source})`, r.reason)
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
    const wantsDiscovery = loaded ? loaded.suites.some((s) => s.config.discover !== false) : true
    const discovery = wantsDiscovery ? await discoverPlugins(dir) : undefined
    const list = await sections(loaded, discovery)
    if (flags.json) {
      const json = {
        config: loaded?.label ?? null,
        project: discovery?.root ?? null,
        suites: list.map((s) => ({
          suite: s.suite ?? null,
          plugins: s.plugins.map(({ plugin: _p, ...row }) => row),
          problems: s.problems,
        })),
      }
      ui.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
    } else {
      ui.io.stdout.write(list.map((s) => render(s, loaded?.label, ui)).join('\n'))
      if (discovery && discovery.root === undefined) {
        ui.io.stdout.write(`${ui.out.dim('no package.json found: plugin discovery skipped')}\n`)
      }
    }
    return list.some(bad) ? 1 : 0
  })
}
