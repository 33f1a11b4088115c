import type { Colors, StatusLine } from './io.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * Progress of one suite run on stderr: which dataset is being scanned (from
 * the engine's `scan` debug log lines) and when evaluation is done (from the
 * suite's afterEvaluate hook, or the end of the run when plugins are off).
 */
export class RunProgress {
  private readonly scanned = new Set<string>()
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

  /** One batched scan of a dataset for a date has started. */
  scan(dataset: string, date: string): void {
    if (this.finished) return
    this.scanned.add(dataset)
    const of = this.datasets.length > 0 ? ` (${this.scanned.size}/${this.datasets.length})` : ''
    const day = date === this.date ? '' : ` for ${date}`
    this.status.update(`${this.colors.bold(this.suite)}: scanning ${dataset}${day}${of}…`)
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
