import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const SCRIPT = resolve('scripts/layers.mjs')
const dirs: string[] = []

/** A throwaway src/ tree from `{ 'core/a.ts': 'source' }`. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dqx-layers-'))
  dirs.push(root)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

function layers(src: string): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(process.execPath, [SCRIPT, src], { encoding: 'utf8' }) }
  } catch (err) {
    const e = err as { status: number; stdout: string }
    return { code: e.status, out: e.stdout }
  }
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('scripts/layers.mjs', () => {
  it('passes the repository as it is', () => {
    const { code, out } = layers(resolve('src'))
    expect(out).toContain('layering: core pure, no cycle between folders')
    expect(code).toBe(0)
  })

  it('fails on a cycle between folders, naming the imports that make it', () => {
    const src = tree({
      'suite/run.ts': "import { p } from '../plugins/p.js'\nexport const run = p\n",
      'plugins/p.ts': "export { run } from '../suite/run.js'\nexport const p = 1\n",
      'core/model.ts': 'export const m = 1\n',
    })
    const { code, out } = layers(src)
    expect(code).toBe(1)
    expect(out).toMatch(/cycle (plugins -> suite -> plugins|suite -> plugins -> suite)/)
    expect(out).toContain('suite/run.ts imports ../plugins/p.js')
    expect(out).toContain('plugins/p.ts imports ../suite/run.js')
    expect(out).toContain('1 layering problem(s)')
  })

  it('fails when src/core imports a layer above it, dynamic imports included', () => {
    const src = tree({
      'core/model.ts': "export const load = () => import('../engine/db.js')\n",
      'engine/db.ts': "import { load } from '../core/model.js'\nexport const db = load\n",
    })
    const { code, out } = layers(src)
    expect(code).toBe(1)
    expect(out).toContain('src/core must stay the pure model: core/model.ts imports ../engine/db.js')
  })

  it('ignores package imports, files directly in src and imports within a folder', () => {
    const src = tree({
      'index.ts': "export * from './core/a.js'\nexport * from './engine/b.js'\n",
      'core/a.ts': "import { z } from 'zod'\nimport { c } from './c.js'\nexport const a = [z, c]\n",
      'core/c.ts': 'export const c = 1\n',
      'engine/b.ts': "import { a } from '../core/a.js'\nexport const b = a\n",
    })
    const { code, out } = layers(src)
    expect(out).toContain('folder imports: engine->core\n')
    expect(code).toBe(0)
  })
})
