import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { SuiteEntry } from '../config/load-config.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import { audit } from '../suite/audit.js'
import type { DiscoveryFailure } from '../suite/discovery.js'
import { type NormalizedPlugin, normalizePlugins } from '../suite/normalize-plugins.js'
import type { Plugin, PluginOption } from '../suite/plugin.js'
import { PluginManager } from '../suite/plugin-manager.js'
import type { OutStream } from './io.js'

export type PluginStatus = 'ok' | 'disabled' | 'shadowed' | 'invalid config' | 'failed'

/** One line of `dqx plugins`, and what `dqx run` passes to a suite. */
export interface PluginRow {
  name: string
  kind: string
  /** `built-in`, `dqx.config.ts plugins[0]`, `package dqx-plugin-x@1.2.3`. */
  source: string
  status: PluginStatus
  reason?: string
  /** The normalized plugin (absent for discovery failures and the built-in audit). */
  plugin?: NormalizedPlugin
}

/** The directory of the nearest package.json at or above `dir`: where discovery reads dependencies. */
export function projectRoot(dir: string): string | undefined {
  let d = dir
  for (;;) {
    if (existsSync(join(d, 'package.json'))) return d
    const up = dirname(d)
    if (up === d) return undefined
    d = up
  }
}

export interface Discovery {
  /** Normalized discovered plugins with their package. */
  found: { plugin: NormalizedPlugin; source: string }[]
  failures: DiscoveryFailure[]
  /** The project directory discovery read, or undefined when there is no package.json. */
  root: string | undefined
}

/** Runs PluginManager.discover from the project that holds `dir` (no package.json: nothing to discover). */
export async function discoverPlugins(dir: string): Promise<Discovery> {
  const root = projectRoot(dir)
  if (root === undefined) return { found: [], failures: [], root }
  const manager = await PluginManager.discover({ cwd: root })
  const found = manager.discovered.flatMap((d) =>
    normalizePlugins([new Map([[d.name, d.plugin]])]).map((plugin) => ({
      plugin,
      source: `package ${d.package}${d.version ? `@${d.version}` : ''}`,
    })),
  )
  return { found, failures: manager.failures, root }
}

export interface PlanOptions {
  /** The config file's label for sources and messages. */
  label: string
  discovery: Discovery | undefined
  /** Plugin names turned off with --disable-plugin. */
  disabled: ReadonlySet<string>
}

/**
 * The plugins of one suite: the built-in audit (unless `audit: false` or a
 * plugin named 'audit' replaces it), the config's plugins, then discovered
 * ones (unless `discover: false`). A discovered plugin with the name of a
 * configured one is shadowed by it; --disable-plugin names are dropped.
 */
export function planPlugins(entry: SuiteEntry, o: PlanOptions): PluginRow[] {
  let configured: NormalizedPlugin[]
  try {
    configured = normalizePlugins(entry.config.plugins)
  } catch (err) {
    throw new DqxError('CONFIG', `${o.label}: ${entry.where}${(err as Error).message}`, { cause: err })
  }
  const rows: PluginRow[] = configured.map((p) => ({
    name: p.name,
    kind: p.kind,
    source: `${o.label} ${entry.path}${p.source}`,
    status: 'ok',
    plugin: p,
  }))
  if (o.discovery && entry.config.discover !== false) {
    for (const d of o.discovery.found) {
      const shadow = configured.find((p) => p.name === d.plugin.name)
      const row: PluginRow = {
        name: d.plugin.name,
        kind: d.plugin.kind,
        source: d.source,
        status: 'ok',
        plugin: d.plugin,
      }
      if (shadow) {
        row.status = 'shadowed'
        row.reason = `the config's ${entry.path}${shadow.source} has the same name and is used instead`
      }
      rows.push(row)
    }
    for (const f of o.discovery.failures) {
      rows.push({
        name: f.plugin ?? '—',
        kind: '—',
        source: `package ${f.package}`,
        status: 'failed',
        reason: f.reason,
      })
    }
  }
  if (entry.config.audit !== false && !rows.some((r) => r.name === 'audit' && r.status === 'ok')) {
    rows.unshift({ name: 'audit', kind: 'object', source: 'built-in', status: 'ok' })
  }
  for (const r of rows) if (r.status === 'ok' && o.disabled.has(r.name)) r.status = 'disabled'
  return rows
}

/** Fails (usage error) when a --disable-plugin name matches no plugin of any selected suite. */
export function checkDisabled(disabled: ReadonlySet<string>, plans: readonly PluginRow[][]): void {
  const names = [
    ...new Set(
      plans
        .flat()
        .filter((r) => r.status !== 'failed')
        .map((r) => r.name),
    ),
  ]
  for (const d of disabled) {
    if (names.includes(d)) continue
    const hint = didYouMean(d, names)
    throw new DqxError(
      'INVALID_ARGUMENT',
      `--disable-plugin '${d}' matches no plugin${hint ? ` — did you mean '${hint}'?` : ''} (plugins: ${names.join(', ') || 'none'})`,
    )
  }
}

/** What the suite gets: `plugins` (with the audit writing to `auditStream`) and the pluginConfig of the kept plugins. */
export function suitePluginOptions(
  rows: readonly PluginRow[],
  pluginConfig: Readonly<Record<string, unknown>> | undefined,
  auditStream: OutStream,
): { plugins: PluginOption[]; pluginConfig: Record<string, unknown> } {
  const kept = rows.filter((r) => r.status === 'ok')
  const plugins: PluginOption[] = []
  if (kept.some((r) => r.source === 'built-in')) plugins.push(audit({ stream: auditStream }))
  const named = kept.filter((r) => r.plugin !== undefined)
  // A name → plugin map keeps each plugin's name (anonymous functions included) as normalized above.
  if (named.length > 0) plugins.push(new Map(named.map((r) => [r.name, r.plugin?.original as Plugin])))
  const dropped = new Set(rows.filter((r) => r.status === 'disabled').map((r) => r.name))
  const config: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(pluginConfig ?? {})) if (!dropped.has(k)) config[k] = v
  return { plugins, pluginConfig: config }
}
