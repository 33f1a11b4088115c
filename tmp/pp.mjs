import { DuckDBInstance } from '@duckdb/node-api'
const inst = await DuckDBInstance.create(':memory:'); const conn = await inst.connect()
await conn.run('SET parquet_metadata_cache = true')
const files = Array.from({ length: 50 }, (_, i) => `/tmp/many_${i}.parquet`)
for (let r = 0; r < 8; r++) {
  let t = performance.now()
  for (const f of files) (await conn.runAndReadAll(`SELECT count(*), sum(price), count(*) - count(email) FROM read_parquet('${f}')`)).getRowObjectsJS()
  const lit = performance.now() - t; t = performance.now()
  for (const f of files) (await conn.runAndReadAll(`SELECT count(*), sum(price), count(*) - count(email) FROM read_parquet($1)`, [f])).getRowObjectsJS()
  const par = performance.now() - t; t = performance.now()
  for (const f of files) (await conn.runAndReadAll(`SELECT count(*) AS m0, sum(price) AS m1, count(*) - count(email) AS m2 FROM read_parquet('${f}') AS t WHERE $1`, [true])).getRowObjectsJS()
  const litp = performance.now() - t
  console.log('literal', lit.toFixed(0), 'param path', par.toFixed(0), 'literal+other param', litp.toFixed(0))
}
