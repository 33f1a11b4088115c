// Proves the PostgreSQL test infrastructure (test/setup/global.ts): the URL reaches the worker
// and the server accepts queries and DDL.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasPg, pgUrl } from '../engine/pg-helpers.js'

describe.skipIf(!hasPg())('test postgres', () => {
  const url = pgUrl()
  const client = new pg.Client({ connectionString: url })

  beforeAll(async () => {
    await client.connect()
  })
  afterAll(async () => {
    await client.end()
  })

  it('gets a connection string from global setup', () => {
    expect(url).toMatch(/^postgres(ql)?:\/\//)
  })

  it('runs select 1', async () => {
    const res = await client.query<{ one: number }>('select 1 as one')
    expect(res.rows).toEqual([{ one: 1 }])
  })

  it('creates a temp table and reads it back', async () => {
    await client.query('create temp table t (id int primary key, name text not null)')
    await client.query('insert into t values ($1, $2), ($3, $4)', [1, 'a', 2, 'b'])
    const res = await client.query<{ id: number; name: string }>('select id, name from t order by id')
    expect(res.rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ])
  })
})
