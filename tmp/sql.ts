import { check, DataSource, ResultKey, VerificationSuite } from '../src/index.js'
import { subscribe } from 'node:diagnostics_channel'
subscribe('dqx:scan', (m) => console.log(JSON.stringify(m)))
const chk = check({ name: 'o', datasets: ['o'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).isEq(1000); ctx.assertThat(mp.sum('price')).isPositive(); ctx.assertThat(mp.nullCount('email')).isLt(1000)
})
await new VerificationSuite({ name: 'x', checks: [chk], audit: false }).run({ o: DataSource.parquet('/tmp/many_0.parquet') }, new ResultKey('2026-11-25'))
