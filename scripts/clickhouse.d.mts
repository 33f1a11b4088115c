export const CLUSTER: string
export const PASSWORD_USER: { username: string; password: string }
export function chQuery(url: string, sql: string): Promise<string>
export function startClickHouse(options?: {
  owner?: number
}): Promise<{ url: string; url2: string; dir: string; ms: number }>
export function createDistributedTable(
  urls: readonly string[],
  name: string,
  columns: string,
  orderBy?: string,
): Promise<void>
export function stopClickHouse(dir: string): number
export function sweepClickHouse(): void
export function clickHouseMissing(): string | undefined
