// Data contracts: `npx tsx examples/contracts.ts`.
//
// Loads the same orders rules twice — from an ODCS v3 contract and from dqx's own YAML format —
// and runs both against examples/contracts/data/orders.csv. The ODCS file lists three rules dqx
// cannot express (a JOIN query, a text rule, a Soda rule); they are printed, not dropped. The data
// breaks some rules on purpose (a duplicate order, an unknown status, a malformed email).
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DataContract, DataSource, ResultKey, VerificationSuite } from 'dqx'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'contracts')
const datasources = { orders: DataSource.csv(join(dir, 'data/orders.csv')) }
const key = new ResultKey('2026-11-24')

for (const contract of [
  DataContract.fromOdcs(join(dir, 'orders.odcs.yaml')),
  DataContract.fromYaml(join(dir, 'orders.dqx.yaml')),
]) {
  console.log(
    `\n${contract.file}: ${contract.rules.length} rules, ${contract.unsupported.length} not supported`,
  )
  for (const { rule, reason } of contract.unsupported) console.log(`  not run: ${rule} — ${reason}`)

  const suite = new VerificationSuite({ name: contract.name, checks: contract.toChecks(), audit: false })
  const report = await suite.run(datasources, key)
  for (const r of report.results) {
    console.log(`  ${r.status.padEnd(7)} ${r.severity} ${r.assertion.padEnd(52)} ${r.value}`)
  }
  console.log(`  ${report.summary.passed}/${report.summary.total} passed`)
}
