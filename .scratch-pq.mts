import { DuckDBInstance } from '@duckdb/node-api'
import { mkdtempSync, statSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { duckdbDialect } from './src/engine/dialect.ts'
import { Params } from './src/engine/sql.ts'
const dir = mkdtempSync(join(tmpdir(), 'pq-'))
const file = join(dir, 'big.parquet')
const i = await DuckDBInstance.create(':memory:'); const c = await i.connect()
let t = performance.now()
await c.run(`COPY (SELECT i AS id, CASE WHEN i % 1000 = 8 THEN NULL ELSE 'user' || i || '@example.com' END AS email, (i % 997)::DOUBLE AS price, md5(i::VARCHAR) AS payload, DATE '2026-11-25' - (i % 2)::INTEGER AS day FROM range(2000000) t(i)) TO '${file}' (FORMAT parquet)`)
console.log('write ms', performance.now() - t, 'bytes', statSync(file).size)
const plan = (select) => { const p = new Params(duckdbDialect); const sql = duckdbDialect.renderSampleQuery({ relation: (pp) => `read_parquet(${pp.add(file)})`, dateFilter: { column: 'day', date: '2026-11-25' }, predicate: { kind: 'isNull', column: 'email' }, select }, p); return { sql, values: p.values } }
const rows = plan({ columns: ['email', 'id'], limit: 10 })
const cnt = plan('count')
for (const q of [rows, cnt]) {
  const r = await c.runAndReadAll('EXPLAIN ' + q.sql, q.values)
  console.log(r.getRowObjectsJS().map(x => x.explain_value).join('\n'))
}
const r = await c.runAndReadAll('EXPLAIN ANALYZE ' + rows.sql, rows.values)
console.log(r.getRowObjectsJS().map(x => x.explain_value).join('\n'))
const scanSql = `SELECT count(*) AS m0, count(*) - count("email") AS m1, CAST(avg("price") AS DOUBLE) AS m2 FROM read_parquet($1) AS dqx_src WHERE CAST("day" AS DATE) = CAST($2 AS DATE)`
for (let k = 0; k < 5; k++) {
  for (const [name, q] of [['scan', { sql: scanSql, values: [file, '2026-11-25'] }], ['rows', rows], ['count', cnt]] as const) {
    t = performance.now(); await c.runAndReadAll(q.sql, q.values as never); console.log(name, (performance.now() - t).toFixed(1), 'ms')
  }
}
rmSync(dir, { recursive: true })
