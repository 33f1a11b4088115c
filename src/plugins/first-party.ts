import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Logger } from 'pino'
import { z } from 'zod'
import { DqxError } from '../core/errors.js'
import type { ResultKey } from '../core/result-key.js'
import type { AfterRunContext, ResultsContext } from '../core/run-context.js'
import type { AssertionResult, RunSummary, SymbolInfo } from '../core/types.js'
import type { PluginRun } from '../hooks/types.js'
import type { ObjectPlugin, Suite } from './plugin.js'

// The scaffolding every first-party plugin shares: options validated by a zod
// schema when the factory is called, an optional `name` so two instances can
// coexist, `pluginConfig[name]` as shallow overrides, `notifyOn`, and one view
// of the run whether it ended normally (processResults) or with a run error
// (afterRun).

export const NOTIFY_ON = ['always', 'failure', 'success'] as const
/** When a plugin acts: every run, runs with a FAILED result or a run error, or only the other runs. */
export type NotifyOn = (typeof NOTIFY_ON)[number]
export const notifyOnSchema = z.enum(NOTIFY_ON).optional()
export const nameSchema = z.string().trim().min(1).optional()

export type RunStatus = 'passed' | 'failed' | 'error'

/** What a first-party plugin acts on: the processResults context, or the afterRun report. */
export interface RunView {
  readonly suiteName: string
  readonly runId: string
  readonly key: ResultKey
  /** When the run started. */
  readonly timestamp: Date
  readonly durationMs: number
  readonly datasources: readonly string[]
  readonly results: readonly AssertionResult[]
  readonly symbols: readonly SymbolInfo[]
  readonly summary: Readonly<RunSummary>
  /** The run-level error (bad data source, missing column …); results are then empty. */
  readonly error?: Error | undefined
  /** The plugin runs so far (afterRun only). */
  readonly pluginRuns?: readonly PluginRun[] | undefined
  readonly signal: AbortSignal
  readonly logger: Logger
}

/** 'error' when the run itself failed, 'failed' when any assertion FAILED, else 'passed'. */
export function runStatus(view: Pick<RunView, 'summary' | 'error'>): RunStatus {
  if (view.error !== undefined) return 'error'
  return view.summary.failed > 0 ? 'failed' : 'passed'
}

/** 'failure' = any FAILED result or a run-level error; 'success' = neither. */
export function shouldNotify(notifyOn: NotifyOn, view: Pick<RunView, 'summary' | 'error'>): boolean {
  if (notifyOn === 'always') return true
  const failing = runStatus(view) !== 'passed'
  return notifyOn === 'failure' ? failing : !failing
}

function fromResults(ctx: ResultsContext): RunView {
  return ctx
}

function fromReport(ctx: AfterRunContext): RunView {
  return { ...ctx, timestamp: ctx.startedAt }
}

function issuePath(issue: z.core.$ZodIssue): string {
  if (issue.path.length === 0) return '(options)'
  return issue.path
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('')
    .replace(/^\./, '')
}

/** Validates a plugin's options; a bad value is a DqxError naming the plugin and each bad field (never its value). */
export function parseOptions<S extends z.ZodType>(plugin: string, schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const lines = r.error.issues.map((i) => `${issuePath(i)}: ${i.message}`)
  throw new DqxError('INVALID_PLUGIN_CONFIG', `invalid options for plugin '${plugin}': ${lines.join('; ')}`)
}

export interface FirstPartySpec<S extends z.ZodObject> {
  /** The default plugin name, e.g. 'webhook'. */
  kind: string
  description: string
  schema: S
  /**
   * 'results': act in processResults, and in afterRun when the run itself failed
   * (processResults is not called then). 'report': act in afterRun, which sees
   * the whole report (plugin runs, run error).
   */
  on: 'results' | 'report'
  defaultNotifyOn: NotifyOn
  /** Called once per apply with the validated options; returns what to do with each run. */
  setup(options: z.output<S>, name: string): (view: RunView) => Promise<void>
}

/** The plugin object a first-party factory returns. */
export type FirstPartyPlugin = ObjectPlugin<Record<string, unknown> | undefined> & { readonly kind: string }

/** A factory with its options schema attached: `webhook.configSchema.parse(opts)`. */
export type Factory<S extends z.ZodObject> = ((options: z.input<S>) => FirstPartyPlugin) & {
  readonly configSchema: S
}

export function createPlugin<S extends z.ZodObject>(
  spec: FirstPartySpec<S>,
  input: unknown,
): FirstPartyPlugin {
  const label = (value: unknown): string => {
    const n = (value as { name?: unknown } | null | undefined)?.name
    return typeof n === 'string' && n.trim() !== '' ? n.trim() : spec.kind
  }
  const options = parseOptions(label(input), spec.schema, input)
  const name = (options as { name?: string }).name ?? spec.kind
  // pluginConfig[name] overrides options field by field (shallow); it may not rename the plugin.
  const overrides = spec.schema
    .omit({ name: true } as never)
    .partial()
    .optional()
  return {
    name,
    kind: spec.kind,
    description: spec.description,
    configSchema: overrides as unknown as StandardSchemaV1<unknown, Record<string, unknown> | undefined>,
    apply(suite: Suite, override: Record<string, unknown> | undefined) {
      const final =
        override === undefined
          ? options
          : parseOptions(name, spec.schema, { ...(input as object), ...override, name })
      const notifyOn: NotifyOn = (final as { notifyOn?: NotifyOn }).notifyOn ?? spec.defaultNotifyOn
      const act = spec.setup(final, name)
      const run = async (view: RunView): Promise<void> => {
        if (!shouldNotify(notifyOn, view)) {
          view.logger.debug({ notifyOn, status: runStatus(view) }, `${spec.kind}: nothing to do for this run`)
          return
        }
        await act(view)
      }
      if (spec.on === 'results') {
        suite.hooks.processResults.tapPromise(name, (ctx) => run(fromResults(ctx)))
        suite.hooks.afterRun.tapPromise(name, async (ctx) => {
          if (ctx.error !== undefined) await run(fromReport(ctx))
        })
      } else {
        suite.hooks.afterRun.tapPromise(name, (ctx) => run(fromReport(ctx)))
      }
    },
  }
}

/** Builds an exported factory: validates options when called, carries the schema as `configSchema`. */
export function defineFactory<S extends z.ZodObject>(spec: FirstPartySpec<S>): Factory<S> {
  const factory = (options: z.input<S>): FirstPartyPlugin => createPlugin(spec, options)
  return Object.assign(factory, { configSchema: spec.schema })
}
