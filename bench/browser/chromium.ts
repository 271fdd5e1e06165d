// Runs the benchmark's page code in headless Chromium, as the browser tests do (Debian's chromium through
// playwright-core, page code bundled by esbuild), with two differences: the page comes from a real HTTP
// server on loopback (Chromium refuses a WebSocket to 127.0.0.1 from a page whose address it does not know,
// as a page answered by page.route is), and the profile is on disk (a context without one keeps IndexedDB
// in memory, and the point is what a page's store on disk costs).
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Page } from 'playwright-core'
import { CHROMIUM_PATH, bundleForBrowser } from '../../test/helpers/browser.js'

/** Why the browser case cannot run here, or null. */
export function chromiumMissing (): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (scripts/ensure-chromium.sh installs it)`
}

/** The page code as one ES module (dist/bench/browser/page.js and everything it imports, for browsers). */
export async function pageScript (): Promise<string> {
  // bundleForBrowser resolves its entry from dist/test/browser
  return await bundleForBrowser('../../bench/browser/page.js')
}

export interface PageServer {
  /** `http://127.0.0.1:PORT`: the page's origin, which the Node peer must allow. */
  origin: string
  /** Where the page fetches the export from (answered from memory, before any clock starts). */
  exportUrl: string
  /** What exportUrl answers from now on. */
  setExport: (bytes: Uint8Array) => void
  close: () => Promise<void>
}

const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>logbook bench</title><script type="module" src="/page.js"></script>'

/** Serves the bench page (`/`), its script (`/page.js`) and the export (`/export`) on loopback. */
export async function startPageServer (script: string): Promise<PageServer> {
  let exportBytes: Uint8Array = new Uint8Array(0)
  const server = createServer((request, response) => {
    const [type, body] = request.url === '/' ? ['text/html', PAGE_HTML]
      : request.url === '/page.js' ? ['text/javascript', script]
        : request.url === '/export' ? ['application/octet-stream', exportBytes]
          : [null, null]
    if (type === null) { response.writeHead(404).end(); return }
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    exportUrl: `${origin}/export`,
    setExport: (bytes) => { exportBytes = bytes },
    close: async () => await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/**
 * A fresh Chromium with its profile in `profileDir` (an empty directory), on the bench page of `server`.
 * `use` gets the page once its script has loaded; Chromium is closed afterwards, and the whole run is
 * bounded by `timeoutMs`.
 */
export async function inBenchPage<T> (o: { server: PageServer, profileDir: string, timeoutMs: number }, use: (page: Page) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the Chromium run took longer than ${o.timeoutMs / 1000} s`)), o.timeoutMs)
  })
  // --no-sandbox: Chromium's sandbox cannot start as root (as in test/helpers/browser.ts).
  const context = await chromium.launchPersistentContext(o.profileDir, { executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'], timeout: 60_000 })
  try {
    const page = context.pages()[0] ?? await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    const run = async (): Promise<T> => {
      await page.goto(o.server.origin + '/')
      try {
        await page.waitForFunction(() => 'benchImport' in globalThis, undefined, { timeout: 30_000 })
      } catch (error) {
        throw new Error(`the bench page did not load: ${pageErrors.join('; ') || String(error)}`)
      }
      return await use(page)
    }
    return await Promise.race([run(), limit])
  } finally {
    clearTimeout(timer)
    await context.close()
  }
}
