/**
 * One change of a tunable, as the audit trail keeps it: which suite and tunable, the value before
 * and after, who made it and why, and when (ISO-8601). The newest change of a tunable is its
 * current value for every run of the suite, in any process that opens the same MetricDB.
 */
export interface TunableChange {
  suite: string
  name: string
  oldValue: number
  newValue: number
  who: string
  why: string
  changedAt: string
}

/** Which changes to list: one suite, optionally one tunable. */
export interface TunableChangeQuery {
  suite: string
  name?: string
}

/** A change rebuilt from its row (numbers may come back as strings or bigints from a driver). */
export function fromTunableRow(r: Readonly<Record<string, unknown>>): TunableChange {
  return {
    suite: String(r.suite),
    name: String(r.name),
    oldValue: Number(r.old_value),
    newValue: Number(r.new_value),
    who: String(r.who),
    why: String(r.why),
    changedAt: String(r.changed_at),
  }
}
