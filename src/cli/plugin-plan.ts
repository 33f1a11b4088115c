import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { SuiteEntry } from '../config/load-config.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import { audit } from '../suite/audit.js'
import type { DiscoveryFailure } from '../suite/discovery.js'
import { ISOLATION_INFO, isIsolatedPlugin } from '../suite/isolation/isolated.js'
import {
  type IsolationPolicy,
  isolationFor,
  namedInPolicy,
  overrideDefault,
} from '../suite/isolation/policy.js'
import type { IsolationMode } from '../suite/isolation/sandbox.js'
import { type NormalizedPlugin, normalizePlugins } from '../suite/normalize-plugins.js'
import type { Plugin, PluginOption } from '../suite/plugin.js'
import { PluginManager } from '../suite/plugin-manager.js'
import type { OutStream } from './io.js'

export type PluginStatus = 'ok' | 'disabled' | 'shadowed' | 'invalid config' | 'failed'

/** Where a plugin's code runs: in the CLI's own process, or in a sandbox (docs/isolation.md). */
export type RunsIn = 'in-process' | IsolationMode

/** One line of `dqx plugins`, and what `dqx run` passes to a suite. */
export interface PluginRow {
  name: string
  kind: string
  /** `built-in`, `dqx.config.ts plugins[0]`, `package dqx-plugin-x@1.2.3`. */
  source: string
  status: PluginStatus
  reason?: string
  /** Where it runs (absent for a plugin that failed to load). */
  runs?: RunsIn
  /** Something to know that does not stop it, e.g. isolation asked for a plugin that cannot be isolated. */
  warning?: string
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
  /** Normalized discovered plugins with their package and where they run. */
  found: { plugin: NormalizedPlugin; source: string; runs: RunsIn }[]
  failures: DiscoveryFailure[]
  /** The project directory discovery read, or undefined when there is no package.json. */
  root: string | undefined
}

/**
 * Runs PluginManager.discover from the project that holds `dir` (no package.json: nothing to
 * discover); plugins the isolation policy isolates are wrapped in isolated(), never imported here.
 */
export async function discoverPlugins(dir: string, isolation?: IsolationPolicy): Promise<Discovery> {
  const root = projectRoot(dir)
  if (root === undefined) return { found: [], failures: [], root }
  const manager = await PluginManager.discover({ cwd: root, ...(isolation ? { isolation } : {}) })
  const found = manager.discovered.flatMap((d) =>
    normalizePlugins([new Map([[d.name, d.plugin]])]).map((plugin) => ({
      plugin,
      source: `package ${d.package}${d.version ? `@${d.version}` : ''}`,
      runs: d.runs,
    })),
  )
  return { found, failures: manager.failures, root }
}

/** One suite's isolation policy: its config's `isolation`, with `dqx run --isolate-plugins[=mode]` applied. */
export function suiteIsolation(
  entry: SuiteEntry,
  flag: IsolationMode | true | undefined,
): IsolationPolicy | undefined {
  const own = entry.config.isolation
  return flag === undefined ? own : overrideDefault(own, flag)
}

/**
 * Discovery for each suite that wants it (`discover` not false), run once per distinct isolation
 * policy: suites with the same policy share the discovered plugins (each suite still gets
 * sandboxes of its own).
 */
export async function discoverForSuites(
  entries: readonly SuiteEntry[],
  dir: string,
  flag: IsolationMode | true | undefined,
): Promise<(Discovery | undefined)[]> {
  const byPolicy = new Map<string, Promise<Discovery>>()
  return Promise.all(
    entries.map((entry) => {
      if (entry.config.discover === false) return undefined
      const policy = suiteIsolation(entry, flag)
      const id = JSON.stringify(policy ?? null)
      let found = byPolicy.get(id)
      if (!found) {
        found = discoverPlugins(dir, policy)
        byPolicy.set(id, found)
      }
      return found
    }),
  )
}

/** Discovery failures of every suite, each once (suites sharing a project report the same ones). */
export function uniqueFailures(discoveries: readonly (Discovery | undefined)[]): DiscoveryFailure[] {
  const seen = new Set<string>()
  const out: DiscoveryFailure[] = []
  for (const f of discoveries.flatMap((d) => d?.failures ?? [])) {
    const id = `${f.package}\0${f.plugin ?? ''}\0${f.reason}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push(f)
  }
  return out
}

function runsOf(p: NormalizedPlugin): RunsIn {
  return isIsolatedPlugin(p.original) ? p.original[ISOLATION_INFO].mode : 'in-process'
}

export interface PlanOptions {
  /** The config file's label for sources and messages. */
  label: string
  discovery: Discovery | undefined
  /** Plugin names turned off with --disable-plugin. */
  disabled: ReadonlySet<string>
  /** The suite's isolation policy (suiteIsolation): checked against the plugins it names. */
  isolation?: IsolationPolicy | undefined
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
    runs: runsOf(p),
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
        runs: d.runs,
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
    rows.unshift({ name: 'audit', kind: 'object', source: 'built-in', status: 'ok', runs: 'in-process' })
  }
  checkIsolation(rows, configured, o.isolation, `${o.label}: ${entry.where}`)
  for (const r of rows) if (r.status === 'ok' && o.disabled.has(r.name)) r.status = 'disabled'
  return rows
}

/**
 * Isolation applies to the plugins dqx loads itself (discovered ones): a plugin object in the
 * config's `plugins` is already imported into this process. A policy naming such a plugin, or
 * naming no plugin at all, is a config error; a default that would isolate one is a warning.
 */
function checkIsolation(
  rows: PluginRow[],
  configured: readonly NormalizedPlugin[],
  policy: IsolationPolicy | undefined,
  where: string,
): void {
  if (policy === undefined) return
  const names = rows.filter((r) => r.status !== 'failed').map((r) => r.name)
  for (const name of namedInPolicy(policy)) {
    if (names.includes(name)) continue
    const hint = didYouMean(name, names)
    throw new DqxError(
      'CONFIG',
      `${where}isolation.plugins names '${name}', which is no plugin of this suite${hint ? ` — did you mean '${hint}'?` : ''} (plugins: ${names.join(', ') || 'none'})`,
    )
  }
  const named = new Set(namedInPolicy(policy))
  for (const row of rows) {
    const p = row.plugin
    if (!p || !configured.includes(p) || row.runs !== 'in-process') continue
    if (isolationFor(p.name, policy) === undefined) continue
    const fix = `list it in the config's plugins as isolated('<path of its module>') instead`
    if (named.has(p.name)) {
      throw new DqxError(
        'CONFIG',
        `${where}isolation.plugins.${p.name} cannot isolate plugin '${p.name}' (${p.source}): the config imported it into this process already; ${fix}`,
      )
    }
    row.warning = `runs in-process: isolation applies to discovered plugins, and the config imported this one already; to isolate it, ${fix}`
  }
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
