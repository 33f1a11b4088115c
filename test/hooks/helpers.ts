import { Writable } from 'node:stream'
import { type Logger, pino } from 'pino'
import type { PluginRun } from '../../src/hooks/index.js'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A pino logger writing parsed lines into an array (the Writable is synchronous, so lines are there when the call returns). */
export function arrayLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line))
      callback()
    },
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

/** The parts of PluginRuns that do not depend on timing. */
export function outcomes(
  runs: readonly PluginRun[],
): { plugin: string; hook: string; error?: string; timedOut: boolean }[] {
  return runs.map((r) => ({
    plugin: r.plugin,
    hook: r.hook,
    ...(r.error === undefined ? {} : { error: r.error.message }),
    timedOut: r.timedOut,
  }))
}

/** Counts how many tracked operations run at once. */
export function overlapMeter(): {
  enter(): void
  exit(): void
  readonly max: number
  readonly active: number
} {
  let active = 0
  let max = 0
  return {
    enter() {
      active++
      if (active > max) max = active
    },
    exit() {
      active--
    },
    get max() {
      return max
    },
    get active() {
      return active
    },
  }
}

/** A foreign (non-native) thenable whose `then` does what the test says. */
export function thenable(
  then: (ok: (v?: unknown) => void, fail: (e: unknown) => void) => void,
): Promise<void> {
  // A shorthand property does not trip biome's noThenProperty; a foreign thenable is the point here.
  return { then } as unknown as Promise<void>
}

/** Blocks the event loop for `ms` (a tap that cannot be interrupted). */
export function spin(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy
  }
}
