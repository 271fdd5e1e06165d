// Runs test code in headless Chromium: Debian's chromium (scripts/ensure-chromium.sh puts it there before
// `npm test`), driven by playwright-core, with the page code bundled from dist/ by esbuild.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Where test pages are: any localhost URL, answered by the test (page.route). */
const PAGE_URL = 'http://localhost/logbook-test'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))

/** The page side of libsodium for @hyperswarm/secret-stream, as scripts/build-browser.mjs aliases it. */
const sodiumInPages = here('../../src/platform/browser/sodium-native.js')

/**
 * One ES module for a page from a compiled file under dist/test/browser, with everything it imports,
 * resolved for browsers ("browser" conditions: IndexedDB storage, libsodium's WASM build) and with no
 * Node built-in polyfilled, as the library's own bundle is built.
 */
export async function bundleForBrowser (entry: string): Promise<string> {
  const result = await build({
    entryPoints: [here(`../browser/${entry}`)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    alias: { 'sodium-universal': sodiumInPages, 'sodium-native': sodiumInPages }
  })
  return result.outputFiles[0].text
}

function rejectAfter (ms: number, what: string): { promise: Promise<never>, cancel: () => void } {
  let timer: NodeJS.Timeout | undefined
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return { promise, cancel: () => clearTimeout(timer) }
}

/**
 * Opens a blank page in headless Chromium, runs `script` in it as a module, and hands the page to `use`
 * once `ready` (a global the script defines) exists. Errors the page throws are part of the failure message.
 * The browser is closed afterwards, and the whole run is bounded by `timeoutMs`.
 */
export async function inChromiumPage<T> (script: string, ready: string, use: (page: Page, browser: Browser) => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const limit = rejectAfter(timeoutMs, 'the Chromium run')
  // --no-sandbox: Chromium's sandbox cannot start as root, which is how CI runs.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'], timeout: 60_000 })
  try {
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()) })
    const run = async (): Promise<T> => {
      // A page of its own origin, as an application has: IndexedDB and the Web Locks API need one (and
      // localhost is a secure context). Served by the test itself; nothing listens there.
      await page.route(PAGE_URL, async (route) => await route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>logbook browser test</title>' }))
      await page.goto(PAGE_URL)
      await page.addScriptTag({ content: script, type: 'module' })
      try {
        await page.waitForFunction((name) => name in globalThis, ready, { timeout: 30_000 })
      } catch (error) {
        throw new Error(`the page never defined ${ready}: ${pageErrors.join('; ') || String(error)}`)
      }
      return await use(page, browser)
    }
    return await Promise.race([run(), limit.promise])
  } finally {
    limit.cancel()
    await browser.close()
  }
}
