// Types for scripts/pg.mjs, so test/setup/global.ts can import it under strict TypeScript.
export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/dqx_test (trust auth, no password) */
  url: string
  /** temp dir holding data/, the socket and the server log; pass it to stopPg */
  dir: string
  port: number
  /** how long the start took */
  ms: number
}
export function startPg(options?: { owner?: number }): Promise<PgCluster>
/** Returns how long the stop took in ms (0 if there was nothing to stop). Never throws. */
export function stopPg(dir: string | undefined): number
export function sweepPg(): void
/** Why no cluster can be started here (no server binaries), or undefined when one can. */
export function pgServerMissing(): string | undefined
