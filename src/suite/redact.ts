/** Keys whose values are secrets wherever they appear in a config object. */
const SECRET_KEY =
  /pass(word)?|secret|token|api[-_]?key|auth(orization)?|credential|private[-_]?key|cookie|session/i

export const REDACTED = '[redacted]'

/** Paths pino's redaction censors in every plugin log line (up to three levels deep). */
export const REDACT_PATHS: string[] = (() => {
  const keys = [
    'password',
    'pass',
    'secret',
    'token',
    'apiKey',
    'api_key',
    'authorization',
    'Authorization',
    'auth',
    'credentials',
    'privateKey',
    'cookie',
    'url',
    'webhookUrl',
    'connectionString',
  ]
  const paths: string[] = []
  for (const k of keys) paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`)
  return paths
})()

/** Hides the password and query string of a URL (webhook tokens live there). */
export function redactUrl(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)?([^\s?#]*)(\?[^\s#]*)?/gi,
    (_m, scheme: string, cred: string | undefined, rest: string, query: string | undefined) => {
      const user = cred ? `${cred.split(':')[0]?.replace(/@$/, '')}:${REDACTED}@` : ''
      // Webhook URLs (Slack, Teams, Discord) carry their token in the path: keep only the host.
      const slash = rest.indexOf('/')
      const hostOnly = slash >= 0 && slash < rest.length - 1 ? `${rest.slice(0, slash)}/${REDACTED}` : rest
      return `${scheme}${user}${hostOnly}${query ? `?${REDACTED}` : ''}`
    },
  )
}

/** A deep copy of a config with secret-looking fields and URL credentials replaced, for logs and messages. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'object'
        ? REDACTED
        : redactSecrets(v, depth + 1)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Value-based scrubbing (reliability/security pass): path redaction only hides known keys, so a
// plugin logging `{ db: { postgres: 'postgres://u:pw@h/db' } }`, or an error message that quotes its
// webhook URL, would still leak. These helpers find the secret *values* of a config so that every
// line a plugin's (and the hooks') logger writes, and dqx's own error messages, can be scrubbed of them.

/** Secrets shorter than this are not scrubbed from free text (a 1–3 character "secret" would mangle every line). */
const MIN_SECRET_LENGTH = 4
const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/([^\s/@]+@)?([^\s?#]*)(\?[^\s#]*)?/gi
const PAIR_RE = /\b(?:password|passwd|pwd|pass|secret|token|api[-_]?key)\s*=\s*('[^']*'|"[^"]*"|[^\s;&]+)/gi

function addSecret(out: Set<string>, value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return
  out.add(value)
  try {
    const decoded = decodeURIComponent(value)
    if (decoded !== value && decoded.length >= MIN_SECRET_LENGTH) out.add(decoded)
  } catch {
    // not percent-encoded text
  }
}

function collectSecrets(value: unknown, key: string | undefined, out: Set<string>, depth: number): void {
  if (depth > 8) return
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
    const text = String(value)
    if (key !== undefined && SECRET_KEY.test(key)) addSecret(out, text)
    if (typeof value !== 'string') return
    for (const m of text.matchAll(URL_RE)) {
      const [url, cred, rest = '', query] = m
      const slash = rest.indexOf('/')
      const path = slash >= 0 ? rest.slice(slash) : ''
      // Only URLs that carry something secret: credentials, a query string, or a token-like path.
      if (cred === undefined && query === undefined && path.length <= 1) continue
      addSecret(out, url)
      if (cred !== undefined) {
        const userinfo = cred.slice(0, -1)
        const colon = userinfo.indexOf(':')
        addSecret(out, colon >= 0 ? userinfo.slice(colon + 1) : userinfo)
      }
      if (path.length > 1) addSecret(out, path)
      if (query !== undefined) {
        addSecret(out, query.slice(1))
        for (const pair of query.slice(1).split('&')) addSecret(out, pair.slice(pair.indexOf('=') + 1))
      }
    }
    for (const m of text.matchAll(PAIR_RE)) addSecret(out, (m[1] as string).replace(/^['"]|['"]$/g, ''))
    return
  }
  if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, key, out, depth + 1)
    return
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectSecrets(v, k, out, depth + 1)
  }
}

/**
 * The secret strings inside a config: values under secret-looking keys (at any depth, numbers
 * included), and from every string the credentials, path, query and query values of URLs that
 * carry them, plus `password=…`-style pairs of connection strings. Longest first.
 */
export function secretStrings(config: unknown): string[] {
  const out = new Set<string>()
  collectSecrets(config, undefined, out, 0)
  return [...out].sort((a, b) => b.length - a.length)
}

/**
 * A reusable scrubber for a growing set of secrets: replaces each (raw, JSON-escaped or
 * URL-encoded) with `[redacted]`. The secrets live in a #private field, so code holding the
 * scrubber (any plugin can reach the suite's) cannot read them back.
 */
export class SecretScrubber {
  /** Search strings, longest first, so a URL is replaced before the password inside it. */
  #needles: string[] = []

  get size(): number {
    return this.#needles.length
  }

  add(secrets: readonly string[]): void {
    if (secrets.length === 0) return
    const all = new Set(this.#needles)
    for (const s of secrets) {
      all.add(s)
      all.add(JSON.stringify(s).slice(1, -1))
      all.add(encodeURIComponent(s))
    }
    this.#needles = [...all].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)
  }

  scrub(text: string): string {
    for (const n of this.#needles) if (text.includes(n)) text = text.split(n).join(REDACTED)
    return text
  }
}

/** `text` with every secret of `config` (see secretStrings) replaced by `[redacted]`. */
export function scrubSecrets(text: string, config: unknown): string {
  const s = new SecretScrubber()
  s.add(secretStrings(config))
  return s.size === 0 ? text : s.scrub(text)
}
