import type { StandardSchemaV1 } from '@standard-schema/spec'
import { DqxError } from '../core/errors.js'
import { type PluginOption, PRESET_NAME, type Preset, type ResultProcessor, type Suite } from './plugin.js'

export type PluginKind = 'function' | 'object' | 'processor'

/** Any plugin form, reduced to one shape the suite applies. */
export interface NormalizedPlugin {
  name: string
  kind: PluginKind
  /** Where it came from, for error messages: `plugins[2]`, `plugins[1] (preset 'alerts')[0]`. */
  source: string
  configSchema: StandardSchemaV1 | undefined
  apply(suite: Suite, config: unknown): unknown
  /** The user's original value (for `dqx plugins` and metadata). */
  original: unknown
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn))
}

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') {
    const keys = Object.keys(v as object)
    return keys.length === 0 ? 'an empty object {}' : `an object with keys ${keys.join(', ')}`
  }
  return `${typeof v} ${String(v)}`
}

function schemaOf(p: Record<string, unknown>, source: string): StandardSchemaV1 | undefined {
  const s = p.configSchema
  if (s === undefined) return undefined
  if (s === null || typeof s !== 'object' || !('~standard' in s)) {
    throw new DqxError(
      'INVALID_PLUGIN',
      `plugin '${String(p.name)}' at ${source}: configSchema must be a Standard Schema (e.g. a zod schema)`,
    )
  }
  return s as StandardSchemaV1
}

/**
 * Wraps a ResultProcessor: initialize(config) once, then process() in the fan-out of every run
 * that evaluated. A run that failed has no results to process: the processor is not called.
 */
function processorPlugin(p: ResultProcessor): (suite: Suite, config: unknown) => void {
  return (suite, config) => {
    let init: Promise<void> | undefined
    suite.hooks.processResults.tapPromise(p.name, async (ctx) => {
      if (ctx.error !== undefined) return
      if (p.initialize) {
        init ??= Promise.resolve(p.initialize(config))
        await init
      }
      await p.process(ctx.results, ctx.symbols, ctx.suiteName, ctx)
    })
  }
}

/** Falsy entries of `plugins` (`cond && plugin()`), skipped at any depth. */
function isSkipped(entry: unknown): boolean {
  return entry === false || entry === null || entry === undefined || entry === '' || entry === 0
}

/**
 * Flattens `plugins` (nested arrays and presets, falsy entries skipped) and
 * checks every entry's shape and name uniqueness, naming positions in errors.
 */
export function normalizePlugins(options: readonly PluginOption[] | undefined): NormalizedPlugin[] {
  if (options === undefined) return []
  if (!Array.isArray(options)) {
    throw new DqxError('INVALID_PLUGIN', `plugins must be an array, got ${describeValue(options)}`)
  }
  const out: NormalizedPlugin[] = []
  let anonymous = 0
  const visit = (list: readonly PluginOption[], path: string): void => {
    list.forEach((entry, i) => {
      const source = `${path}[${i}]`
      if (isSkipped(entry)) return
      if (entry instanceof Map) {
        // A name→plugin map (PluginManager.plugins): function plugins take the map's name.
        for (const [name, plugin] of entry as ReadonlyMap<string, unknown>) {
          const at = `${source}.get('${name}')`
          if (typeof plugin === 'function' && !isClass(plugin)) {
            const fn = plugin as (s: Suite) => unknown
            out.push({
              name,
              kind: 'function',
              source: at,
              configSchema: undefined,
              apply: (s) => fn(s),
              original: plugin,
            })
          } else visit([plugin as PluginOption], at)
        }
        return
      }
      if (Array.isArray(entry)) {
        const preset = (entry as Preset)[PRESET_NAME]
        visit(entry, preset ? `${source} (preset '${preset}')` : source)
        return
      }
      if (isClass(entry)) {
        throw new DqxError(
          'INVALID_PLUGIN',
          `${source} is a class (${(entry as { name: string }).name}); pass an instance or a plugin function instead, e.g. new ${(entry as { name: string }).name}()`,
        )
      }
      if (typeof entry === 'function') {
        anonymous += 1
        // Named before it runs (pluginConfig, duplicates and --disable-plugin need the name), and
        // never called to find one: apply() runs exactly once. Name it to see that name in reports.
        const name = entry.name && entry.name !== 'anonymous' ? entry.name : `anonymous-${anonymous}`
        out.push({
          name,
          kind: 'function',
          source,
          configSchema: undefined,
          apply: (s) => entry(s),
          original: entry,
        })
        return
      }
      if (typeof entry === 'object') {
        const p = entry as unknown as Record<string, unknown>
        const hasName = typeof p.name === 'string' && p.name !== ''
        if (hasName && typeof p.apply === 'function') {
          const apply = p.apply as (s: Suite, c: unknown) => unknown
          out.push({
            name: p.name as string,
            kind: 'object',
            source,
            configSchema: schemaOf(p, source),
            apply: (s, c) => apply.call(p, s, c),
            original: entry,
          })
          return
        }
        if (hasName && typeof p.process === 'function') {
          const rp = entry as ResultProcessor
          out.push({
            name: rp.name,
            kind: 'processor',
            source,
            configSchema: schemaOf(p, source),
            apply: processorPlugin(rp),
            original: entry,
          })
          return
        }
      }
      throw new DqxError(
        'INVALID_PLUGIN',
        `${source} is not a plugin: got ${describeValue(entry)}; expected a function (suite) => { … }, { name, apply(suite) } or { name, process(results, symbols, suiteName, ctx) }`,
      )
    })
  }
  visit(options, 'plugins')
  const seen = new Map<string, NormalizedPlugin>()
  for (const p of out) {
    const prev = seen.get(p.name)
    if (prev) {
      throw new DqxError(
        'DUPLICATE_PLUGIN',
        `duplicate plugin name '${p.name}': ${prev.source} and ${p.source}; give one of them another name`,
      )
    }
    seen.set(p.name, p)
  }
  return out
}
