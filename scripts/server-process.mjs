// What the throwaway test servers (scripts/pg.mjs, scripts/clickhouse.mjs) share: a free loopback
// port, whether an owner process still lives, and sweeping the directories of dead owners.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// A killed owner can linger as a zombie until its parent reaps it; kill(pid, 0) still succeeds
// on zombies, so on Linux also check the process state in /proc.
export const isAlive = (pid) => {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return e.code === 'EPERM'
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.[0] !== 'Z'
  } catch {
    return true
  }
}

/**
 * Stops (with `stop(dir)`) every server directory `<tmpdir>/<prefix>*` whose owner process (its
 * `owner.pid`) is gone: a crashed or killed run. Best effort: a directory that vanished meanwhile
 * or is not ours is skipped.
 */
export function sweepStale(prefix, stop) {
  const base = tmpdir()
  for (const name of readdirSync(base)) {
    if (!name.startsWith(prefix)) continue
    const dir = join(base, name)
    try {
      let owner = 0
      try {
        owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'))
      } catch {
        // No owner file yet: maybe another start is between mkdtemp and writing it. Leave young dirs alone.
        if (Date.now() - statSync(dir).mtimeMs < 60_000) continue
      }
      if (owner > 0 && isAlive(owner)) continue
      stop(dir)
    } catch {}
  }
}
