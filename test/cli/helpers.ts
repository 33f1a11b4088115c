import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '../../src/cli/run.js'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** A temp directory with the given files (paths relative to it); removed by `cleanup()`. */
export function project(
  files: Record<string, string>,
  prefix = 'dqx-cli-',
): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A stream that keeps what is written; optionally pretends to be a terminal of `columns` width. */
export function sink(tty?: { columns: number }): {
  write(s: string): boolean
  isTTY?: boolean
  columns?: number
  text: string
} {
  const s = {
    text: '',
    write(chunk: string) {
      s.text += chunk
      return true
    },
  }
  return tty ? Object.assign(s, { isTTY: true, columns: tty.columns }) : s
}

/** Runs the CLI in this process (counts toward coverage). */
export async function cliInProcess(
  argv: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const stdout = sink()
  const stderr = sink()
  const code = await runCli(argv, { stdout, stderr, cwd, env: { CI: 'true', ...env } })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

/** Environment for child processes: no colors, no TTY tricks, quiet logs. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...extra }
  delete env.FORCE_COLOR
  delete env.DQX_LOG_LEVEL
  return env
}

/** Spawns `node <args>` (or any command) and collects its output and exit code. */
export function spawnCli(command: string, args: string[], cwd: string, env = childEnv()): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', fail)
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }))
  })
}

const TSX = join(REPO, 'node_modules', '.bin', 'tsx')
const MAIN = join(REPO, 'src', 'cli', 'main.ts')

/** Runs `tsx src/cli/main.ts …` as a child process (the source CLI, without a build). */
export function cliTsx(argv: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return spawnCli(TSX, [MAIN, ...argv], cwd, env)
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

/** True when dist/cli.js exists and is newer than every source file, package.json and tsup.config.ts. */
export function distIsFresh(): boolean {
  try {
    const built = statSync(join(REPO, 'dist', 'cli.js')).mtimeMs
    const inputs = Math.max(
      newestMtime(join(REPO, 'src')),
      statSync(join(REPO, 'package.json')).mtimeMs,
      statSync(join(REPO, 'tsup.config.ts')).mtimeMs,
    )
    return built >= inputs
  } catch {
    return false
  }
}

/** A CSV of orders: 4 rows, one null email, prices 5..40. */
export const ORDERS_CSV = `order_id,email,price,quantity,status
1,a@example.com,10.5,1,placed
2,b@example.com,5,2,shipped
3,,40,1,delivered
4,d@example.com,20,3,shipped
`

/**
 * A dqx.config.ts over data/orders.csv whose check body is `assertions`
 * (statements using `mp` and `ctx`), plus `extra` top-level config entries.
 */
export function configTs(assertions: string, extra = ''): string {
  return `import { check, DataSource, defineConfig } from 'dqx'

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
${assertions}
})

export default defineConfig({
  name: 'shop',
  checks: [orders],
  datasources: { orders: DataSource.csv('data/orders.csv') },
${extra}
})
`
}

export const PASSING = `  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.average('price')).where({ name: 'avg price' }).isBetween(1, 100)`

export const P0_FAILING = `  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.nullCount('email')).where({ name: 'no null emails', severity: 'P0' }).isZero()`

export const P2_FAILING = `  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.maximum('price')).where({ name: 'max price', severity: 'P2' }).isLt(30)
  ctx.assertThat(mp.minimum('price')).where({ name: 'min price', severity: 'P3' }).isGt(6)`

/**
 * The built binary: dist/cli.js when it is newer than the sources, else the same tsup config built
 * into node_modules/.cache/dqx-cli-build (dist/, which other tests read, is never rewritten).
 */
export function builtCli(): string {
  if (distIsFresh()) return join(REPO, 'dist', 'cli.js')
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
  return join(outDir, 'cli.js')
}
