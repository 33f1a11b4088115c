import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'

// What a process sandbox may read besides `permissions.fsRead`: the runner and dqx, the plugin
// module with what it imports, and the package.json files ESM resolution reads on the way.

/** The directory of the nearest package.json above `file`, or undefined. */
export function packageRoot(file: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  return undefined
}

/** Every package.json from `file`'s directory up to the root: ESM resolution reads them for "type" and "exports". */
export function ancestorManifests(file: string): string[] {
  const out: string[] = []
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) out.push(manifest)
  }
  return out
}

/** Where Node finds package `name` from `dir`: `node_modules/name` in `dir` or the nearest parent. */
function installedAt(name: string, dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(d) === d) return undefined
  }
}

function dependencyNames(pkgDir: string): string[] {
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>
    const names = new Set<string>()
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = pkg[field]
      if (deps && typeof deps === 'object') for (const n of Object.keys(deps)) names.add(n)
    }
    return [...names]
  } catch {
    return [] // an unreadable manifest: its imports fail in the sandbox, naming the path
  }
}

/**
 * The directories of an installed package and of every package it depends on, directly or not,
 * wherever npm hoisted them: what a plugin from npm needs to read to load.
 */
function dependencyClosure(root: string): string[] {
  const seen = new Set<string>([root])
  const queue = [root]
  for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) {
    for (const name of dependencyNames(pkg)) {
      const dir = installedAt(name, pkg)
      if (dir === undefined || seen.has(dir)) continue
      seen.add(dir)
      queue.push(dir)
    }
  }
  return [...seen]
}

/**
 * What the plugin module at `file` may read: a module of an installed package (under
 * node_modules) reads its package and that package's dependencies; any other module (your own
 * `./plugins/x.mjs`) reads its own directory, not the project around it.
 */
export function moduleReadable(file: string): string[] {
  const root = packageRoot(file)
  const installed = root?.split(sep).includes('node_modules') === true
  return [
    ...(root !== undefined && installed ? dependencyClosure(root) : [dirname(file)]),
    ...ancestorManifests(file),
  ]
}

/**
 * The grants without duplicates and without paths inside another granted path: Node 20's
 * permission model aborts the process (SIGABRT) on some overlapping grants.
 */
export function disjoint(paths: readonly string[]): string[] {
  const unique = [...new Set(paths.map((p) => resolve(p)))]
  return unique.filter((p) => !unique.some((other) => other !== p && p.startsWith(`${other}${sep}`)))
}
