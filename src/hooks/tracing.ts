import { tracingChannel } from 'node:diagnostics_channel'
import type { PluginTraceContext } from './types.js'

/**
 * Every tap call is published here (start/end, asyncStart/asyncEnd for async
 * taps, error) with a `{ plugin, hook, runId }` payload, for APM and
 * OpenTelemetry. Tap runners check `hasSubscribers` before building the
 * payload, so tracing costs one property read per tap when nobody listens.
 */
export const pluginChannel = tracingChannel<unknown, PluginTraceContext>('dqx:plugin')
