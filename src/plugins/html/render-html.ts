import { formatTags } from '../../core/result-key.js'
import type { AssertionResult } from '../../core/types.js'
import { formatValue } from '../render.js'
import { cellText, escapeHtml as e } from './escape.js'
import type { ReportModel, ReportRun } from './report-model.js'
import { renderChart } from './svg-chart.js'

// The report page: one self-contained HTML document (inline CSS, inline SVG, a few lines of
// inline JS for the status filter). Nothing is fetched: it opens from a CI artifact, an e-mail
// attachment or a file share with no network.

const CSS = `
:root{--fg:#1f2328;--muted:#636c76;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--skip:#9a6700;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{padding:18px 28px;border-bottom:1px solid var(--line);background:var(--soft)}
header.top h1{margin:0;font-size:20px}
header.top p{margin:4px 0 0;color:var(--muted)}
main{padding:8px 28px 40px;max-width:1400px}
section.run{margin-top:18px}
h2{font-size:18px;margin:18px 0 8px}
h3{font-size:15px;margin:22px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}
.card span{color:var(--muted);font-size:12px}
.verdict-PASSED b{color:var(--pass)}.verdict-FAILED b{color:var(--fail)}.verdict-ERROR b{color:var(--fail)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600;font-size:12px;color:var(--muted)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
.status{font-weight:600;font-size:12px;padding:1px 7px;border-radius:10px;color:#fff}
.status.PASSED{background:var(--pass)}.status.FAILED{background:var(--fail)}.status.SKIPPED{background:var(--skip)}
.tag{display:inline-block;background:#ddf4ff;color:#0550ae;border-radius:10px;padding:0 7px;margin:1px 2px;font-size:12px}
.err{color:var(--fail);font-size:12px}
.muted{color:var(--muted)}
.filter{margin:6px 0}
.filter button{font:inherit;font-size:12px;border:1px solid var(--line);background:var(--bg);border-radius:6px;padding:2px 10px;cursor:pointer}
.filter button.on{background:var(--accent);color:#fff;border-color:var(--accent)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(580px,1fr));gap:12px}
figure.chart-card{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px 10px}
figure.chart-card figcaption{font-size:13px;margin-bottom:2px}
svg.chart{display:block;max-width:100%;height:auto}
svg .grid{stroke:#eaeef2}svg .tick{font-size:10px;fill:var(--muted)}
svg .line{fill:none;stroke:var(--accent);stroke-width:1.5}
svg .dots{fill:none;stroke:var(--accent);stroke-width:4;stroke-linecap:round}
svg .bound{stroke:var(--fail);stroke-dasharray:5 4;stroke-width:1}
svg .band{fill:#0969da22;stroke:none}
svg .failed{fill:none;stroke:var(--fail);stroke-width:2}
.legend{font-size:11px;color:var(--muted)}
.samples{overflow-x:auto}
`

const SCRIPT = `
for(const bar of document.querySelectorAll('.filter')){
  const table=document.getElementById(bar.dataset.for)
  bar.addEventListener('click',ev=>{
    const b=ev.target.closest('button');if(!b)return
    for(const x of bar.querySelectorAll('button'))x.classList.toggle('on',x===b)
    for(const row of table.tBodies[0].rows)row.hidden=b.dataset.status!=='ALL'&&row.dataset.status!==b.dataset.status
  })
}
`

function verdict(run: ReportRun): 'PASSED' | 'FAILED' | 'ERROR' {
  if (run.error !== undefined) return 'ERROR'
  return run.summary.failed > 0 ? 'FAILED' : 'PASSED'
}

const card = (value: string, label: string, cls = ''): string =>
  `<div class="card${cls ? ` ${cls}` : ''}"><b>${e(value)}</b><span>${e(label)}</span></div>`

function summaryCards(run: ReportRun): string {
  const s = run.summary
  const cards = [
    card(verdict(run), 'verdict', `verdict-${verdict(run)}`),
    card(String(s.total), 'assertions'),
    card(String(s.passed), 'passed'),
    card(String(s.failed), 'failed'),
    card(String(s.skipped), 'skipped'),
    card(`${Number(s.passRate.toFixed(1))}%`, 'pass rate'),
  ]
  if (run.durationMs !== undefined) cards.push(card(`${Math.round(run.durationMs)} ms`, 'duration'))
  return `<div class="cards">${cards.join('')}</div>`
}

const tagsHtml = (tags: readonly string[]): string =>
  tags.map((t) => `<span class="tag">${e(t)}</span>`).join('')

function assertionRow(r: AssertionResult): string {
  const tags = [...r.assertionTags, ...Object.entries(r.tags).map(([k, v]) => `${k}=${v}`)]
  return (
    `<tr data-status="${e(r.status)}"><td><span class="status ${e(r.status)}">${e(r.status)}</span></td>` +
    `<td>${e(r.check)}</td><td>${e(r.assertion)}${r.error !== undefined ? `<div class="err">${e(r.error)}</div>` : ''}</td>` +
    `<td><code>${e(r.expression)}</code></td><td class="num">${e(formatValue(r.value))}</td>` +
    `<td><code>${e(r.bound ?? '')}</code></td><td>${e(r.severity)}</td><td>${tagsHtml(tags)}</td></tr>`
  )
}

function assertionsTable(run: ReportRun, id: string): string {
  if (run.results.length === 0) return '<p class="muted">No assertions were evaluated.</p>'
  const counts = { PASSED: run.summary.passed, FAILED: run.summary.failed, SKIPPED: run.summary.skipped }
  const buttons = [
    `<button data-status="ALL" class="on">All ${run.results.length}</button>`,
    ...Object.entries(counts).map(([st, n]) => `<button data-status="${st}">${st} ${n}</button>`),
  ].join(' ')
  // Worst first: FAILED, then SKIPPED, then PASSED; by severity within each.
  const rank = { FAILED: 0, SKIPPED: 1, PASSED: 2 } as const
  const rows = [...run.results].sort(
    (a, b) => rank[a.status] - rank[b.status] || a.severity.localeCompare(b.severity),
  )
  return (
    `<div class="filter" data-for="${id}">${buttons}</div>` +
    `<table id="${id}" class="assertions"><thead><tr><th>Status</th><th>Check</th><th>Assertion</th><th>Expression</th><th>Value</th><th>Bound</th><th>Severity</th><th>Tags</th></tr></thead>` +
    `<tbody>${rows.map(assertionRow).join('')}</tbody></table>`
  )
}

function samplesHtml(run: ReportRun): string {
  const failed = run.results.filter((r) => r.samples !== undefined && r.samples.rows.length > 0)
  if (failed.length === 0) return ''
  const blocks = failed.map((r) => {
    const rows = r.samples?.rows ?? []
    const total = r.samples?.total ?? rows.length
    const cols = [...new Set(rows.flatMap((row) => Object.keys(row)))]
    const head = cols.map((col) => `<th>${e(col)}</th>`).join('')
    const body = rows
      .map((row) => `<tr>${cols.map((col) => `<td>${e(cellText(row[col]))}</td>`).join('')}</tr>`)
      .join('')
    return (
      `<h4>${e(r.check)} › ${e(r.assertion)} <span class="muted">${rows.length} of ${total} failing rows</span></h4>` +
      `<div class="samples"><table class="sample" data-assertion="${e(r.assertion)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
    )
  })
  return `<h3>Failed-row samples</h3>${blocks.join('')}`
}

function chartsHtml(run: ReportRun, historyDays: number): string {
  if (run.charts.length === 0) return ''
  const figs = run.charts.map((ch) => {
    const label = `${ch.check} › ${ch.assertion}`
    const svg = renderChart(ch.points, ch.bounds, ch.band, label)
    const legend = [
      ch.bounds.lo !== undefined || ch.bounds.hi !== undefined ? 'dashed: bounds' : '',
      ch.band.length > 0 ? 'shaded: anomaly band' : '',
      ch.points.some((p) => p.status === 'FAILED') ? 'red rings: FAILED days' : '',
    ].filter(Boolean)
    return (
      `<figure class="chart-card" data-assertion="${e(ch.assertion)}"><figcaption><b>${e(label)}</b> <code class="muted">${e(ch.expression)}</code></figcaption>` +
      `${svg}${legend.length > 0 ? `<div class="legend">${e(legend.join(' · '))}</div>` : ''}</figure>`
    )
  })
  return `<h3>History <span class="muted">(last ${historyDays} days, from the MetricDB)</span></h3><div class="charts">${figs.join('')}</div>`
}

function schemasHtml(run: ReportRun): string {
  const datasets = [...new Set([...run.datasources, ...Object.keys(run.schemas ?? {})])]
  if (datasets.length === 0) return ''
  const blocks = datasets.map((d) => {
    const cols = run.schemas?.[d]
    if (cols === undefined) return `<h4>${e(d)}</h4><p class="muted">Schema not recorded for this run.</p>`
    const rows = cols
      .map((col) => `<tr><td>${e(col.name)}</td><td><code>${e(col.type)}</code></td></tr>`)
      .join('')
    return `<h4>${e(d)} <span class="muted">${cols.length} columns</span></h4><table class="schema" data-dataset="${e(d)}"><thead><tr><th>Column</th><th>Type</th></tr></thead><tbody>${rows}</tbody></table>`
  })
  return `<h3>Schemas</h3>${blocks.join('')}`
}

function runHtml(run: ReportRun, index: number, historyDays: number): string {
  const tags = formatTags(run.tags)
  const meta = [
    `date ${run.date}`,
    tags ? `tags ${tags}` : '',
    run.datasources.length > 0 ? `datasets ${run.datasources.join(', ')}` : '',
    run.startedAt ? `started ${run.startedAt.toISOString()}` : '',
    `run ${run.runId}`,
  ].filter(Boolean)
  return (
    `<section class="run" data-suite="${e(run.suiteName)}" data-date="${e(run.date)}">` +
    `<h2>${e(run.suiteName)} <span class="muted">${e(run.date)}</span></h2>` +
    `<p class="muted">${e(meta.join(' · '))}</p>` +
    summaryCards(run) +
    (run.error !== undefined ? `<p class="err">Run failed: ${e(run.error)}</p>` : '') +
    `<h3>Assertions</h3>${assertionsTable(run, `assertions-${index}`)}` +
    samplesHtml(run) +
    chartsHtml(run, historyDays) +
    schemasHtml(run) +
    '</section>'
  )
}

/** The whole report as one HTML document (UTF-8, no external resources). */
export function renderReportHtml(model: ReportModel): string {
  const runs = model.runs.map((r, i) => runHtml(r, i, model.historyDays)).join('')
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    // No network: a report opened from an untrusted share can load nothing and run only its own script.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">` +
    `<title>${e(model.title)}</title><style>${CSS}</style></head><body>` +
    `<header class="top"><h1>${e(model.title)}</h1><p>generated ${e(model.generatedAt.toISOString())} by dqx</p></header>` +
    `<main>${runs || '<p class="muted">No runs to report.</p>'}</main>` +
    `<script>${SCRIPT}</script></body></html>\n`
  )
}
