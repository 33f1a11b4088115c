import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, describe, expect, it } from 'vitest'
import { check, DqxError, ResultKey } from '../../src/index.js'
import { writeFileAtomic } from '../../src/plugins/files.js'
import { jsonReport, junit, reportJson } from '../../src/plugins/index.js'
import { junitXml, xmlAttr, xmlText } from '../../src/plugins/junit.js'
import { captureLogger, createResultsContext, makeResult, runPlugin } from '../../src/testing/index.js'
import { brokenCheck, ordersCheck, rows, skippedCheck } from './sink-helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'dqx-reports-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const NASTY = `a<b & "c" 'd'>\u0001`
const nastyCheck = check({ name: `chk ${NASTY}`, datasets: ['data'] }, (mp, ctx) => {
  ctx
    .assertThat(mp.numRows())
    .where({ name: `rows ${NASTY}`, severity: 'P3', tags: ['x', 'y'] })
    .isLt(3)
  ctx
    .assertThat(mp.numRows().div(mp.nullCount('id')))
    .where({ name: 'ratio' })
    .isGt(0)
})

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
})

type Attrs = Record<string, string>
// biome-ignore lint/suspicious/noExplicitAny: parsed XML, navigated by the assertions below
type Xml = any

function readJUnit(file: string): { root: Attrs; suites: Xml[] } {
  const xml = readFileSync(file, 'utf8')
  expect(XMLValidator.validate(xml)).toBe(true)
  const doc = parser.parse(xml) as { testsuites: Xml }
  const { testsuite, ...root } = doc.testsuites
  return { root: root as Attrs, suites: testsuite ?? [] }
}

const key = new ResultKey('2026-11-25', { env: 'ci', 'git.sha': 'abc123' })

describe('junit', () => {
  it('writes one testsuite per check and one testcase per assertion, with failures and skips', async () => {
    const file = join(dir, 'a', 'b', 'junit.xml')
    const { logger, lines } = captureLogger('info')
    const report = await runPlugin(junit({ file }), {
      records: rows,
      checks: [ordersCheck, skippedCheck, nastyCheck],
      key,
      logger,
      name: 'nightly',
    })
    expect(report.pluginErrors).toEqual([])
    const { root, suites } = readJUnit(file)
    expect(root).toMatchObject({ name: 'nightly', tests: '7', failures: '4', errors: '0', skipped: '1' })
    expect(suites.map((s: Xml) => [s.name, s.tests, s.failures, s.skipped])).toEqual([
      ['orders', '4', '2', '0'],
      ['elsewhere', '1', '0', '1'],
      [`chk a<b & "c" 'd'>`, '2', '2', '0'], // escaped on the way in, the control character dropped
    ])
    const props = Object.fromEntries(suites[0]!.properties.property.map((p: Attrs) => [p.name, p.value]))
    expect(props).toEqual({
      'dqx.suite': 'nightly',
      'dqx.runId': report.runId,
      'dqx.date': '2026-11-25',
      env: 'ci',
      'git.sha': 'abc123',
    })
    const orders = suites[0]!.testcase
    expect(orders.map((t: Xml) => [t.name, t.classname, t.failure ? 'failure' : 'ok'])).toEqual([
      ['has rows', 'nightly.orders', 'ok'],
      ['few null emails', 'nightly.orders', 'failure'],
      ['avg price', 'nightly.orders', 'failure'],
      ['max qty', 'nightly.orders', 'ok'],
    ])
    const failure = orders[1]!.failure
    expect(failure.message).toBe('value 10, expected < 5')
    expect(failure.type).toBe('P0')
    expect(failure['#text']).toBe(
      'check: orders\nassertion: few null emails\nseverity: P0\nvalue: 10\nbound: < 5\nexpression: nullCount(email)',
    )
    const skipped = suites[1]!.testcase[0]!.skipped
    expect(skipped.message).toMatch(/dataset 'missing' not provided/)
    const nasty = suites[2]!.testcase
    expect(nasty[0]!.name).toBe(`rows a<b & "c" 'd'>`)
    expect(nasty[0]!.classname).toBe(`nightly.chk a<b & "c" 'd'>`)
    expect(nasty[0]!.properties.property).toEqual([
      { name: 'severity', value: 'P3' },
      { name: 'tags', value: 'x,y' },
    ])
    expect(nasty[1]!.failure.message).toMatch(/zero/i)
    expect(nasty[1]!.failure['#text']).toMatch(/\nerror: .*zero/i)
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['junit.xml']) // no temp file left behind
    expect(lines.find((l) => l.msg === 'JUnit report written')).toMatchObject({
      plugin: 'junit',
      file,
      tests: 7,
    })
  })

  it('reports a run-level error as an <error> testcase', async () => {
    const file = join(dir, 'error.xml')
    await expect(runPlugin(junit({ file }), { records: rows, checks: [brokenCheck] })).rejects.toThrow(
      DqxError,
    )
    const { root, suites } = readJUnit(file)
    expect(root).toMatchObject({ tests: '1', failures: '0', errors: '1' })
    expect(suites).toHaveLength(1)
    expect(suites[0]!.name).toBe('(run)')
    const error = suites[0]!.testcase[0]!.error
    expect(error.type).toBe('DqxError')
    expect(error.message).toMatch(/no_such_column/)
  })

  it('writes an empty but valid document when nothing ran', async () => {
    const file = join(dir, 'none.xml')
    const report = await runPlugin(junit({ file, notifyOn: 'always' }), {
      records: rows,
      checks: [check({ name: 'empty' }, () => {})],
    })
    expect(report.pluginErrors).toEqual([])
    expect(readJUnit(file)).toEqual({ root: expect.objectContaining({ tests: '0' }), suites: [] })
  })

  it('renders results without a bound and skips without a reason', () => {
    const { bound: _b, ...noBound } = makeResult({ status: 'FAILED', value: 2, assertion: 'unbounded' })
    const skipped = makeResult({ status: 'SKIPPED', assertion: 'skipped' })
    const xml = junitXml(createResultsContext({ results: [noBound, skipped] }))
    expect(xml).toContain('bound: -\nexpression: numRows()</failure>')
    expect(xml).toContain('<failure message="value 2" type="P1">')
    expect(xml).toContain('<skipped message="skipped"/>')
  })

  it('escapes XML', () => {
    expect(xmlText('<a & b>\u0000')).toBe('&lt;a &amp; b&gt;')
    expect(xmlAttr(`"x"\n'y'\t\r`)).toBe('&quot;x&quot;&#10;&apos;y&apos;&#9;&#13;')
  })
})

describe('jsonReport', () => {
  it('writes the RunReport without functions, errors as messages', async () => {
    const file = join(dir, 'json', 'report.json')
    const report = await runPlugin(
      [
        jsonReport({ file }),
        (s) => {
          s.hooks.processResults.tap('flaky', () => {
            throw new Error('flaky broke')
          })
          s.hooks.afterEvaluate.tap('fine', () => {})
        },
      ],
      { records: rows, checks: [ordersCheck], key },
    )
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    expect(doc).toEqual({
      suiteName: 'plugin-test',
      runId: report.runId,
      key: { date: '2026-11-25', tags: { env: 'ci', 'git.sha': 'abc123' } },
      startedAt: report.startedAt.toISOString(),
      durationMs: expect.any(Number),
      datasources: ['data'],
      results: JSON.parse(JSON.stringify(report.results)),
      symbols: JSON.parse(JSON.stringify(report.symbols)),
      summary: report.summary,
      pluginRuns: [
        { plugin: 'fine', hook: 'afterEvaluate', durationMs: expect.any(Number), timedOut: false },
        {
          plugin: 'flaky',
          hook: 'processResults',
          durationMs: expect.any(Number),
          timedOut: false,
          error: 'flaky broke',
        },
      ],
      pluginErrors: [
        {
          plugin: 'flaky',
          hook: 'processResults',
          durationMs: expect.any(Number),
          timedOut: false,
          error: 'flaky broke',
        },
      ],
    })
  })

  it('renders a processResults context (no plugin runs yet) too', () => {
    const doc = reportJson(createResultsContext({ results: [makeResult()] }))
    expect(doc).toMatchObject({ runId: 'test-run', pluginRuns: [], pluginErrors: [], summary: { total: 1 } })
    expect(JSON.parse(JSON.stringify(doc)).results).toEqual([makeResult()])
  })

  it('includes the run error and honours notifyOn', async () => {
    const file = join(dir, 'json', 'error.json')
    const quiet = join(dir, 'json', 'quiet.json')
    await expect(
      runPlugin([jsonReport({ file }), jsonReport({ name: 'quiet', file: quiet, notifyOn: 'success' })], {
        records: rows,
        checks: [brokenCheck],
      }),
    ).rejects.toThrow(DqxError)
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    expect(doc.error).toMatch(/no_such_column/)
    expect(doc.results).toEqual([])
    expect(() => readFileSync(quiet)).toThrow(/ENOENT/)
  })

  it('records a write failure as a PluginRun error and leaves no temp file', async () => {
    const target = join(dir, 'is-a-dir')
    mkdirSync(join(target, 'child'), { recursive: true })
    const report = await runPlugin(jsonReport({ file: target }), { records: rows, checks: [ordersCheck] })
    expect(report.pluginErrors[0]).toMatchObject({ plugin: 'jsonReport', hook: 'afterRun' })
    expect(report.pluginErrors[0]?.error?.message).toMatch(/EISDIR|ENOTEMPTY|EEXIST/)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('validates its options', () => {
    expect(() => jsonReport({ file: '' })).toThrow("invalid options for plugin 'jsonReport': file: Too small")
    expect(() => junit({} as never)).toThrow(
      "invalid options for plugin 'junit': file: Invalid input: expected string, received undefined",
    )
  })
})

describe('writeFileAtomic', () => {
  it('replaces the file whole and honours an abort signal', async () => {
    const file = join(dir, 'atomic', 'f.txt')
    await writeFileAtomic(file, 'one')
    await writeFileAtomic(file, 'two')
    expect(readFileSync(file, 'utf8')).toBe('two')
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    await expect(writeFileAtomic(file, 'three', ac.signal)).rejects.toThrow()
    expect(readFileSync(file, 'utf8')).toBe('two')
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['f.txt'])
  })
})
