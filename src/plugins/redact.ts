/** Keys whose values are secrets wherever they appear in a config object. */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|auth(orization)?|credential|private[-_]?key|cookie|session/i

export const REDACTED = '[redacted]'

/** Paths pino's redaction censors in every plugin log line (up to three levels deep). */
export const REDACT_PATHS: string[] = (() => {
  const keys = ['password', 'pass', 'secret', 'token', 'apiKey', 'api_key', 'authorization', 'Authorization', 'auth', 'credentials', 'privateKey', 'cookie', 'url', 'webhookUrl', 'connectionString']
  const paths: string[] = []
  for (const k of keys) paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`)
  return paths
})()

/** Hides the password and query string of a URL (webhook tokens live there). */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)?([^\s?#]*)(\?[^\s#]*)?/gi, (_m, scheme: string, cred: string | undefined, rest: string, query: string | undefined) => {
    const user = cred ? `${cred.split(':')[0]?.replace(/@$/, '')}:${REDACTED}@` : ''
    // Webhook URLs (Slack, Teams, Discord) carry their token in the path: keep only the host.
    const slash = rest.indexOf('/')
    const hostOnly = slash >= 0 && slash < rest.length - 1 ? `${rest.slice(0, slash)}/${REDACTED}` : rest
    return `${scheme}${user}${hostOnly}${query ? `?${REDACTED}` : ''}`
  })
}

/** A deep copy of a config with secret-looking fields and URL credentials replaced, for logs and messages. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'object' ? REDACTED : redactSecrets(v, depth + 1)
  }
  return out
}
