import type { ScanEvent } from '../engine/scan-events.js'
import type { Colors, StatusLine } from './io.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * Progress of one suite run on stderr: which dataset is being scanned (from
 * the engine's scan events, `run(…, { onProgress })`) and when evaluation is
 * done (from the suite's afterEvaluate hook, or the end of the run when
 * plugins are off).
 */
export class RunProgress {
  private readonly scanned = new Set<string>()
  /** Scans started and not yet ended: datasets are scanned concurrently. */
  private readonly running: string[] = []
  private finished = false
  private datasets: readonly string[] = []
  private suite = ''
  private date = ''

  constructor(
    private readonly status: StatusLine,
    private readonly colors: Colors,
  ) {}

  start(suite: string, date: string, datasets: readonly string[], checks: number): void {
    this.suite = suite
    this.date = date
    this.datasets = datasets
    this.status.update(
      `${this.colors.bold(suite)} ${this.colors.dim(date)}: ${plural(datasets.length, 'dataset')}, ${plural(checks, 'check')}`,
    )
  }

  /** The run's scan listener: pass as `onProgress` to `suite.run`. */
  readonly onScan = (event: ScanEvent): void => {
    if (this.finished) return
    const label = event.date === this.date ? event.dataset : `${event.dataset} for ${event.date}`
    if (event.phase === 'start') {
      this.scanned.add(event.dataset)
      this.running.push(label)
    } else {
      const at = this.running.indexOf(label)
      if (at >= 0) this.running.splice(at, 1)
    }
    const current = this.running.at(-1)
    if (current === undefined) return
    const of = this.datasets.length > 0 ? ` (${this.scanned.size}/${this.datasets.length})` : ''
    const more = this.running.length > 1 ? ` +${this.running.length - 1}` : ''
    this.status.update(`${this.colors.bold(this.suite)}: scanning ${current}${more}${of}…`)
  }

  /** Evaluation finished: replaces the spinner with a summary line. Only the first call counts. */
  evaluated(assertions: number, durationMs: number): void {
    if (this.finished) return
    this.finished = true
    this.status.done(
      `${this.colors.green('✔')} ${this.colors.bold(this.suite)}: scanned ${plural(this.scanned.size, 'dataset')}, evaluated ${plural(assertions, 'assertion')} in ${Math.round(durationMs)} ms`,
    )
  }

  /** The run failed before evaluation finished. */
  failed(): void {
    if (this.finished) return
    this.finished = true
    this.status.done(`${this.colors.red('✖')} ${this.colors.bold(this.suite)}: run failed`)
  }
}
