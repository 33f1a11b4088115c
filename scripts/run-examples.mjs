#!/usr/bin/env node
// Runs every examples/*.ts (top level only; names starting with `_` are helpers, not examples)
// with tsx, one after another, and fails naming each example that exited non-zero.
// The environment is passed through as is, so DQX_TEST_PG_URL reaches examples that need PostgreSQL.
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

if (files.length === 0) {
  console.log('no examples')
  process.exit(0)
}

const failed = []
for (const name of files) {
  console.log(`\n=== example: ${name} ===`)
  const t0 = performance.now()
  const r = spawnSync('npx', ['tsx', join(dir, name)], {
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

console.log(`\nexamples: ${files.length - failed.length} ok, ${failed.length} failed`)
if (failed.length) {
  console.error(`failed examples: ${failed.join(', ')}`)
  process.exit(1)
}
