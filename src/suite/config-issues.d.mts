import type { StandardSchemaV1 } from '@standard-schema/spec'

/** Where in the config a Standard Schema issue is: `retry.attempts`, `routes[0].to`, or '(root)'. */
export declare function issuePath(issue: StandardSchemaV1.Issue): string

/** `invalid pluginConfig for plugin 'slack': channel: Required; retry.attempts: Too small`. */
export declare function invalidConfigMessage(
  plugin: string,
  issues: readonly StandardSchemaV1.Issue[],
): string
