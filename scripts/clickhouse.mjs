#!/usr/bin/env node
// Two throwaway ClickHouse servers forming a two-shard cluster, for tests, CI and the bench.
//
//   node scripts/clickhouse.mjs start [--owner PID]
//       -> prints `export DQX_TEST_CH_URL=...`, `export DQX_TEST_CH_URL2=...` and
//          `export DQX_TEST_CH_DIR=...`, meant for `eval "$(node scripts/clickhouse.mjs start --owner $$)"`.
//   node scripts/clickhouse.mjs stop DIR -> stops both servers (by PID) and deletes DIR
//   node scripts/clickhouse.mjs sweep   -> stops/deletes server pairs left behind by crashed runs
//
// Also imported by test/setup/clickhouse.ts and bench/ (startClickHouse, stopClickHouse,
// createDistributedTable, chQuery).
//
// Each pair lives in its own mkdtemp dir (config, data, tmp and logs per server) and listens on
// free ports on 127.0.0.1 only. The config declares the cluster `dqx_two_shards`: shard 1 is the
// first server, shard 2 the second, so a Distributed table on either server reads both. Debian's
// package is ClickHouse 18.16 (config root `<yandex>`); newer servers accept the same file.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, isAlive, sweepStale } from './server-process.mjs'

export const CLUSTER = 'dqx_two_shards'
/** A user with a password, for tests of authentication and of secrets kept out of messages. */
export const PASSWORD_USER = { username: 'dqx', password: 'dqx-ch-secret-7f3a' }
const PREFIX = 'dqx-ch-'

function serverBin() {
  if (process.env.CLICKHOUSE_SERVER) return process.env.CLICKHOUSE_SERVER
  for (const p of ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse']) {
    if (existsSync(p)) return p
  }
  throw new Error(
    'clickhouse-server not found (apt-get install -y clickhouse-server, or set CLICKHOUSE_SERVER)',
  )
}

const replica = (port) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`

function configXml(dir, ports, tcpPorts) {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <builtin_dictionaries_reload_interval>0</builtin_dictionaries_reload_interval>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
  <remote_servers><${CLUSTER}>${tcpPorts.map(replica).join('')}</${CLUSTER}></remote_servers>
</yandex>
`
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage><log_queries>1</log_queries></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${PASSWORD_USER.username}><password>${PASSWORD_USER.password}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></${PASSWORD_USER.username}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`

/** Runs one statement over HTTP as `default`; resolves to the response text. */
export async function chQuery(url, sql) {
  const res = await fetch(url, { method: 'POST', body: sql })
  const text = await res.text()
  if (!res.ok) throw new Error(`ClickHouse ${url}: ${text.trim()} (in: ${sql.slice(0, 200)})`)
  return text
}

async function waitReady(url, pid, dir, name) {
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      const res = await fetch(`${url}/ping`)
      if (res.ok) return
    } catch {}
    if (!isAlive(pid) || Date.now() > deadline) {
      throw new Error(`clickhouse-server ${name} did not start:\n${readLog(join(dir, 'error.log'))}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

const readLog = (file) => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')
  } catch {
    return '(no log)'
  }
}

/**
 * Start two servers forming the cluster. Returns { url, url2, dir, ms }: `url` is shard 1's HTTP
 * endpoint, `url2` shard 2's. `owner` is the pid whose death marks the pair stale for sweep.
 */
export async function startClickHouse({ owner = process.pid } = {}) {
  const t0 = performance.now()
  const bin = serverBin()
  sweepClickHouse()
  const dir = mkdtempSync(join(tmpdir(), PREFIX))
  writeFileSync(join(dir, 'owner.pid'), String(owner))
  try {
    const ports = []
    const taken = new Set()
    for (let i = 0; i < 2; i++) {
      const p = {}
      for (const k of ['http', 'tcp', 'interserver']) {
        let port
        do port = await freePort()
        while (taken.has(port))
        taken.add(port)
        p[k] = port
      }
      ports.push(p)
    }
    const urls = []
    for (let i = 0; i < 2; i++) {
      const sdir = join(dir, `shard${i + 1}`)
      for (const sub of ['data', 'tmp', 'user_files', 'format_schemas'])
        mkdirSync(join(sdir, sub), { recursive: true })
      writeFileSync(join(sdir, 'users.xml'), USERS_XML)
      writeFileSync(
        join(sdir, 'config.xml'),
        configXml(
          sdir,
          ports[i],
          ports.map((p) => p.tcp),
        ),
      )
      // cwd is the shard dir: the server writes status files relative to it on some versions.
      const child = spawn(
        bin,
        [`--config-file=${join(sdir, 'config.xml')}`, `--pid-file=${join(sdir, 'server.pid')}`],
        {
          cwd: sdir,
          detached: true,
          stdio: 'ignore',
        },
      )
      child.unref()
      writeFileSync(join(sdir, 'child.pid'), String(child.pid))
      urls.push({ url: `http://127.0.0.1:${ports[i].http}`, pid: child.pid, sdir })
    }
    for (const [i, u] of urls.entries()) await waitReady(u.url, u.pid, u.sdir, `shard ${i + 1}`)
    const [one, two] = urls
    return { url: one.url, url2: two.url, dir, ms: Math.round(performance.now() - t0) }
  } catch (e) {
    stopClickHouse(dir)
    throw e
  }
}

/**
 * Creates `${name}_local` (MergeTree) on both servers and `${name}` (Distributed over the cluster)
 * on both, with the given column list, e.g. `id UInt64, price Nullable(Float64)`.
 */
export async function createDistributedTable(urls, name, columns, orderBy = 'tuple()') {
  for (const url of urls) {
    await chQuery(url, `DROP TABLE IF EXISTS ${name}`)
    await chQuery(url, `DROP TABLE IF EXISTS ${name}_local`)
    await chQuery(url, `CREATE TABLE ${name}_local (${columns}) ENGINE = MergeTree() ORDER BY ${orderBy}`)
    await chQuery(
      url,
      `CREATE TABLE ${name} AS ${name}_local ENGINE = Distributed(${CLUSTER}, default, ${name}_local)`,
    )
  }
}

/** Stop both servers of the pair in `dir` by their PIDs, then delete `dir`. Never throws. */
export function stopClickHouse(dir) {
  const t0 = performance.now()
  if (!dir || !existsSync(dir)) return 0
  const pids = []
  for (const name of readdirSync(dir)) {
    const f = join(dir, name, 'child.pid')
    if (!existsSync(f)) continue
    const pid = Number(readFileSync(f, 'utf8'))
    if (pid > 0 && isAlive(pid)) pids.push(pid)
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  // Wait (bounded) for the processes to go before deleting their data dirs under them.
  const deadline = Date.now() + 10_000
  while (pids.some(isAlive) && Date.now() < deadline) spawnSync('sleep', ['0.05'])
  try {
    rmSync(dir, { recursive: true, force: true })
  } catch {}
  return Math.round(performance.now() - t0)
}

/** Stop and delete pairs whose owner process is gone (a crashed or killed run). */
export function sweepClickHouse() {
  sweepStale(PREFIX, stopClickHouse)
}

/** Why the servers cannot run here, or undefined when clickhouse-server is installed. */
export function clickHouseMissing() {
  try {
    serverBin()
    return undefined
  } catch (e) {
    return e.message
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, arg, ownerArg] = process.argv.slice(2)
  if (cmd === 'start') {
    const owner = arg === '--owner' ? Number(ownerArg) : process.ppid
    const { url, url2, dir, ms } = await startClickHouse({ owner })
    console.error(`clickhouse started in ${ms} ms: ${url} + ${url2} (${dir})`)
    console.log(
      `export DQX_TEST_CH_URL='${url}'\nexport DQX_TEST_CH_URL2='${url2}'\nexport DQX_TEST_CH_DIR='${dir}'`,
    )
  } else if (cmd === 'stop') {
    const ms = stopClickHouse(arg ?? process.env.DQX_TEST_CH_DIR)
    console.error(`clickhouse stopped in ${ms} ms`)
  } else if (cmd === 'sweep') {
    sweepClickHouse()
  } else {
    console.error('usage: node scripts/clickhouse.mjs start [--owner PID] | stop [DIR] | sweep')
    process.exit(2)
  }
}
