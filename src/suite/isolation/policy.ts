import { DqxError } from '../../core/errors.js'
import type { IsolatedOptions } from './isolated.js'
import type { IsolationMode } from './sandbox.js'

/** How one plugin runs: in-process (`false` or `'none'`), or isolated in a mode or with full options. */
export type IsolationSetting = false | 'none' | IsolationMode | Omit<IsolatedOptions, 'name'>

/**
 * Which plugins run isolated: one setting for all (`'worker'`), or a default plus per-plugin
 * settings (`{ default: 'worker', plugins: { trusted: false, exporter: { mode: 'process' } } }`).
 */
export type IsolationPolicy =
  | IsolationSetting
  | { default?: IsolationSetting; plugins?: Readonly<Record<string, IsolationSetting>> }

/** Is `p` the `{ default, plugins }` form (rather than one setting for all)? */
export function isPolicyObject(
  p: IsolationPolicy,
): p is { default?: IsolationSetting; plugins?: Readonly<Record<string, IsolationSetting>> } {
  return typeof p === 'object' && p !== null && ('default' in p || 'plugins' in p)
}

function checkSetting(s: unknown, where: string): IsolationSetting {
  if (s === 'none') return false
  if (s === false || s === 'worker' || s === 'process') return s
  if (s !== null && typeof s === 'object' && !Array.isArray(s)) return s as Omit<IsolatedOptions, 'name'>
  throw new DqxError(
    'INVALID_ARGUMENT',
    `${where} must be false (or 'none'), 'worker', 'process' or isolated() options such as { mode: 'process', timeoutMs: 5000 }, got ${JSON.stringify(s)}`,
  )
}

/** The isolated() options of plugin `name` under `policy`, or undefined when it runs in-process. */
export function isolationFor(
  name: string,
  policy: IsolationPolicy | undefined,
): Omit<IsolatedOptions, 'name'> | undefined {
  if (policy === undefined) return undefined
  let setting: IsolationSetting
  if (isPolicyObject(policy)) {
    const own = policy.plugins?.[name]
    setting =
      own !== undefined
        ? checkSetting(own, `isolation.plugins['${name}']`)
        : checkSetting(policy.default ?? false, 'isolation.default')
  } else setting = checkSetting(policy, 'isolation')
  if (setting === false || setting === 'none') return undefined
  return typeof setting === 'string' ? { mode: setting } : setting
}

const OPTION_KEYS = ['mode', 'timeoutMs', 'memoryMb', 'permissions', 'loadTimeoutMs'] as const
const PERMISSION_KEYS = ['fsRead', 'fsWrite', 'childProcess', 'worker'] as const

/** Checks one setting's shape, naming `where` (e.g. `isolation.plugins.slack`) in the error. */
function validateSetting(s: unknown, where: string): void {
  checkSetting(s, where)
  if (s === false || typeof s === 'string') return
  const o = s as Record<string, unknown>
  for (const k of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        `${where} has an unknown option '${k}' (allowed: ${OPTION_KEYS.join(', ')})`,
      )
    }
  }
  if (o.mode !== undefined && o.mode !== 'worker' && o.mode !== 'process') {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `${where}.mode must be 'worker' or 'process', got ${JSON.stringify(o.mode)}`,
    )
  }
  for (const k of ['timeoutMs', 'memoryMb', 'loadTimeoutMs'] as const) {
    const v = o[k]
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        `${where}.${k} must be a positive whole number, got ${JSON.stringify(v)}`,
      )
    }
  }
  const perms = o.permissions
  if (perms === undefined) return
  if (perms === null || typeof perms !== 'object' || Array.isArray(perms)) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `${where}.permissions must be an object such as { fsWrite: ['./reports'] }, got ${JSON.stringify(perms)}`,
    )
  }
  for (const [k, v] of Object.entries(perms)) {
    const ok =
      k === 'fsRead' || k === 'fsWrite'
        ? Array.isArray(v) && v.every((x) => typeof x === 'string')
        : (PERMISSION_KEYS as readonly string[]).includes(k) && typeof v === 'boolean'
    if (!ok) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        (PERMISSION_KEYS as readonly string[]).includes(k)
          ? `${where}.permissions.${k} must be ${k.startsWith('fs') ? 'an array of paths' : 'true or false'}, got ${JSON.stringify(v)}`
          : `${where}.permissions has an unknown key '${k}' (allowed: ${PERMISSION_KEYS.join(', ')})`,
      )
    }
  }
}

/**
 * Checks an isolation policy as a config file gives it (`isolation` in dqx.config.ts), before
 * any plugin loads; `where` names it in errors.
 */
export function validateIsolationPolicy(policy: unknown, where = 'isolation'): IsolationPolicy {
  if (
    policy !== null &&
    typeof policy === 'object' &&
    !Array.isArray(policy) &&
    ('default' in policy || 'plugins' in policy)
  ) {
    const p = policy as Record<string, unknown>
    for (const k of Object.keys(p)) {
      if (k !== 'default' && k !== 'plugins') {
        throw new DqxError(
          'INVALID_ARGUMENT',
          `${where} has an unknown key '${k}' next to default/plugins (allowed: default, plugins)`,
        )
      }
    }
    if (p.default !== undefined) validateSetting(p.default, `${where}.default`)
    const plugins = p.plugins
    if (plugins !== undefined) {
      if (plugins === null || typeof plugins !== 'object' || Array.isArray(plugins)) {
        throw new DqxError(
          'INVALID_ARGUMENT',
          `${where}.plugins must be an object of { pluginName: false | 'worker' | 'process' | options }, got ${JSON.stringify(plugins)}`,
        )
      }
      for (const [name, s] of Object.entries(plugins)) validateSetting(s, `${where}.plugins.${name}`)
    }
    return policy as IsolationPolicy
  }
  validateSetting(policy, where)
  return policy as IsolationPolicy
}

/** The plugin names a policy sets one by one (`{ plugins: { name: … } }`). */
export function namedInPolicy(policy: IsolationPolicy | undefined): string[] {
  return policy !== undefined && isPolicyObject(policy) ? Object.keys(policy.plugins ?? {}) : []
}

/**
 * A policy with its default overridden, as `dqx run --isolate-plugins[=mode]` does: `true` isolates
 * whatever the default left in-process (in a worker), a mode forces that mode; plugins set by name
 * keep their own setting.
 */
export function overrideDefault(
  policy: IsolationPolicy | undefined,
  flag: IsolationMode | true,
): IsolationPolicy {
  const override = (s: IsolationSetting | undefined): IsolationSetting => {
    if (flag === true) return s === undefined || s === false || s === 'none' ? 'worker' : s
    return s !== undefined && typeof s === 'object' ? { ...s, mode: flag } : flag
  }
  if (policy !== undefined && isPolicyObject(policy)) return { ...policy, default: override(policy.default) }
  return override(policy)
}
