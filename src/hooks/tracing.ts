import { tracingChannel } from 'node:diagnostics_channel'
import type { PluginTraceContext } from './types.js'

/**
 * Every tap call is published here (start/end, asyncStart/asyncEnd for async
 * taps, error) with a `{ plugin, hook, runId }` payload, for APM and
 * OpenTelemetry. A call is traced when someone subscribes before it starts:
 * the runners check `hasSubscribers` once per call and build no payload
 * when nobody listens.
 */
export const pluginChannel = tracingChannel<unknown, PluginTraceContext>('dqx:plugin')
