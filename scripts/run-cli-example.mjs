#!/usr/bin/env node
// Runs the CLI example through the BUILT binary, as a user's `npx dqx` would:
//   node dist/cli.js run --config examples/cli/dqx.config.ts
// and checks the exit codes: 0 by default (the example's only failing assertion is P2, below the
// default --fail-on P1), 1 with --fail-on P2, and that --json prints one parseable report.
// Needs `npm run build` first. Exits non-zero naming what did not match.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const CLI = 'dist/cli.js'
const CONFIG = 'examples/cli/dqx.config.ts'
const DATE = '2026-11-25'

if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: run \`npm run build\` first`)
  process.exit(1)
}

const cases = [
  { args: ['run', '--config', CONFIG, '--date', DATE], expect: 0, show: true },
  { args: ['run', '--config', CONFIG, '--date', DATE, '--fail-on', 'P2'], expect: 1 },
  { args: ['run', '--config', CONFIG, '--date', DATE, '--json'], expect: 0, json: true },
]

const problems = []
for (const c of cases) {
  const cmd = `node ${CLI} ${c.args.join(' ')}`
  console.log(`$ ${cmd}`)
  const r = spawnSync('node', [CLI, ...c.args], { encoding: 'utf8', timeout: 120_000 })
  if (c.show) process.stdout.write(r.stdout + r.stderr)
  if (r.status !== c.expect) {
    problems.push(`${cmd}: exit ${r.status ?? r.signal}, expected ${c.expect}\n${r.stderr}`)
    continue
  }
  if (c.json) {
    try {
      const report = JSON.parse(r.stdout)
      if (report.suiteName !== 'shop')
        problems.push(`${cmd}: suiteName is ${report.suiteName}, expected shop`)
    } catch (err) {
      problems.push(`${cmd}: stdout is not JSON (${err.message})`)
    }
  }
  console.log(`  exit ${r.status} as expected`)
}

if (problems.length > 0) {
  console.error(`\nCLI example FAILED:\n${problems.join('\n')}`)
  process.exit(1)
}
console.log('CLI example ok')
