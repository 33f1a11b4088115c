import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Logger } from 'pino'
import { DqxError } from '../core/errors.js'
import { isolated } from './isolation/isolated.js'
import { type IsolationPolicy, isolationFor } from './isolation/policy.js'
import type { IsolationMode } from './isolation/sandbox.js'
import { normalizePlugins } from './normalize-plugins.js'
import type { Plugin } from './plugin.js'

export interface DiscoveryFailure {
  /** The npm package that declared the plugin. */
  package: string
  /** The plugin name it declared (or undefined when the manifest itself is bad). */
  plugin: string | undefined
  path: string | undefined
  reason: string
}

export interface DiscoveredPlugin {
  name: string
  package: string
  version: string | undefined
  path: string
  plugin: Plugin
  /** How it runs: 'in-process', or in a 'worker' / 'process' sandbox (see `isolation`). */
  runs: 'in-process' | IsolationMode
}

export interface DiscoverOptions {
  /** The project whose package.json lists the dependencies to consider (default process.cwd()). */
  cwd?: string
  logger?: Logger
  /**
   * Run discovered plugins isolated (docs/isolation.md): `'worker'`, `'process'`, isolated()
   * options, or `{ default, plugins: { name: setting } }`. An isolated plugin's module is never
   * imported into this process: its sandbox loads it.
   */
  isolation?: IsolationPolicy
}

function readJson(file: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${file} is not a JSON object`)
  return parsed as Record<string, unknown>
}

/** Finds an installed package's directory the way Node does: node_modules in cwd and its parents. */
function packageDir(name: string, cwd: string): string | undefined {
  let dir = cwd
  for (;;) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

function declaredDependencies(pkg: Record<string, unknown>): string[] {
  const names = new Set<string>()
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = pkg[field]
    if (deps && typeof deps === 'object') for (const n of Object.keys(deps)) names.add(n)
  }
  return [...names] // declaration order: dependencies first, so they win a name clash
}

/** What discovery found: loaded plugins by declared name, their origin, and what could not be loaded. */
export interface DiscoveryResult {
  cwd: string
  plugins: Map<string, Plugin>
  discovered: DiscoveredPlugin[]
  failures: DiscoveryFailure[]
}

/**
 * Finds plugins that installed packages declare in their package.json
 * (`"dqx": { "plugins": { "<name>": "./dist/plugin.js" } }`), the npm
 * counterpart of Python entry points. Only packages listed in the project's own
 * package.json are considered, never whatever else sits in node_modules, and a
 * declared path must stay inside its package. One bad package never stops the
 * others: it is recorded in `failures`.
 */
export async function discoverPlugins(options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const manifest = join(cwd, 'package.json')
  if (!existsSync(manifest)) {
    throw new DqxError(
      'CONFIG',
      `PluginManager.discover(): no package.json in ${cwd}; run it from your project's root or pass { cwd }`,
    )
  }
  let project: Record<string, unknown>
  try {
    project = readJson(manifest)
  } catch (err) {
    throw new DqxError(
      'CONFIG',
      `PluginManager.discover(): cannot read ${manifest}: ${(err as Error).message}`,
      { cause: err },
    )
  }
  const found = new Discovery(cwd, options.logger, options.isolation)
  for (const dep of declaredDependencies(project)) await found.load(dep)
  return { cwd, plugins: found.plugins, discovered: found.discovered, failures: found.failures }
}

class Discovery {
  readonly plugins = new Map<string, Plugin>()
  readonly discovered: DiscoveredPlugin[] = []
  readonly failures: DiscoveryFailure[] = []

  constructor(
    private readonly cwd: string,
    private readonly logger: Logger | undefined,
    private readonly isolation: IsolationPolicy | undefined,
  ) {}

  private fail(failure: DiscoveryFailure, _logger: Logger | undefined): void {
    this.failures.push(failure)
    this.logger?.warn(failure, 'plugin discovery failed')
  }

  async load(dep: string): Promise<void> {
    const logger = this.logger
    const dir = packageDir(dep, this.cwd)
    if (!dir) return // declared but not installed: npm will say so; not ours to report
    let pkg: Record<string, unknown>
    try {
      pkg = readJson(join(dir, 'package.json'))
    } catch (err) {
      this.fail(
        {
          package: dep,
          plugin: undefined,
          path: undefined,
          reason: `unreadable package.json: ${(err as Error).message}`,
        },
        logger,
      )
      return
    }
    const dqx = pkg.dqx
    if (dqx === undefined) return
    const declared = dqx && typeof dqx === 'object' ? (dqx as Record<string, unknown>).plugins : undefined
    if (!declared || typeof declared !== 'object' || Array.isArray(declared)) {
      this.fail(
        {
          package: dep,
          plugin: undefined,
          path: undefined,
          reason: '"dqx.plugins" must be an object of { name: "./path/to/plugin.js" }',
        },
        logger,
      )
      return
    }
    for (const [name, rel] of Object.entries(declared as Record<string, unknown>)) {
      if (typeof rel !== 'string' || rel === '') {
        this.fail(
          {
            package: dep,
            plugin: name,
            path: undefined,
            reason: 'the plugin path must be a string such as "./dist/plugin.js"',
          },
          logger,
        )
        continue
      }
      const file = resolve(dir, rel)
      const inside = relative(dir, file)
      if (inside.startsWith('..') || isAbsolute(inside)) {
        this.fail(
          { package: dep, plugin: name, path: rel, reason: 'the plugin path leaves the package directory' },
          logger,
        )
        continue
      }
      if (this.plugins.has(name)) {
        const first = this.discovered.find((d) => d.name === name)
        this.fail(
          {
            package: dep,
            plugin: name,
            path: rel,
            reason: `plugin name '${name}' is already declared by package '${first?.package}'`,
          },
          logger,
        )
        continue
      }
      const version = typeof pkg.version === 'string' ? pkg.version : undefined
      const sandboxed = isolationFor(name, this.isolation)
      if (sandboxed) {
        // Never imported here: a module that misbehaves at import must do so in its sandbox.
        const plugin = isolated(file, { ...sandboxed, name })
        this.plugins.set(name, plugin)
        this.discovered.push({
          name,
          package: dep,
          version,
          path: file,
          plugin,
          runs: sandboxed.mode ?? 'worker',
        })
        logger?.debug(
          { plugin: name, package: dep, version, isolation: sandboxed.mode ?? 'worker' },
          'plugin discovered',
        )
        continue
      }
      let mod: Record<string, unknown>
      try {
        mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
      } catch (err) {
        this.fail(
          {
            package: dep,
            plugin: name,
            path: rel,
            reason: `import failed: ${(err as Error).message ?? String(err)}`,
          },
          logger,
        )
        continue
      }
      const exported = mod.default ?? mod.plugin
      if (exported === undefined) {
        this.fail(
          {
            package: dep,
            plugin: name,
            path: rel,
            reason: 'the module exports no plugin (expected a default export or an export named "plugin")',
          },
          logger,
        )
        continue
      }
      try {
        normalizePlugins([exported as Plugin])
      } catch (err) {
        this.fail(
          {
            package: dep,
            plugin: name,
            path: rel,
            reason: (err as Error).message.replace(/^plugins\[0\]/, 'the export'),
          },
          logger,
        )
        continue
      }
      this.plugins.set(name, exported as Plugin)
      this.discovered.push({
        name,
        package: dep,
        version,
        path: file,
        plugin: exported as Plugin,
        runs: 'in-process',
      })
      logger?.debug({ plugin: name, package: dep, version }, 'plugin discovered')
    }
  }
}
