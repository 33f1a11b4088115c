// The three MetricDB stores the operations tests run against: memory, a DuckDB file and PostgreSQL
// (a schema per store on a fresh database of the vitest globalSetup server; skipped without one).
import { afterAll, beforeAll } from 'vitest'
import { MetricDB } from '../../src/engine/metric-db.js'
import { freshDatabase, hasPg, pgUrl, uniqueName } from '../engine/pg-helpers.js'
import { type TempDir, tempDir } from '../helpers/data.js'

export interface Store {
  name: string
  make(): MetricDB
}

/** Registers the setup of one test file and returns its stores; `prefix` names the database. */
export function storesFor(prefix: string): { stores: Store[]; dir: () => TempDir } {
  const pgReady = hasPg()
  let dir: TempDir | undefined
  let pg: Awaited<ReturnType<typeof freshDatabase>> | undefined
  beforeAll(async () => {
    dir = tempDir()
    if (pgReady) pg = await freshDatabase(pgUrl(), prefix)
  })
  afterAll(async () => {
    dir?.cleanup()
    await pg?.drop()
  })
  let seq = 0
  const stores: Store[] = [
    { name: 'memory', make: () => MetricDB.memory() },
    { name: 'duckdb file', make: () => MetricDB.duckdb((dir as TempDir).file(`${prefix}-${++seq}.duckdb`)) },
    {
      name: 'postgres',
      make: () => MetricDB.postgres((pg as { url: string }).url, { schema: uniqueName(prefix) }),
    },
  ].filter((s) => pgReady || s.name !== 'postgres')
  return { stores, dir: () => dir as TempDir }
}
