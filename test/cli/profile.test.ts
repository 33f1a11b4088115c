import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeUi } from '../../src/cli/context.js'
import { datasetName, fileKind, formatProfile, progressReporter } from '../../src/cli/profile-command.js'
import { identifierFor, renderProfileConfig } from '../../src/cli/profile-config.js'
import { cliInProcess, ORDERS_CSV, project, REPO, sink } from './helpers.js'

const ORDERS_PARQUET = join(REPO, 'examples', 'newcomer', 'data', 'orders.parquet')
const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})

function dir(files: Record<string, string> = {}): string {
  const p = project(files, 'dqx-profile-cli-')
  cleanups.push(p.cleanup)
  mkdirSync(join(p.dir, 'data'), { recursive: true })
  copyFileSync(ORDERS_PARQUET, join(p.dir, 'data', 'orders.parquet'))
  return p.dir
}

describe('dqx profile', () => {
  it('prints a profile table and the suggested checks', async () => {
    const cwd = dir()
    const r = await cliInProcess(['profile', 'data/orders.parquet'], cwd)
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('orders parquet data/orders.parquet: 2,000 rows, 7 columns')
    for (const col of ['order_id', 'customer_id', 'email', 'status', 'quantity', 'price', 'order_date']) {
      expect(r.stdout).toContain(col)
    }
    expect(r.stdout).toContain('Suggested checks')
    expect(r.stdout).toContain('order_id is unique')
    expect(r.stdout).toContain('status in allowed set')
    expect(r.stderr).toContain('profiling orders')
    expect(existsSync(join(cwd, 'dqx.config.ts'))).toBe(false)
  })

  it('prints JSON with --json, names the dataset with --dataset, writes a config with --write', async () => {
    const cwd = dir()
    const r = await cliInProcess(
      [
        'profile',
        'data/orders.parquet',
        '--dataset',
        'shop_orders',
        '--json',
        '--top',
        '5',
        '--write',
        'conf/dqx.config.ts',
      ],
      cwd,
    )
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      profile: { dataset: string; rows: number }
      suggestions: { name: string }[]
    }
    expect(doc.profile).toMatchObject({ dataset: 'shop_orders', rows: 2000 })
    expect(doc.suggestions.map((s) => s.name)).toContain('shop_orders has rows')
    const config = readFileSync(join(cwd, 'conf', 'dqx.config.ts'), 'utf8')
    // The data path is relative to the config's directory.
    expect(config).toContain(`'shop_orders': DataSource.parquet('../data/orders.parquet')`)
    expect(config).toContain("db: MetricDB.duckdb('dqx-metrics.duckdb')")
    expect(r.stderr).toContain('wrote conf/dqx.config.ts with')

    // The written config runs: every suggestion holds on the data it came from.
    const run = await cliInProcess(['run', '--config', 'conf/dqx.config.ts', '--date', '2026-11-30'], cwd)
    expect(run.stderr).not.toContain('dqx error')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/✔ shop_orders: \d+ passed, 0 failed, 1 skipped/)

    const again = await cliInProcess(['profile', 'data/orders.parquet', '--write', 'conf/dqx.config.ts'], cwd)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('would overwrite conf/dqx.config.ts; pass --force')
    const forced = await cliInProcess(
      ['profile', 'data/orders.parquet', '--write', 'conf/dqx.config.ts', '-f'],
      cwd,
    )
    expect(forced.code).toBe(0)
  })

  it('profiles CSV and says what it cannot read', async () => {
    const cwd = dir({ 'data/orders.csv': ORDERS_CSV })
    const csv = await cliInProcess(['profile', 'data/orders.csv'], cwd)
    expect(csv.code).toBe(0)
    expect(csv.stdout).toContain('4 rows, 5 columns')
    const bad = await cliInProcess(['profile', 'data/orders.xlsx'], cwd)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("cannot tell how to read 'data/orders.xlsx'")
    const missing = await cliInProcess(['profile', 'data/nope.parquet'], cwd)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('not found')
    const name = await cliInProcess(['profile', 'data/orders.csv', '--dataset', 'a-b'], cwd)
    expect(name.code).toBe(2)
    expect(name.stderr).toContain("--dataset 'a-b' must be a name")
  })

  it('names datasets, kinds and identifiers from file names', () => {
    expect(fileKind('x/y.PARQUET')).toBe('parquet')
    expect(fileKind('a/*.jsonl')).toBe('json')
    expect(fileKind('a.csv.gz')).toBe('csv')
    expect(fileKind('a.tsv')).toBe('csv')
    expect(datasetName('data/order-items.parquet')).toBe('order_items')
    expect(datasetName('2026.csv')).toBe('data_2026')
    expect(datasetName('---.csv')).toBe('data')
    expect(identifierFor('order-items')).toBe('orderItemsCheck')
    expect(identifierFor('9x')).toBe('ds9xCheck')
    expect(identifierFor('')).toBe('dsCheck')
  })

  it('formats the profile for a terminal and renders a config for several datasets', () => {
    const ui = makeUi({ stdout: sink(), stderr: sink(), cwd: '.', env: { NO_COLOR: '1' } }, false)
    const p = {
      dataset: 'd',
      source: 'records',
      rows: 3,
      durationMs: 1,
      columns: [
        {
          name: 'x',
          type: 'DOUBLE',
          kind: 'number' as const,
          nullCount: 1,
          nullRate: 1 / 3,
          distinct: 2,
          min: 0.1234567,
          max: 2,
          quantiles: { p5: 0, p25: 0.5, p50: 1, p75: 1.5, p95: 2 },
          topValues: [],
        },
        {
          name: 'l',
          type: 'INTEGER[]',
          kind: 'other' as const,
          nullCount: 0,
          nullRate: 0,
          distinct: 0,
          min: null,
          max: null,
          topValues: [],
        },
        {
          name: 'rare',
          type: 'VARCHAR',
          kind: 'string' as const,
          nullCount: 0,
          nullRate: 0.0001,
          distinct: 3,
          min: 'a',
          max: 'c',
          minLength: 1,
          maxLength: 1,
          topValues: ['a', 'b'],
        },
      ],
    }
    const text = formatProfile(p, ui)
    expect(text).toContain('33.3%')
    expect(text).toContain('0.123457')
    expect(text).toContain('<0.1%')
    expect(text).toContain('1–1')
    const config = renderProfileConfig(
      [
        { profile: p, source: "DataSource.csv('a.csv')", suggestions: [] },
        { profile: { ...p, dataset: 'e' }, source: "DataSource.csv('b.csv')", suggestions: [] },
      ],
      { suiteName: 's', metricsFile: 'm.duckdb', command: 'dqx profile' },
    )
    expect(config).toContain('checks: [dCheck, eCheck]')
  })
})

describe('profile progress', () => {
  it('draws a bar on a terminal and one line per quarter elsewhere', () => {
    const tty = sink({ columns: 100 })
    const live = progressReporter(
      makeUi({ stdout: sink(), stderr: tty, cwd: '.', env: { NO_COLOR: '1' } }, false),
      'orders',
    )
    live({ percentage: 50, rowsProcessed: 10_000_000, totalRows: 20_000_000 })
    expect(tty.text).toContain('██████████░░░░░░░░░░ profiling orders: 50% (10,000,000 of 20,000,000 rows)')
    const plain = sink()
    const ui = makeUi({ stdout: sink(), stderr: plain, cwd: '.', env: { CI: 'true' } }, false)
    const lines = progressReporter(ui, 'orders')
    for (const p of [5, 30, 40, 55, 80, 99, 100]) lines({ percentage: p, rowsProcessed: p, totalRows: 100 })
    expect(plain.text.trim().split('\n')).toEqual([
      'profiling orders: 30% (30 of 100 rows)',
      'profiling orders: 55% (55 of 100 rows)',
      'profiling orders: 80% (80 of 100 rows)',
    ])
  })
})

describe('dqx report', () => {
  it('renders the latest stored run with history and schemas, and writes where --out says', async () => {
    const cwd = dir()
    expect(
      (await cliInProcess(['profile', 'data/orders.parquet', '--write', 'dqx.config.ts'], cwd)).code,
    ).toBe(0)
    for (const date of ['2026-11-28', '2026-11-29', '2026-11-30']) {
      expect((await cliInProcess(['run', '--date', date, '--no-plugins'], cwd)).code).toBe(0)
    }
    const r = await cliInProcess(['report', '--date', '2026-12-05', '--out', 'site'], cwd)
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    const file = join(cwd, 'site', 'index.html')
    expect(r.stdout.trim()).toBe(file)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('data-date="2026-11-30"')
    // One chart per assertion with a value, each with the three stored days.
    expect(html.match(/<svg class="chart"/g)?.length).toBeGreaterThan(5)
    for (const m of html.matchAll(/data-points="(\d+)"/g)) expect(m[1]).toBe('3')
    expect(html).toContain('<table class="schema" data-dataset="orders">')
    expect(html).toContain('order_date</td><td><code>DATE</code>')

    // Nothing stored in the look-back window.
    const none = await cliInProcess(['report', '--date', '2026-01-01', '--look-back', '5'], cwd)
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("no stored run of suite 'orders' from 2025-12-27 to 2026-01-01")
  })

  it('needs a persistent MetricDB and a real suite name', async () => {
    const cwd = dir({
      'dqx.config.ts': `import { check, DataSource, defineConfig, MetricDB } from 'dqx'
const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => { ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive() })
export default defineConfig([
  { name: 'a', checks: [c], datasources: { orders: DataSource.parquet('data/orders.parquet') }, db: MetricDB.duckdb('a.duckdb') },
  { name: 'b', checks: [c], datasources: { orders: DataSource.parquet('data/orders.parquet') }, db: MetricDB.memory() },
  { name: 'c', checks: [c], datasources: { orders: DataSource.parquet('data/gone.parquet') }, db: MetricDB.duckdb('a.duckdb') },
])
`,
    })
    const mem = await cliInProcess(['report'], cwd)
    expect(mem.code).toBe(2)
    expect(mem.stderr).toContain("suite 'b' keeps no results between runs (MetricDB.memory())")
    const wrong = await cliInProcess(['report', '--suite', 'x'], cwd)
    expect(wrong.stderr).toContain("--suite 'x' is not in")
    // Suite a runs; suite c's source is gone, so its report has no schema table for it.
    expect(
      (await cliInProcess(['run', '--suite', 'a', '--date', '2026-11-30', '--no-plugins'], cwd)).code,
    ).toBe(0)
    const both = await cliInProcess(['report', '--suite', 'a', '--suite', 'c', '--date', '2026-11-30'], cwd)
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("no stored run of suite 'c'")
    const html = readFileSync(join(cwd, 'dqx-report', 'index.html'), 'utf8')
    expect(html).toContain('data-suite="a"')
    const noDb = dir({
      'dqx.config.ts': `import { check, DataSource, defineConfig } from 'dqx'
const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => { ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive() })
export default defineConfig({ name: 'n', checks: [c], datasources: { orders: DataSource.parquet('data/orders.parquet') } })
`,
    })
    const r = await cliInProcess(['report'], noDb)
    expect(r.stderr).toContain("suite 'n' keeps no results between runs (no db)")
    expect((await cliInProcess(['report', '--date', '2026-13-01'], noDb)).stderr).toContain('--date')
  })

  it('reports a missing source schema as not recorded', async () => {
    const cwd = dir()
    writeFileSync(
      join(cwd, 'dqx.config.ts'),
      `import { check, DataSource, defineConfig, MetricDB } from 'dqx'
const c = check({ name: 'c', datasets: ['orders'] }, (mp, ctx) => { ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive() })
export default defineConfig({ name: 'n', checks: [c], datasources: { orders: DataSource.parquet(process.env.DQX_TEST_SRC ?? 'data/orders.parquet') }, db: MetricDB.duckdb('m.duckdb') })
`,
    )
    expect((await cliInProcess(['run', '--date', '2026-11-30', '--no-plugins'], cwd)).code).toBe(0)
    process.env.DQX_TEST_SRC = 'data/moved.parquet'
    try {
      const r = await cliInProcess(['report', '--date', '2026-11-30'], cwd)
      expect(r.code).toBe(0)
    } finally {
      delete process.env.DQX_TEST_SRC
    }
    expect(readFileSync(join(cwd, 'dqx-report', 'index.html'), 'utf8')).toContain('Schema not recorded')
  })
})
