import { describe, expect, it } from 'vitest'
import {
  check,
  DataSource,
  type PluginErrorContext,
  ResultKey,
  type Suite,
  TapTimeoutError,
  VerificationSuite,
} from '../../src/index.js'
import { captureLogger } from '../../src/testing/index.js'
import { spin } from './helpers.js'

// The hook semantics as a suite user meets them, through the public API only.

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})
const data = () => ({ orders: DataSource.fromRecords([{ id: 1 }, { id: 2 }]) })
const key = new ResultKey('2026-11-25')

describe('suite hooks', () => {
  it('records a processResults tap that blocks past its timeout, calls onPluginError, and the run goes on', async () => {
    const errors: PluginErrorContext[] = []
    const delivered: string[] = []
    const suite = new VerificationSuite({
      name: 'overrun',
      checks: [orders],
      audit: false,
      plugins: [
        function blocker(s: Suite) {
          s.hooks.processResults.tap({ name: 'blocker', timeoutMs: 5 }, () => spin(30))
        },
        function other(s: Suite) {
          s.hooks.processResults.tapPromise('other', async () => void delivered.push('other'))
          s.hooks.onPluginError.tap('collect', (ctx) => void errors.push(ctx))
        },
      ],
    })
    const report = await suite.run(data(), key)
    expect(delivered).toEqual(['other'])
    expect(report.pluginErrors).toHaveLength(1)
    const [run] = report.pluginErrors
    expect(run).toMatchObject({ plugin: 'blocker', hook: 'processResults', timedOut: true })
    expect(run?.error).toBeInstanceOf(TapTimeoutError)
    expect(run?.error?.message).toContain('run the plugin with isolated()')
    expect(errors.map((e) => [e.plugin, e.hook, e.timedOut])).toEqual([['blocker', 'processResults', true]])
  })

  it("ignores a plugin's order hint naming a tap that is not there, with one warning, and runs it", async () => {
    const { logger, lines } = captureLogger()
    const seen: string[] = []
    const suite = new VerificationSuite({
      name: 'hints',
      checks: [orders],
      audit: false,
      logger,
      plugins: [
        function early(s: Suite) {
          s.hooks.afterEvaluate.tap({ name: 'x', stage: -10, before: 'audit' }, () => void seen.push('x'))
        },
      ],
    })
    const first = await suite.run(data(), key)
    await suite.run(data(), key)
    expect(first.pluginErrors).toEqual([])
    expect(seen).toEqual(['x', 'x'])
    const warnings = lines.filter((l) => l.level === 40 && String(l.msg).includes("before 'audit'"))
    expect(warnings).toHaveLength(1)
    expect(String(warnings[0]?.msg)).toContain("tap 'x' on hook 'afterEvaluate'")
  })

  it('refuses a cycle when the plugin that closes it registers its tap, before any run', () => {
    const build = () =>
      new VerificationSuite({
        name: 'cycle',
        checks: [orders],
        audit: false,
        plugins: [
          function a(s: Suite) {
            s.hooks.afterRun.tap({ name: 'a', before: 'b' }, () => {})
          },
          function b(s: Suite) {
            s.hooks.afterRun.tap({ name: 'b', before: 'a' }, () => {})
          },
        ],
      })
    expect(build).toThrow(/cycle: 'a' → 'b' → 'a'|cycle: 'b' → 'a' → 'b'/)
  })
})
