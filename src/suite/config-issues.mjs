// How a plugin config its schema rejects is described, in one place for both sides of isolation:
// the suite (plugin-config.ts) and the sandbox runner (isolation/sandbox-runner.mjs), so an
// isolated plugin's invalid config reads the same as an in-process one's. Plain JavaScript without
// imports, because the sandbox runner imports it and must start without TypeScript or dqx.

/** Where in the config a Standard Schema issue is: `retry.attempts`, `routes[0].to`, or '(root)'. */
export function issuePath(issue) {
  if (!issue.path || issue.path.length === 0) return '(root)'
  return issue.path
    .map((seg) => {
      const k = typeof seg === 'object' ? seg.key : seg
      return typeof k === 'number' ? `[${k}]` : `.${String(k)}`
    })
    .join('')
    .replace(/^\./, '')
}

/** `invalid pluginConfig for plugin 'slack': channel: Required; retry.attempts: Too small`. */
export function invalidConfigMessage(plugin, issues) {
  const lines = issues.map((i) => `${issuePath(i)}: ${i.message}`)
  return `invalid pluginConfig for plugin '${plugin}': ${lines.join('; ')}`
}
