import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pkg from '../../package.json' with { type: 'json' }
import { builtCli, childEnv, configTs, ORDERS_CSV, P0_FAILING, project, REPO, spawnCli } from './helpers.js'

let cli: string
const cleanups: (() => void)[] = []

beforeAll(() => {
  cli = builtCli()
}, 120_000)

afterAll(() => {
  for (const c of cleanups) c()
})

describe('the built CLI (node dist/cli.js)', () => {
  it('is the package bin, with a shebang', () => {
    expect(pkg.bin.dqx).toBe('./dist/cli.js')
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('runs the shipped example from the repository root and exits 0 (its only failure is P2)', async () => {
    const r = await spawnCli(
      'node',
      [cli, 'run', '--config', 'examples/cli/dqx.config.ts', '--date', '2026-11-25'],
      REPO,
    )
    expect(r.stderr).not.toContain('dqx error')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('✔ shop: 8 passed, 1 failed (P2: 1), 0 skipped')
    // Datasets are scanned concurrently: each shows up, in either order.
    expect(r.stderr).toMatch(/shop: scanning orders( \+1)? \([12]\/2\)…/)
    expect(r.stderr).toMatch(/shop: scanning customers( \+1)? \([12]\/2\)…/)
    expect(r.stderr).toContain('✔ shop: scanned 2 datasets')
    expect(r.stderr).toContain("dqx audit — suite 'shop'")
    const strict = await spawnCli(
      'node',
      [cli, 'run', '-c', 'examples/cli/dqx.config.ts', '--fail-on', 'P2'],
      REPO,
    )
    expect(strict.code).toBe(1)
  })

  it('prints parseable JSON only on stdout, and exits 1 on a P0 failure', async () => {
    const p = project({ 'dqx.config.ts': configTs(P0_FAILING), 'data/orders.csv': ORDERS_CSV })
    cleanups.push(p.cleanup)
    const r = await spawnCli('node', [cli, 'run', '--json', '--tag', 'env=ci'], p.dir, childEnv())
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.key.tags).toEqual({ env: 'ci' })
    expect(report.summary.failuresBySeverity.P0).toBe(1)
  })

  it('exits 2 on an unknown flag and prints its version', async () => {
    const bad = await spawnCli('node', [cli, 'run', '--nope'], REPO)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("error: unknown option '--nope'")
    const v = await spawnCli('node', [cli, '--version'], REPO)
    expect(v).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })
})
