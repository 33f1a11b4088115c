import { now } from './tap-runner.js'

/** Something awaiting a tap with a timeout: a series call, or one tap of a parallel call. */
export interface Waiter {
  /** When the awaited tap times out (a `now()` time); 0 while not waiting. Set only by this module. */
  deadline: number
  /** Where it is in the list of waiters while it waits (set only by this module). */
  slot: number
  /** The deadline has passed: abandon the awaited tap. */
  expire(): void
}

// One process-wide timer serves every deadline. Arming a timer per awaited tap
// (or per call) costs a setTimeout/clearTimeout pair, ≈ 400 ns on Node 20: more
// than half of a whole ten-tap tapable call (docs/performance.md, "Hook
// dispatch"). Most taps settle long before their deadline, so the timer stays
// armed for the earliest deadline it was set for and is re-armed only for an
// earlier one; when it fires early (that deadline's tap settled), it expires
// nothing and is re-armed for the earliest deadline still waited for. It keeps
// the process alive only while something waits, as a timer per tap would.

/** Unordered; a waiter leaves by swapping the last one into its slot (a Set's add and delete cost ≈ 90 ns a pair, this ≈ 10). */
const waiting: Waiter[] = []
let timer: NodeJS.Timeout | undefined
/** When the armed timer fires (a `now()` time). */
let timerAt = 0
/**
 * The setTimeout that armed the timer, and its clearTimeout: when a test
 * installs fake timers (or uninstalls them), the global functions change, and
 * the next deadline is armed with the new ones so it fires on that clock.
 */
let armedWith: typeof setTimeout | undefined
let clearWith: typeof clearTimeout = clearTimeout

/** Waits for `waiter`'s tap until `deadline`: `expire()` is called then unless `stopWaiting()` was called first. */
export function waitUntil(waiter: Waiter, deadline: number): void {
  if (waiter.deadline === 0) {
    waiter.slot = waiting.length
    waiting.push(waiter)
    if (waiter.slot === 0 && timer !== undefined) timer.ref()
  }
  waiter.deadline = deadline
  if (timer === undefined || deadline < timerAt || armedWith !== setTimeout) arm(deadline)
}

/** The awaited tap settled, or no tap is awaited any more. */
export function stopWaiting(waiter: Waiter): void {
  if (waiter.deadline === 0) return
  waiter.deadline = 0
  const last = waiting.pop()!
  if (last !== waiter) {
    waiting[waiter.slot] = last
    last.slot = waiter.slot
  }
  if (waiting.length === 0 && timer !== undefined) timer.unref()
}

function arm(at: number): void {
  if (timer !== undefined) clearWith(timer)
  timerAt = at
  armedWith = setTimeout
  clearWith = clearTimeout
  // libuv timers have ms resolution: never less than 1 ms; an early wake-up re-arms.
  timer = setTimeout(alarm, Math.max(1, Math.ceil(at - now())))
}

/** Expires every waiter whose deadline has passed, then re-arms for the earliest one left. */
function alarm(): void {
  timer = undefined
  const time = now()
  // A snapshot: expiring a series call runs its next taps, which may wait again (with a later deadline).
  for (const waiter of waiting.filter((w) => w.deadline <= time)) {
    stopWaiting(waiter)
    waiter.expire()
  }
  if (waiting.length === 0) return
  const earliest = waiting.reduce((min, w) => Math.min(min, w.deadline), Number.POSITIVE_INFINITY)
  // An expiry above may have armed the timer for a later deadline than one still waited for.
  if (timer === undefined || earliest < timerAt) arm(earliest)
}
