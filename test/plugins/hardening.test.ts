// Small hardening points of the network and file plugins: Retry-After that is not a whole number
// of seconds or an HTTP date is ignored, a combined abort signal on every Node 20 (with or without
// AbortSignal.any), and durable atomic writes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { anySignal, parseRetryAfter } from '../../src/plugins/delivery.js'
import { syncDirectory, writeFileAtomic } from '../../src/plugins/files.js'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T12:00:00Z')
  it('reads whole delta-seconds and HTTP dates; ignores anything else', () => {
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0) // in the past: at once
    for (const bad of ['1.5', '-1', '1e3', '2026-11-25', 'soon', 'Wed, 99 Foo', '', '   ', null]) {
      expect(parseRetryAfter(bad, now), String(bad)).toBeUndefined()
    }
  })
})

describe('anySignal', () => {
  for (const [label, native] of [
    ['native AbortSignal.any', AbortSignal.any.bind(AbortSignal)],
    ['the fallback for Node < 20.3', undefined],
  ] as const) {
    it(`${label}: aborts with the first signal's reason`, () => {
      const a = new AbortController()
      const b = new AbortController()
      const any = anySignal([a.signal, b.signal], native)
      expect(any.aborted).toBe(false)
      b.abort(new Error('b first'))
      a.abort(new Error('a later'))
      expect(any.aborted).toBe(true)
      expect((any.reason as Error).message).toBe('b first')
      const done = new AbortController()
      done.abort('already')
      expect(anySignal([new AbortController().signal, done.signal], native).reason).toBe('already')
    })
  }
})

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dqx-atomic-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes through a synced temporary file and syncs the directory; leaves no temporary file', async () => {
    const file = join(dir, 'nested', 'report.json')
    expect(await writeFileAtomic(file, 'one')).toBe(file)
    await writeFileAtomic(file, 'two ✓')
    expect(readFileSync(file, 'utf8')).toBe('two ✓')
    expect(readdirSync(join(dir, 'nested'))).toEqual(['report.json'])
    expect(await syncDirectory(join(dir, 'nested'))).toBe(true)
    // Where a directory cannot be opened there is nothing to sync, and no error.
    expect(await syncDirectory(join(dir, 'missing'))).toBe(false)
  })

  it('removes the temporary file when the write is aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    const file = join(dir, 'aborted.json')
    await expect(writeFileAtomic(file, 'x'.repeat(1 << 20), ac.signal)).rejects.toThrow()
    expect(existsSync(file)).toBe(false)
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([])
  })
})
