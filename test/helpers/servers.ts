// Gating for tests that need a real server (PostgreSQL, ClickHouse, Chromium).
// Locally a missing server skips its tests with one printed line saying what is missing and how to
// get it; under CI (.ci/run sets DQX_REQUIRE_SERVERS=1) a missing server fails the test file, so
// CI never silently runs fewer tests.

const announced = new Set<string>()

/**
 * `describe.skipIf(!serverAvailable('PostgreSQL', missing))(…)`: `missing` is undefined when the
 * server is there, else the reason and the fix (e.g. "pg_ctl not found; install postgresql or set
 * DQX_TEST_PG_URL").
 */
export function serverAvailable(server: string, missing: string | undefined): boolean {
  if (missing === undefined) return true
  if (process.env.DQX_REQUIRE_SERVERS === '1') {
    throw new Error(`${server} is required here (DQX_REQUIRE_SERVERS=1) but unavailable: ${missing}`)
  }
  if (!announced.has(server)) {
    announced.add(server)
    console.log(`[dqx tests] skipping ${server} tests: ${missing}`)
  }
  return false
}
