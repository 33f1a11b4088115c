// Run-scoped resources (the list a run closes at its end, where pg pools live), the engine session
// that owns them, and the small helpers that keep PostgreSQL errors readable and password-free.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import type { EngineSession } from '../../src/engine/data-source.js'
import { DuckDBSession } from '../../src/engine/duckdb-session.js'
import { createEngineSession, resourcesOf } from '../../src/engine/engine-session.js'
import { connectFailure, errorCode, errorText, pgTarget } from '../../src/engine/postgres-connection.js'
import { SessionResources } from '../../src/engine/session-resources.js'

describe('SessionResources', () => {
  it('creates each keyed resource once and closes them newest first', async () => {
    const r = new SessionResources()
    const log: string[] = []
    const make = (name: string) => () => ({ name })
    const a = r.acquire('a', make('a'), (v) => {
      log.push(`close ${v.name}`)
    })
    expect(r.acquire('a', make('other'), () => {})).toBe(a)
    r.acquire('b', make('b'), async (v) => {
      log.push(`close ${v.name}`)
    })
    expect(r.keys()).toEqual(['a', 'b'])
    expect(await r.close()).toEqual([])
    expect(log).toEqual(['close b', 'close a'])
    expect(r.keys()).toEqual([])
    // Usable again afterwards.
    r.acquire('a', make('a2'), () => {})
    expect(r.keys()).toEqual(['a'])
  })

  it('never rejects: every resource is closed and the failures are returned', async () => {
    const r = new SessionResources()
    let closedLast = false
    r.acquire(
      'first',
      () => 1,
      () => {
        closedLast = true
      },
    )
    r.acquire(
      'throws',
      () => 2,
      () => {
        throw new Error('boom')
      },
    )
    r.acquire(
      'rejects-non-error',
      () => 3,
      () => Promise.reject('nope'),
    )
    const errors = await r.close()
    expect(errors.map((e) => e.message)).toEqual(['nope', 'boom'])
    expect(closedLast).toBe(true)
  })
})

describe('engine sessions', () => {
  it('createEngineSession closes resources, then DuckDB, even when a resource fails to close', async () => {
    const s = createEngineSession()
    await s.duckdb.query('SELECT 1')
    let closed = false
    s.resources.acquire(
      'x',
      () => 1,
      () => {
        closed = true
        throw new Error('ignored')
      },
    )
    await s.close()
    expect(closed).toBe(true)
    expect(s.resources.keys()).toEqual([])
    // The DuckDB session reopens lazily: close really closed it.
    expect(await s.duckdb.query('SELECT 42 AS x')).toEqual([{ x: 42 }])
    await s.close()
  })

  it('resourcesOf: the session own list, or one kept beside a bare session', () => {
    const owned = createEngineSession()
    expect(resourcesOf(owned)).toBe(owned.resources)
    const bare: EngineSession = { duckdb: new DuckDBSession() }
    const kept = resourcesOf(bare)
    expect(resourcesOf(bare)).toBe(kept)
    expect(resourcesOf({ duckdb: bare.duckdb })).not.toBe(kept)
  })
})

describe('connection strings and connection errors', () => {
  it('labels a target as user@host:port/database, without the password', () => {
    const t = pgTarget('postgres://alice:pw@db.example:6543/sales', 'X', 'DATA_SOURCE')
    expect(t).toMatchObject({
      host: 'db.example',
      port: 6543,
      user: 'alice',
      database: 'sales',
      label: 'alice@db.example:6543/sales',
    })
    expect(t.key).toMatch(/^[0-9a-f]{16}$/)
    expect(JSON.stringify(t)).not.toContain('pw')
    expect(pgTarget('postgres://alice@h/', 'X', 'DATA_SOURCE').label).toBe('alice@h:5432/alice') // database defaults to the user
  })

  it('a URL without user or database (and no PGUSER or OS-user default) has an empty label part', () => {
    const saved = { user: pg.defaults.user, PGUSER: process.env.PGUSER, PGDATABASE: process.env.PGDATABASE }
    pg.defaults.user = undefined
    delete process.env.PGUSER
    delete process.env.PGDATABASE
    try {
      expect(pgTarget('postgresql://127.0.0.1:5433', 'X', 'DATA_SOURCE')).toMatchObject({
        user: undefined,
        database: '',
        label: '127.0.0.1:5433/',
      })
    } finally {
      pg.defaults.user = saved.user
      if (saved.PGUSER !== undefined) process.env.PGUSER = saved.PGUSER
      if (saved.PGDATABASE !== undefined) process.env.PGDATABASE = saved.PGDATABASE
    }
  })

  it('a bad connection string is a DqxError with the given code', () => {
    expect(() => pgTarget(42, 'MetricDB.postgres()', 'METRIC_DB')).toThrow(
      expect.objectContaining({
        name: 'DqxError',
        code: 'METRIC_DB',
        message: expect.stringMatching(/got number$/),
      }),
    )
    expect(() => pgTarget('postgres://[oops', 'X', 'DATA_SOURCE')).toThrow(DqxError)
  })

  it('error helpers read anything thrown', () => {
    expect(errorText(new Error('first\nsecond'))).toBe('first')
    expect(errorText(new Error(''))).toBe('Error')
    expect(errorText('plain')).toBe('plain')
    expect(errorText(undefined)).toBe('undefined')
    expect(errorCode({ code: '42P01' })).toBe('42P01')
    expect(errorCode({ code: 7 })).toBe('')
    expect(errorCode(null)).toBe('')
  })

  it('connectFailure falls back to the message of unknown failures', () => {
    const t = pgTarget('postgres://u@h:1/d', 'X', 'DATA_SOURCE')
    expect(connectFailure(new Error('TLS handshake failed'), t, 5)).toBe(
      "cannot connect to PostgreSQL at h:1 (database 'd', user 'u'): TLS handshake failed; check that the server is running and that the connection string's host, port, user and database are right",
    )
    expect(connectFailure(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }), t, 5)).toMatch(
      /host 'h' not found/,
    )
  })
})

describe('PostgreSQL result types', () => {
  it('keeps DATE values as their calendar day, whatever the process time zone', async () => {
    const { SCAN_RESULT_TYPES } = await import('../../src/engine/postgres-connection.js')
    const parse = SCAN_RESULT_TYPES.getTypeParser(1082, 'text') as (text: string) => unknown
    expect(parse('2026-11-25')).toBe('2026-11-25')
  })
})
