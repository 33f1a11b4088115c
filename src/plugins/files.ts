import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'

/**
 * Flushes a directory's entries (a rename into it) to disk. Where a directory cannot be opened or
 * synced (Windows, some network file systems) there is nothing more to do, and no error.
 */
export async function syncDirectory(dir: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
    return true
  } catch {
    return false
  } finally {
    await handle?.close()
  }
}

/**
 * Writes a file atomically and durably: the content goes to a temporary file next to the target
 * (same directory, so same file system) and is fsynced before the rename over the target, and the
 * directory is fsynced after it — so after a crash or power loss readers see the old file or the
 * new one, never an empty or half one. Parent directories are created; the temporary file is
 * removed on failure.
 */
export async function writeFileAtomic(file: string, content: string, signal?: AbortSignal): Promise<string> {
  const target = resolve(file)
  const dir = dirname(target)
  await mkdir(dir, { recursive: true })
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(content, signal ? { encoding: 'utf8', signal } : { encoding: 'utf8' })
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await syncDirectory(dir)
  return target
}
