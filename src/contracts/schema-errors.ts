import type { z } from 'zod'
import { didYouMean } from '../core/did-you-mean.js'
import type { DqxError } from '../core/errors.js'
import type { YamlDocument, YamlPath } from './yaml-document.js'

/**
 * Turns the first zod issue into a DqxError at the offending value's file:line:col, with the field
 * and what to write instead. `knownKeys` feeds the did-you-mean for unknown keys.
 */
export function schemaError(
  doc: YamlDocument,
  error: z.ZodError,
  knownKeys: readonly string[],
  base: YamlPath = [],
): DqxError {
  const issue = error.issues[0] as z.core.$ZodIssue
  const path = [...base, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')]
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string
    const hint = didYouMean(key, knownKeys)
    return doc.error(
      [...path, key],
      `is not a known key${hint ? ` — did you mean '${hint}'?` : ''}; remove it or fix its spelling`,
      {
        key: true,
      },
    )
  }
  return doc.error(path, issue.message)
}
