import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../src/core/types.js'
import { check, DataSource, MetricDB, ResultKey, VerificationSuite } from '../../src/index.js'
import { cellText, escapeHtml } from '../../src/plugins/html/escape.js'
import { anomalyBand, type ChartPoint, chartBounds } from '../../src/plugins/html/report-model.js'
import { niceTicks, shortNumber } from '../../src/plugins/html/svg-chart.js'
import { htmlReport, renderHtmlReport } from '../../src/plugins/index.js'
import { chromiumMissing, type LaunchedBrowser, launchChromium } from '../helpers/browser.js'
import { tempDir } from '../helpers/data.js'
import { serverAvailable } from '../helpers/servers.js'

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
const DAYS = 20
const dateOf = (i: number): string => `2026-11-${String(i + 1).padStart(2, '0')}`

/** Orders of day i: 100 + i rows; day 17 has null emails (a FAILED non-null assertion with samples). */
function ordersOf(i: number): Record<string, unknown>[] {
  return Array.from({ length: 100 + i }, (_, n) => ({
    id: n,
    price: 10 + ((n * 7 + i) % 20),
    email: i === 17 && n < 3 ? null : `u${n}@example.com`,
    note: n === 0 ? XSS : 'ok',
  }))
}

const orders = check({ name: 'orders', datasets: ['orders'] }, (mp, ctx) => {
  ctx
    .assertThat(mp.numRows())
    .where({ name: 'row count stable', tags: ['volume'] })
    .isNotAnomalous({
      method: 'zscore',
      window: 7,
      minHistory: { days: 3, otherwise: 'skip' },
    })
  ctx.assertThat(mp.average('price')).where({ name: 'avg price', severity: 'P2' }).isBetween(15, 25)
  ctx
    .assertThat(mp.nullCount('email'))
    .where({ name: 'email present', severity: 'P0', tags: [XSS], sampleColumns: ['note'] })
    .isEq(0)
  ctx
    .assertThat(mp.maximum('price'))
    .where({ name: `max price ${XSS}` })
    .isLt(29)
  ctx.assertThat(mp.numRows()).where({ name: 'never computed' }).isGt(0)
})
// A check on a dataset the runs never provide: SKIPPED every day, so it gets no chart.
const absent = check({ name: 'absent', datasets: ['customers'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'customers exist' }).isPositive()
})

describe('chartBounds', () => {
  it('reads the bound texts the assertions write', () => {
    expect(chartBounds('>= 0')).toEqual({ lo: 0 })
    expect(chartBounds('> 1.5')).toEqual({ lo: 1.5 })
    expect(chartBounds('<= -2')).toEqual({ hi: -2 })
    expect(chartBounds('< 1e-7')).toEqual({ hi: 1e-7 })
    expect(chartBounds('== 3')).toEqual({ lo: 3, hi: 3 })
    expect(chartBounds('in [1, 100]')).toEqual({ lo: 1, hi: 100 })
    expect(chartBounds('not in [1, 2]')).toEqual({ lo: 1, hi: 2, outside: true })
    expect(chartBounds('!= 3')).toEqual({})
    expect(chartBounds('(recorded)')).toEqual({})
    expect(chartBounds(undefined)).toEqual({})
  })

  it('reads tunable bounds, which name the tunable after the value', () => {
    expect(chartBounds('< 0.1 (max_null_rate)')).toEqual({ hi: 0.1 })
    expect(chartBounds('in [0.5 (lo), 2 (hi.x-1)]')).toEqual({ lo: 0.5, hi: 2 })
    expect(chartBounds('not in [0, 4 (hi)]')).toEqual({ lo: 0, hi: 4, outside: true })
  })
})

describe('anomalyBand', () => {
  const pts = (values: (number | null)[], failed: number[] = []): ChartPoint[] =>
    values.map((v, i) => ({ date: dateOf(i), value: v, status: failed.includes(i) ? 'FAILED' : 'PASSED' }))
  const detail = {
    method: 'zscore' as const,
    threshold: 2,
    score: 0,
    center: 0,
    spread: 0,
    n: 3,
    needed: 3,
    baseline: 'history' as const,
    from: '2026-11-01',
    to: '2026-11-03',
    excluded: [],
    weekly: false,
  }
  it('uses the window before each day, leaves out FAILED and null days, needs minHistory values', () => {
    const band = anomalyBand(pts([10, 12, 14, null, 500, 16, 18], [4]), { ...detail, needed: 2 })
    // Day 2: 10, 12. Day 3: 10, 12, 14 (mean 12, sd 2). Day 4: 12, 14 and the null day.
    expect(band[1]).toEqual({ date: dateOf(3), lo: 8, hi: 16 })
    // Days 5 and 6: their 3-day windows hold one value besides nulls and the FAILED 500: too few.
    expect(band.map((b) => b.date)).toEqual([dateOf(2), dateOf(3), dateOf(4)])
  })
  it('compares with the same weekday only when weekly', () => {
    const values = Array.from({ length: 29 }, (_, i) => (i % 7 === 0 ? 100 : 1))
    const band = anomalyBand(pts(values), {
      ...detail,
      method: 'relativeChange',
      threshold: 0.5,
      needed: 1,
      from: '2026-11-01',
      to: '2026-11-28',
      weekly: true,
    })
    const day28 = band.find((b) => b.date === dateOf(28))
    expect(day28).toEqual({ date: dateOf(28), lo: 50, hi: 150 })
  })
  it('draws a pinned value as a constant band, and nothing without its spread', () => {
    const p = pts([1, 2])
    const pinned = {
      ...detail,
      method: 'mad' as const,
      baseline: 'pinnedValue' as const,
      center: 10,
      spread: 1,
    }
    expect(anomalyBand(p, pinned)[1]).toEqual({ date: dateOf(1), lo: 10 - 2 * 1.4826, hi: 10 + 2 * 1.4826 })
    expect(anomalyBand(p, { ...pinned, method: 'zscore' })[0]).toEqual({ date: dateOf(0), lo: 8, hi: 12 })
    expect(anomalyBand(p, { ...pinned, spread: null })).toEqual([])
  })
  it('falls back to a 14-day window when the detail has no range', () => {
    const band = anomalyBand(pts([1, 1, 1, 1]), { ...detail, from: null, to: null, needed: 0 })
    expect(band.map((b) => b.date)).toEqual([dateOf(2), dateOf(3)])
  })
})

describe('escaping helpers', () => {
  it('escapes the five HTML specials and renders cells as text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(cellText(null)).toBe('null')
    expect(cellText(undefined)).toBe('null')
    expect(cellText(3n)).toBe('3')
    expect(cellText(true)).toBe('true')
    expect(cellText({ a: [1] })).toBe('{"a":[1]}')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(cellText(cyclic)).toBe('[object Object]')
    expect(shortNumber(1_234_567_890)).toBe('1.23G')
    expect(shortNumber(2_500_000)).toBe('2.5M')
    expect(shortNumber(12_345)).toBe('12.3k')
    expect(shortNumber(0.123456)).toBe('0.1235')
  })
})

describe.skipIf(!serverAvailable('Chromium', chromiumMissing()))('htmlReport in a real browser', () => {
  const tmp = tempDir('dqx-html-report-')
  const out = join(process.cwd(), '.tmp', 'test-output', 'html-report')
  let browser: LaunchedBrowser
  let last: RunReport
  let db: MetricDB

  beforeAll(async () => {
    mkdirSync(out, { recursive: true })
    db = MetricDB.duckdb(tmp.file('metrics.duckdb'))
    const file = tmp.file('report.html')
    for (let i = 0; i < DAYS; i += 1) {
      const suite = new VerificationSuite({
        name: 'nightly',
        checks: [orders, absent],
        db,
        audit: false,
        sampleColumns: ['id'],
        plugins: i === DAYS - 1 ? [htmlReport({ file, historyDays: 30 })] : [],
      })
      last = await suite.run(
        { orders: DataSource.fromRecords(ordersOf(i)) },
        new ResultKey(dateOf(i), { env: 'test' }),
      )
    }
    browser = await launchChromium()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await db?.close()
    tmp.cleanup()
  })

  it('writes one self-contained file that renders every assertion, chart, sample and schema', async () => {
    expect(last.pluginErrors).toEqual([])
    const file = tmp.file('report.html')
    const html = readFileSync(file, 'utf8')
    // Self-contained: no external URL is referenced anywhere.
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i)
    expect(html).not.toMatch(/<link\b/i)

    const page = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } })
    const requests: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url())
    })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(pathToFileURL(file).href)

    const s = last.summary
    expect(await page.locator('table.assertions tbody tr[data-status="PASSED"]').count()).toBe(s.passed)
    expect(await page.locator('table.assertions tbody tr[data-status="FAILED"]').count()).toBe(s.failed)
    expect(await page.locator('table.assertions tbody tr[data-status="SKIPPED"]').count()).toBe(s.skipped)
    expect(s.failed).toBeGreaterThan(0)

    // One chart per assertion with a value history; each has one dot per stored day.
    const valued = last.results.filter((r) => r.status !== 'SKIPPED' || r.value !== null)
    const charts = page.locator('svg.chart')
    const chartNames = await page
      .locator('figure.chart-card')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-assertion')))
    expect(chartNames.sort()).toEqual(
      last.results
        .filter((r) => r.check === 'orders')
        .map((r) => r.assertion)
        .sort(),
    )
    expect(valued.length).toBeGreaterThan(0)
    const points = await charts.evaluateAll((els) =>
      els.map((el) => ({
        attr: Number(el.getAttribute('data-points')),
        dots: (el.querySelector('path.dots')?.getAttribute('d')?.match(/M/g) ?? []).length,
      })),
    )
    for (const p of points) expect(p).toEqual({ attr: DAYS, dots: DAYS })

    // The non-null assertion failed on day 17 only (its chart rings that day); avg price has bound lines.
    const email = page.locator('figure.chart-card[data-assertion="email present"] svg.chart')
    expect(await email.getAttribute('data-failed')).toBe('1')
    expect(await page.locator('figure.chart-card[data-assertion="avg price"] line.bound').count()).toBe(2)
    // The anomaly assertion has a band from the day it had enough history.
    expect(await page.locator('figure.chart-card[data-assertion="row count stable"] path.band').count()).toBe(
      1,
    )

    // Samples of today's failure with the sampled columns, the XSS value shown as text.
    const todayFailed = last.results.filter((r) => r.status === 'FAILED' && r.samples)
    expect(await page.locator('table.sample').count()).toBe(todayFailed.length)
    // The run records each dataset's schema (RunReport.schemas): one schema table for 'orders'.
    expect(Object.keys(last.schemas ?? {})).toEqual(['orders'])
    expect(await page.locator('table.schema').count()).toBe(1)
    expect(await page.locator('text=Schema not recorded').count()).toBe(0)

    // Nothing from the data ran: no injected script or handler, no network request, no page error.
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined()
    expect(await page.locator('main img, main script').count()).toBe(0)
    expect(await page.getByText(`max price ${XSS}`).count()).toBeGreaterThan(0)
    expect(requests).toEqual([])
    expect(errors).toEqual([])

    // The status filter hides the other rows.
    await page.locator('.filter button[data-status="FAILED"]').click()
    expect(await page.locator('table.assertions tbody tr:visible').count()).toBe(s.failed)

    await page.locator('.filter button[data-status="ALL"]').click()
    await page.screenshot({ path: join(out, 'report.png'), fullPage: false })
    await page.close()
  })

  it('renders failed-row samples and a day with no stored history yet', async () => {
    const today = new ResultKey('2026-12-31', { env: 'test' })
    const base = last.results.find((r) => r.assertion === 'email present')
    if (!base) throw new Error('no email assertion')
    const html = await renderHtmlReport(
      [
        {
          suiteName: 'nightly',
          runId: 'r-new',
          date: today.date,
          tags: today.tags,
          datasources: ['orders'],
          results: [
            {
              ...base,
              date: today.date,
              status: 'FAILED',
              value: 2,
              samples: { rows: [{ id: 1, note: XSS, nested: { a: 1 } }], total: 2 },
            },
          ],
          summary: { ...last.summary, total: 1, passed: 0, failed: 1, skipped: 0, passRate: 0 },
          error: 'partly broken',
          schemas: { orders: [{ name: 'id', type: 'BIGINT' }] },
        },
      ],
      db,
      { historyDays: 5, title: `t ${XSS}`, now: new Date('2027-01-01T00:00:00Z') },
    )
    const page = await browser.browser.newPage()
    await page.setContent(html)
    expect(await page.title()).toBe(`t ${XSS}`)
    expect(await page.locator('table.sample tbody tr').count()).toBe(1)
    expect(await page.locator('table.sample td').nth(1).textContent()).toBe(XSS)
    expect(await page.locator('table.schema tbody tr').count()).toBe(1)
    // Nothing stored in the window: the chart holds the run's own value as its one point.
    expect(await page.locator('svg.chart').getAttribute('data-points')).toBe('1')
    expect(await page.locator('.err').first().textContent()).toContain('partly broken')
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined()
    await page.close()
  })

  it('says so when there is nothing to report', async () => {
    const html = await renderHtmlReport([], db)
    expect(html).toContain('No runs to report.')
    expect(html).toContain('<title>dqx report</title>')
  })
})

describe('niceTicks', () => {
  it('picks round steps inside the range', () => {
    expect(niceTicks(-127.4, 1719)).toEqual([0, 500, 1000, 1500])
    expect(niceTicks(-1, 1)).toEqual([-1, -0.5, 0, 0.5, 1])
    expect(niceTicks(0.68, 5.32)).toEqual([1, 2, 3, 4, 5])
    expect(niceTicks(574.3, 2397)).toEqual([1000, 1500, 2000])
  })
})
