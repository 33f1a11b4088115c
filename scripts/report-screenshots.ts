// Regenerates the report screenshots in docs/screenshots (light theme, 1280×800):
//   npx tsx scripts/report-screenshots.ts
// Runs examples/report.ts into a temp dir, opens its report in headless Chromium (Debian's
// `chromium`, see test/helpers/browser.ts) and shoots the top of the page and the charts.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { launchChromium } from '../test/helpers/browser.js'

const out = mkdtempSync(join(tmpdir(), 'dqx-shots-'))
const shots = join('docs', 'screenshots')
mkdirSync(shots, { recursive: true })
try {
  const r = spawnSync('npx', ['tsx', 'examples/report.ts'], {
    stdio: 'inherit',
    env: { ...process.env, DQX_REPORT_OUT: out },
  })
  if (r.status !== 0) throw new Error(`examples/report.ts exited ${r.status}`)
  const b = await launchChromium()
  try {
    const page = await b.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' })
    await page.goto(pathToFileURL(join(out, 'report.html')).href)
    await page.screenshot({ path: join(shots, 'report-summary.png') })
    await page.locator('h3', { hasText: 'History' }).scrollIntoViewIfNeeded()
    await page.evaluate('document.querySelector("h3 + .charts").previousElementSibling.scrollIntoView()')
    await page.screenshot({ path: join(shots, 'report-charts.png') })
    console.log(`wrote ${shots}/report-summary.png and report-charts.png`)
  } finally {
    await b.close()
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
