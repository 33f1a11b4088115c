import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { annotations, escapeData, escapeProperty, markdownCell, stepSummary } from '../../src/cli/github.js'
import { summarize } from '../../src/core/summary.js'
import type { RunReport } from '../../src/core/types.js'
import { ResultKey } from '../../src/index.js'
import { makeResult } from '../../src/testing/index.js'
import { cliInProcess, configTs, ORDERS_CSV, P2_FAILING, project } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})

function report(results: RunReport['results'], extra: Partial<RunReport> = {}): RunReport {
  return {
    suiteName: 'shop',
    runId: 'r1',
    key: new ResultKey('2026-11-25', { env: 'ci' }),
    startedAt: new Date(0),
    durationMs: 12.4,
    datasources: ['orders'],
    results,
    symbols: [],
    summary: summarize(results),
    pluginRuns: [],
    pluginErrors: [],
    ...extra,
  }
}

describe('GitHub formats', () => {
  it('escapes Markdown cells and workflow commands', () => {
    expect(markdownCell('a|b\n<i>&')).toBe('a\\|b &lt;i&gt;&amp;')
    expect(escapeData('50%\r\n::x')).toBe('50%25%0D%0A::x')
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc')
  })

  it('summarises failures and skips worst first, and caps long tables', () => {
    const results = [
      makeResult({ assertion: 'ok', status: 'PASSED' }),
      makeResult({ assertion: 'skipped', status: 'SKIPPED', error: 'no data', severity: 'P0' }),
      makeResult({ assertion: 'p2 | pipe', status: 'FAILED', severity: 'P2', value: 3, bound: '< 1' }),
      makeResult({
        assertion: 'p0',
        status: 'FAILED',
        severity: 'P0',
        value: null,
        error: 'division by zero',
      }),
    ]
    const md = stepSummary([report(results)], { failOn: 'P1' })
    expect(md).toContain('### ❌ dqx: shop — 2026-11-25 (env=ci)')
    expect(md).toContain('**1 passed, 2 failed, 1 skipped** of 4 assertions (25% pass rate) in 12 ms')
    const rows = md.split('\n').filter((l) => l.startsWith('| ❌') || l.startsWith('| ⏭️'))
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| ❌ FAILED', '| ❌ FAILED', '| ⏭️ SKIPPED'])
    expect(rows[0]).toContain('division by zero')
    expect(rows[1]).toContain('p2 \\| pipe')
    expect(stepSummary([report(results)], { failOn: 'P1', maxRows: 1 })).toContain('…and 2 more.')
    // Only failures below --fail-on: a warning sign; none: a check mark; a run error: a cross.
    expect(stepSummary([report([results[2] as never])], { failOn: 'P1' })).toContain('### ⚠️')
    expect(stepSummary([report([results[0] as never])], { failOn: 'P1' })).toContain('### ✅')
    const broken = stepSummary([report([], { error: new Error('file | gone') })], { failOn: 'P1' })
    expect(broken).toContain('### ❌')
    expect(broken).toContain('Run failed: file \\| gone')
  })

  it('annotates failures: errors at or above --fail-on, warnings below, run errors', () => {
    const results = [
      makeResult({
        check: 'orders',
        assertion: 'a, b',
        status: 'FAILED',
        severity: 'P0',
        value: 2,
        bound: '== 0',
        expression: 'nullCount(email)',
      }),
      makeResult({ assertion: 'minor', status: 'FAILED', severity: 'P3', value: 1 }),
      makeResult({ assertion: 'fine', status: 'PASSED' }),
    ]
    const lines = annotations([report(results), report([], { error: new Error('bad\nfile') })], {
      failOn: 'P1',
      file: 'dqx.config.ts',
    })
    expect(lines).toEqual([
      '::error file=dqx.config.ts,title=dqx P0%3A orders › a%2C b::shop 2026-11-25: nullCount(email) = 2, expected == 0',
      expect.stringMatching(/^::warning file=dqx.config.ts,title=dqx P3%3A .* › minor::shop 2026-11-25: /),
      '::error file=dqx.config.ts,title=dqx%3A shop run failed::bad%0Afile',
    ])
    const { bound: _bound, ...unbounded } = makeResult({ status: 'FAILED', error: 'boom' })
    expect(annotations([report([unbounded])], { failOn: 'P3' })[0]).toMatch(
      /^::error title=.*::shop 2026-11-25: boom$/,
    )
  })
})

describe('dqx run under GitHub Actions', () => {
  it('appends the step summary and prints annotations with --reporter github', async () => {
    const p = project({ 'dqx.config.ts': configTs(P2_FAILING), 'data/orders.csv': ORDERS_CSV })
    cleanups.push(p.cleanup)
    const summary = join(p.dir, 'summary.md')
    writeFileSync(summary, '# earlier step\n')
    const r = await cliInProcess(['run', '--date', '2026-11-25', '--reporter', 'github'], p.dir, {
      GITHUB_STEP_SUMMARY: summary,
    })
    expect(r.code).toBe(0)
    const md = readFileSync(summary, 'utf8')
    expect(md.startsWith('# earlier step\n### ⚠️ dqx: shop — 2026-11-25')).toBe(true)
    expect(md).toContain('| ❌ FAILED | P2 | orders | max price |')
    expect(r.stdout).toContain('::warning file=dqx.config.ts,title=dqx P2%3A orders › max price::')

    // With --json the annotations go to stderr, keeping stdout parseable; no summary file: none written.
    const j = await cliInProcess(['run', '--date', '2026-11-25', '--reporter', 'github', '--json'], p.dir)
    expect(JSON.parse(j.stdout).suiteName).toBe('shop')
    expect(j.stderr).toContain('::warning file=dqx.config.ts')
    const plain = await cliInProcess(['run', '--date', '2026-11-25'], p.dir)
    expect(plain.stdout).not.toContain('::warning')
  })
})
