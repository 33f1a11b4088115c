// The engine without a suite: computeMetrics over one dataset named 'orders', the value (or the
// error text) of each metric keyed by its name. Shared by the data-source tests of every engine.
import { type MetricSpec, metricName } from '../../src/core/metric-spec.js'
import { ResultKey } from '../../src/core/result-key.js'
import type { DataSource, EngineSession } from '../../src/engine/data-source.js'
import { createEngineSession } from '../../src/engine/engine-session.js'
import { computeMetrics, valueKey } from '../../src/engine/metric-computer.js'
import { MetricDB } from '../../src/engine/metric-db.js'
import { silentLogger } from '../helpers/data.js'

export const KEY = new ResultKey('2026-11-25')

export async function computeOrders(
  source: DataSource,
  specs: readonly MetricSpec[],
  opts: { lag?: number; check?: string; session?: EngineSession } = {},
): Promise<Record<string, number | null | string>> {
  const lag = opts.lag ?? 0
  const owned = opts.session === undefined ? createEngineSession() : undefined
  const session = opts.session ?? (owned as EngineSession)
  try {
    const values = await computeMetrics({
      needs: specs.map((spec) => ({ dataset: 'orders', spec, lag, check: opts.check ?? 'c1' })),
      sources: { orders: source },
      key: KEY,
      db: MetricDB.memory(),
      session,
      logger: silentLogger(),
      suite: 's',
      runId: 'r',
    })
    const out: Record<string, number | null | string> = {}
    for (const spec of specs) {
      const v = values.get(valueKey('orders', spec, lag))
      out[metricName(spec)] = v?.error ?? v?.value ?? null
    }
    return out
  } finally {
    // A caller's session is the caller's to close.
    await owned?.close()
  }
}
