// `dqx tune`, in process, over a DuckDB MetricDB file written by `dqx run`; the config also sets
// profiles and dataAvThreshold, which `dqx run` passes to the suite.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import picocolors from 'picocolors'
import { afterAll, describe, expect, it } from 'vitest'
import { formatReport } from '../../src/cli/report.js'
import { check } from '../../src/core/check.js'
import { seasonalProfile, tag } from '../../src/core/profile.js'
import { ResultKey } from '../../src/core/result-key.js'
import { DataSource } from '../../src/engine/data-source.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { captureLogger } from '../../src/testing/index.js'
import { cliInProcess, ORDERS_CSV, project } from './helpers.js'

const cleanups: (() => void)[] = []
afterAll(() => {
  for (const c of cleanups) c()
})

const CONFIG = `import { check, DataSource, defineConfig, MetricDB, permanentProfile, tag, tunable } from 'dqx'

const maxNullRate = tunable('max_null_rate', 0.1, { min: 0, max: 0.5 })

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.nullCount('email').rate()).where({ name: 'email null rate' }).isLt(maxNullRate)
  ctx.assertThat(mp.numRows().dayOverDay()).where({ name: 'volume stable' }).isBetween(0.5, 2)
  ctx.assertThat(mp.maximum('price')).where({ name: 'legacy price cap', tags: ['legacy'] }).isLt(1)
})

export default defineConfig({
  name: 'shop',
  checks: [orders],
  db: MetricDB.duckdb('metrics.duckdb'),
  datasources: { orders: DataSource.csv('data/orders.csv') },
  profiles: [permanentProfile({ name: 'legacy retired', rules: [tag('legacy').disable()] })],
  dataAvThreshold: 0.9,
})
`

describe('dqx tune', () => {
  it('lists, refuses bad changes, records who/why, and re-evaluates the stored run without the data', async () => {
    const p = project({ 'dqx.config.ts': CONFIG, 'data/orders.csv': ORDERS_CSV }, 'dqx-tune-')
    cleanups.push(p.cleanup)
    const cwd = p.dir
    const run = await cliInProcess(['run', '--date', '2026-11-25'], cwd)
    // 1 of 4 emails is missing: 0.25 is above 0.1.
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('email null rate')
    expect(run.stdout).toContain("disabled by profile 'legacy retired'")
    // No history and a threshold: SKIPPED, not FAILED.
    expect(run.stdout).toContain("data unavailable: no stored value for 'orders' on 2026-11-24")
    expect(run.stdout).toContain(
      'Profiles active: legacy retired\n  legacy retired › orders › legacy price cap: disabled\n',
    )

    const listed = await cliInProcess(['tune'], cwd)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toBe('shop\n  max_null_rate = 0.1 in [0, 0.5]\n')

    const outOfBounds = await cliInProcess(
      ['tune', 'max_null_rate', '0.9', '--why', 'x', '--who', 'ana'],
      cwd,
    )
    expect(outOfBounds.code).toBe(2)
    expect(outOfBounds.stderr).toContain("tunable 'max_null_rate' must stay within [0, 0.5], got 0.9")
    const noWhy = await cliInProcess(['tune', 'max_null_rate', '0.3'], cwd)
    expect(noWhy.code).toBe(2)
    expect(noWhy.stderr).toContain('dqx tune max_null_rate 0.3 needs --why "<reason>"')
    const noWho = await cliInProcess(['tune', 'max_null_rate', '0.3', '--why', 'x'], cwd, { USER: undefined })
    expect(noWho.code).toBe(2)
    expect(noWho.stderr).toContain('--who <name>')
    const notNumber = await cliInProcess(['tune', 'max_null_rate', 'lots', '--why', 'x', '--who', 'a'], cwd)
    expect(notNumber.stderr).toContain("dqx tune max_null_rate: the value must be a number, got 'lots'")
    const typo = await cliInProcess(['tune', 'max_nul_rate', '0.3', '--why', 'x', '--who', 'a'], cwd)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain(
      "has a tunable 'max_nul_rate' — did you mean 'max_null_rate'? (tunables: max_null_rate)",
    )
    const lonely = await cliInProcess(['tune', '--reevaluate'], cwd)
    expect(lonely.stderr).toContain('--reevaluate goes with a new value')

    // The data is gone: re-evaluation reads only the MetricDB.
    rmSync(join(cwd, 'data'), { recursive: true })
    const tuned = await cliInProcess(
      [
        'tune',
        'max_null_rate',
        '0.3',
        '--why',
        'email capture outage',
        '--reevaluate',
        '--date',
        '2026-11-25',
      ],
      cwd,
      { USER: 'ana' },
    )
    expect(tuned.stderr).toMatch(/✔ shop: max_null_rate \S+ ana: 0\.1 → 0\.3 \(email capture outage\)/)
    expect(tuned.code).toBe(0)
    expect(tuned.stdout).toMatch(/shop: 1 passed, 0 failed, 2 skipped/)

    const shown = await cliInProcess(['tune', 'max_null_rate'], cwd)
    expect(shown.stdout).toMatch(
      /^shop: max_null_rate = 0\.3 \(default 0\.1, in \[0, 0\.5\]\)\n {2}\S+ ana: 0\.1 → 0\.3 \(email capture outage\)\n$/,
    )
    const json = JSON.parse((await cliInProcess(['tune', '--json'], cwd)).stdout) as unknown
    expect(json).toEqual([
      { suite: 'shop', tunables: [{ name: 'max_null_rate', value: 0.3, default: 0.1, min: 0, max: 0.5 }] },
    ])
    const trail = JSON.parse((await cliInProcess(['tune', 'max_null_rate', '--json'], cwd)).stdout) as {
      changes: { who: string; why: string; oldValue: number; newValue: number }[]
    }[]
    expect(trail[0]?.changes.map((c) => [c.who, c.why, c.oldValue, c.newValue])).toEqual([
      ['ana', 'email capture outage', 0.1, 0.3],
    ])
    // Back down, reported as JSON: the re-evaluated run fails again (exit 1).
    const back = await cliInProcess(
      [
        'tune',
        'max_null_rate',
        '0.2',
        '--why',
        'outage over',
        '--who',
        'bo',
        '--reevaluate',
        '--date',
        '2026-11-25',
        '--json',
      ],
      cwd,
    )
    expect(back.code).toBe(1)
    const out = JSON.parse(back.stdout) as {
      change: { who: string }
      report: { summary: { failed: number } }
    }[]
    expect(out[0]?.change.who).toBe('bo')
    expect(out[0]?.report.summary.failed).toBe(1)
    const plain = await cliInProcess(
      ['tune', 'max_null_rate', '0.25', '--why', 'x', '--who', 'cy', '--json'],
      cwd,
    )
    expect((JSON.parse(plain.stdout) as { newValue: number }[])[0]?.newValue).toBe(0.25)
  })
})

const TWO_SUITES = `import { check, DataSource, defineConfig, MetricDB, tunable } from 'dqx'

const minRows = tunable('min_rows', 1, { min: 0, max: 100 })
const rows = check({ name: 'rows', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'enough' }).isGeq(minRows)
})
const plain = check({ name: 'plain', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'some' }).isPositive()
})
const datasources = { orders: DataSource.csv('data/orders.csv') }

export default defineConfig([
  { name: 'tuned', checks: [rows], db: MetricDB.duckdb('metrics.duckdb'), datasources },
  { name: 'plain', checks: [plain], db: MetricDB.duckdb('metrics.duckdb'), datasources },
])
`

describe('dqx tune with several suites', () => {
  it('lists every suite, changes only the suites that declare the tunable, and names them all when none does', async () => {
    const p = project({ 'dqx.config.ts': TWO_SUITES, 'data/orders.csv': ORDERS_CSV }, 'dqx-tune2-')
    cleanups.push(p.cleanup)
    const cwd = p.dir
    const listed = await cliInProcess(['tune'], cwd, { DQX_LOG_LEVEL: 'error' })
    expect(listed.stdout).toBe('tuned\n  min_rows = 1 in [0, 100]\nplain\n  (no tunables)\n')
    const fresh = await cliInProcess(['tune', 'min_rows'], cwd)
    expect(fresh.stdout).toBe('tuned: min_rows = 1 (default 1, in [0, 100])\n  never changed\n')
    const set = await cliInProcess(['tune', 'min_rows', '2', '--why', 'growth', '--who', 'ana'], cwd)
    expect(set.code).toBe(0)
    expect(set.stderr).toMatch(/^✔ tuned: min_rows \S+ ana: 1 → 2 \(growth\)\n$/)
    const again = await cliInProcess(['tune', '--suite', 'tuned', '-v'], cwd)
    expect(again.stdout).toContain('min_rows = 2 (default 1) in [0, 100]')
    const unknown = await cliInProcess(['tune', 'zzz', '1', '--why', 'x', '--who', 'a'], cwd)
    expect(unknown.stderr).toContain("has a tunable 'zzz' (tunables: min_rows)")
    const plainOnly = await cliInProcess(['tune', 'min_rows', '--suite', 'plain'], cwd)
    expect(plainOnly.stderr).toContain("has a tunable 'min_rows' (tunables: none)")
    const never = await cliInProcess(['tune', 'min_rows'], cwd)
    expect(never.stdout).toContain('ana: 1 → 2 (growth)')
  })

  it('a suite the config cannot build is a config error naming the file', async () => {
    const broken = TWO_SUITES.replace(
      "{ name: 'plain', checks: [plain]",
      "{ name: 'plain', checks: [plain], dataAvThreshold: 2",
    )
    const p = project({ 'dqx.config.ts': broken, 'data/orders.csv': ORDERS_CSV }, 'dqx-tune3-')
    cleanups.push(p.cleanup)
    const out = await cliInProcess(['tune'], p.dir)
    expect(out.code).toBe(2)
    expect(out.stderr).toContain('dataAvThreshold must be a number from 0 to 1')
    expect(out.stderr).toContain('dqx.config.ts')
  })
})

describe('profiles in the CLI report', () => {
  it('lists the active profiles and, per assertion, what each changed', async () => {
    const { logger } = captureLogger('warn')
    const suite = new VerificationSuite({
      name: 'shop',
      logger,
      checks: [
        check({ name: 'sales', datasets: ['orders'] }, (mp, ctx) => {
          ctx
            .assertThat(mp.numRows())
            .where({ name: 'rows', tags: ['sale'] })
            .isLt(10)
        }),
      ],
      profiles: [
        seasonalProfile({
          name: 'sale',
          startDate: '2026-11-27',
          endDate: '2026-11-30',
          rules: [tag('sale').scale(0.5).set({ severity: 'P3' })],
        }),
      ],
    })
    const orders = DataSource.fromRecords(Array.from({ length: 12 }, (_, i) => ({ id: i })))
    const opts = { width: 100, colors: picocolors.createColors(false), failOn: 'P1' as const }
    const quiet = formatReport(await suite.run({ orders }, new ResultKey('2026-11-26')), opts)
    expect(quiet).toContain('\nProfiles active: none\n')
    const sale = formatReport(await suite.run({ orders }, new ResultKey('2026-11-28')), opts)
    expect(sale).toContain('\nProfiles active: sale\n  sale › sales › rows: value ×0.5, severity P3\n')
  })
})
