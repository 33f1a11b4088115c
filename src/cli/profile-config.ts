import type { DatasetProfile } from '../engine/profile.js'
import { type SuggestedAssertion, tsString } from '../engine/profile-suggestions.js'

// The dqx.config.ts that `dqx profile --write` writes: one check per profiled dataset holding
// the suggested assertions, the data source, and a DuckDB MetricDB so that history-aware checks
// (row count anomaly) and `dqx report` have past runs to read.

export interface ConfigDataset {
  profile: DatasetProfile
  /** TypeScript constructing its DataSource (`DataSource.parquet('data/orders.parquet')`). */
  source: string
  suggestions: readonly SuggestedAssertion[]
}

/** A camelCase identifier for a dataset name (`order-items` → `orderItems`), never a reserved word. */
export function identifierFor(name: string): string {
  const words = name.split(/[^A-Za-z0-9_$]+/).filter(Boolean)
  let id = words.map((w, i) => (i === 0 ? w : `${w.charAt(0).toUpperCase()}${w.slice(1)}`)).join('')
  if (id === '' || /^[0-9]/.test(id)) id = `ds${id}`
  return `${id}Check`
}

/** The data source expression for a file path (already relative to the config's directory). */
export function sourceExpression(kind: 'parquet' | 'csv' | 'json', path: string): string {
  return `DataSource.${kind}(${tsString(path)})`
}

/** The whole config file. `suiteName` names the suite; `metricsFile` is the MetricDB's DuckDB file. */
export function renderProfileConfig(
  datasets: readonly ConfigDataset[],
  options: { suiteName: string; metricsFile: string; command: string },
): string {
  const lines: string[] = [
    `// dqx config written by \`${options.command}\`.`,
    '// Every assertion below held on the profiled data: edit the bounds to what the data must satisfy.',
    '// Run it with `npx dqx run`, see the results with `npx dqx report`. Reference: docs/profile.md.',
    "import { check, DataSource, defineConfig, MetricDB } from 'dqx'",
    '',
  ]
  for (const d of datasets) {
    const p = d.profile
    lines.push(
      `// ${p.dataset}: ${p.rows} rows, ${p.columns.length} columns (${p.source})`,
      `const ${identifierFor(p.dataset)} = check({ name: ${tsString(`${p.dataset} profile`)}, datasets: [${tsString(p.dataset)}] }, (mp, ctx) => {`,
    )
    for (const s of d.suggestions) {
      lines.push(
        `  // ${s.reason.replace(/[\r\n]+/g, ' ')}`,
        `  ctx.assertThat(${s.metric}).where({ name: ${tsString(s.name)}, severity: '${s.severity}' }).${s.assertion}`,
      )
    }
    lines.push('})', '')
  }
  const sources = datasets.map((d) => `    ${tsString(d.profile.dataset)}: ${d.source},`)
  lines.push(
    'export default defineConfig({',
    `  name: ${tsString(options.suiteName)},`,
    `  checks: [${datasets.map((d) => identifierFor(d.profile.dataset)).join(', ')}],`,
    '  // Relative paths resolve from the directory of this file.',
    '  datasources: {',
    ...sources,
    '  },',
    '  // Past runs live here: anomaly checks read their history, `dqx report` draws it.',
    `  db: MetricDB.duckdb(${tsString(options.metricsFile)}),`,
    '})',
    '',
  )
  return lines.join('\n')
}
