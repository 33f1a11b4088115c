import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pkg from '../../package.json' with { type: 'json' }
import { DqxError } from '../core/errors.js'
import type { Ui } from './context.js'

export interface InitFlags {
  force: boolean
}

export const STARTER_CONFIG = `// dqx config: \`npx dqx run\` runs the suite(s) exported here. See docs/cli.md.
import { check, DataSource, defineConfig } from 'dqx'

// A check declares assertions on metrics of a dataset; nothing runs until \`dqx run\`.
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx.assertThat(mp.duplicateCount(['order_id'])).where({ name: 'unique order ids', severity: 'P0' }).isZero()
  ctx.assertThat(mp.nullCount('email').div(mp.numRows())).where({ name: 'email null rate' }).isLt(0.2)
  ctx.assertThat(mp.minimum('quantity')).where({ name: 'quantity is positive' }).isPositive()
  ctx.assertThat(mp.average('price')).where({ name: 'average price', severity: 'P2' }).isBetween(1, 500)
})

export default defineConfig({
  name: 'starter',
  checks: [orders],
  // Relative paths resolve from the directory of this file.
  datasources: { orders: DataSource.csv('data/orders.csv') },
})
`

export const STARTER_CSV = `order_id,email,price,quantity,status,created_at
1,ana@example.com,19.99,1,delivered,2026-11-24
2,bo@example.com,5.50,3,shipped,2026-11-24
3,,42.00,1,placed,2026-11-24
4,cy@example.com,12.25,2,delivered,2026-11-25
5,di@example.com,99.90,1,cancelled,2026-11-25
6,ed@example.com,7.80,4,shipped,2026-11-25
7,fa@example.com,23.40,2,placed,2026-11-25
8,gu@example.com,61.00,1,delivered,2026-11-25
`

/** The files `dqx init` writes, relative to the directory it runs in. */
export const STARTER_FILES: Readonly<Record<string, string>> = {
  'dqx.config.ts': STARTER_CONFIG,
  'data/orders.csv': STARTER_CSV,
}

/** `dqx init`: writes a starter config and sample data; refuses to overwrite anything without --force. */
export async function initCommand(flags: InitFlags, ui: Ui): Promise<number> {
  const dir = ui.io.cwd
  const existing = Object.keys(STARTER_FILES).filter((f) => existsSync(join(dir, f)))
  if (existing.length > 0 && !flags.force) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      `dqx init would overwrite ${existing.join(', ')} in ${dir}; pass --force to overwrite`,
    )
  }
  const c = ui.out
  for (const [name, text] of Object.entries(STARTER_FILES)) {
    const file = join(dir, name)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
    ui.io.stdout.write(
      `${c.green(existing.includes(name) ? 'overwrote' : 'created')} ${relative(dir, file)}\n`,
    )
  }
  const install = installHint(
    dir,
    dqxRoot(fileURLToPath(import.meta.url)),
    (pkg as { repository?: { url?: string } }).repository,
  )
  const steps = install
    ? [`${install.command}   ${c.dim(`# ${install.why}`)}`, 'npx dqx run']
    : ['npx dqx run']
  ui.io.stdout.write(`\nNext steps:\n${steps.map((s) => `  ${s}\n`).join('')}`)
  return 0
}

export interface InstallHint {
  command: string
  why: string
}

/**
 * The command that adds dqx to the project in `dir`, or undefined when its package.json already
 * lists dqx. Until dqx's first release on the npm registry, `npm install dqx` installs nothing
 * useful: the hint names the git repository (package.json `repository`), else the clone this CLI
 * runs from, else points at the README's install section.
 */
export function installHint(
  dir: string,
  root: string | undefined,
  repository: { url?: string } | string | undefined,
): InstallHint | undefined {
  const project = nearestPackageJson(dir)
  if (project) {
    const deps = { ...project.dependencies, ...project.devDependencies }
    if ('dqx' in deps) return undefined
  }
  const why = 'dqx is not on the npm registry yet; this builds it from source'
  const url = typeof repository === 'string' ? repository : repository?.url
  if (url) return { command: `npm install --save-dev ${url.startsWith('git+') ? url : `git+${url}`}`, why }
  if (root !== undefined && existsSync(join(root, '.git'))) {
    return { command: `npm install --save-dev git+file://${root}`, why }
  }
  return {
    command: 'npm install --save-dev <dqx git URL or npm pack tarball>',
    why: "see the Install section of dqx's README",
  }
}

interface ProjectPackage {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

function nearestPackageJson(dir: string): ProjectPackage | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const file = join(d, 'package.json')
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as ProjectPackage
      } catch {
        return undefined
      }
    }
    if (dirname(d) === d) return undefined
  }
}

/** The directory of dqx's own package.json, found upward from this module (dist/ or src/cli/). */
export function dqxRoot(from: string): string | undefined {
  for (let d = dirname(from); dirname(d) !== d; d = dirname(d)) {
    const file = join(d, 'package.json')
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'dqx')
      return d
  }
  return undefined
}
