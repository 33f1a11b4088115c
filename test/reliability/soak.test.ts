// The soak script in its quick form: 50 runs with 20 misbehaving plugins in one child process.
// It must report its heap figures, stay within its heap bound, and exit by itself — the script
// never calls process.exit(), so a leaked timer, socket or database handle would keep it alive
// until this test kills it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO, runTs } from './helpers.js'

const SCRIPT = join(REPO, 'scripts/soak.ts')
const LIMIT_MS = 50_000

const figure = (stdout: string, label: RegExp): number => {
  const m = new RegExp(`^soak: ${label.source}: ([\\d.]+) MB$`, 'm').exec(stdout)
  if (!m) throw new Error(`no '${label.source}' line in:\n${stdout}`)
  return Number(m[1])
}

describe('scripts/soak.ts', () => {
  it('50 runs: exit 0 by itself, heap figures printed and within the bound', {
    timeout: LIMIT_MS + 10_000,
  }, async () => {
    const [soak, noGc, badArgs] = await Promise.all([
      runTs(SCRIPT, ['--runs', '50'], { nodeFlags: ['--expose-gc'], limitMs: LIMIT_MS }),
      runTs(SCRIPT, ['--runs', '1'], { limitMs: LIMIT_MS }),
      runTs(SCRIPT, ['--runs', '0'], { nodeFlags: ['--expose-gc'], limitMs: LIMIT_MS }),
    ])
    // Exited by itself (not killed by runTs's limit), successfully, well within the bound.
    expect(soak.signal, soak.stderr).toBeNull()
    expect(soak.code, `${soak.stdout}\n${soak.stderr}`).toBe(0)
    expect(soak.ms).toBeLessThan(LIMIT_MS)

    const out = soak.stdout
    const start = figure(out, /heap at start/)
    const warm = figure(out, /heap after warm-up \(5 runs\)/)
    const end = figure(out, /heap at end \(50 runs\)/)
    for (const mb of [start, warm, end]) expect(mb).toBeGreaterThan(1)
    expect(end).toBeLessThanOrEqual(warm * 1.2 + 5)
    expect(out).toMatch(
      /^soak: 50 runs in [\d.]+ s \([\d.]+ runs\/s\); 300 results processed, 550 onPluginError calls/m,
    )
    expect(out).toMatch(/^soak: OK: heap /m)
    expect(out).not.toContain('FAIL')

    // Failures are reported with a non-zero exit code, still without process.exit().
    expect(noGc.code).toBe(2)
    expect(noGc.stdout).toContain('run node with --expose-gc')
    expect(badArgs.code).toBe(2)
    expect(badArgs.stdout).toContain('--runs must be a positive integer')
  })

  it('never calls process.exit(), so its ending proves that no handle is left open', () => {
    const source = readFileSync(SCRIPT, 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('//'))
      .join('\n')
    expect(source).not.toMatch(/process\.exit\(/)
    expect(source).not.toMatch(/\.unref\(/)
  })

  it('is wired as `npm run soak`', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    expect(pkg.scripts.soak).toBe('node --expose-gc --import tsx scripts/soak.ts')
  })
})
