// Runs test code in headless Chromium: Debian's chromium (scripts/ensure-chromium.sh puts it there before
// `npm test`), driven by playwright-core, with the page code bundled from dist/ by esbuild.
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))

// src/crypto/index.ts installs the Node backend by default; in a page that import is swapped for a stub.
const withoutNodeBackend: Plugin = {
  name: 'without-node-backend',
  setup (bundle) {
    bundle.onResolve({ filter: /\/sodium-node\.js$/ }, () => ({ path: here('../browser/no-node-backend.js') }))
  }
}

/** One ES module for a page from a compiled file under dist/test/browser, with everything it imports. */
export async function bundleForBrowser (entry: string): Promise<string> {
  const result = await build({
    entryPoints: [here(`../browser/${entry}`)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
    // The test bundle gets the `buffer` package as its global Buffer (see test/browser/buffer-global.ts).
    inject: [here('../browser/buffer-global.js')],
    plugins: [withoutNodeBackend]
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
      await page.setContent('<!doctype html><meta charset="utf-8"><title>logbook browser test</title>')
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
