#!/usr/bin/env node
// The layering rules of src/, checked on the folder-level import graph:
//   - src/core is the pure model: it imports none of engine, hooks, suite, plugins, cli, config, testing;
//   - no import cycle between top-level folders of src/.
// Prints the folder edges and one example import per broken rule; exits 1 when a rule is broken.
// Usage: node scripts/layers.mjs [srcDir]   (npm run layers)
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

const src = resolve(process.argv[2] ?? 'src')
const IMPURE_FOR_CORE = new Set(['engine', 'hooks', 'suite', 'plugins', 'cli', 'config', 'testing'])
// Static imports and re-exports (`import … from '…'`, `export … from '…'`) and dynamic `import('…')`.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every .ts/.mts/.tsx source file under `dir` (declaration files left out). */
function sourceFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path))
    else if (/\.(ts|mts|tsx)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path)
  }
  return out
}

/** The top-level folder of a file under src/, or undefined for a file directly in src/ (index.ts). */
function folderOf(file) {
  const parts = relative(src, file).split(sep)
  return parts.length > 1 ? parts[0] : undefined
}

/** "from->to" → one import that makes the edge, for the message. */
const edges = new Map()
for (const file of sourceFiles(src)) {
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]
    if (!spec?.startsWith('.')) continue
    const target = resolve(dirname(file), spec)
    if (!target.startsWith(src + sep)) continue
    const from = folderOf(file)
    const to = folderOf(target)
    if (from === undefined || to === undefined || from === to) continue
    const key = `${from}->${to}`
    if (!edges.has(key)) edges.set(key, `${relative(src, file)} imports ${spec}`)
  }
}

const graph = new Map()
for (const key of edges.keys()) {
  const [from, to] = key.split('->')
  if (!graph.has(from)) graph.set(from, new Set())
  graph.get(from).add(to)
}

const problems = []
for (const [key, example] of edges) {
  const [from, to] = key.split('->')
  if (from === 'core' && IMPURE_FOR_CORE.has(to))
    problems.push(`src/core must stay the pure model: ${example}`)
}
// A cycle is a folder reachable from itself; each cycle is reported once, with the import behind each hop.
const reported = new Set()
for (const start of graph.keys()) {
  const stack = [[start, [start]]]
  while (stack.length > 0) {
    const [node, path] = stack.pop()
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const id = [...path].sort().join(',')
        if (reported.has(id)) continue
        reported.add(id)
        const hops = path.map((n, i) => edges.get(`${n}->${path[i + 1] ?? start}`))
        problems.push(`cycle ${[...path, start].join(' -> ')}: ${hops.join('; ')}`)
      } else if (!path.includes(next)) stack.push([next, [...path, next]])
    }
  }
}

console.log(`folder imports: ${[...edges.keys()].sort().join(', ')}`)
for (const p of problems) console.log(`- ${p}`)
console.log(
  problems.length > 0
    ? `${problems.length} layering problem(s)`
    : 'layering: core pure, no cycle between folders',
)
process.exit(problems.length > 0 ? 1 : 0)
