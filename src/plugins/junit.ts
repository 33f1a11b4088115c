import { z } from 'zod'
import type { AssertionResult } from '../core/types.js'
import { writeFileAtomic } from './files.js'
import { defineFactory, nameSchema, notifyOnSchema, type RunView } from './first-party.js'
import { failureReason, formatValue } from './render.js'

export const junitSchema = z.strictObject({
  /** Plugin name (default 'junit'). */
  name: nameSchema,
  /** Where the XML goes (parent directories are created; written atomically). */
  file: z.string().min(1),
  /** Default 'always'. */
  notifyOn: notifyOnSchema,
})

export type JUnitOptions = z.input<typeof junitSchema>

// XML 1.0 allows tab, LF, CR and these ranges; anything else (e.g. NUL, ESC) is dropped.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Escapes text content. */
export function xmlText(value: string): string {
  return value.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Escapes an attribute value (quotes and line breaks too, so parsers keep them). */
export function xmlAttr(value: string): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;')
}

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('')

const seconds = (ms: number): string => (ms / 1000).toFixed(3)

function property(name: string, value: string): string {
  return `<property${attrs({ name, value })}/>`
}

function details(r: AssertionResult): string {
  const lines = [
    `check: ${r.check}`,
    `assertion: ${r.assertion}`,
    `severity: ${r.severity}`,
    `value: ${formatValue(r.value)}`,
    `bound: ${r.bound ?? '-'}`,
    `expression: ${r.expression}`,
  ]
  if (r.error !== undefined) lines.push(`error: ${r.error}`)
  return lines.join('\n')
}

function testcase(suite: string, r: AssertionResult, indent: string): string {
  const open = `${indent}<testcase${attrs({ name: r.assertion, classname: `${suite}.${r.check}`, time: '0' })}>`
  const inner: string[] = []
  const props = [property('severity', r.severity)]
  if (r.assertionTags.length > 0) props.push(property('tags', r.assertionTags.join(',')))
  inner.push(`${indent}  <properties>${props.join('')}</properties>`)
  if (r.status === 'FAILED') {
    inner.push(
      `${indent}  <failure${attrs({ message: failureReason(r), type: r.severity })}>${xmlText(details(r))}</failure>`,
    )
  } else if (r.status === 'SKIPPED') {
    inner.push(`${indent}  <skipped${attrs({ message: r.error ?? 'skipped' })}/>`)
  }
  return [open, ...inner, `${indent}</testcase>`].join('\n')
}

/**
 * The run as JUnit XML: one <testsuite> per check, one <testcase> per
 * assertion, <failure> for FAILED (message, value, bound), <skipped> for
 * SKIPPED, the ResultKey's tags as <properties>; a run error is an <error>.
 */
export function junitXml(view: RunView): string {
  const byCheck = new Map<string, AssertionResult[]>()
  for (const r of view.results) {
    const list = byCheck.get(r.check)
    if (list) list.push(r)
    else byCheck.set(r.check, [r])
  }
  const timestamp = view.timestamp.toISOString().slice(0, 19)
  const props = [
    property('dqx.suite', view.suiteName),
    property('dqx.runId', view.runId),
    property('dqx.date', view.key.date),
    ...(view.replay ? [property('dqx.replay', 'true')] : []),
    ...Object.entries(view.key.tags).map(([k, v]) => property(k, v)),
  ]
  const properties = `    <properties>\n${props.map((p) => `      ${p}`).join('\n')}\n    </properties>`
  const suites: string[] = []
  let id = 0
  for (const [check, list] of byCheck) {
    const failures = list.filter((r) => r.status === 'FAILED').length
    const skipped = list.filter((r) => r.status === 'SKIPPED').length
    const head = attrs({
      name: check,
      id: id++,
      package: view.suiteName,
      tests: list.length,
      failures,
      errors: 0,
      skipped,
      time: '0',
      timestamp,
    })
    suites.push(
      [
        `  <testsuite${head}>`,
        properties,
        ...list.map((r) => testcase(view.suiteName, r, '    ')),
        '  </testsuite>',
      ].join('\n'),
    )
  }
  if (view.error !== undefined) {
    const head = attrs({
      name: '(run)',
      id: id++,
      package: view.suiteName,
      tests: 1,
      failures: 0,
      errors: 1,
      skipped: 0,
      time: seconds(view.durationMs),
      timestamp,
    })
    const err = view.error
    suites.push(
      [
        `  <testsuite${head}>`,
        properties,
        `    <testcase${attrs({ name: 'run', classname: view.suiteName, time: seconds(view.durationMs) })}>`,
        `      <error${attrs({ message: err.message, type: err.name })}>${xmlText(err.message)}</error>`,
        '    </testcase>',
        '  </testsuite>',
      ].join('\n'),
    )
  }
  const s = view.summary
  const root = attrs({
    name: view.suiteName,
    tests: s.total + (view.error ? 1 : 0),
    failures: s.failed,
    errors: view.error ? 1 : 0,
    skipped: s.skipped,
    time: seconds(view.durationMs),
    timestamp,
  })
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${root}>\n${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`
}

/** Writes the run as a JUnit XML report (atomically), for CI test-report viewers. */
export const junit = defineFactory({
  kind: 'junit',
  description: 'writes a JUnit XML report: one testsuite per check, one testcase per assertion',
  schema: junitSchema,
  on: 'report',
  defaultNotifyOn: 'always',
  setup(o) {
    return async (view) => {
      const path = await writeFileAtomic(o.file, junitXml(view), view.signal)
      view.logger.info({ file: path, tests: view.summary.total }, 'JUnit report written')
    }
  },
})
