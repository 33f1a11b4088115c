// MetricDB.duckdb(file) shared by several processes at once: a process holds the file's lock while
// its operations run and for keepOpenMs after (letting go early for a waiting dqx process), and
// waits (bounded by lockTimeoutMs) for a lock another process holds.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { tempDir } from '../helpers/data.js'

const dir = tempDir('dqx-processes-')
afterAll(() => dir.cleanup())
const REPO = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

function start(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

function finished(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })))
}

/** Resolves once the child printed `line` on stdout. */
function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes(line)) resolve()
    })
    child.on('close', (code) => reject(new Error(`child exited (${code}) before printing ${line}`)))
  })
}

const dates = Array.from({ length: 10 }, (_, i) =>
  new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
)

describe('MetricDB.duckdb(file) across processes', () => {
  it('two processes × 10 runs on one file at once: 20 runs stored, 0 failed, history read by both', async () => {
    const file = dir.file('shared.duckdb')
    const children = ['a', 'b'].map((who) => start('duckdb-writer.ts', [file, who, '10']))
    const outcomes = Promise.all(children.map(finished))
    // Both processes are loaded before either starts: their runs overlap.
    await Promise.all(children.map((c) => printed(c, 'ready')))
    for (const c of children) c.stdin?.write('go\n')
    for (const o of await outcomes) {
      expect(o.code, o.err).toBe(0)
      expect(JSON.parse(o.out.trim().split('\n').at(-1) as string)).toEqual({ ok: 10, failed: 0, errors: [] })
    }
    const db = MetricDB.duckdb(file)
    try {
      let runs = 0
      for (const who of ['a', 'b']) {
        for (const [i, date] of dates.entries()) {
          const results = await db.getResults({ suite: 'cross-process', date, tags: { who } })
          expect(results.map((r) => r.assertion).sort()).toEqual(['revenue', 'revenue dod', 'rows'])
          runs += new Set(results.map((r) => r.runId)).size
          // From the second day on, dayOverDay found yesterday's value in the shared file.
          const dod = results.find((r) => r.assertion === 'revenue dod')
          if (i > 0) expect(dod).toMatchObject({ status: 'PASSED', value: 1 })
        }
      }
      expect(runs).toBe(20)
    } finally {
      await db.close()
    }
  }, 120_000)

  it('waits for a lock held by another process, and after lockTimeoutMs says which file and what to do', async () => {
    const file = dir.file('held.duckdb')
    const holder = start('duckdb-lock-holder.ts', [file])
    const done = finished(holder)
    await printed(holder, 'locked')
    const impatient = MetricDB.duckdb(file, { lockTimeoutMs: 200 })
    const err = await impatient
      .getMetric({ metric: 'm', dataset: 'd', date: '2026-01-01', tags: {} })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DqxError)
    expect((err as DqxError).code).toBe('METRIC_DB')
    expect((err as DqxError).message).toMatch(
      new RegExp(
        `^the MetricDB file .*held\\.duckdb is locked by another process \\(PID ${holder.pid}\\) and stayed locked for lockTimeoutMs \\(200 ms\\); wait for that run or DuckDB client to finish, raise lockTimeoutMs \\(MetricDB\\.duckdb\\(file, \\{ lockTimeoutMs \\}\\)\\), or use MetricDB\\.postgres\\(\\) for many concurrent writers$`,
      ),
    )
    await impatient.close()

    // A patient reader and writer wait for the holder to let go, then succeed.
    const patient = MetricDB.duckdb(file)
    const write = patient.putMetrics([
      { metric: 'm', dataset: 'd', date: '2026-01-01', tags: {}, value: 7, suite: 's', runId: 'r' },
    ])
    const read = write.then(() =>
      patient.getMetric({ metric: 'm', dataset: 'd', date: '2026-01-01', tags: {} }),
    )
    let settled = false
    void read.finally(() => {
      settled = true
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(settled).toBe(false) // still waiting: the other process holds the file
    holder.stdin?.end()
    expect((await done).code).toBe(0)
    await expect(read).resolves.toMatchObject({ value: 7 })
    await patient.close()
  }, 60_000)

  it('a process keeping the file open hands it to a waiting process, gets it back, and releases it at exit', async () => {
    const file = dir.file('kept.duckdb')
    const holder = start('duckdb-idle-holder.ts', [file])
    const done = finished(holder)
    await printed(holder, 'written')
    // The holder keeps the file for 10 minutes of idleness; the waiter's mark makes it let go.
    const waiter = MetricDB.duckdb(file, { lockTimeoutMs: 20_000 })
    await waiter.putMetrics([
      { metric: 'm', dataset: 'waiter', date: '2026-01-01', tags: {}, value: 10, suite: 's', runId: 'w' },
    ])
    expect(existsSync(`${file}.dqx-wait`)).toBe(false)
    // Now this process keeps it open (1 s by default): the holder's next write waits for it, then lands.
    const again = printed(holder, 'written again')
    holder.stdin?.write('again\n')
    await again
    holder.stdin?.end()
    const exit = await done
    expect(exit.code, exit.err).toBe(0)
    // Released on the way out: checkpointed, no WAL left for the next opener to replay.
    expect(existsSync(`${file}.wal`)).toBe(false)
    const values = await Promise.all(
      [
        ['held', '2026-01-01'],
        ['held', '2026-01-02'],
        ['waiter', '2026-01-01'],
      ].map(([dataset, date]) =>
        waiter.getMetric({ metric: 'm', dataset: dataset as string, date: date as string, tags: {} }),
      ),
    )
    expect(values.map((v) => v?.value)).toEqual([1, 2, 10])
    await waiter.close()
  }, 60_000)

  it('validates lockTimeoutMs and keepOpenMs', () => {
    expect(() => MetricDB.duckdb(dir.file('x.duckdb'), { lockTimeoutMs: -1 })).toThrow(
      'MetricDB.duckdb(): lockTimeoutMs must be a non-negative whole number of ms, got -1',
    )
    expect(() => MetricDB.duckdb(dir.file('x.duckdb'), { keepOpenMs: 1.5 })).toThrow(
      'MetricDB.duckdb(): keepOpenMs must be a non-negative whole number of ms, got 1.5',
    )
  })
})
