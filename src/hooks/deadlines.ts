import { performance } from 'node:perf_hooks'

/**
 * Tap timeouts without a timer per tap.
 *
 * A `setTimeout` + `clearTimeout` pair per tap call costs about as much as a
 * whole tapable call of ten taps, so pending taps are not given timers of
 * their own. Instead a waiting call links a `Deadline` into one process-wide
 * list (O(1), no allocation) and a single unref'd timer is kept armed for the
 * earliest deadline. When it fires it expires what is due and re-arms for the
 * next one. A call that settles just unlinks itself; the timer then lapses
 * with nothing to do, which is cheaper than clearing and re-arming it on every
 * call. The timer is ref'd exactly while some deadline is watched (a tap that
 * waits on nothing must still time out rather than let the process exit) and
 * unref'd as soon as none is (a toggle costs ≈ 15 ns), so it never keeps the
 * process alive after a call has resolved.
 */
export abstract class Deadline {
  /** `performance.now()` at which `expire()` is due; set before `watch()`. */
  deadline = 0
  /** @internal list links, owned by the watchdog. */
  prevDeadline: Deadline | undefined = undefined
  /** @internal */
  nextDeadline: Deadline | undefined = undefined
  /** @internal */
  watched = false

  /** Called by the watchdog (unlinked first) once `deadline` has passed. */
  abstract expire(): void
}

let head: Deadline | undefined
let watchedCount = 0
let timer: NodeJS.Timeout | undefined
/** When the armed timer fires (performance.now() time), Infinity when none is armed. */
let timerAt = Number.POSITIVE_INFINITY

/** Starts watching `d` (its `deadline` must be set); re-watching updates nothing but the deadline check. */
export function watch(d: Deadline): void {
  if (!d.watched) {
    d.watched = true
    d.prevDeadline = undefined
    d.nextDeadline = head
    if (head) head.prevDeadline = d
    head = d
    if (watchedCount++ === 0) timer?.ref()
  }
  // Most deadlines are later than the armed one (same timeout, later start): no timer work.
  if (d.deadline < timerAt) arm(d.deadline)
}

/** Stops watching `d`; a no-op when it is not watched. */
export function unwatch(d: Deadline): void {
  if (!d.watched) return
  d.watched = false
  const { prevDeadline: prev, nextDeadline: next } = d
  if (prev) prev.nextDeadline = next
  else head = next
  if (next) next.prevDeadline = prev
  d.prevDeadline = undefined
  d.nextDeadline = undefined
  if (--watchedCount === 0) timer?.unref()
}

function arm(at: number): void {
  if (timer) clearTimeout(timer)
  timerAt = at
  // libuv timers have ms resolution and a cached loop clock: never ask for less
  // than 1 ms, and fire() re-arms if it woke a little early.
  timer = setTimeout(fire, Math.max(1, Math.ceil(at - performance.now())))
  if (watchedCount === 0) timer.unref()
}

function fire(): void {
  timer = undefined
  timerAt = Number.POSITIVE_INFINITY
  const now = performance.now()
  const due: Deadline[] = []
  let next = Number.POSITIVE_INFINITY
  for (let d = head; d; d = d.nextDeadline) {
    if (d.deadline <= now) due.push(d)
    else if (d.deadline < next) next = d.deadline
  }
  for (const d of due) unwatch(d)
  // expire() may watch new deadlines (the next tap of a series), which arm as needed.
  for (const d of due) d.expire()
  if (next < timerAt) arm(next)
}

/** For tests: how many deadlines are watched and whether a timer is armed. */
export function watchdogState(): { watched: number; armed: boolean; refed: boolean } {
  let watched = 0
  for (let d = head; d; d = d.nextDeadline) watched++
  return { watched, armed: timer !== undefined, refed: timer?.hasRef() ?? false }
}
