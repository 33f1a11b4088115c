// Every code block in README.md and docs/*.md marked ```ts runnable is run, as a user would run it
// (docs/writing-docs.md): written to a fresh temp dir that holds the sample data files below, where
// `dqx` resolves to this package (its package.json exports, so dist/ as built by `prepare`), and
// run with tsx. A block that throws or exits non-zero fails its test.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { duckdbRun, type TempDir, tempDir } from '../helpers/data.js'

const ROOT = join(import.meta.dirname, '..', '..')
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')
const run = promisify(execFile)

interface Block {
  file: string
  line: number
  code: string
}

/** The ```ts runnable blocks of one markdown file, with the line each starts on. */
function runnableBlocks(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
  const blocks: Block[] = []
  let quoted = false
  for (let i = 0; i < lines.length; i++) {
    // A block shown inside a ````md fence is an example of the marker, not a runnable block.
    if ((lines[i] as string).startsWith('````')) quoted = !quoted
    if (quoted || !/^```(ts|typescript) runnable\s*$/.test(lines[i] as string)) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
    blocks.push({ file, line: i + 1, code: lines.slice(i + 1, end).join('\n') })
    i = end
  }
  return blocks
}

const files = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]
const blocks = files.flatMap(runnableBlocks)

let dir: TempDir
beforeAll(async () => {
  dir = tempDir('dqx-doc-blocks-')
  // The sample data the documented snippets read, relative to their working directory.
  mkdirSync(dir.file('data/orders'), { recursive: true })
  const orders = `SELECT i AS id, 'c' || (i % 7) AS customer, CASE WHEN i % 11 = 0 THEN NULL ELSE 'u' || i || '@example.com' END AS email,
    round(5 + (i % 40) * 1.25, 2) AS price, round(20 + (i % 13) * 3.5, 2) AS revenue,
    (['new', 'paid', 'shipped'])[1 + i % 3] AS status, DATE '2026-11-25' AS day
    FROM range(1, 201) t(i)`
  await duckdbRun(`COPY (${orders}) TO '${dir.file('data/orders/part-0.parquet')}' (FORMAT parquet)`)
  await duckdbRun(`COPY (${orders}) TO '${dir.file('data/orders.csv')}' (HEADER, DELIMITER ',')`)
  writeFileSync(
    dir.file('data/sensors.csv'),
    'station;reading;note\nA;12.5;ok\nB;NA;NA\nC;14;\nD;N/A;gusty\n',
  )
  mkdirSync(dir.file('node_modules'))
  symlinkSync(ROOT, dir.file('node_modules/dqx'), 'dir')
})
afterAll(() => dir?.cleanup())

describe('runnable documentation blocks', () => {
  it('README and getting-started have runnable blocks, and dqx is built for them', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0)
    expect(blocks.filter((b) => b.file === 'docs/getting-started.md').length).toBeGreaterThan(0)
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'dist/ is missing: run `npm run build`').toBe(true)
  })

  it.each(blocks.map((b) => [`${b.file}:${b.line}`, b] as const))('%s', async (_, block) => {
    const file = dir.file(`block-${block.file.replace(/\W/g, '_')}-${block.line}.mts`)
    writeFileSync(file, block.code)
    const result = await run(TSX, [file], { cwd: dir.path, env: { ...process.env, NO_COLOR: '1' } }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? 1, stderr: e.stderr ?? String(e) }),
    )
    expect(result.code, result.stderr).toBe(0)
  })
})
