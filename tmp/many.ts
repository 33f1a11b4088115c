import { check, DataSource, ResultKey, VerificationSuite } from '../src/index.js'
import { generateParquet } from '../bench/lib/workload.js'
import { DuckDBInstance } from '@duckdb/node-api'
const files = Array.from({ length: 50 }, (_, i) => `/tmp/many_${i}.parquet`)
for (const f of files) await generateParquet(f, 1000)
const threeMetrics = (dataset: string) =>
  check({ name: dataset, datasets: [dataset] }, (mp, ctx) => {
    ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isEq(1000)
    ctx.assertThat(mp.sum('price')).where({ name: 'revenue' }).isPositive()
    ctx.assertThat(mp.nullCount('email')).where({ name: 'missing emails' }).isLt(1000)
  })
const many = Object.fromEntries(files.map((f, i) => [`orders_${i}`, DataSource.parquet(f)]))
const suite = new VerificationSuite({ name: 'many', checks: Object.keys(many).map(threeMetrics), audit: false, ...(process.env.C ? {} : {}) })
const key = new ResultKey('2026-11-25')
const inst = await DuckDBInstance.create(':memory:'); const conn = await inst.connect()
const conc = process.env.C ? Number(process.env.C) : undefined
for (let i = 0; i < 15; i++) {
  let t = performance.now(); let c = process.cpuUsage()
  await suite.run(many, key, conc ? { scanConcurrency: conc } : {})
  const d = [performance.now() - t, process.cpuUsage(c).user / 1000]
  t = performance.now(); c = process.cpuUsage()
  for (const f of files) (await conn.runAndReadAll(`SELECT count(*), sum(price), count(*) - count(email) FROM read_parquet('${f}')`)).getRowObjectsJS()
  const r = [performance.now() - t, process.cpuUsage(c).user / 1000]
  if (i >= 5) console.log('dqx', d.map((x) => x.toFixed(0)), 'raw', r.map((x) => x.toFixed(0)), (d[0] / r[0]).toFixed(2))
}
