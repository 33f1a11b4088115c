import { afterEach, describe, expect, it } from 'vitest'
import { DqxError, VerificationSuite } from '../../src/index.js'
import { runStatus, shouldNotify } from '../../src/plugins/first-party.js'
import { email, jsonReport, junit, prometheus, sqlWriter, webhook } from '../../src/plugins/index.js'
import { failureReason, formatValue, truncate } from '../../src/plugins/render.js'
import { makeResult, runPlugin } from '../../src/testing/index.js'
import { type HttpSink, httpSink, ordersCheck, rows } from './sink-helpers.js'

let sink: HttpSink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const summary = (failed: number) => ({ summary: { failed } as never })

describe('first-party plugins', () => {
  it('have their default names, overridable, and expose their schemas', () => {
    const plugins = [
      email({ smtp: { host: 'h' }, from: 'a@b.c', to: ['x@y.z'] }),
      sqlWriter({ db: { duckdb: 'x.duckdb' } }),
      prometheus({ pushgatewayUrl: 'http://gw:9091' }),
      webhook({ url: 'https://hooks.example.com/x', format: 'slack' }),
      junit({ file: 'junit.xml' }),
      jsonReport({ file: 'report.json' }),
    ]
    expect(plugins.map((p) => p.name)).toEqual([
      'email',
      'sqlWriter',
      'prometheus',
      'webhook',
      'junit',
      'jsonReport',
    ])
    expect(plugins.map((p) => p.kind)).toEqual([
      'email',
      'sqlWriter',
      'prometheus',
      'webhook',
      'junit',
      'jsonReport',
    ])
    expect(plugins.every((p) => typeof p.description === 'string' && p.configSchema !== undefined)).toBe(true)
    expect(webhook({ name: ' ops ', url: 'https://x.io', format: 'json' }).name).toBe('ops')
    for (const f of [email, sqlWriter, prometheus, webhook, junit, jsonReport]) {
      expect(f.configSchema['~standard'].vendor).toBe('zod')
    }
    // The plugin object's own schema (for pluginConfig overrides) accepts no config at all.
    expect(
      plugins.every((p) => !('issues' in (p.configSchema!['~standard'].validate(undefined) as object))),
    ).toBe(true)
  })

  it('lets two of a kind coexist under their own names (and rejects a duplicate)', async () => {
    sink = await httpSink()
    const report = await runPlugin(
      [
        webhook({ name: 'slack-ops', url: `${sink.origin}/a`, format: 'slack' }),
        webhook({ name: 'audit-log', url: `${sink.origin}/b`, format: 'json' }),
      ],
      { records: rows, checks: [ordersCheck] },
    )
    expect(
      report.pluginRuns
        .filter((r) => r.hook === 'processResults')
        .map((r) => r.plugin)
        .sort(),
    ).toEqual(['audit-log', 'slack-ops'])
    expect(sink.received.map((r) => r.url).sort()).toEqual(['/a', '/b'])
    expect(
      () =>
        new VerificationSuite({
          name: 's',
          checks: [ordersCheck],
          plugins: [
            webhook({ url: 'http://x', format: 'json' }),
            webhook({ url: 'http://y', format: 'json' }),
          ],
        }),
    ).toThrow("duplicate plugin name 'webhook'")
  })

  it('takes shallow overrides from pluginConfig[name], validated at construction', async () => {
    sink = await httpSink()
    const plugin = webhook({
      name: 'ops',
      url: 'http://127.0.0.1:1/never',
      format: 'slack',
      notifyOn: 'success',
    })
    const report = await runPlugin(plugin, {
      records: rows,
      checks: [ordersCheck],
      pluginConfig: { ops: { url: `${sink.origin}/override`, format: 'json', notifyOn: 'always' } },
    })
    expect(report.pluginErrors).toEqual([])
    expect(sink.received.map((r) => [r.url, JSON.parse(r.body).type])).toEqual([['/override', 'dqx.run']])
    expect(
      () =>
        new VerificationSuite({
          name: 's',
          checks: [ordersCheck],
          plugins: [plugin],
          pluginConfig: { ops: { format: 'xml' } },
        }),
    ).toThrow(/invalid pluginConfig for plugin 'ops': format: Invalid option/)
    expect(
      () =>
        new VerificationSuite({
          name: 's',
          checks: [ordersCheck],
          plugins: [plugin],
          pluginConfig: { ops: { name: 'other' } },
        }),
    ).toThrow(/invalid pluginConfig for plugin 'ops': \(root\): Unrecognized key: "name"/)
  })

  it('names the plugin in option errors, falling back to its kind', () => {
    const err = (() => {
      try {
        junit({ name: 42, file: 'x' } as never)
      } catch (e) {
        return e as DqxError
      }
    })()
    expect(err).toBeInstanceOf(DqxError)
    expect(err?.code).toBe('INVALID_PLUGIN_CONFIG')
    expect(err?.message).toBe(
      "invalid options for plugin 'junit': name: Invalid input: expected string, received number",
    )
    expect(() => email({ smtp: { host: 'h' }, from: 'a@b.c', to: ['x@y.z', 'nope'] })).toThrow(
      "invalid options for plugin 'email': to[1]: expected an e-mail address",
    )
    expect(() => junit(undefined as never)).toThrow(
      "invalid options for plugin 'junit': (options): Invalid input: expected object, received undefined",
    )
  })

  it('decides by notifyOn: failure = a FAILED result or a run error', () => {
    expect(runStatus(summary(0))).toBe('passed')
    expect(runStatus(summary(2))).toBe('failed')
    expect(runStatus({ ...summary(0), error: new Error('x') })).toBe('error')
    const table = (['always', 'failure', 'success'] as const).map((n) => [
      n,
      shouldNotify(n, summary(0)),
      shouldNotify(n, summary(1)),
      shouldNotify(n, { ...summary(0), error: new Error('x') }),
    ])
    expect(table).toEqual([
      ['always', true, true, true],
      ['failure', false, true, true],
      ['success', true, false, false],
    ])
  })

  it('formats values and truncates text', () => {
    expect(formatValue(null)).toBe('null')
    expect(formatValue(0.1 + 0.2)).toBe('0.3')
    expect(formatValue(0.0500001)).toBe('0.0500001')
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(truncate('abcdef', 4)).toBe('abc…')
    expect(truncate('abc', 4)).toBe('abc')
    expect(failureReason(makeResult({ value: 4, bound: '< 3' }))).toBe('value 4, expected < 3')
    expect(failureReason(makeResult({ value: null, error: 'division by zero' }))).toBe('division by zero')
    expect(failureReason(makeResult({ value: 7, error: 'no history' }))).toBe('value 7: no history')
    const { bound: _b, ...noBound } = makeResult({ value: 1 })
    expect(failureReason(noBound)).toBe('value 1')
  })
})
