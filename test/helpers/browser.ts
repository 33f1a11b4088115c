// A real headless Chromium (Debian's `chromium` package) driven by playwright-core, for tests and
// benches that open HTML reports. No browser download: the system binary, no network, a fresh
// profile per launch.
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

/** The Chromium binary (DQX_CHROMIUM overrides), or undefined. */
export function chromiumPath(): string | undefined {
  const env = process.env.DQX_CHROMIUM
  if (env) return existsSync(env) ? env : undefined
  return CANDIDATES.find((p) => existsSync(p))
}

/** undefined when Chromium is there, else why not and the fix (for serverAvailable). */
export function chromiumMissing(): string | undefined {
  return chromiumPath() === undefined
    ? 'no chromium binary (apt-get install -y chromium, or set DQX_CHROMIUM)'
    : undefined
}

export interface LaunchedBrowser {
  browser: Browser
  close(): Promise<void>
}

/**
 * Launches headless Chromium. playwright-core gives every launch a fresh temporary profile
 * (--user-data-dir) and removes it on close, so runs never share state.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath()
  if (executablePath === undefined) throw new Error(chromiumMissing())
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    browser,
    async close() {
      await browser.close()
    },
  }
}
