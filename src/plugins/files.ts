import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'

/**
 * Writes a file atomically: the content goes to a temporary file next to the
 * target (same directory, so same file system), which is then renamed over
 * it. Readers see the old file or the new one, never half of one. Parent
 * directories are created; the temporary file is removed on failure.
 */
export async function writeFileAtomic(file: string, content: string, signal?: AbortSignal): Promise<string> {
  const target = resolve(file)
  const dir = dirname(target)
  await mkdir(dir, { recursive: true })
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, content, signal ? { encoding: 'utf8', signal } : { encoding: 'utf8' })
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return target
}
