/**
 * Run-scoped resources (connection pools and the like) that a data source
 * opens while a run binds it and that must be released when the run ends.
 * Keyed, so that every dataset of a run on the same server shares one pool.
 */
export class SessionResources {
  private readonly entries = new Map<string, { value: unknown; close: () => Promise<void> | void }>()

  /** The resource under `key`, created by `create` on first use; `close` releases it at the end of the run. */
  acquire<T>(key: string, create: () => T, close: (value: T) => Promise<void> | void): T {
    const found = this.entries.get(key)
    if (found) return found.value as T
    const value = create()
    this.entries.set(key, { value, close: () => close(value) })
    return value
  }

  /** Keys of the open resources, in creation order (for diagnostics and tests). */
  keys(): string[] {
    return [...this.entries.keys()]
  }

  /**
   * Releases every resource, newest first. Never rejects, so it is safe in a
   * `finally`: the errors of resources that failed to close are returned.
   * Afterwards the object is empty and can be used again.
   */
  async close(): Promise<Error[]> {
    const all = [...this.entries.values()].reverse()
    this.entries.clear()
    const errors: Error[] = []
    for (const entry of all) {
      try {
        await entry.close()
      } catch (err) {
        errors.push(err instanceof Error ? err : new Error(String(err)))
      }
    }
    return errors
  }
}
