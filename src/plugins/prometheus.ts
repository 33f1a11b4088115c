import { Gauge, Registry } from 'prom-client'
import { z } from 'zod'
import { redactUrl } from '../core/redact.js'
import { deliver, httpSend, makeRedactor, resolveRetry, retrySchema, urlSecrets } from './delivery.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView } from './first-party.js'

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export const prometheusSchema = z.strictObject({
  /** Plugin name (default 'prometheus'). */
  name: nameSchema,
  /** The Pushgateway's base URL, e.g. http://pushgateway:9091 (credentials in it become Basic auth). */
  pushgatewayUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  /** The `job` grouping label (default 'dqx'). */
  job: z.string().min(1).optional(),
  /** Extra grouping labels, added after `suite` and the ResultKey's tags. */
  groupings: z
    .record(z.string().regex(LABEL_NAME, 'not a valid Prometheus label name'), z.string())
    .optional(),
  /** Extra request headers (e.g. Authorization); their values never reach logs or error messages. */
  headers: z
    .record(z.string(), z.string().regex(/^[^\r\n\0]*$/, 'header values may not contain CR, LF or NUL'))
    .optional(),
  /** Default 'always': monitoring wants every run. */
  notifyOn: notifyOnSchema,
  retry: retrySchema,
})

export type PrometheusOptions = z.input<typeof prometheusSchema>

/** A ResultKey tag as a label name: invalid characters become '_'; reserved names get a 'tag_' prefix. */
export function labelName(tag: string): string {
  // ResultKey tag names start with a letter or '_' and may hold '.', ':' and '-', which labels may not.
  const named = tag.replace(/[^a-zA-Z0-9_]/g, '_')
  return named === 'job' || named === 'suite' || named.startsWith('__') ? `tag_${named}` : named
}

/** One `/<label>/<value>` pair of a Pushgateway URL; values with '/' (or empty) use the base64 form. */
function segment(label: string, value: string): string {
  if (value === '' || value.includes('/'))
    return `/${label}@base64/${Buffer.from(value).toString('base64url') || '='}`
  return `/${label}/${encodeURIComponent(value)}`
}

/** The grouping key of a run: job, suite, the ResultKey's tags, then the configured extras. */
export function groupingPath(
  job: string,
  view: Pick<RunView, 'suiteName' | 'key'>,
  extra: Record<string, string> = {},
): string {
  const labels = new Map<string, string>([['suite', view.suiteName]])
  for (const [k, v] of Object.entries(view.key.tags)) labels.set(labelName(k), v)
  for (const [k, v] of Object.entries(extra)) labels.set(k, v)
  let path = `/metrics${segment('job', job)}`
  for (const [k, v] of labels) path += segment(k, v)
  return path
}

/** The run as Prometheus gauges, in a registry of its own (never the global one). */
export function buildRegistry(view: RunView): Registry {
  const registry = new Registry()
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] })
  const assertionLabels = ['suite', 'check', 'assertion', 'severity'] as const
  const passed = gauge(
    'dqx_assertion_passed',
    '1 when the assertion PASSED, else 0 (FAILED or SKIPPED)',
    assertionLabels,
  )
  const failed = gauge('dqx_assertion_failed', '1 when the assertion FAILED, else 0', assertionLabels)
  const value = gauge(
    'dqx_assertion_value',
    "the assertion expression's value (absent when it could not be computed)",
    assertionLabels,
  )
  const counts = gauge('dqx_run_assertions', 'assertions of the run by status', ['suite', 'status'])
  const failures = gauge('dqx_run_failures', 'FAILED assertions of the run by severity', [
    'suite',
    'severity',
  ])
  const metric = gauge('dqx_metric_value', 'computed metric values (the symbols of the run)', [
    'suite',
    'metric',
    'dataset',
  ])
  const runLabels = ['suite'] as const
  const duration = gauge('dqx_run_duration_seconds', 'run duration', runLabels)
  const started = gauge('dqx_run_timestamp_seconds', 'when the run started (unix time)', runLabels)
  const runError = gauge(
    'dqx_run_error',
    '1 when the run itself failed (bad data source, missing column …)',
    runLabels,
  )

  const suite = view.suiteName
  for (const r of view.results) {
    const labels = { suite, check: r.check, assertion: r.assertion, severity: r.severity }
    passed.set(labels, r.status === 'PASSED' ? 1 : 0)
    failed.set(labels, r.status === 'FAILED' ? 1 : 0)
    if (r.value !== null) value.set(labels, r.value)
  }
  counts.set({ suite, status: 'PASSED' }, view.summary.passed)
  counts.set({ suite, status: 'FAILED' }, view.summary.failed)
  counts.set({ suite, status: 'SKIPPED' }, view.summary.skipped)
  for (const [severity, n] of Object.entries(view.summary.failuresBySeverity))
    failures.set({ suite, severity }, n)
  for (const s of view.symbols)
    if (s.value !== null) metric.set({ suite, metric: s.metric, dataset: s.dataset }, s.value)
  duration.set({ suite }, view.durationMs / 1000)
  started.set({ suite }, view.timestamp.getTime() / 1000)
  runError.set({ suite }, view.error === undefined ? 0 : 1)
  return registry
}

/**
 * Pushes each run's results and metric values to a Prometheus Pushgateway
 * (PUT: the run replaces its group). Retried with backoff like every sink.
 */
export const prometheus = defineFactory({
  kind: 'prometheus',
  description: 'pushes assertion results and metric values to a Prometheus Pushgateway',
  schema: prometheusSchema,
  on: 'results',
  defaultNotifyOn: 'always',
  setup(o, name) {
    const base = o.pushgatewayUrl.replace(/\/+$/, '')
    const headers = o.headers ?? {}
    const redact = makeRedactor([...urlSecrets(base), ...Object.values(headers)])
    const retry = resolveRetry(o.retry)
    const job = o.job ?? 'dqx'
    return async (view) => {
      const registry = buildRegistry(view)
      const body = await registry.metrics()
      const url = `${base}${groupingPath(job, view, o.groupings)}`
      const what = `prometheus '${name}' push to ${redactUrl(base)}`
      const { attempts } = await deliver(
        (signal) =>
          httpSend({
            url,
            method: 'PUT',
            headers: { 'content-type': registry.contentType, 'user-agent': 'dqx', ...headers },
            body,
            signal,
          }),
        { what, signal: view.signal, logger: view.logger, retry, redact },
      )
      view.logger.info(
        { attempts, series: body.split('\n').filter((l) => l && !l.startsWith('#')).length },
        'metrics pushed',
      )
    }
  },
})
