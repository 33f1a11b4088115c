// Runs dqx's benchmarks and prints one table: `npm run bench [-- --quick] [-- --rows N] [-- --only a,b]`.
//
//   hooks     hook dispatch vs tapable / hookable            (bench/hooks.bench.ts)
//   fanout    processResults fan-out vs the ideal ceil(N/k)·L (bench/fanout.bench.ts)
//   overhead  10 no-op plugins vs none on a real suite        (bench/overhead.bench.ts)
//   fixed-cost  what a run adds to its queries on tiny data  (bench/fixed-cost.bench.ts)
//   isolation isolated() start-up per mode, per-call overhead  (bench/isolation.bench.ts)
//   engine    suite vs hand-written DuckDB, time and peak RSS (bench/engine.bench.ts)
//   clickhouse suite vs hand-written ClickHouse on two shards   (bench/clickhouse.bench.ts; skips
//             with a printed reason without clickhouse-server)
//   validity  10 validity rules vs one hand-written DuckDB query, and first() vs an ordered aggregate (bench/validity.bench.ts)
//   report    profile vs hand-written DuckDB; HTML report size and browser render time (bench/report.bench.ts)
//   operations  re-evaluation vs a fresh run; profiles + tunables vs plain numbers (bench/operations.bench.ts)
//
// Everything runs in this process, in that order (micro-benchmarks first, before the engine
// grows the heap), except the engine's peak-RSS cases, which run in child processes.
// --quick   tiny sizes and few iterations: the CI smoke test (< 2 min). Writes
//           bench/results.quick.json (gitignored), never the committed bench/results.json.
// --rows N  rows of the engine's parquet file (default 20M; quick 200k). Accepts 2000000, 2e6, 2M.
// --only a,b  run only these benches; a full run then merges their cases into results.json.
// Missed targets are reported, never fatal: the exit code is 0 unless a bench crashed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, platform, release, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { DEFAULT_ROWS, QUICK_ROWS } from './engine.bench.js'
import { argValue, type MeasuredCase, parseRows, round3 } from './lib/stats.js'
import type { BenchCase } from './types.js'

const BENCHES = [
  'hooks',
  'fanout',
  'overhead',
  'fixed-cost',
  'isolation',
  'engine',
  'clickhouse',
  'validity',
  'report',
  'operations',
] as const
type BenchName = (typeof BENCHES)[number]

interface Options {
  quick: boolean
  rows: number
  log: (line: string) => void
}
type BenchModule = { run: (opts: Options) => Promise<BenchCase[]> }

interface ResultCase extends MeasuredCase {
  bench: BenchName
}

interface ResultsFile {
  date: string
  node: string
  cpu: string
  cores: number
  memoryGb: number
  platform: string
  quick: boolean
  /** Rows of the engine bench's parquet file. */
  rows: number
  /** Per bench: when it ran, how long it took, the load average (1 min) before it started. */
  benches: Partial<Record<BenchName, { date: string; durationS: number; loadAvg1m: number; error?: string }>>
  cases: ResultCase[]
  /** `bench: case (ratio, target)` of every missed target. */
  missed: string[]
}

function usage(): never {
  console.log(
    `usage: npm run bench -- [--quick] [--rows N] [--only ${BENCHES.join(',')}]\n` +
      'Prints dqx vs its peers and writes bench/results.json (bench/results.quick.json with --quick).',
  )
  process.exit(0)
}

const argv = process.argv.slice(2)
if (argv.includes('--help') || argv.includes('-h')) usage()
const quick = argv.includes('--quick')
const rowsArg = argValue(argv, 'rows')
const rows = rowsArg !== undefined ? parseRows(rowsArg) : quick ? QUICK_ROWS : DEFAULT_ROWS
const onlyArg = argValue(argv, 'only')
const only = onlyArg
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean)
for (const name of only ?? []) {
  if (!(BENCHES as readonly string[]).includes(name)) {
    console.error(`unknown bench '${name}' in --only; benches are ${BENCHES.join(', ')}`)
    process.exit(2)
  }
}
const selected = BENCHES.filter((b) => only === undefined || only.includes(b))

const log = (line: string): void => {
  process.stderr.write(`  ${line}\n`)
}
const started = new Date()
const results: ResultsFile = {
  date: started.toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  platform: `${platform()} ${release()}`,
  quick,
  rows,
  benches: {},
  cases: [],
  missed: [],
}
let crashed = false
console.error(
  `dqx bench${quick ? ' --quick' : ''}: ${selected.join(', ')}; engine rows ${rows.toLocaleString('en-US')}; ` +
    `node ${results.node}; ${results.cpu} × ${results.cores}; load ${loadavg()[0]?.toFixed(2)}`,
)
for (const name of selected) {
  const t0 = performance.now()
  const load = loadavg()[0] ?? 0
  console.error(`▶ ${name}`)
  try {
    const mod = (await import(`./${name}.bench.js`)) as BenchModule
    const cases = await mod.run({ quick, rows, log })
    results.cases.push(...cases.map((c) => ({ bench: name, ...c })))
    results.benches[name] = {
      date: new Date().toISOString(),
      durationS: round1((performance.now() - t0) / 1000),
      loadAvg1m: round3(load),
    }
  } catch (err) {
    crashed = true
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
    console.error(`✗ bench '${name}' crashed: ${message}`)
    results.benches[name] = {
      date: new Date().toISOString(),
      durationS: round1((performance.now() - t0) / 1000),
      loadAvg1m: round3(load),
      error: err instanceof Error ? err.message : String(err),
    }
  }
  console.error(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

// A partial full run merges into the committed results when they come from the same machine.
const file = fileURLToPath(new URL(quick ? './results.quick.json' : './results.json', import.meta.url))
if (only !== undefined && existsSync(file)) {
  try {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile
    if (previous.cpu === results.cpu && previous.node === results.node && previous.quick === quick) {
      const kept = previous.cases.filter((c) => !selected.includes(c.bench))
      results.cases = BENCHES.flatMap((b) => [...kept, ...results.cases].filter((c) => c.bench === b))
      results.benches = { ...previous.benches, ...results.benches }
      if (!selected.includes('engine')) results.rows = previous.rows
    }
  } catch {
    // An unreadable previous file is simply replaced.
  }
}
results.missed = results.cases
  .filter((c) => !c.ok)
  .map((c) => `${c.bench}: ${c.name} (${c.ratio.toFixed(2)}×, target ${c.target})`)
writeFileSync(file, `${JSON.stringify(results, roundNumbers, 2)}\n`)

printTable(results.cases)
const met = results.cases.length - results.missed.length
console.log(`\n${met}/${results.cases.length} targets met.`)
if (results.missed.length > 0) {
  console.log(`MISSED ${results.missed.length} target${results.missed.length === 1 ? '' : 's'} (not fatal):`)
  for (const m of results.missed) console.log(`  ✗ ${m}`)
}
console.log(`Results: ${file}`)
if (crashed) {
  console.log('A bench crashed (see above).')
  process.exitCode = 1
}

function round1(x: number): number {
  return Math.round(x * 10) / 10
}

function roundNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isInteger(v) ? round3(v) : v
}

function fmt(v: number, unit: string): string {
  const n = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
  return `${n} ${unit}`
}

function printTable(cases: readonly ResultCase[]): void {
  const header = ['case', 'dqx', 'peer', 'peer value', 'ratio', 'target', '✓/✗', 'CPU ratio']
  const rowsOut: string[][] = []
  let group: string | undefined
  const groups: number[] = []
  for (const c of cases) {
    if (c.bench !== group) {
      group = c.bench
      groups.push(rowsOut.length)
    }
    rowsOut.push([
      `${c.bench}: ${c.name}`,
      fmt(c.ours, c.unit),
      c.peer,
      fmt(c.peerValue, c.unit),
      `${c.ratio.toFixed(2)}×`,
      c.target,
      c.ok ? '✓' : '✗',
      c.cpu ? `${c.cpu.ratio.toFixed(2)}×` : '',
    ])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rowsOut.map((r) => (r[i] as string).length)))
  const right = new Set([1, 3, 4, 7])
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) =>
        right.has(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number),
      )
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '─'.repeat(w)).join('  ')
  console.log(`\n${line(header)}\n${rule}`)
  rowsOut.forEach((r, i) => {
    if (i > 0 && groups.includes(i)) console.log('')
    console.log(line(r))
  })
}
