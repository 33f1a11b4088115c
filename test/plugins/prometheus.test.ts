import { afterEach, describe, expect, it } from 'vitest'
import { DqxError, ResultKey } from '../../src/index.js'
import { prometheus } from '../../src/plugins/index.js'
import { buildRegistry, groupingPath, labelName } from '../../src/plugins/prometheus.js'
import { captureLogger, createResultsContext, makeResult, runPlugin } from '../../src/testing/index.js'
import {
  brokenCheck,
  type HttpSink,
  httpSink,
  ordersCheck,
  passingCheck,
  rows,
  skippedCheck,
} from './sink-helpers.js'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses Prometheus text exposition format (0.0.4): samples, plus the TYPE of each family. */
function parseExposition(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = []
  const types: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type) {
      types[type[1]!] = type[2]!
      continue
    }
    if (line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) throw new Error(`bad exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return { samples, types }
}

const fast = { baseDelayMs: 1, maxDelayMs: 5 }
let sink: HttpSink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const key = new ResultKey('2026-11-25', { env: 'prod', 'region.name': 'eu/west' })

describe('prometheus', () => {
  it('pushes assertion, metric and run gauges to the Pushgateway (always, by default)', async () => {
    sink = await httpSink(() => ({ status: 200 }))
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(prometheus({ pushgatewayUrl: `${sink.origin}/` }), {
      records: rows,
      checks: [ordersCheck, skippedCheck],
      key,
      name: 'nightly',
      logger,
    })
    expect(report.pluginErrors).toEqual([])
    expect(sink.received).toHaveLength(1)
    const req = sink.received[0]!
    expect(req.method).toBe('PUT')
    expect(req.url).toBe(
      `/metrics/job/dqx/suite/nightly/env/prod/region_name@base64/${Buffer.from('eu/west').toString('base64url')}`,
    )
    expect(req.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const { samples, types } = parseExposition(req.body)
    expect(Object.values(types).every((t) => t === 'gauge')).toBe(true)
    const get = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value
    const a = (assertion: string, severity: string) => ({
      suite: 'nightly',
      check: 'orders',
      assertion,
      severity,
    })
    expect(get('dqx_assertion_passed', a('has rows', 'P0'))).toBe(1)
    expect(get('dqx_assertion_failed', a('has rows', 'P0'))).toBe(0)
    expect(get('dqx_assertion_passed', a('few null emails', 'P0'))).toBe(0)
    expect(get('dqx_assertion_failed', a('few null emails', 'P0'))).toBe(1)
    expect(get('dqx_assertion_value', a('few null emails', 'P0'))).toBe(10)
    expect(get('dqx_assertion_failed', a('avg price', 'P2'))).toBe(1)
    expect(get('dqx_assertion_value', a('avg price', 'P2'))).toBe(5.5)
    const skipped = { suite: 'nightly', check: 'elsewhere', assertion: 'rows elsewhere', severity: 'P1' }
    expect([get('dqx_assertion_passed', skipped), get('dqx_assertion_failed', skipped)]).toEqual([0, 0])
    expect(get('dqx_assertion_value', skipped)).toBeUndefined()
    expect(get('dqx_run_assertions', { status: 'PASSED' })).toBe(2)
    expect(get('dqx_run_assertions', { status: 'FAILED' })).toBe(2)
    expect(get('dqx_run_assertions', { status: 'SKIPPED' })).toBe(1)
    expect(get('dqx_run_failures', { severity: 'P0' })).toBe(1)
    expect(get('dqx_run_failures', { severity: 'P1' })).toBe(0)
    expect(get('dqx_metric_value', { metric: 'numRows()', dataset: 'data' })).toBe(40)
    expect(get('dqx_metric_value', { metric: 'average(price)', dataset: 'data' })).toBe(5.5)
    expect(get('dqx_metric_value', { metric: 'maximum(qty)', dataset: 'data' })).toBe(39)
    expect(get('dqx_run_error', { suite: 'nightly' })).toBe(0)
    expect(get('dqx_run_duration_seconds', { suite: 'nightly' })).toBeGreaterThan(0)
    expect(get('dqx_run_timestamp_seconds', { suite: 'nightly' })).toBe(report.startedAt.getTime() / 1000)
    expect(lines.find((l) => l.msg === 'metrics pushed')).toMatchObject({ plugin: 'prometheus', attempts: 1 })
  })

  it('pushes a run error too, with job, groupings and Basic auth from the URL', async () => {
    sink = await httpSink(() => ({ status: 202 }))
    await expect(
      runPlugin(
        prometheus({
          pushgatewayUrl: `http://pusher:p%40ss-W0rd@${sink.origin.slice(7)}/gw`,
          job: 'data quality',
          groupings: { team: 'core', empty: '' },
        }),
        { records: rows, checks: [brokenCheck] },
      ),
    ).rejects.toThrow(DqxError)
    const req = sink.received[0]!
    expect(req.url).toBe('/gw/metrics/job/data%20quality/suite/plugin-test/team/core/empty@base64/=')
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('pusher:p@ss-W0rd').toString('base64')}`)
    const { samples } = parseExposition(req.body)
    expect(samples.find((s) => s.name === 'dqx_run_error')?.value).toBe(1)
    expect(samples.filter((s) => s.name === 'dqx_assertion_passed')).toEqual([])
  })

  it('honours notifyOn', async () => {
    sink = await httpSink(() => ({ status: 200 }))
    await runPlugin(prometheus({ pushgatewayUrl: sink.origin, notifyOn: 'failure' }), {
      records: rows,
      checks: [passingCheck],
    })
    expect(sink.received).toHaveLength(0)
    await runPlugin(prometheus({ pushgatewayUrl: sink.origin, notifyOn: 'failure' }), {
      records: rows,
      checks: [ordersCheck],
    })
    expect(sink.received).toHaveLength(1)
  })

  it('retries a failing gateway and reports the last cause without the password or header values', async () => {
    sink = await httpSink((_r, n) =>
      n === 1 ? { status: 502, body: 'bad gateway' } : { status: 400, body: 'text format parsing error' },
    )
    const { logger, text } = captureLogger('debug')
    const report = await runPlugin(
      prometheus({
        pushgatewayUrl: `http://u:SeCrEt-pw-123@${sink.origin.slice(7)}`,
        headers: { 'x-scope-orgid': 'tenant-0042' },
        retry: fast,
      }),
      { records: rows, checks: [ordersCheck], logger },
    )
    expect(sink.received).toHaveLength(2)
    expect(sink.received[0]!.headers['x-scope-orgid']).toBe('tenant-0042')
    const msg = report.pluginErrors[0]?.error?.message ?? ''
    expect(msg).toBe(
      `prometheus 'prometheus' push to http://[redacted]@${sink.origin.slice(7)} failed after 2 attempts (not retryable): HTTP 400 Bad Request: text format parsing error`,
    )
    expect(`${text()}${msg}`).not.toContain('SeCrEt-pw-123')
    expect(`${text()}${msg}`).not.toContain('tenant-0042')
  })

  it('leaves out values that could not be computed', async () => {
    const ctx = createResultsContext({
      results: [makeResult({ status: 'FAILED', value: null, error: 'no history' })],
      symbols: [
        {
          name: 'x_1',
          metric: 'lag(1, sum(revenue))',
          dataset: 'd',
          value: null,
          date: '2026-11-24',
          tags: {},
        },
        { name: 'x_2', metric: 'sum(revenue)', dataset: 'd', value: 12, date: '2026-11-25', tags: {} },
      ],
    })
    const { samples } = parseExposition(await buildRegistry(ctx).metrics())
    expect(
      samples.filter((s) => s.name === 'dqx_metric_value').map((s) => [s.labels.metric, s.value]),
    ).toEqual([['sum(revenue)', 12]])
    expect(samples.filter((s) => s.name === 'dqx_assertion_value')).toEqual([])
    expect(samples.find((s) => s.name === 'dqx_assertion_failed')?.value).toBe(1)
  })

  it('builds grouping paths and label names', () => {
    const view = { suiteName: 'a/b', key: new ResultKey('2026-11-25', { job: 'x', 'a:b': 'y', __x: 'z' }) }
    expect(groupingPath('j', view)).toBe(
      `/metrics/job/j/suite@base64/${Buffer.from('a/b').toString('base64url')}/tag___x/z/a_b/y/tag_job/x`,
    )
    expect(labelName('suite')).toBe('tag_suite')
    expect(labelName('a-b.c')).toBe('a_b_c')
  })

  it('validates its options', () => {
    expect(() => prometheus({ pushgatewayUrl: 'localhost:9091' })).toThrow(
      "invalid options for plugin 'prometheus': pushgatewayUrl: expected an http(s) URL",
    )
    expect(() => prometheus({ pushgatewayUrl: 'http://gw', groupings: { 'bad-label': 'x' } })).toThrow(
      "invalid options for plugin 'prometheus': groupings.bad-label: Invalid key in record",
    )
    expect(() => prometheus({ pushgatewayUrl: 'http://gw', job: '' })).toThrow(/job: Too small/)
  })
})
