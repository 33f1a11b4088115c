#!/usr/bin/env node
// Runs every examples/*.ts (top level only; names starting with `_` are helpers, not examples)
// with tsx, one after another, and fails naming each example that exited non-zero.
// The environment is passed through as is, so DQX_TEST_PG_URL reaches examples that need PostgreSQL.
// Last, it runs the CLI example (examples/cli) through the built binary: scripts/run-cli-example.mjs.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = 'examples'
const TIMEOUT_MS = 5 * 60_000 // an example hanging must not eat CI's 90 minutes

const files = existsSync(dir)
  ? readdirSync(dir, { withFileTypes: true })
      .filter(
        (e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.startsWith('_'),
      )
      .map((e) => e.name)
      .sort()
  : []

const jobs = files.map((name) => ({ name, command: 'npx', args: ['tsx', join(dir, name)] }))
if (existsSync(join(dir, 'cli', 'dqx.config.ts'))) {
  jobs.push({
    name: 'cli/dqx.config.ts (node dist/cli.js)',
    command: 'node',
    args: ['scripts/run-cli-example.mjs'],
  })
}

if (jobs.length === 0) {
  console.log('no examples')
  process.exit(0)
}

const failed = []
for (const { name, command, args } of jobs) {
  console.log(`\n=== example: ${name} ===`)
  const t0 = performance.now()
  const r = spawnSync(command, args, {
    stdio: 'inherit',
    env: process.env,
    timeout: TIMEOUT_MS,
  })
  const secs = ((performance.now() - t0) / 1000).toFixed(1)
  if (r.status === 0) {
    console.log(`=== ${name}: ok (${secs}s) ===`)
  } else {
    const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`
    console.log(`=== ${name}: FAILED (${why}, ${secs}s) ===`)
    failed.push(name)
  }
}

console.log(`\nexamples: ${jobs.length - failed.length} ok, ${failed.length} failed`)
if (failed.length) {
  console.error(`failed examples: ${failed.join(', ')}`)
  process.exit(1)
}
