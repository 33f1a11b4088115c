// The one place that decides what a secret is and how it is hidden, for every line and message dqx
// writes: plugin log lines (JSON), error messages, and the targets plugins name ("webhook 'ops' to
// https://hooks.slack.com/[redacted]"). docs/security.md lists what is and is not redacted.
//
// Three rules, each chosen so that redaction can never corrupt what it touches:
// - a KEY is secret when its last word names a secret (`smtpPassword`, `apiKey`, `sessionToken`),
//   never for a word inside it (`authTimeoutMs`, `sessionName`, `author`, `passRate` are harmless);
// - secret VALUES are collected from the string fields under secret keys and from URL credentials,
//   at least MIN_SECRET_LENGTH characters long, and replaced only inside text (in a JSON line:
//   only inside its string values), so a line stays valid JSON and numbers are never touched;
// - a URL keeps its scheme, host and port: user, password, path, query and fragment are hidden.

export const REDACTED = '[redacted]'

/** Secrets shorter than this are not searched for in text: a 1–3 character "secret" would mangle every line. */
export const MIN_SECRET_LENGTH = 4

/** Last words of a key that make it a secret (plural forms match too: `tokens`, `cookies`). */
const SECRET_LAST_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'pass',
  'secret',
  'token',
  'authorization',
  'auth',
  'credential',
  'credentials',
  'cookie',
  'bearer',
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'sessionid',
])

/** Words that make a following `key` a secret (`apiKey`, `private_key`, `x-api-key`); `sortKey` is not. */
const KEY_QUALIFIERS = new Set([
  'api',
  'private',
  'secret',
  'access',
  'signing',
  'encryption',
  'master',
  'session',
  'auth',
  'client',
])

/** The words of a key, lower case: camelCase, PascalCase, snake_case, kebab-case, dots and digits split it. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w !== '')
}

/**
 * Whether a field of this name holds a secret: its last word is one (`password`, `token`,
 * `secret`, `authorization`, `cookie`, `credentials` …) or its last two words are (`apiKey`,
 * `privateKey`, `sessionId`). A secret word elsewhere in the key does not count: `authTimeoutMs`,
 * `sessionName`, `passRate`, `tokenUrl` and `author` are not secrets.
 */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key)
  const last = words[words.length - 1]
  if (last === undefined) return false
  const singular = last.length > 2 && last.endsWith('s') ? last.slice(0, -1) : last
  if (SECRET_LAST_WORDS.has(last) || SECRET_LAST_WORDS.has(singular)) return true
  const previous = words[words.length - 2]
  if (previous === undefined) return false
  return (singular === 'key' && KEY_QUALIFIERS.has(previous)) || (singular === 'id' && previous === 'session')
}

// ---------------------------------------------------------------------------------------------
// URLs

/**
 * A URL in free text: `scheme://authority` then an optional path, query or fragment. It ends at
 * whitespace or at a character no URL contains unencoded (quotes, `<>{}|\^` and backtick), so
 * `"https://h/x","ok":false}` ends before the quote.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>\\^`{|}]*)([/?#][^\s"'<>\\^`{|}]*)?/gi
/** Sentence punctuation after a URL belongs to the sentence: `see https://h/x.` */
const TRAILING_PUNCTUATION = /[.,;:!?)]+$/

/**
 * Every URL in `text` reduced to its scheme, host and port: a user name or password becomes
 * `[redacted]@`, anything after the host (path, query, fragment) becomes `/[redacted]`.
 * `https://ghp_x@github.com/o/r?t=1` → `https://[redacted]@github.com/[redacted]`. Idempotent.
 */
export function redactUrl(text: string): string {
  return text.replace(URL_IN_TEXT, (url, scheme: string, authority: string, rest: string | undefined) => {
    // A local file (a stack frame, a report path) has no credentials, and its path is what a reader needs.
    if (scheme.toLowerCase() === 'file://') return url
    let tail = ''
    if (rest === undefined) {
      const punct = TRAILING_PUNCTUATION.exec(authority)
      if (punct) {
        tail = punct[0]
        authority = authority.slice(0, -tail.length)
      }
    } else {
      const punct = TRAILING_PUNCTUATION.exec(rest)
      if (punct && punct[0].length < rest.length) {
        tail = punct[0]
        rest = rest.slice(0, -tail.length)
      }
    }
    const at = authority.lastIndexOf('@')
    const hostPort = authority.slice(at + 1)
    const path = rest === undefined || rest === '/' ? (rest ?? '') : `/${REDACTED}`
    return `${scheme}${at >= 0 ? `${REDACTED}@` : ''}${hostPort}${path}${tail}`
  })
}

/** decodeURIComponent, or the text as is when it is not valid percent-encoding. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** A path segment that looks like a token (Slack's T…/B…/secret, Discord's id/token), not a word. */
function tokenLike(segment: string): boolean {
  return segment.length >= 16 || (segment.length >= 5 && /\d/.test(segment) && /[a-z]/i.test(segment))
}

/**
 * The secrets inside one URL, for finding them where they appear on their own (an error quoting a
 * password or the token of a webhook): the password, or the user name when it stands alone and
 * looks like a token (`https://ghp_abc123@github.com`; `postgres://postgres@h` names a role), query
 * values, token-like path segments, the path and the whole URL. A user name next to a password is
 * a name, not a secret: it is hidden where the URL is shown, but not searched for elsewhere.
 */
export function urlSecrets(url: string): string[] {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return [url]
  }
  const out = [url]
  if (u.password !== '') out.push(u.password, safeDecode(u.password))
  else if (tokenLike(u.username)) out.push(u.username, safeDecode(u.username))
  if (u.search.length > 1) out.push(u.search.slice(1))
  for (const v of u.searchParams.values()) out.push(v)
  if (u.pathname.length > 1 && u.pathname !== '/') {
    out.push(u.pathname, safeDecode(u.pathname))
    for (const seg of u.pathname.split('/')) if (tokenLike(seg)) out.push(seg, safeDecode(seg))
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Secrets in free text that no config named

/** `password=…`, `token: "…"`-free forms: a `key=value` pair whose key is a secret key (DSNs, query-like text). */
const PAIR_IN_TEXT = /([A-Za-z_][\w.-]*)(\s*=\s*)('[^']*'|"[^"]*"|[^\s;&,"'<>{}()[\]]+)/g
/** An HTTP credential quoted in text: `Bearer sk-…`, `Basic dXNlcjpw…`. */
const SCHEME_CREDENTIAL = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{4,}/g

function redactPairs(text: string): string {
  if (!text.includes('=')) return text
  return text.replace(PAIR_IN_TEXT, (m, key: string, eq: string, value: string) =>
    isSecretKey(key) && value !== REDACTED ? `${key}${eq}${REDACTED}` : m,
  )
}

// ---------------------------------------------------------------------------------------------
// Collecting the secrets of a config

function addSecret(out: Set<string>, value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return
  out.add(value)
  const decoded = safeDecode(value)
  if (decoded.length >= MIN_SECRET_LENGTH) out.add(decoded)
}

const MAX_DEPTH = 8

function collect(value: unknown, secretKey: boolean, out: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return
  if (typeof value === 'string') {
    if (secretKey) {
      addSecret(out, value)
      // A header value such as `Bearer sk-…`: the credential alone is a secret too.
      for (const part of value.split(/\s+/)) addSecret(out, part)
    }
    if (value.includes('://')) {
      for (const m of value.matchAll(URL_IN_TEXT)) {
        const [url, , authority, rest] = m
        // Only URLs that carry something: credentials, a path or a query.
        if (!authority?.includes('@') && (rest === undefined || rest === '/')) continue
        for (const s of urlSecrets(url)) addSecret(out, s)
      }
    }
    for (const m of value.matchAll(PAIR_IN_TEXT)) {
      if (isSecretKey(m[1] as string)) addSecret(out, (m[3] as string).replace(/^['"]|['"]$/g, ''))
    }
    return
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, secretKey, out, depth + 1)
    return
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, isSecretKey(k), out, depth + 1)
  }
}

/**
 * The secret strings of a config, longest first: every string under a secret key (at any depth,
 * in arrays too; numbers and booleans are not collected), the secret parts of URLs (urlSecrets) and
 * the values of `password=…` pairs in any string. Strings shorter than MIN_SECRET_LENGTH are left out.
 */
export function secretStrings(config: unknown): string[] {
  const out = new Set<string>()
  collect(config, false, out, 0)
  return [...out].sort((a, b) => b.length - a.length)
}

// ---------------------------------------------------------------------------------------------
// Scrubbing

/** One JSON token: a string, a structural character, or a run of anything else (whitespace, numbers, literals). */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^"{}[\]:,]+/g

/** What may stand between JSON's strings and punctuation: a number or a literal. */
const JSON_SCALAR = /^(?:-?\d[\d.eE+-]*|true|false|null)$/

interface Frame {
  object: boolean
  /** In an object: the next string is a key. */
  expectKey: boolean
  /** In an object: the current key is a secret key. In an array: the array sits under a secret key. */
  secret: boolean
}

/**
 * Hides secrets in text and JSON log lines: a set of known secret values (from plugin configs),
 * secret-keyed fields, `key=value` pairs with a secret key, `Bearer …` credentials and the
 * non-host parts of URLs. The values live in a #private field, so code holding the scrubber (any
 * plugin can reach the suite's) cannot read them back.
 */
export class SecretScrubber {
  /** Search strings, longest first, so a URL is replaced before the password inside it. */
  #needles: string[] = []

  constructor(secrets: readonly (string | null | undefined)[] = []) {
    this.add(secrets)
  }

  /** How many search strings it holds (each secret with its URL-encoded and decoded forms). */
  get size(): number {
    return this.#needles.length
  }

  add(secrets: readonly (string | null | undefined)[]): void {
    const all = new Set(this.#needles)
    for (const s of secrets) {
      if (typeof s !== 'string') continue
      for (const form of [s, encodeURIComponent(s), safeDecode(s)]) {
        if (form.length >= MIN_SECRET_LENGTH) all.add(form)
      }
    }
    this.#needles = [...all].sort((a, b) => b.length - a.length)
  }

  /** Free text (an error message, a target) with every secret hidden. */
  text(text: string): string {
    // URLs first, so a URL keeps its host rather than vanishing into one needle.
    let out = redactUrl(text)
    for (const n of this.#needles) if (out.includes(n)) out = out.split(n).join(REDACTED)
    return redactPairs(out).replace(SCHEME_CREDENTIAL, (_m, scheme: string) => `${scheme} ${REDACTED}`)
  }

  /**
   * One serialized JSON log line with every secret hidden, still valid JSON: string values are
   * scrubbed as text; a string, number or array of them under a secret key becomes "[redacted]".
   * Keys, numbers elsewhere, literals and the line's structure are never changed. Text that is not
   * a JSON line is scrubbed as text.
   */
  line(line: string): string {
    const stack: Frame[] = []
    let out = ''
    let at = 0
    const secretHere = (top: Frame | undefined): boolean => top?.secret === true && !top.expectKey
    for (const m of line.matchAll(JSON_TOKEN)) {
      if (m.index !== at) return this.text(line)
      const token = m[0]
      at += token.length
      const top = stack[stack.length - 1]
      const c = token[0]
      if (c === '{') {
        stack.push({ object: true, expectKey: true, secret: false })
        out += token
      } else if (c === '[') {
        stack.push({ object: false, expectKey: false, secret: secretHere(top) })
        out += token
      } else if (c === '}' || c === ']') {
        stack.pop()
        out += token
      } else if (c === ':') {
        if (top) top.expectKey = false
        out += token
      } else if (c === ',') {
        if (top?.object) top.expectKey = true
        out += token
      } else if (c === '"') {
        let decoded: string
        try {
          decoded = JSON.parse(token) as string
        } catch {
          return this.text(line)
        }
        if (top?.object && top.expectKey) {
          top.secret = isSecretKey(decoded)
          out += token
        } else if (secretHere(top)) {
          out += JSON.stringify(REDACTED)
        } else {
          const scrubbed = this.text(decoded)
          out += scrubbed === decoded ? token : JSON.stringify(scrubbed)
        }
      } else {
        // Whitespace, a number or a literal: only a number under a secret key is replaced.
        const value = token.trim()
        if (value !== '' && !JSON_SCALAR.test(value)) return this.text(line)
        out +=
          value !== '' && secretHere(top) && /^-?\d/.test(value)
            ? token.replace(value, JSON.stringify(REDACTED))
            : token
      }
    }
    return at === line.length ? out : this.text(line)
  }
}

/** A function that hides secrets in a message (see SecretScrubber.text). */
export type Redactor = (text: string) => string

/**
 * A Redactor for the given secrets (a URL, a password, header values; `undefined`s are ignored)
 * plus everything SecretScrubber hides without being told: URL credentials, paths and queries,
 * `password=…` pairs and `Bearer …` credentials.
 */
export function makeRedactor(secrets: readonly (string | undefined | null)[]): Redactor {
  const scrubber = new SecretScrubber()
  for (const s of secrets) {
    if (typeof s !== 'string') continue
    scrubber.add([s, ...s.split(/\s+/), ...(s.includes('://') ? urlSecrets(s) : [])])
  }
  return (text) => scrubber.text(text)
}

/** `text` with every secret of `config` (see secretStrings) hidden. */
export function scrubSecrets(text: string, config: unknown): string {
  return new SecretScrubber(secretStrings(config)).text(text)
}

/**
 * A deep copy of a config for logs and messages: fields under secret keys become "[redacted]"
 * (objects under them are walked, their own keys decide), every other string has its URLs and the
 * config's own secret values hidden. Numbers and booleans under other keys are kept as they are.
 */
export function redactSecrets(value: unknown): unknown {
  const scrubber = new SecretScrubber(secretStrings(value))
  const walk = (v: unknown, secretKey: boolean, depth: number): unknown => {
    if (depth > MAX_DEPTH) return REDACTED
    if (Array.isArray(v)) return v.map((x) => walk(x, secretKey, depth + 1))
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, isSecretKey(k), depth + 1)
      return out
    }
    if (secretKey && v !== null && v !== undefined) return REDACTED
    return typeof v === 'string' ? scrubber.text(v) : v
  }
  return walk(value, false, 0)
}
