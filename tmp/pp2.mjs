import { DuckDBInstance } from '@duckdb/node-api'
const inst = await DuckDBInstance.create(':memory:'); const conn = await inst.connect()
await conn.run('SET parquet_metadata_cache = true')
const files = Array.from({ length: 50 }, (_, i) => `/tmp/many_${i}.parquet`)
const res = { lit: [], par: [] , litp: []}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1]
for (let r = 0; r < 25; r++) {
  for (const mode of r % 2 ? ['lit', 'par', 'litp'] : ['litp', 'par', 'lit']) {
    const c = process.cpuUsage(); const t = performance.now()
    for (const f of files) {
      if (mode === 'lit') (await conn.runAndReadAll(`SELECT count(*) AS m0, CAST(sum("price") AS DOUBLE) AS m1, count(*) - count("email") AS m2 FROM read_parquet('${f}') AS dqx_src`)).getRowObjectsJS()
      else if (mode === 'par') (await conn.runAndReadAll(`SELECT count(*) AS m0, CAST(sum("price") AS DOUBLE) AS m1, count(*) - count("email") AS m2 FROM read_parquet($1) AS dqx_src`, [f])).getRowObjectsJS()
      else (await conn.runAndReadAll(`SELECT count(*) AS m0, CAST(sum("price") AS DOUBLE) AS m1, count(*) - count("email") AS m2 FROM read_parquet('${f}') AS dqx_src WHERE "price" > $1`, [-1])).getRowObjectsJS()
    }
    const u = process.cpuUsage(c); res[mode].push([(u.user + u.system) / 1000, performance.now() - t])
  }
}
for (const k of ['lit', 'par', 'litp']) console.log(k, 'cpu', med(res[k].map((x) => x[0])).toFixed(1), 'wall', med(res[k].map((x) => x[1])).toFixed(1))
