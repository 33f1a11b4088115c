import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Logger } from 'pino'
import { z } from 'zod'
import { DqxError } from '../core/errors.js'
import type { ResultKey } from '../core/result-key.js'
import type { AssertionResult, RunSummary, Severity, SymbolInfo } from '../core/types.js'
import type { PluginRun } from '../hooks/types.js'
import type { ObjectPlugin, Suite } from '../suite/plugin.js'
import type { AfterRunContext } from '../suite/run-context.js'
import type { StatusChange } from './routing.js'

// The scaffolding every first-party plugin shares: options validated by a zod
// schema when the factory is called, an optional `name` so two instances can
// coexist, `pluginConfig[name]` as shallow overrides, `notifyOn`, and one view
// of the run (processResults, which also sees a run that failed, or afterRun).

export const NOTIFY_ON = ['always', 'failure', 'success'] as const
/** When a plugin acts: every run, runs with a FAILED result or a run error, or only the other runs. */
export type NotifyOn = (typeof NOTIFY_ON)[number]
export const notifyOnSchema = z.enum(NOTIFY_ON).optional()
/** The alerting plugins (email, webhook) also take 'change': only runs where some assertion's status changed. */
export const ALERT_NOTIFY_ON = [...NOTIFY_ON, 'change'] as const
export type AlertNotifyOn = (typeof ALERT_NOTIFY_ON)[number]
export const alertNotifyOnSchema = z.enum(ALERT_NOTIFY_ON).optional()
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
  /**
   * A routed message (`routes`): `results` and `summary` hold only the severities from P0 down to
   * `minSeverity`; `omitted` counts the FAILED results below it, by severity (worst first).
   */
  readonly route?:
    | { readonly minSeverity: Severity; readonly omitted: readonly [Severity, number][] }
    | undefined
  /** notifyOn 'change': the assertions whose status differs from the previous run (in this message's scope). */
  readonly changes?: readonly StatusChange[] | undefined
  /** A stored run sent again by `suite.replay()` / `dqx replay`: runId and timestamp are the original run's. */
  readonly replay?: boolean | undefined
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

function fromReport(ctx: AfterRunContext): RunView {
  return { ...ctx, timestamp: ctx.startedAt }
}

function issuePath(issue: { path: readonly PropertyKey[] }): string {
  if (issue.path.length === 0) return '(options)'
  return issue.path
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('')
    .replace(/^\./, '')
}

/** Pairs of fields of which exactly one is given (`['to', 'routes']`). */
export type OneOf = readonly (readonly [string, string])[]

const given = (input: unknown, key: string): boolean =>
  input !== null && typeof input === 'object' && (input as Record<string, unknown>)[key] !== undefined

function oneOfIssues(input: unknown, oneOf: OneOf): string[] {
  if (input === null || typeof input !== 'object') return []
  const out: string[] = []
  for (const [a, b] of oneOf) {
    if (given(input, a) && given(input, b)) out.push(`${b}: give either '${a}' or '${b}', not both`)
    else if (!given(input, a) && !given(input, b)) out.push(`${a}: required (or give '${b}')`)
  }
  return out
}

/**
 * Validates a plugin's options; a bad value is a DqxError naming the plugin and each bad field
 * (never its value). `oneOf` names pairs of fields of which exactly one must be given.
 */
export function parseOptions<S extends z.ZodType>(
  plugin: string,
  schema: S,
  input: unknown,
  oneOf: OneOf = [],
): z.output<S> {
  const r = schema.safeParse(input)
  const lines = r.success ? [] : r.error.issues.map((i) => `${issuePath(i)}: ${i.message}`)
  lines.push(...oneOfIssues(input, oneOf))
  if (r.success && lines.length === 0) return r.data
  throw new DqxError('INVALID_PLUGIN_CONFIG', `invalid options for plugin '${plugin}': ${lines.join('; ')}`)
}

/** What `setup` may use besides the options. */
export interface SetupEnv {
  /** The suite the plugin is applied to (`suite.db`: the MetricDB its runs are stored in). */
  suite: Suite
  /** The effective notifyOn (the option, or the plugin's default). */
  notifyOn: AlertNotifyOn
}

export interface FirstPartySpec<S extends z.ZodObject> {
  /** The default plugin name, e.g. 'webhook'. */
  kind: string
  description: string
  schema: S
  /**
   * 'results': act in processResults (every run, `error` set when the run itself
   * failed). 'report': act in afterRun, which sees the whole report (plugin runs too).
   */
  on: 'results' | 'report'
  defaultNotifyOn: NotifyOn
  /**
   * The plugin applies notifyOn itself (per route, and 'change' which needs the MetricDB): every
   * run is handed to it. Otherwise a run notifyOn does not want is skipped before it is called.
   */
  selfGated?: boolean
  /** Pairs of options of which exactly one is given; a pluginConfig override that sets one replaces the other. */
  oneOf?: OneOf
  /** Called once per apply with the validated options; returns what to do with each run. */
  setup(options: z.output<S>, name: string, env: SetupEnv): (view: RunView) => Promise<void>
}

/** Options in which exactly one of the fields `A` and `B` is given (a `oneOf` pair). */
export type ExactlyOne<T, A extends keyof T, B extends keyof T> = Omit<T, A | B> &
  (
    | ({ [K in A]-?: NonNullable<T[K]> } & { [K in B]?: undefined })
    | ({ [K in B]-?: NonNullable<T[K]> } & { [K in A]?: undefined })
  )

/** The plugin object a first-party factory returns. */
export type FirstPartyPlugin = ObjectPlugin<Record<string, unknown> | undefined> & { readonly kind: string }

/** A factory with its options schema attached: `webhook.configSchema.parse(opts)`. */
export type Factory<S extends z.ZodObject, Options = z.input<S>> = ((
  options: Options,
) => FirstPartyPlugin) & {
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
  const oneOf = spec.oneOf ?? []
  const options = parseOptions(label(input), spec.schema, input, oneOf)
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
      let final = options
      if (override !== undefined) {
        // An override that sets one field of a oneOf pair replaces the other ('routes' replaces 'to').
        const base: Record<string, unknown> = { ...(input as object) }
        for (const [a, b] of oneOf) {
          if (given(override, a)) delete base[b]
          if (given(override, b)) delete base[a]
        }
        final = parseOptions(name, spec.schema, { ...base, ...override, name }, oneOf)
      }
      const notifyOn: AlertNotifyOn = (final as { notifyOn?: AlertNotifyOn }).notifyOn ?? spec.defaultNotifyOn
      const act = spec.setup(final, name, { suite, notifyOn })
      const run = async (view: RunView): Promise<void> => {
        // selfGated plugins take 'change' (only they accept it), so notifyOn is a NotifyOn here.
        if (spec.selfGated !== true && !shouldNotify(notifyOn as NotifyOn, view)) {
          view.logger.debug({ notifyOn, status: runStatus(view) }, `${spec.kind}: nothing to do for this run`)
          return
        }
        await act(view)
      }
      if (spec.on === 'results') suite.hooks.processResults.tapPromise(name, (ctx) => run(ctx))
      else suite.hooks.afterRun.tapPromise(name, (ctx) => run(fromReport(ctx)))
    },
  }
}

/** Builds an exported factory: validates options when called, carries the schema as `configSchema`. */
export function defineFactory<S extends z.ZodObject>(spec: FirstPartySpec<S>): Factory<S> {
  const factory = (options: z.input<S>): FirstPartyPlugin => createPlugin(spec, options)
  return Object.assign(factory, { configSchema: spec.schema })
}
