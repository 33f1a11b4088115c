// Vitest globalSetup: one throwaway PostgreSQL cluster for the whole run.
// Tests read the connection string from process.env.DQX_TEST_PG_URL: the forks pool copies the
// main process's env when it spawns workers, and globalSetup runs before that.
// If DQX_TEST_PG_URL is already set (CI's .ci/run starts one for tests and examples, or a developer
// points at their own server), it is used as is and nothing is started or stopped here.
import { startPg, stopPg } from '../../scripts/pg.mjs'

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.DQX_TEST_PG_URL) return undefined
  const pg = await startPg()
  process.env.DQX_TEST_PG_URL = pg.url
  if (process.env.DQX_TEST_PG_VERBOSE) console.log(`[global setup] postgres up in ${pg.ms} ms at ${pg.url}`)
  return () => {
    const ms = stopPg(pg.dir)
    delete process.env.DQX_TEST_PG_URL
    if (process.env.DQX_TEST_PG_VERBOSE) console.log(`[global setup] postgres stopped in ${ms} ms`)
  }
}
