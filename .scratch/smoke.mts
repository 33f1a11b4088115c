import pg from 'pg'
import { pino } from 'pino'
import { DataSource } from '../src/engine/data-source.ts'
import { createEngineSession } from '../src/engine/engine-session.ts'
import { computeMetrics } from '../src/engine/metric-computer.ts'
import { MetricDB } from '../src/engine/metric-db.ts'
import { ResultKey } from '../src/core/result-key.ts'
const url = process.env.DQX_TEST_PG_URL!
const c = new pg.Client({ connectionString: url }); await c.connect()
await c.query('drop table if exists smoke; create table smoke(a int, b text, x float8, d timestamp)')
await c.query(`insert into smoke values (1,'a',1.5,'2026-01-01'),(1,'a',2,'2026-01-01'),(null,null,3,'2026-01-02'),(null,null,4,'2026-01-02'),(2,'日本',5,'2026-01-02')`)
const session = createEngineSession()
const db = MetricDB.postgres(url, { schema: 'smoke_s' })
const specs: any[] = [{kind:'numRows'},{kind:'sum',column:'x'},{kind:'average',column:'a'},{kind:'variance',column:'x'},{kind:'duplicateCount',columns:['a','b']},{kind:'countValues',column:'b',values:['a','x']},{kind:'maxLength',column:'b'},{kind:'approxDistinct',column:'a'},{kind:'customSql',sql:'sum(a)'}]
const out = await computeMetrics({ needs: specs.map(spec => ({ dataset: 'd', spec, lag: 0, check: 'c' })), sources: { d: DataSource.postgres({ connectionString: url, table: 'smoke', dateColumn: 'd' }) }, key: new ResultKey('2026-01-02'), db, session, logger: pino({level:'debug'}, pino.destination(2)), suite: 's', runId: 'r1' })
console.log(out)
console.log(session.resources.keys())
console.log(await db.getHistory({ metric: 'numRows()', dataset: 'd', tags: {}, from: '2026-01-01', to: '2026-01-03' }))
await session.close(); await db.close()
await c.end()
