import { z } from 'zod'
import { shiftDate } from '../core/result-key.js'
import { summarize } from '../core/summary.js'
import { type AssertionResult, type AssertionStatus, SEVERITIES, type Severity } from '../core/types.js'
import type { MetricDB, StoredResult } from '../engine/metric-db.js'
import { describeError } from './delivery.js'
import { type AlertNotifyOn, type NotifyOn, type RunView, runStatus, shouldNotify } from './first-party.js'

// Alert routing for the alerting plugins (email, webhook): which messages a run produces.
// `routes` split the failures by severity (one message per route, only the failures at or
// above its minSeverity); notifyOn 'change' compares each assertion's status with its previous
// run, read from the suite's MetricDB.

export const severitySchema = z.enum(SEVERITIES, { error: 'expected a severity: P0, P1, P2 or P3' })

/** True when `severity` is `min` or worse: P0 is the worst, so minSeverity 'P1' takes P0 and P1. */
export function atOrAbove(severity: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(min)
}

/** `P0`, `P0–P1` … `P0–P3`: the severities a route with this minSeverity takes. */
export function scopeLabel(min: Severity): string {
  return min === 'P0' ? 'P0' : `P0–${min}`
}

/**
 * How an assertion's status moved since its previous run: 'newly failing' (FAILED now, not
 * before, or a new assertion that FAILED), 'recovered' (FAILED before, PASSED now), 'changed'
 * (any other move, e.g. PASSED → SKIPPED, FAILED → SKIPPED).
 */
export type ChangeKind = 'newly failing' | 'recovered' | 'changed'

export interface StatusChange {
  readonly kind: ChangeKind
  /** The result of this run. */
  readonly result: AssertionResult
  /** Its status in the previous run; undefined for an assertion with no earlier run. */
  readonly previous: AssertionStatus | undefined
}

/** How far back notifyOn 'change' looks for an assertion's previous run (days before the run's date). */
export const CHANGE_LOOKBACK_DAYS = 30

/** An assertion's identity within one suite and ResultKey: check and assertion name. */
export function assertionKey(r: Pick<AssertionResult, 'check' | 'assertion'>): string {
  return JSON.stringify([r.check, r.assertion])
}

export interface PreviousQuery {
  suite: string
  /** The run's date: the previous run is on this date (a re-run) or up to `lookbackDays` before it. */
  date: string
  tags: Readonly<Record<string, string>>
  /** The run itself (already stored), left out. */
  runId: string
  /** The assertions to look for (assertionKey). */
  wanted: ReadonlySet<string>
  lookbackDays?: number
}

/**
 * The previous outcome of each wanted assertion: its result in the newest stored run of the same
 * suite and tags other than `runId`, on the run's date or the nearest earlier date within the
 * lookback. Reads `getResults` day by day, newest first, and stops once every assertion is found.
 */
export async function previousResults(db: MetricDB, q: PreviousQuery): Promise<Map<string, StoredResult>> {
  const found = new Map<string, StoredResult>()
  const days = q.lookbackDays ?? CHANGE_LOOKBACK_DAYS
  for (let back = 0; back <= days && found.size < q.wanted.size; back++) {
    const stored = await db.getResults({ suite: q.suite, date: shiftDate(q.date, -back), tags: q.tags })
    // Newest run first: the first row of an assertion is its latest earlier outcome on that day.
    for (const r of stored) {
      const k = assertionKey(r)
      if (r.runId !== q.runId && q.wanted.has(k) && !found.has(k)) found.set(k, r)
    }
  }
  return found
}

/** The results whose status differs from `previous` (a new assertion counts when it FAILED), in result order. */
export function detectChanges(
  results: readonly AssertionResult[],
  previous: ReadonlyMap<string, Pick<AssertionResult, 'status'>>,
): StatusChange[] {
  const out: StatusChange[] = []
  for (const result of results) {
    const before = previous.get(assertionKey(result))?.status
    if (before === result.status || (before === undefined && result.status !== 'FAILED')) continue
    const kind: ChangeKind =
      result.status === 'FAILED'
        ? 'newly failing'
        : before === 'FAILED' && result.status === 'PASSED'
          ? 'recovered'
          : 'changed'
    out.push({ kind, result, previous: before })
  }
  return out
}

/** `1 newly failing, 2 recovered`: the non-empty kinds, or '' without changes. */
export function changeCounts(changes: readonly StatusChange[]): string {
  const kinds: ChangeKind[] = ['newly failing', 'recovered', 'changed']
  return kinds
    .map((k) => [k, changes.filter((c) => c.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
}

/**
 * A route's view of the run: only the results from P0 down to `minSeverity` (summary recounted),
 * the failures below it counted in `route.omitted`, and only the changes in scope. Without a
 * minSeverity, the whole run (with `changes` when given).
 */
export function scopeView(
  view: RunView,
  minSeverity: Severity | undefined,
  changes: readonly StatusChange[] | undefined,
): RunView {
  if (minSeverity === undefined) return changes === undefined ? view : { ...view, changes }
  const results = view.results.filter((r) => atOrAbove(r.severity, minSeverity))
  const omitted = SEVERITIES.filter(
    (s) => !atOrAbove(s, minSeverity) && view.summary.failuresBySeverity[s] > 0,
  ).map((s): [Severity, number] => [s, view.summary.failuresBySeverity[s]])
  return {
    ...view,
    results,
    summary: summarize(results),
    route: { minSeverity, omitted },
    changes: changes?.filter((c) => atOrAbove(c.result.severity, minSeverity)),
  }
}

/**
 * Whether a message with this view is wanted. A run-level error is wanted by every notifyOn but
 * 'success' ('change' too: a run that could not be judged is always news).
 */
export function wanted(notifyOn: AlertNotifyOn, view: RunView): boolean {
  if (notifyOn !== 'change') return shouldNotify(notifyOn as NotifyOn, view)
  return view.error !== undefined || (view.changes ?? []).length > 0
}

/** One destination of an alerting plugin: a route (`routes[i]`) or the plugin's single target. */
export interface Destination<T> {
  target: T
  /** Set for a route: the least severe failures it takes. */
  minSeverity?: Severity | undefined
  /** For messages and logs: `routes[0] (P0)`, or '' for the single target. */
  label: string
}

export interface Message<T> {
  destination: Destination<T>
  view: RunView
}

export interface PlanOptions<T> {
  notifyOn: AlertNotifyOn
  destinations: readonly Destination<T>[]
  /** The suite's MetricDB (notifyOn 'change' reads the previous run from it). */
  db: MetricDB
  lookbackDays?: number
}

/**
 * The messages a run produces: one per destination whose scoped view notifyOn wants, in
 * destination order. With notifyOn 'change' the previous run is read once; when it cannot be
 * read, every FAILED result counts as newly failing (a warning is logged): an alert is never
 * dropped because history is unavailable.
 */
export async function planMessages<T>(view: RunView, o: PlanOptions<T>): Promise<Message<T>[]> {
  let changes: StatusChange[] | undefined
  if (o.notifyOn === 'change' && view.error === undefined) {
    let previous = new Map<string, StoredResult>()
    try {
      previous = await previousResults(o.db, {
        suite: view.suiteName,
        date: view.key.date,
        tags: view.key.tags,
        runId: view.runId,
        wanted: new Set(view.results.map(assertionKey)),
        ...(o.lookbackDays === undefined ? {} : { lookbackDays: o.lookbackDays }),
      })
    } catch (err) {
      view.logger.warn(
        { err: describeError(err) },
        "notifyOn 'change': could not read the previous run; every failure counts as newly failing",
      )
    }
    changes = detectChanges(view.results, previous)
  }
  const out: Message<T>[] = []
  for (const destination of o.destinations) {
    const scoped = scopeView(view, destination.minSeverity, changes)
    if (wanted(o.notifyOn, scoped)) out.push({ destination, view: scoped })
    else
      view.logger.debug(
        {
          notifyOn: o.notifyOn,
          status: runStatus(scoped),
          ...routeFields(destination),
        },
        'nothing to send for this run',
      )
  }
  return out
}

/**
 * Sends every message at once; a failed one does not stop the others. Rejects when any failed:
 * with that error itself when one did, else with one Error joining their messages.
 */
export async function sendAll<T>(messages: readonly T[], send: (m: T) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(messages.map((m) => send(m)))
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []))
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new Error(errors.map(describeError).join('; '))
}

/** `routes[0] (P0–P1)`: how a route is named in logs and error messages. */
export function routeLabel(index: number, minSeverity: Severity): string {
  return `routes[${index}] (${scopeLabel(minSeverity)})`
}

/** What makes a plugin an alerting one: it acts on results, on failures by default, and gates each route itself. */
export const ALERTING = { on: 'results', defaultNotifyOn: 'failure', selfGated: true } as const

/** An alerting plugin's destinations: one per route of `routes`, in order, else its single target. */
export function destinationsOf<R extends { minSeverity: Severity }, T>(
  routes: readonly R[] | undefined,
  target: (route: R) => T,
  single: () => T,
): Destination<T>[] {
  return (
    routes?.map((r, i) => ({
      target: target(r),
      minSeverity: r.minSeverity,
      label: routeLabel(i, r.minSeverity),
    })) ?? [{ target: single(), label: '' }]
  )
}

/** How messages name one delivery: `email 'alerts' routes[0] (P0)`; the single target has no route. */
export function deliveryName(kind: string, name: string, destination: Destination<unknown>): string {
  return `${kind} '${name}'${destination.label ? ` ${destination.label}` : ''}`
}

/** `{ route }` for the log lines of a route's delivery; nothing for the single target. */
export function routeFields(destination: Destination<unknown>): { route?: string } {
  return destination.label ? { route: destination.label } : {}
}
