// What `new VerificationSuite(options)` accepts, stated once as a zod schema; the messages say what
// is wrong and show a value that works. The suite reads the parsed options, defaults filled in.
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Check } from '../core/check.js'
import { DqxError, type DqxErrorCode } from '../core/errors.js'
import type { Profile } from '../core/profile.js'
import { MetricDB } from '../engine/metric-db.js'
import { DEFAULT_SAMPLE_LIMIT } from '../engine/samples.js'
import type { PluginOption } from './plugin.js'

export interface SuiteOptions {
  name: string
  checks: readonly Check[]
  /** Where metric history lives; default `MetricDB.memory()`. */
  db?: MetricDB
  /**
   * A pino logger; default: warnings and errors to stderr (`DQX_LOG_LEVEL` overrides the level),
   * one readable line each on a terminal, JSON elsewhere or with `DQX_LOG_FORMAT=json`.
   */
  logger?: Logger
  /** Plugins: functions, { name, apply } objects, ResultProcessors; arrays (presets) are flattened, falsy entries skipped. */
  plugins?: readonly PluginOption[]
  /** Per-plugin configuration keyed by plugin name, validated against each plugin's configSchema. */
  pluginConfig?: Readonly<Record<string, unknown>>
  /** Max processResults taps running at once (default 4). */
  concurrency?: number
  /** Default time limit of every tap call in ms (default 60 000; 0 = none). */
  pluginTimeoutMs?: number
  /** Reject run() with PluginFailureError when any plugin failed (default false). */
  failOnPluginError?: boolean
  /** The built-in audit summary (default true). */
  audit?: boolean
  /** Failed-row samples per FAILED assertion with a row predicate (default 10; 0 = off). docs/failed-rows.md */
  sampleLimit?: number
  /** Extra columns in every failed-row sample, where the dataset has them (also per assertion: where({ sampleColumns })). */
  sampleColumns?: readonly string[]
  /**
   * Calendar-scoped rules (seasonalProfile / permanentProfile) that disable assertions, scale their
   * values or change their severity on the dates they are active. docs/operations.md
   */
  profiles?: readonly Profile[]
  /**
   * 0..1: the share of the history an assertion needs (lagged values, dayOverDay …) that must be
   * stored for it to be judged; below it the assertion is SKIPPED naming the missing dates.
   * Unset: missing history FAILS the assertion. Declared `skipDates` always skip. docs/operations.md
   */
  dataAvThreshold?: number
}

export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_CONCURRENCY = 4

/** A DqxError code carried by an issue (zod's `params`), for the errors that are not INVALID_ARGUMENT. */
type Params = { dqx?: DqxErrorCode }

const wholeNumber = (what: string, min: 0 | 1) =>
  z
    .int({
      error: (iss) =>
        `${what} must be a ${min === 0 ? 'non-negative' : 'positive'} whole number, got ${String(iss.input)}`,
    })
    .min(min, {
      error: (iss) =>
        `${what} must be a ${min === 0 ? 'non-negative' : 'positive'} whole number, got ${String(iss.input)}`,
    })

const isCheck = (c: unknown): c is Check =>
  c !== null &&
  typeof c === 'object' &&
  typeof (c as Check).fn === 'function' &&
  typeof (c as Check).name === 'string'

const SAMPLE_COLUMNS = "sampleColumns must be an array of column names, e.g. ['order_id']"

export const suiteOptionsSchema = z
  .looseObject({
    name: z
      .string({ error: "VerificationSuite needs a non-empty name, e.g. { name: 'nightly' }" })
      .refine((n) => n.trim() !== '', {
        error: "VerificationSuite needs a non-empty name, e.g. { name: 'nightly' }",
      }),
    // Judged in superRefine below, where the messages can name the suite.
    checks: z.unknown(),
    db: z
      .custom<MetricDB>((v) => MetricDB.isMetricDB(v), {
        error: 'db must be a MetricDB, e.g. MetricDB.duckdb("metrics.duckdb")',
      })
      .optional(),
    logger: z
      .custom<Logger>(
        (v) => v !== null && typeof v === 'object' && typeof (v as { child?: unknown }).child === 'function',
        { error: "logger must be a pino logger, e.g. pino({ level: 'info' })" },
      )
      .optional(),
    concurrency: wholeNumber('concurrency', 1).default(DEFAULT_CONCURRENCY),
    pluginTimeoutMs: wholeNumber('pluginTimeoutMs', 0).default(DEFAULT_TIMEOUT_MS),
    failOnPluginError: z.boolean({ error: 'failOnPluginError must be true or false' }).default(false),
    audit: z.boolean({ error: 'audit must be true or false' }).default(true),
    sampleLimit: wholeNumber('sampleLimit', 0).default(DEFAULT_SAMPLE_LIMIT),
    sampleColumns: z
      .array(z.string({ error: SAMPLE_COLUMNS }).min(1, { error: SAMPLE_COLUMNS }), {
        error: SAMPLE_COLUMNS,
      })
      .readonly()
      .default([]),
  })
  .superRefine((o, ctx) => {
    // The checks, after the name: their messages name the suite.
    if (!Array.isArray(o.checks) || o.checks.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['checks'],
        message: `suite '${o.name}' has no checks: pass at least one check() in checks`,
        params: { dqx: 'EMPTY_CHECKS' } satisfies Params,
      })
      return
    }
    const names = new Set<string>()
    for (const [i, c] of (o.checks as unknown[]).entries()) {
      if (!isCheck(c)) {
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i],
          message: `suite '${o.name}': checks[${i}] is not a check; create it with check({ name }, fn)`,
        })
        return
      }
      if (names.has(c.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i],
          message: `suite '${o.name}' has a duplicate check name '${c.name}'; check names must be unique`,
          params: { dqx: 'DUPLICATE_CHECK' } satisfies Params,
        })
        return
      }
      names.add(c.name)
    }
  })

/** SuiteOptions as the suite uses them: validated, every default filled in. */
export type ParsedSuiteOptions = Omit<SuiteOptions, 'checks'> &
  Required<
    Pick<
      SuiteOptions,
      'concurrency' | 'pluginTimeoutMs' | 'failOnPluginError' | 'audit' | 'sampleLimit' | 'sampleColumns'
    >
  > & { checks: readonly Check[] }

/** Validates suite options; the first problem is a DqxError (EMPTY_CHECKS, DUPLICATE_CHECK or INVALID_ARGUMENT). */
export function parseSuiteOptions(options: unknown): ParsedSuiteOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new DqxError(
      'INVALID_ARGUMENT',
      "VerificationSuite takes options: new VerificationSuite({ name: 'nightly', checks: [...] })",
    )
  }
  const result = suiteOptionsSchema.safeParse(options)
  if (result.success) return result.data as ParsedSuiteOptions
  const issue = result.error.issues[0] as z.core.$ZodIssue
  const code = (issue as { params?: Params }).params?.dqx ?? 'INVALID_ARGUMENT'
  throw new DqxError(code, issue.message)
}
