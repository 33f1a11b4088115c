import { toError } from '../core/errors.js'
import type { PluginRun } from '../hooks/index.js'
import { type FailureScope, failed, type SuiteLifecycle } from './lifecycle.js'

/**
 * The hook calls of one run (or replay): every PluginRun they return, secrets scrubbed, with each
 * failed tap reported to onPluginError once, right after the call it failed in. A call that itself
 * rejects (a `call` interceptor that throws) does not stop the run: its error is kept (the first
 * one) for the run to reject with once it has finished.
 */
export class HookCalls {
  readonly runs: PluginRun[] = []
  error: Error | undefined

  constructor(
    private readonly lifecycle: SuiteLifecycle,
    private readonly scope: FailureScope,
  ) {}

  async call(hook: () => Promise<PluginRun[]>): Promise<void> {
    let runs: PluginRun[]
    try {
      runs = await hook()
    } catch (err) {
      this.error ??= toError(err)
      return
    }
    this.lifecycle.scrubRuns(runs)
    this.runs.push(...runs)
    if (runs.some(failed)) this.runs.push(...(await this.lifecycle.reportFailures(runs, this.scope)))
  }
}
