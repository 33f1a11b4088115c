#!/usr/bin/env node
// Prints CI's closing line `tests: N passed, M failed` from vitest's JSON reporter output.
// Usage: node scripts/test-summary.mjs <vitest.json>
// A missing or unreadable file (vitest crashed before writing it) counts as nothing run: 0 passed,
// 0 failed, exit 1 — .ci/run has already failed in that case and this only keeps the line's shape.
import { readFileSync } from 'node:fs'

const file = process.argv[2]
let passed = 0
let failed = 0
let ok = true
try {
  const report = JSON.parse(readFileSync(file, 'utf8'))
  passed = report.numPassedTests ?? 0
  failed = report.numFailedTests ?? 0
  // A file that fails to load or whose hooks throw fails no test: name it, or the line reads "0 failed".
  for (const file of report.testResults ?? []) {
    const anyFailed = file.assertionResults?.some((a) => a.status === 'failed')
    if (file.status === 'failed' && !anyFailed) {
      console.log(`test file failed outside its tests: ${file.name}: ${(file.message ?? '').split('\n')[0]}`)
    }
  }
} catch (e) {
  console.error(`test-summary: no usable vitest report at ${file}: ${e.message}`)
  ok = false
}
console.log(`tests: ${passed} passed, ${failed} failed`)
process.exit(ok ? 0 : 1)
