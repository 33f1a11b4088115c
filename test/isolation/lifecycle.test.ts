import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { AsyncParallelLimitHook, AsyncSeriesHook } from '../../src/hooks/index.js'
import {
  check,
  DataSource,
  isolated,
  PluginManager,
  ResultKey,
  type Suite,
  VerificationSuite,
} from '../../src/index.js'
import { captureLogger } from '../../src/testing/index.js'

const run = promisify(execFile)
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows' }).isPositive()
})
const data = () => ({ orders: DataSource.fromRecords([{ id: 1 }]) })
const key = new ResultKey('2026-11-25')

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('isolated plugin sandboxes over a suite’s life', () => {
  it('starts each sandbox once, reuses it across runs, and ends it on close()', async () => {
    const { logger, lines } = captureLogger('info')
    const suite = new VerificationSuite({
      name: 'life',
      checks: [orders],
      audit: false,
      logger,
      plugins: [isolated(fixture('faulty.mjs'), { mode: 'process' })],
      pluginConfig: { faulty: { fault: 'none' } },
    })
    await suite.run(data(), key)
    await suite.run(data(), key)
    const pids = lines.filter((l) => l.msg === 'faulty afterRun ran').map((l) => l.alive as number)
    expect(pids).toHaveLength(2)
    expect(new Set(pids).size).toBe(1)
    const [pid] = pids as [number]
    expect(alive(pid)).toBe(true)
    await suite.close()
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false)
  })

  it('closes through Symbol.asyncDispose', async () => {
    const suite = new VerificationSuite({
      name: 'dispose',
      checks: [orders],
      audit: false,
      logger: captureLogger('warn').logger,
      plugins: [isolated(fixture('healthy.mjs'))],
    })
    await suite.run(data(), key)
    const dispose = (suite as unknown as Record<symbol, () => Promise<void>>)[
      (Symbol as unknown as { asyncDispose: symbol }).asyncDispose
    ]
    await expect(dispose?.call(suite)).resolves.toBeUndefined()
  })

  it('does not keep the process alive when a suite is never closed', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture('exits-without-close.ts')], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      timeout: 60_000,
    })
    expect(stdout.trim()).toBe('2 runs')
  })
})

describe('isolated plugins outside a suite', () => {
  const pidOf = (lines: Record<string, unknown>[]): number =>
    lines.find((l) => l.msg === 'faulty pid')?.pid as number

  it('PluginManager.processAll ends the sandboxes it started before it returns', async () => {
    const { logger, lines } = captureLogger('info')
    const manager = new PluginManager({ logger }).register(
      'faulty',
      isolated(fixture('faulty.mjs'), { mode: 'process' }),
    )
    const runs = await manager.processAll({
      results: [],
      symbols: [],
      suiteName: 'manual',
      config: { faulty: { fault: 'pid' } },
    })
    expect(runs.map((r) => [r.plugin, r.error])).toEqual([['faulty-results', undefined]])
    const pid = pidOf(lines)
    expect(pid).not.toBe(process.pid)
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false)
  })

  it('a plugin applied by hand is ended through its close symbol', async () => {
    const { logger, lines } = captureLogger('info')
    const plugin = isolated(fixture('faulty.mjs'), { mode: 'process' })
    const processResults = new AsyncParallelLimitHook<[Record<string, unknown>]>({ name: 'processResults' })
    const afterRun = new AsyncSeriesHook<[Record<string, unknown>]>({ name: 'afterRun' })
    await plugin.apply({ name: 'by-hand', hooks: { processResults, afterRun }, logger } as unknown as Suite, {
      fault: 'pid',
    })
    const runs = await processResults.promise({ results: [], signal: new AbortController().signal, logger })
    expect(runs.map((r) => r.error)).toEqual([undefined])
    const pid = pidOf(lines)
    expect(alive(pid)).toBe(true)
    await (plugin as unknown as Record<symbol, () => Promise<void>>)[Symbol.for('dqx.closeSandbox')]?.()
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false)
  })

  it('a plugin closed while its sandbox is still loading ends it and mirrors no tap', async () => {
    const { logger } = captureLogger('info')
    const plugin = isolated(fixture('faulty.mjs'), { mode: 'process' })
    const close = (plugin as unknown as Record<symbol, () => Promise<void>>)[Symbol.for('dqx.closeSandbox')]
    const processResults = new AsyncParallelLimitHook<[Record<string, unknown>]>({ name: 'processResults' })
    const applying = plugin.apply(
      {
        name: 'by-hand',
        hooks: { processResults, afterRun: new AsyncSeriesHook() },
        logger,
      } as unknown as Suite,
      { fault: 'pid' },
    )
    await close?.()
    await expect(applying).resolves.toBeUndefined()
    expect(
      await processResults.promise({ results: [], signal: new AbortController().signal, logger }),
    ).toEqual([])
  })
})
