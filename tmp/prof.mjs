import { readFileSync, readdirSync } from 'node:fs'
const f = readdirSync('.').find((x) => x.endsWith('.cpuprofile'))
const p = JSON.parse(readFileSync(f, 'utf8'))
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const self = new Map()
const dt = p.timeDeltas; let total = 0
p.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) || 0) + dt[i]); total += dt[i] })
console.log('total ms', total / 1000)
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(v / 1000).toFixed(0)}ms ${k}`).join('\n'))
