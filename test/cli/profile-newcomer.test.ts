// The README's newcomer flow, literally, through the built binary as npm installs it:
//   npx dqx profile data/orders.parquet --write dqx.config.ts && npx dqx run && npx dqx report
// in a fresh directory holding only the example data and node_modules/.bin/dqx (no network:
// npx finds the local bin). When dist/ is stale, the CLI is built into node_modules/.cache
// instead (as test/cli/built.test.ts does), so dist/ is never rewritten under other tests.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childEnv, distIsFresh, project, REPO, spawnCli } from './helpers.js'

let cli: string
const cleanups: (() => void)[] = []

beforeAll(() => {
  if (distIsFresh()) {
    cli = join(REPO, 'dist', 'cli.js')
    return
  }
  const outDir = join(REPO, 'node_modules', '.cache', 'dqx-cli-build')
  const r = spawnSync(
    join(REPO, 'node_modules', '.bin', 'tsup'),
    ['--out-dir', outDir, '--no-dts', '--silent'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  )
  if (r.status !== 0) throw new Error(`tsup failed: ${r.stderr}${r.stdout}`)
  cli = join(outDir, 'cli.js')
}, 120_000)

afterAll(() => {
  for (const c of cleanups) c()
})

describe('the newcomer flow', () => {
  it('profile --write, run and report work on the example data in an empty directory', async () => {
    const p = project({}, 'dqx-newcomer-')
    cleanups.push(p.cleanup)
    mkdirSync(join(p.dir, 'data'))
    copyFileSync(
      join(REPO, 'examples', 'newcomer', 'data', 'orders.parquet'),
      join(p.dir, 'data', 'orders.parquet'),
    )
    mkdirSync(join(p.dir, 'node_modules', '.bin'), { recursive: true })
    symlinkSync(cli, join(p.dir, 'node_modules', '.bin', 'dqx'))

    const r = await spawnCli(
      'sh',
      ['-c', 'npx dqx profile data/orders.parquet --write dqx.config.ts && npx dqx run && npx dqx report'],
      p.dir,
      childEnv({ npm_config_offline: 'true', npm_config_update_notifier: 'false' }),
    )
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    // profile: the table and the written config.
    expect(r.stdout).toContain('orders parquet data/orders.parquet: 2,000 rows, 7 columns')
    expect(r.stderr).toContain('wrote dqx.config.ts with')
    // run: every suggested check held (the row-count anomaly check waits for history).
    expect(r.stdout).toMatch(/✔ orders: \d+ passed, 0 failed, 1 skipped/)
    // report: one self-contained HTML file.
    const file = join(p.dir, 'dqx-report', 'index.html')
    expect(r.stdout).toContain(file)
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('<table id="assertions-0" class="assertions">')
    expect(html).toContain('<svg class="chart"')
    expect(html).not.toMatch(/(src|href)=["']?https?:/)
  }, 120_000)
})
