// dqx operations: profiles, tunables and data availability — `npx tsx examples/operations.ts`.
//
// A shop's nightly suite over a week of orders (2026-11-23 .. 2026-11-29), with a DuckDB-file
// MetricDB in a temp dir:
// - the load of the 25th was broken: the orders source declares it in `skipDates`, so the 26th's
//   dayOverDay is SKIPPED naming that day instead of judging against bad data;
// - Black Friday (the 27th) triples revenue: a seasonal profile scales that day's change by 1/3
//   and makes it P3; over the weekend after it, the drop back to normal is P3 too (nobody is paged);
//   a permanent profile disables a retired check;
// - `dataAvThreshold` makes the first day's dayOverDay SKIPPED (no history yet) instead of FAILED;
// - the email null rate bound is a tunable: after the last run an operator raises it, with who and
//   why, and the run is re-evaluated from the stored metrics — zero scans.
// Prints one line per day, the re-evaluation and the audit trail; exits 0 unless a run throws.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type AssertionResult,
  check,
  DataSource,
  MetricDB,
  permanentProfile,
  ResultKey,
  type RunReport,
  SCAN_CHANNEL,
  seasonalProfile,
  tag,
  tunable,
  VerificationSuite,
} from '../src/index.js'

const maxNullRate = tunable('max_email_null_rate', 0.05, { min: 0, max: 0.2 })

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx
    .assertThat(mp.sum('revenue').dayOverDay())
    .where({ name: 'revenue stable', severity: 'P1', tags: ['revenue'] })
    .isBetween(0.7, 1.4)
  ctx.assertThat(mp.nullCount('email').rate()).where({ name: 'email null rate' }).isLt(maxNullRate)
  ctx
    .assertThat(mp.nullCount('fax'))
    .where({ name: 'fax numbers present', tags: ['legacy'] })
    .isZero()
})

const profiles = [
  seasonalProfile({
    name: 'black friday',
    startDate: '2026-11-27',
    endDate: '2026-11-27',
    rules: [
      tag('revenue')
        .scale(1 / 3)
        .set({ severity: 'P3' }),
    ],
  }),
  seasonalProfile({
    name: 'black friday weekend',
    startDate: '2026-11-28',
    endDate: '2026-11-29',
    rules: [tag('revenue').set({ severity: 'P3' })],
  }),
  permanentProfile({ name: 'fax retired', rules: [tag('legacy').disable()] }),
]

/** A day of 20 orders; `nullEmails` of them without an email. */
function day(revenue: number, nullEmails: number) {
  return Array.from({ length: 20 }, (_, i) => ({
    id: i,
    revenue: revenue / 20,
    email: i < nullEmails ? null : `c${i}@example.com`,
    fax: null as string | null,
  }))
}

const week: [string, number, number][] = [
  ['2026-11-23', 1000, 0],
  ['2026-11-24', 1050, 0],
  ['2026-11-25', 80, 0], // the broken load
  ['2026-11-26', 1000, 0],
  ['2026-11-27', 3100, 0], // Black Friday
  ['2026-11-28', 3000, 0],
  ['2026-11-29', 1000, 2], // back to normal; an email capture outage starts: 10% null
]

function line(r: AssertionResult): string {
  const profile = r.profiles?.map((e) => e.profile).join(', ')
  const value = r.value === null ? '—' : Number(r.value.toFixed(3))
  return `${r.status.padEnd(7)} ${r.severity} ${r.assertion.padEnd(20)} ${String(value).padEnd(6)}${profile ? ` [${profile}]` : ''}${r.status === 'SKIPPED' ? ` ${r.error}` : ''}`
}

const dir = await mkdtemp(join(tmpdir(), 'dqx-operations-'))
const db = MetricDB.duckdb(join(dir, 'metrics.duckdb'))
try {
  const suite = new VerificationSuite({
    name: 'shop',
    checks: [orders],
    db,
    profiles,
    dataAvThreshold: 0.9,
    audit: false,
  })
  let last: RunReport | undefined
  for (const [date, revenue, nullEmails] of week) {
    const source = DataSource.fromRecords(day(revenue, nullEmails), { skipDates: ['2026-11-25'] })
    last = await suite.run({ orders: source }, new ResultKey(date))
    console.log(`${date}  profiles: ${last.profiles?.join(', ') || 'none'}`)
    for (const r of last.results) console.log(`  ${line(r)}`)
  }

  // The outage is known and will last a few days: raise the bound, and judge the 29th again.
  await suite.setTunable('max_email_null_rate', 0.12, { who: 'ana', why: 'INC-4411: email capture outage' })
  let scans = 0
  const onScan = (e: unknown) => {
    if ((e as { phase: string }).phase === 'start') scans++
  }
  subscribe(SCAN_CHANNEL, onScan)
  const again = await suite.reevaluate(last as RunReport).finally(() => unsubscribe(SCAN_CHANNEL, onScan))
  console.log(`\nre-evaluated 2026-11-29 (run ${again.reevaluatedFrom} → ${again.runId}), scans: ${scans}`)
  for (const r of again.results) console.log(`  ${line(r)} ${r.bound ?? ''}`)
  console.log('\naudit trail:')
  for (const c of await suite.tunableChanges()) {
    console.log(`  ${c.changedAt} ${c.who}: ${c.name} ${c.oldValue} → ${c.newValue} (${c.why})`)
  }
  if (scans !== 0) throw new Error(`re-evaluation scanned ${scans} time(s)`)
} finally {
  await db.close()
  await rm(dir, { recursive: true, force: true })
}
