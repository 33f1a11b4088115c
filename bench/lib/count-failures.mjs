// The plugin the isolation bench runs in-process and in sandboxes: counts failed results.
export default function countFailures(suite) {
  suite.hooks.processResults.tap(
    'count-failures',
    (ctx) => ctx.results.filter((r) => r.status === 'FAILED').length,
  )
}
