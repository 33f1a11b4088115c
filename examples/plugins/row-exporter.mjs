// A plugin module meant to run isolated: it writes the run's results to a file, and would hang
// the run if it were in-process (a synchronous busy-wait stands in for a slow export library).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { definePlugin } from 'dqx/plugin'

export default definePlugin({
  name: 'row-exporter',
  apply(suite, config) {
    suite.hooks.processResults.tapPromise('row-exporter', async (ctx) => {
      const file = join(config.dir, `${ctx.suiteName}-${ctx.key.date}.json`)
      await writeFile(file, JSON.stringify(ctx.results, null, 2))
      ctx.logger.info({ file, results: ctx.results.length }, 'results exported')
    })
    suite.hooks.afterRun.tap('row-exporter-hang', () => {
      if (config.hang) for (;;) {} // stopped by the sandbox's deadline, not by luck
    })
  },
})
