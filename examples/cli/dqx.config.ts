// The CLI example: `npx dqx run --config examples/cli/dqx.config.ts` (CI runs it through the built
// binary, see scripts/run-cli-example.mjs). Paths below resolve from this file's directory.
//
// It exits 0 on purpose although one assertion fails: 'price outliers' is a P2 assertion and
// `dqx run` only fails (exit 1) on failures at or above --fail-on, P1 by default. Run it with
// `--fail-on P2` to see exit code 1.
import { check, DataSource, defineConfig, definePlugin } from 'dqx'

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.duplicateCount(['order_id']))
    .where({ name: 'unique order ids', severity: 'P0' })
    .isZero()
  ctx
    .assertThat(mp.nullCount('email').div(mp.numRows()))
    .where({ name: 'email null rate', tags: ['pii'] })
    .isLt(0.2)
  ctx
    .assertThat(mp.numRows().sub(mp.countValues('status', ['placed', 'shipped', 'delivered', 'cancelled'])))
    .where({ name: 'known statuses only' })
    .isZero()
  ctx.assertThat(mp.minimum('quantity')).where({ name: 'quantity is positive' }).isPositive()
  // Fails on purpose (one order of 310.00): P2, below the default --fail-on P1.
  ctx.assertThat(mp.maximum('price')).where({ name: 'price outliers', severity: 'P2' }).isLeq(250)
})

const customers = check({ name: 'customers', datasets: ['customers'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'has rows', severity: 'P0' }).isPositive()
  ctx
    .assertThat(mp.duplicateCount(['customer_id']))
    .where({ name: 'ids are unique' })
    .isZero()
  ctx.assertThat(mp.maxLength('country')).where({ name: 'ISO country codes', severity: 'P2' }).isEq(2)
})

// A tiny inline plugin: runs in the processResults fan-out and reports on stderr (stdout stays
// clean for --json). `--disable-plugin failures-to-stderr` turns it off.
const failuresToStderr = definePlugin({
  name: 'failures-to-stderr',
  apply(suite) {
    suite.hooks.processResults.tap('failures-to-stderr', (ctx) => {
      const failed = ctx.results.filter((r) => r.status === 'FAILED').length
      process.stderr.write(`[failures-to-stderr] ${ctx.suiteName}: ${failed} failed assertion(s)\n`)
    })
  },
})

export default defineConfig({
  name: 'shop',
  checks: [orders, customers],
  datasources: {
    orders: DataSource.csv('data/orders.csv'),
    customers: DataSource.csv('data/customers.csv'),
  },
  plugins: [failuresToStderr],
})
