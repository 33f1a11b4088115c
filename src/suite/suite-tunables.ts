// The tunables a suite's assertions use, and their current values: the newest change recorded in
// the MetricDB (by suite.setTunable or `dqx tune`, from any process), else the declared default.
import type { CollectedCheck } from '../core/check.js'
import { didYouMean } from '../core/did-you-mean.js'
import { DqxError } from '../core/errors.js'
import type { Tunable, TunableValues } from '../core/tunable.js'
import type { MetricDB } from '../engine/metric-db.js'
import type { TunableChange } from '../engine/tunable-changes.js'

/** Who changes a tunable and why: both are stored in the audit trail. */
export interface TunableChangeOptions {
  who: string
  why: string
}

/** A MetricDB without the audit trail methods (a structural implementation): it keeps no changes. */
function storesChanges(db: MetricDB): boolean {
  return typeof db.getTunableChanges === 'function' && typeof db.putTunableChange === 'function'
}

export class SuiteTunables {
  /** Every tunable of the suite by name, in order of first use. */
  readonly byName: ReadonlyMap<string, Tunable>

  constructor(
    private readonly suite: string,
    collected: readonly CollectedCheck[],
  ) {
    const byName = new Map<string, Tunable>()
    const where = new Map<string, string>()
    for (const c of collected) {
      for (const a of c.assertions) {
        for (const t of [...(a.tunables ?? []), ...a.expr.tunables()]) {
          const seen = byName.get(t.name)
          const here = `check '${c.check.name}', assertion '${a.name}'`
          if (seen === undefined) {
            byName.set(t.name, t)
            where.set(t.name, here)
          } else if (!seen.sameAs(t)) {
            throw new DqxError(
              'TUNABLE',
              `suite '${suite}' declares tunable '${t.name}' twice with different settings: value ${seen.value} in [${seen.min}, ${seen.max}] (${where.get(t.name)}) and value ${t.value} in [${t.min}, ${t.max}] (${here}); declare it once and share it`,
            )
          }
        }
      }
    }
    this.byName = byName
  }

  /** The tunable called `name`, or a TUNABLE DqxError listing the suite's tunables. */
  get(name: string): Tunable {
    const t = this.byName.get(name)
    if (t) return t
    const known = [...this.byName.keys()]
    const hint = didYouMean(name, known)
    throw new DqxError(
      'TUNABLE',
      `suite '${this.suite}' has no tunable '${name}'${hint ? ` — did you mean '${hint}'?` : ''} (tunables: ${known.join(', ') || 'none; declare one with tunable(name, value, { min, max })'})`,
    )
  }

  /**
   * Current values by name: the newest stored change of each tunable, else its default. A stored
   * value the declaration's bounds no longer allow is a TUNABLE DqxError (raised before any scan).
   */
  async current(db: MetricDB): Promise<Map<string, number>> {
    const values = new Map([...this.byName].map(([n, t]) => [n, t.value]))
    if (this.byName.size === 0 || !storesChanges(db)) return values
    for (const change of await db.getTunableChanges({ suite: this.suite })) {
      const t = this.byName.get(change.name)
      if (t) values.set(change.name, change.newValue)
    }
    for (const [name, v] of values) {
      const t = this.byName.get(name) as Tunable
      if (v < t.min || v > t.max) {
        throw new DqxError(
          'TUNABLE',
          `tunable '${name}' of suite '${this.suite}' was set to ${v} (stored in ${db.description}), outside its declared bounds [${t.min}, ${t.max}]; set it again within them (dqx tune ${name} <value> --why …) or widen the bounds`,
        )
      }
    }
    return values
  }

  /** Validates and records one change; returns the stored change. */
  async set(
    db: MetricDB,
    name: string,
    value: unknown,
    options: TunableChangeOptions,
  ): Promise<TunableChange> {
    const t = this.get(name)
    const next = t.check(value)
    if (options === null || typeof options !== 'object') {
      throw new DqxError(
        'TUNABLE',
        `setTunable('${name}', ${next}) needs { who, why }: who changes it and why, e.g. { who: 'ana', why: 'holiday traffic' }`,
      )
    }
    for (const field of ['who', 'why'] as const) {
      const v = options[field]
      if (typeof v !== 'string' || v.trim() === '') {
        throw new DqxError(
          'TUNABLE',
          `setTunable('${name}', ${next}): ${field} must be a non-empty string; the audit trail records who changed a tunable and why`,
        )
      }
    }
    if (!storesChanges(db)) {
      throw new DqxError(
        'METRIC_DB',
        `setTunable(): the MetricDB ${db.description} keeps no tunable audit trail (no putTunableChange/getTunableChanges); use MetricDB.memory(), .duckdb() or .postgres()`,
      )
    }
    const old = (await this.current(db)).get(name) as number
    const change: TunableChange = {
      suite: this.suite,
      name,
      oldValue: old,
      newValue: next,
      who: options.who,
      why: options.why,
      changedAt: new Date().toISOString(),
    }
    await db.putTunableChange(change)
    return change
  }
}

/** A lookup of current values (the declared default for a tunable the map lacks). */
export function valuesOf(values: ReadonlyMap<string, number>): TunableValues {
  return (t) => values.get(t.name) ?? t.value
}
