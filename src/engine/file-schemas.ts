import { stat } from 'node:fs/promises'
import type { ColumnInfo } from './data-source.js'

/**
 * Columns of single data files, remembered per file version (path, size and
 * modification time) for the life of the process: a scheduler running the
 * same suite every few minutes over the same files skips the DESCRIBE that
 * validates columns before each scan. A rewritten file has a new version and
 * is described again.
 */
const known = new Map<string, { version: string; columns: ColumnInfo[] }>()
const MAX_FILES = 1000

async function versionOf(path: string): Promise<string | undefined> {
  const s = await stat(path).catch(() => undefined)
  return s ? `${s.size}:${s.mtimeMs}` : undefined
}

/** The columns of `path` when it has not changed since `describe` last ran on it; else runs it. */
export async function fileColumns(
  path: string,
  describe: () => Promise<ColumnInfo[] | undefined>,
): Promise<ColumnInfo[] | undefined> {
  const version = await versionOf(path)
  const hit = known.get(path)
  if (version !== undefined && hit?.version === version) return hit.columns
  const columns = await describe()
  if (version !== undefined && columns !== undefined) {
    if (known.size >= MAX_FILES) known.delete(known.keys().next().value as string)
    known.set(path, { version, columns })
  }
  return columns
}
