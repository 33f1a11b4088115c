import { DqxError } from '../../core/errors.js'
import type { IsolatedOptions } from './isolated.js'
import type { IsolationMode } from './sandbox.js'

/** How one plugin runs: in-process (`false`), or isolated in a mode or with full options. */
export type IsolationSetting = false | IsolationMode | Omit<IsolatedOptions, 'name'>

/**
 * Which plugins run isolated: one setting for all (`'worker'`), or a default plus per-plugin
 * settings (`{ default: 'worker', plugins: { trusted: false, exporter: { mode: 'process' } } }`).
 */
export type IsolationPolicy =
  | IsolationSetting
  | { default?: IsolationSetting; plugins?: Readonly<Record<string, IsolationSetting>> }

function isPolicyObject(
  p: IsolationPolicy,
): p is { default?: IsolationSetting; plugins?: Readonly<Record<string, IsolationSetting>> } {
  return typeof p === 'object' && p !== null && ('default' in p || 'plugins' in p)
}

function checkSetting(s: unknown, where: string): IsolationSetting {
  if (s === false || s === 'worker' || s === 'process') return s
  if (s !== null && typeof s === 'object' && !Array.isArray(s)) return s as Omit<IsolatedOptions, 'name'>
  throw new DqxError(
    'INVALID_ARGUMENT',
    `${where} must be false, 'worker', 'process' or isolated() options such as { mode: 'process', timeoutMs: 5000 }, got ${JSON.stringify(s)}`,
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
  if (setting === false) return undefined
  return typeof setting === 'string' ? { mode: setting } : setting
}
