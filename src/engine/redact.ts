/**
 * A warehouse's error text with secrets removed before it reaches a DqxError or a log: the
 * password given (every occurrence, also percent-encoded) and the password part of any
 * `scheme://user:password@host` URL a client echoes back.
 */
export function redactSecrets(text: string, password?: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, '$1***@')
  if (password !== undefined && password !== '') {
    for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('***')
  }
  return out
}
