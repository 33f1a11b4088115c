// Vitest globalSetup: one throwaway PostgreSQL cluster for the whole run.
// Tests read the connection string from process.env.DQX_TEST_PG_URL: the forks pool copies the
// main process's env when it spawns workers, and globalSetup runs before that.
// If DQX_TEST_PG_URL is already set (CI's .ci/run starts one for tests and examples, or a developer
// points at their own server), it is used as is and nothing is started or stopped here.
// Without PostgreSQL server binaries nothing is started: DQX_TEST_PG_MISSING says why and how to
// get them, and the PostgreSQL tests skip with that line (test/helpers/servers.ts), or fail when
// DQX_REQUIRE_SERVERS=1 (CI).
import { pgServerMissing, startPg, stopPg } from '../../scripts/pg.mjs'

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.DQX_TEST_PG_URL) return undefined
  const missing = pgServerMissing()
  if (missing !== undefined) {
    process.env.DQX_TEST_PG_MISSING = `${missing}; install PostgreSQL (e.g. apt-get install postgresql), set PG_BIN to its bin directory, or set DQX_TEST_PG_URL to a server you own`
    return undefined
  }
  const pg = await startPg()
  process.env.DQX_TEST_PG_URL = pg.url
  if (process.env.DQX_TEST_PG_VERBOSE) console.log(`[global setup] postgres up in ${pg.ms} ms at ${pg.url}`)
  return () => {
    const ms = stopPg(pg.dir)
    delete process.env.DQX_TEST_PG_URL
    if (process.env.DQX_TEST_PG_VERBOSE) console.log(`[global setup] postgres stopped in ${ms} ms`)
  }
}
