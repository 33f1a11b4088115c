import type { EngineSession } from './data-source.js'
import { DuckDBSession } from './duckdb-session.js'
import { SessionResources } from './session-resources.js'

/** An EngineSession that owns its resources: `close()` ends pools and the run's DuckDB. */
export interface OwnedEngineSession extends EngineSession {
  readonly resources: SessionResources
  /** Closes every run-scoped resource, then the DuckDB session. Never rejects for a resource that fails to close. */
  close(): Promise<void>
}

/** What a run creates before binding any data source, and closes in its `finally`. */
export function createEngineSession(): OwnedEngineSession {
  const duckdb = new DuckDBSession()
  const resources = new SessionResources()
  return {
    duckdb,
    resources,
    async close() {
      try {
        await resources.close()
      } finally {
        await duckdb.close()
      }
    },
  }
}

const fallback = new WeakMap<EngineSession, SessionResources>()

/**
 * The session's resource list. A caller that built a bare `{ duckdb }` session
 * gets one kept beside it; nothing closes that one, so resources created
 * through it must not keep the process alive on their own (pg pools set
 * `allowExitOnIdle` and close idle connections after a few seconds).
 */
export function resourcesOf(session: EngineSession): SessionResources {
  if (session.resources) return session.resources
  let found = fallback.get(session)
  if (!found) {
    found = new SessionResources()
    fallback.set(session, found)
  }
  return found
}
