import { performance } from 'node:perf_hooks'

/**
 * Tap timeouts without a timer per tap.
 *
 * A `setTimeout` + `clearTimeout` pair per tap costs about as much as a whole
 * tapable call of ten taps, and most taps settle at once, so a waiting tap
 * costs nearly nothing until it proves slow:
 *
 * 1. `startWaiting` records the deadline and queues the waiter (one push; one
 *    `setImmediate` per event-loop turn, shared by every call in that turn).
 *    A finished call clears its queue slot (`release`), so the queue never
 *    keeps finished calls alive (that showed up as 3× the GC time in a busy loop).
 * 2. When the turn's microtasks have drained, `check` links the waiters that
 *    are *still* waiting into one process-wide list (O(1), no allocation).
 *    Deadlines are absolute, so this costs no precision.
 * 3. One timer is kept armed for the earliest linked deadline; when it fires
 *    it expires what is due and re-arms for the next one. A waiter that
 *    settles unlinks itself; the timer then lapses with nothing to do, which
 *    is cheaper than clearing and re-arming it each time.
 *
 * The timer is ref'd exactly while some deadline is linked — a tap waiting on
 * nothing must still time out rather than let the process exit — and unref'd
 * as soon as none is, so it never keeps the process alive after a call.
 */
export interface Deadline {
  /** `performance.now()` time at which `expire()` is due. */
  deadline: number
  /** Between `startWaiting` and `stopWaiting` (or expiry). */
  waiting: boolean
  /** Index in the queue `check` will look at, -1 when not queued. */
  queueSlot: number
  /** Linked into the watchdog's list. */
  watched: boolean
  prevDeadline: Deadline | undefined
  nextDeadline: Deadline | undefined
  /** Called by the watchdog once `deadline` has passed (already no longer waiting). */
  expire(): void
}

/**
 * The watchdog's state. One const object rather than module-level `let`s:
 * property loads on a stable shape stay cheap on the per-tap path.
 */
/** The most waiters queued before `check` runs early. */
const MAX_QUEUED = 1024

const w: {
  head: Deadline | undefined
  count: number
  timer: NodeJS.Timeout | undefined
  /** When the armed timer fires (performance.now() time), Infinity when none is armed. */
  timerAt: number
  queue: (Deadline | undefined)[]
  checkScheduled: boolean
} = {
  head: undefined,
  count: 0,
  timer: undefined,
  timerAt: Number.POSITIVE_INFINITY,
  queue: [],
  checkScheduled: false,
}

/**
 * `d` now waits for something that must be done by `d.deadline` (set by the
 * caller: passing the time as an argument would box a double per call); it
 * expires then unless `stopWaiting(d)` comes first.
 */
export function startWaiting(d: Deadline): void {
  d.waiting = true
  // Never linked here: every wait ends in stopWaiting or expiry, both of which unlink.
  if (d.queueSlot < 0) {
    d.queueSlot = w.queue.push(d) - 1
    // A long microtask-only stretch (no event-loop turn) would grow the queue
    // without bound: past a bound, check now.
    if (d.queueSlot + 1 >= MAX_QUEUED) check()
    else if (!w.checkScheduled) {
      w.checkScheduled = true
      setImmediate(checkAfterTurn)
    }
  }
}

/** `d` stopped waiting (its tap settled): it will not expire. It may start waiting again (the next tap of a series). */
export function stopWaiting(d: Deadline): void {
  d.waiting = false
  if (d.watched) unwatch(d)
}

/** `d` is done for good (its call finished): drop it from the queue so the queue does not keep it alive. */
export function release(d: Deadline): void {
  if (d.queueSlot >= 0) {
    w.queue[d.queueSlot] = undefined
    d.queueSlot = -1
  }
}

function checkAfterTurn(): void {
  w.checkScheduled = false
  check()
}

/** Links the waiters that did not settle within the event-loop turn they started in. */
function check(): void {
  const queue = w.queue
  w.queue = []
  for (const d of queue) {
    if (d === undefined) continue
    d.queueSlot = -1
    if (d.waiting) watch(d)
  }
}

function watch(d: Deadline): void {
  d.watched = true
  d.prevDeadline = undefined
  const head = w.head
  d.nextDeadline = head
  if (head) head.prevDeadline = d
  w.head = d
  if (w.count++ === 0) w.timer?.ref()
  if (d.deadline < w.timerAt) arm(d.deadline)
}

function unwatch(d: Deadline): void {
  d.watched = false
  const prev = d.prevDeadline
  const next = d.nextDeadline
  if (prev) prev.nextDeadline = next
  else w.head = next
  if (next) next.prevDeadline = prev
  d.prevDeadline = undefined
  d.nextDeadline = undefined
  if (--w.count === 0) w.timer?.unref()
}

function arm(at: number): void {
  if (w.timer) clearTimeout(w.timer)
  w.timerAt = at
  // libuv timers have ms resolution and a cached loop clock: never ask for less
  // than 1 ms, and fire() re-arms if it woke a little early.
  // Left ref'd: arm() only runs while some deadline is linked.
  w.timer = setTimeout(fire, Math.max(1, Math.ceil(at - performance.now())))
}

function fire(): void {
  w.timer = undefined
  w.timerAt = Number.POSITIVE_INFINITY
  const now = performance.now()
  const due: Deadline[] = []
  for (let d = w.head; d; d = d.nextDeadline) if (d.deadline <= now) due.push(d)
  for (const d of due) {
    d.waiting = false
    unwatch(d)
  }
  // expire() may start new waits (the next tap of a series); they queue as usual.
  for (const d of due) d.expire()
  // Re-arm for what is still linked (nothing when the timer woke after all settled).
  let next = Number.POSITIVE_INFINITY
  for (let d = w.head; d; d = d.nextDeadline) if (d.deadline < next) next = d.deadline
  if (next < w.timerAt) arm(next)
}

/** For tests: how many deadlines are linked, queued, and whether the timer is armed and ref'd. */
export function watchdogState(): { watched: number; queued: number; armed: boolean; refed: boolean } {
  let watched = 0
  for (let d = w.head; d; d = d.nextDeadline) watched++
  const queued = w.queue.filter((d) => d !== undefined).length
  return { watched, queued, armed: w.timer !== undefined, refed: w.timer?.hasRef() ?? false }
}
