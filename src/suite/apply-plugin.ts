import { DqxError, toError } from '../core/errors.js'
import { redactSecrets, scrubSecrets } from '../core/redact.js'
import type { MetricDB } from '../engine/metric-db.js'
import type { SuiteLifecycle } from './lifecycle.js'
import type { NormalizedPlugin } from './normalize-plugins.js'
import { createPluginContext } from './plugin-context.js'

/**
 * Applies one plugin with its validated config to a lifecycle's hooks: the config's secrets are
 * registered first (no line logged from here on carries them), then `apply` gets its own
 * PluginContext. A failure of apply() is an INVALID_PLUGIN DqxError, scrubbed of the config's
 * secrets; an async apply() returns its promise, whose rejection is that same error.
 */
export function applyPlugin(o: {
  plugin: NormalizedPlugin
  config: unknown
  lifecycle: SuiteLifecycle
  db: MetricDB
}): Promise<void> | undefined {
  const { plugin: p, config, lifecycle } = o
  lifecycle.addSecrets(config)
  lifecycle.logger.debug(
    { plugin: p.name, source: p.source, config: redactSecrets(config) },
    'plugin applied',
  )
  const failedInApply = (err: unknown): DqxError =>
    // An isolated plugin's config is validated inside its sandbox, during apply(): its error is
    // passed on as is, the same error an in-process plugin's invalid config gives.
    err instanceof DqxError && err.code === 'INVALID_PLUGIN_CONFIG'
      ? err
      : new DqxError(
          'INVALID_PLUGIN',
          scrubSecrets(`plugin '${p.name}' (${p.source}) failed in apply(): ${toError(err).message}`, config),
          { cause: err },
        )
  const context = createPluginContext({
    name: p.name,
    hooks: lifecycle.hooks,
    db: o.db,
    logger: lifecycle.loggerFor(p.name),
    config,
  })
  let out: unknown
  try {
    out = p.apply(context, config)
  } catch (err) {
    throw failedInApply(err)
  }
  // A non-Promise return (such as a tap's unregister function) is ignored.
  if (out instanceof Promise) {
    return out.then(
      () => undefined,
      (err: unknown) => {
        throw failedInApply(err)
      },
    )
  }
  return undefined
}
