import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'

/**
 * The process's one in-memory DuckDB. Creating an instance costs tens of
 * milliseconds (it sets up buffer manager, thread pool and catalog) while a
 * connection costs microseconds, so every run, every DuckDB-file MetricDB and
 * every sqlWriter of the process share this instance and open their own
 * connections on it. Runs keep out of each other's way through unique table
 * names (DuckDBSession) and files are ATTACHed under unique aliases
 * (duckdb-files.ts). It lives as long as the process.
 */
let instance: Promise<DuckDBInstance> | undefined

export function engineInstance(): Promise<DuckDBInstance> {
  if (!instance) {
    const created = DuckDBInstance.create(':memory:').then(async (inst) => {
      const conn = await inst.connect()
      try {
        // Parquet footers are read once per file version, not by every DESCRIBE and scan of every
        // run (DuckDB compares the file's modification time before reusing one).
        await conn.run('SET parquet_metadata_cache = true')
      } finally {
        conn.closeSync()
      }
      return inst
    })
    instance = created
    // A failed creation (out of memory, say) is retried by the next caller instead of cached.
    created.catch(() => {
      if (instance === created) instance = undefined
    })
  }
  return instance
}

/** A new connection on the shared instance; the caller closes it (`closeSync()`). */
export async function engineConnection(): Promise<DuckDBConnection> {
  return (await engineInstance()).connect()
}
