// `dqx init`'s install hint: nothing when the project already lists dqx, else a command that
// installs it while dqx is not on the npm registry (its repository URL, or the clone the CLI runs from).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dqxRoot, installHint } from '../../src/cli/init-command.js'
import { type TempDir, tempDir } from '../helpers/data.js'

let dir: TempDir
beforeAll(() => {
  dir = tempDir('dqx-init-hint-')
})
afterAll(() => dir.cleanup())

const project = (name: string, pkg: object | string | undefined): string => {
  const d = join(dir.path, name)
  mkdirSync(join(d, 'sub'), { recursive: true })
  if (pkg !== undefined)
    writeFileSync(join(d, 'package.json'), typeof pkg === 'string' ? pkg : JSON.stringify(pkg))
  return join(d, 'sub')
}

describe('installHint', () => {
  const repoRoot = dqxRoot(fileURLToPath(import.meta.url))

  it('finds dqx’s own package.json upward from a module, and nothing above the filesystem root', () => {
    expect(repoRoot).toBe(join(import.meta.dirname, '..', '..'))
    expect(dqxRoot('/no/such/dir/file.js')).toBeUndefined()
  })

  it('says nothing when the nearest package.json lists dqx', () => {
    expect(
      installHint(project('dev', { devDependencies: { dqx: 'git+file:///x' } }), repoRoot, undefined),
    ).toBeUndefined()
    expect(
      installHint(project('dep', { dependencies: { dqx: '^1.0.0' } }), repoRoot, undefined),
    ).toBeUndefined()
  })

  it('names the repository URL when package.json has one', () => {
    const d = project('none', { name: 'app' })
    expect(installHint(d, repoRoot, { url: 'https://github.com/o/dqx.git' })?.command).toBe(
      'npm install --save-dev git+https://github.com/o/dqx.git',
    )
    expect(installHint(d, repoRoot, 'git+ssh://git@github.com/o/dqx.git')?.command).toBe(
      'npm install --save-dev git+ssh://git@github.com/o/dqx.git',
    )
  })

  it('else the git clone the CLI runs from, else the README', () => {
    const clone = join(dir.path, 'clone')
    mkdirSync(join(clone, '.git'), { recursive: true })
    const d = project('bad-json', '{ not json')
    expect(installHint(d, clone, undefined)).toEqual({
      command: `npm install --save-dev git+file://${clone}`,
      why: 'dqx is not on the npm registry yet; this builds it from source',
    })
    expect(installHint(d, join(dir.path, 'installed-copy'), undefined)?.why).toBe(
      "see the Install section of dqx's README",
    )
    expect(installHint('/', undefined, {})?.command).toBe(
      'npm install --save-dev <dqx git URL or npm pack tarball>',
    )
  })
})
