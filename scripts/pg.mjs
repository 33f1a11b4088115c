#!/usr/bin/env node
// Throwaway PostgreSQL cluster for tests, CI and examples.
//
//   node scripts/pg.mjs start [--owner PID]
//       -> prints `export DQX_TEST_PG_URL=...` and `export DQX_TEST_PG_DIR=...`, meant for
//          `eval "$(node scripts/pg.mjs start --owner $$)"`. PID (default: our parent) is the process
//          whose death makes the cluster stale; inside $(...) our parent is a short-lived subshell,
//          so pass the shell's $$.
//   node scripts/pg.mjs stop DIR -> stops that cluster and deletes DIR (no-op if already gone)
//   node scripts/pg.mjs sweep   -> stops/deletes clusters left behind by crashed runs
//
// Also imported by test/setup/global.ts (startPg / stopPg).
//
// Each cluster lives in its own mkdtemp dir (data/, socket, log) and listens on a free
// port on 127.0.0.1 only, so a stale cluster from a crashed run never collides with a new one.
// Postgres refuses to run as root: as root we run initdb/pg_ctl as the `postgres` user.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, sweepStale } from './server-process.mjs'

const DB = 'dqx_test'
const SUPERUSER = 'postgres'
const PREFIX = 'dqx-pg-'
const isRoot = process.getuid?.() === 0

// Where initdb/pg_ctl/createdb live: PG_BIN if set (PG_BIN=/nonexistent simulates a machine without
// PostgreSQL), else the newest /usr/lib/postgresql/<ver>/bin (Debian layout), else a PATH directory
// holding both initdb and pg_ctl (Homebrew, most other layouts). Undefined when none has them.
function findPgBin() {
  const hasServer = (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))
  if (process.env.PG_BIN) return hasServer(process.env.PG_BIN) ? process.env.PG_BIN : undefined
  const base = '/usr/lib/postgresql'
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => hasServer(join(base, v, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length) return join(base, versions[0], 'bin')
  return (process.env.PATH ?? '').split(delimiter).find((d) => d !== '' && hasServer(d))
}

/** Why no cluster can be started here (no server binaries), or undefined when one can. */
export function pgServerMissing() {
  if (findPgBin() !== undefined) return undefined
  return process.env.PG_BIN
    ? `no initdb and pg_ctl in PG_BIN=${process.env.PG_BIN}`
    : 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/<version>/bin or on PATH'
}

function pgBin() {
  const bin = findPgBin()
  if (bin === undefined) throw new Error(`${pgServerMissing()} (set PG_BIN)`)
  return bin
}

// Run a PG server binary, as the postgres user when we are root. cwd is the cluster dir because
// postgres/pg_ctl fail when they cannot access the caller's cwd (e.g. /root).
function run(dir, tool, args) {
  const cmd = join(pgBin(), tool)
  const [file, argv] = isRoot ? ['runuser', ['-u', SUPERUSER, '--', cmd, ...args]] : [cmd, args]
  const r = spawnSync(file, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0) {
    const why = r.error?.message ?? `${r.stderr}${r.stdout}`.trim()
    throw new Error(`${tool} ${args.join(' ')} failed (exit ${r.status}): ${why}`)
  }
  return r.stdout
}

// As root the cluster files must belong to `postgres`; create that system user if the image lacks it.
function postgresIds() {
  const id = (flag) => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/sh', SUPERUSER])
    return { uid: id('-u'), gid: id('-g') }
  }
}

/**
 * Start a cluster. `owner` is the pid whose death marks the cluster as stale for `sweep`
 * (the vitest main process, or the calling shell for the CLI).
 * Returns { url, dir, port, ms }.
 */
export async function startPg({ owner = process.pid } = {}) {
  const t0 = performance.now()
  sweepPg()
  const dir = mkdtempSync(join(tmpdir(), PREFIX))
  writeFileSync(join(dir, 'owner.pid'), String(owner))
  try {
    if (isRoot) {
      const { uid, gid } = postgresIds()
      chownSync(dir, uid, gid)
    }
    const data = join(dir, 'data')
    // --no-sync and fsync=off: the data is throwaway, durability only costs time.
    run(dir, 'initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
    // Another process may grab the port between freePort() and postgres binding it: retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const opts = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`
      try {
        run(dir, 'pg_ctl', ['start', '-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', opts])
      } catch (e) {
        if (attempt >= 3) throw new Error(`${e.message}\n--- server log ---\n${readLog(dir)}`)
        continue
      }
      // createdb is a client: it may run as anyone, over TCP with trust auth.
      execFileSync(join(pgBin(), 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, DB], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/${DB}`
      return { url, dir, port, ms: Math.round(performance.now() - t0) }
    }
  } catch (e) {
    stopPg(dir)
    throw e
  }
}

const readLog = (dir) => {
  try {
    return readFileSync(join(dir, 'log'), 'utf8')
  } catch {
    return '(no log)'
  }
}

/** Stop the cluster in `dir` (immediate mode: nothing to keep) and delete it. Never throws. */
export function stopPg(dir) {
  const t0 = performance.now()
  if (!dir || !existsSync(dir)) return 0
  const data = join(dir, 'data')
  if (existsSync(join(data, 'postmaster.pid'))) {
    try {
      run(dir, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '30'])
    } catch {
      // pg_ctl failed (binaries gone, half-dead server): kill the postmaster by its pid file.
      try {
        const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
        if (pid > 0) process.kill(pid, 'SIGKILL')
      } catch {}
    }
  }
  try {
    rmSync(dir, { recursive: true, force: true })
  } catch {} // e.g. another user's cluster: not ours to delete
  return Math.round(performance.now() - t0)
}

/** Stop and delete clusters whose owner process is gone (a crashed or killed run). */
export function sweepPg() {
  sweepStale(PREFIX, stopPg)
}

// CLI
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, arg, ownerArg] = process.argv.slice(2)
  if (cmd === 'start') {
    // The caller (a shell) owns the cluster, not this short-lived node process.
    const owner = arg === '--owner' ? Number(ownerArg) : process.ppid
    const { url, dir, ms } = await startPg({ owner })
    console.error(`postgres started in ${ms} ms: ${url} (${dir})`)
    console.log(`export DQX_TEST_PG_URL='${url}'\nexport DQX_TEST_PG_DIR='${dir}'`)
  } else if (cmd === 'stop') {
    const ms = stopPg(arg ?? process.env.DQX_TEST_PG_DIR)
    console.error(`postgres stopped in ${ms} ms`)
  } else if (cmd === 'sweep') {
    sweepPg()
  } else {
    console.error('usage: node scripts/pg.mjs start [--owner PID] | stop [DIR] | sweep')
    process.exit(2)
  }
}
