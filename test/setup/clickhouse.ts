// Vitest globalSetup: two throwaway ClickHouse servers forming the two-shard cluster
// `dqx_two_shards` (scripts/clickhouse.mjs). Tests read DQX_TEST_CH_URL (shard 1) and
// DQX_TEST_CH_URL2 (shard 2); the forks pool copies this env into every worker.
// When DQX_TEST_CH_URL is already set (.ci/run starts the pair, or a developer points at their
// own servers), nothing is started or stopped here. Without clickhouse-server, the reason is
// left in DQX_TEST_CH_MISSING for serverAvailable('ClickHouse', …) to print.
import { clickHouseMissing, startClickHouse, stopClickHouse } from '../../scripts/clickhouse.mjs'

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.DQX_TEST_CH_URL) return undefined
  const missing = clickHouseMissing()
  if (missing !== undefined) {
    process.env.DQX_TEST_CH_MISSING = missing
    return undefined
  }
  const ch = await startClickHouse()
  process.env.DQX_TEST_CH_URL = ch.url
  process.env.DQX_TEST_CH_URL2 = ch.url2
  return () => {
    stopClickHouse(ch.dir)
    delete process.env.DQX_TEST_CH_URL
    delete process.env.DQX_TEST_CH_URL2
  }
}
