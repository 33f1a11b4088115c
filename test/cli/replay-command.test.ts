// `dqx replay`, in process, over a DuckDB MetricDB file written by `dqx run`.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliInProcess, ORDERS_CSV, P0_FAILING, project } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})

const CONFIG = `import { appendFileSync } from 'node:fs'
import { check, DataSource, defineConfig, MetricDB } from 'dqx'

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
${P0_FAILING}
})

export default defineConfig({
  name: 'shop',
  checks: [orders],
  db: MetricDB.duckdb('metrics.duckdb'),
  datasources: { orders: DataSource.csv('data/orders.csv') },
  plugins: [
    {
      name: 'recorder',
      process(results, symbols, suite, ctx) {
        appendFileSync('deliveries.jsonl', JSON.stringify({ suite, date: ctx.key.date, runId: ctx.runId, replay: ctx.replay === true, results: results.length, symbols: symbols.length }) + '\\n')
      },
    },
    {
      name: 'flaky',
      apply(suite) {
        suite.hooks.processResults.tap('flaky', () => {
          if (process.env.DQX_TEST_FLAKY === '1') throw new Error('webhook down')
        })
      },
    },
  ],
})
`

function deliveries(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'deliveries.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('dqx replay', () => {
  it('replays stored days oldest first without reading data, and exits 1 when a plugin fails', async () => {
    const p = project({ 'dqx.config.ts': CONFIG, 'data/orders.csv': ORDERS_CSV }, 'dqx-replay-')
    cleanups.push(p.cleanup)
    const cwd = p.dir
    for (const date of ['2026-11-24', '2026-11-26']) {
      expect((await cliInProcess(['run', '--date', date], cwd)).code).toBe(1) // P0 failure
    }
    const original = deliveries(cwd)
    expect(original.map((d) => [d.date, d.replay])).toEqual([
      ['2026-11-24', false],
      ['2026-11-26', false],
    ])
    // The data is gone: a replay reads only the MetricDB.
    rmSync(join(cwd, 'data'), { recursive: true })

    const ok = await cliInProcess(
      ['replay', '--date', '2026-11-20', '--to', '2026-11-30', '--plugin', 'recorder'],
      cwd,
    )
    expect(ok.code).toBe(0)
    const lines = ok.stderr.trim().split('\n')
    expect(lines).toEqual([
      `replay shop 2026-11-24 (run ${original[0]?.runId}): 2 results to 1 plugin(s), delivered`,
      `replay shop 2026-11-26 (run ${original[1]?.runId}): 2 results to 1 plugin(s), delivered`,
    ])
    const replayed = deliveries(cwd).slice(2)
    expect(replayed).toEqual(original.map((d) => ({ ...d, replay: true })))

    // The config reads process.env itself (the CLI's io.env is not the process's environment).
    process.env.DQX_TEST_FLAKY = '1'
    const failing = await cliInProcess(['replay', '--date', '2026-11-24'], cwd).finally(() => {
      delete process.env.DQX_TEST_FLAKY
    })
    expect(failing.code).toBe(1)
    expect(failing.stderr).toContain('replay shop 2026-11-24')
    expect(failing.stderr).toContain('1 plugin(s) failed')
    expect(failing.stderr).toContain('  flaky@processResults: webhook down')
  })

  it('exits 2 for usage errors and for a day with no stored run', async () => {
    const p = project({ 'dqx.config.ts': CONFIG, 'data/orders.csv': ORDERS_CSV }, 'dqx-replay-')
    cleanups.push(p.cleanup)
    const cwd = p.dir
    expect((await cliInProcess(['replay'], cwd)).code).toBe(2)
    const bad = await cliInProcess(['replay', '--date', '2026-13-01'], cwd)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--date')
    const reversed = await cliInProcess(['replay', '--date', '2026-11-25', '--to', '2026-11-24'], cwd)
    expect(reversed.code).toBe(2)
    expect(reversed.stderr).toContain('--to 2026-11-24 is before --date 2026-11-25')
    const none = await cliInProcess(['replay', '--date', '2026-11-25', '--tag', 'env=prod'], cwd)
    expect(none.code).toBe(2)
    expect(none.stderr).toContain(
      "suite 'shop': replay(): no stored run of suite 'shop' for 2026-11-25 with tags env=prod; no run of this suite with tags env=prod is stored in",
    )
    expect((await cliInProcess(['run', '--date', '2026-11-25'], cwd)).code).toBe(1)
    const unknown = await cliInProcess(['replay', '--date', '2026-11-25', '--plugin', 'recordr'], cwd)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("has no plugin 'recordr' — did you mean 'recorder'?")
  })
})
