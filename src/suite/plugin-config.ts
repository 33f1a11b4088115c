import type { StandardSchemaV1 } from '@standard-schema/spec'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import type { NormalizedPlugin } from './normalize-plugins.js'

export { didYouMean, levenshtein } from '../core/did-you-mean.js'

import { scrubSecrets } from '../core/redact.js'
import { invalidConfigMessage } from './config-issues.mjs'

function failure(plugin: string, issues: readonly StandardSchemaV1.Issue[], value: unknown): DqxError {
  // Some validators quote the received value in their messages (valibot, arktype: `(was "hunter2")`),
  // so the secrets of the config being validated are scrubbed from our message.
  return new DqxError('INVALID_PLUGIN_CONFIG', scrubSecrets(invalidConfigMessage(plugin, issues), value))
}

/** Rejects keys of pluginConfig that name no plugin, suggesting the closest name. */
export function checkConfigKeys(
  config: Readonly<Record<string, unknown>>,
  plugins: readonly NormalizedPlugin[],
): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new DqxError(
      'INVALID_PLUGIN_CONFIG',
      'pluginConfig must be an object keyed by plugin name, e.g. { slack: { channel: "#data" } }',
    )
  }
  const names = plugins.map((p) => p.name)
  for (const key of Object.keys(config)) {
    if (names.includes(key)) continue
    const hint = didYouMean(key, names)
    throw new DqxError(
      'UNKNOWN_PLUGIN_CONFIG',
      `unknown plugin '${key}' in pluginConfig${hint ? ` — did you mean '${hint}'?` : ''} (plugins: ${names.join(', ') || 'none'})`,
    )
  }
}

/**
 * Validates one plugin's config against its schema. Synchronous schemas are
 * checked at suite construction; a schema that validates asynchronously is
 * awaited before the first run (the returned promise).
 */
export function validateConfig(
  plugin: NormalizedPlugin,
  value: unknown,
): { value: unknown } | Promise<{ value: unknown }> {
  const schema = plugin.configSchema
  if (!schema) return { value }
  const result = schema['~standard'].validate(value)
  const settle = (r: StandardSchemaV1.Result<unknown>): { value: unknown } => {
    if (r.issues) throw failure(plugin.name, r.issues, value)
    return { value: r.value }
  }
  return result instanceof Promise ? result.then(settle) : settle(result)
}
