// The crypto conformance suite (RFC 8032 vectors, the strict-verifier edge cases, SHA-256 and BLAKE2b known
// answers, the entry format's vectors) run inside headless Chromium on libsodium's WASM backend: the same
// cases the Node backends pass, so a browser verifies exactly what Node verifies. One subtest per case.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { cryptoConformance } from './helpers/crypto-conformance.js'
import { loadConformanceVectors } from './helpers/conformance-vectors.js'
import { bundleForBrowser, inChromiumPage } from './helpers/browser.js'
import type { CaseResult } from './browser/crypto-page.js'

const vectors = loadConformanceVectors()

// The case list as Node builds it: every one of these must have run in the page, found by name.
const noop = (): void => {}
const expected = cryptoConformance({ name: 'libsodium-wasm', install: noop, restore: noop }, vectors)

const bundle = await bundleForBrowser('crypto-page.js')
const { results, userAgent } = await inChromiumPage(bundle, 'runCryptoConformance', async (page) => ({
  userAgent: await page.evaluate(() => navigator.userAgent),
  results: await page.evaluate(async (data) => {
    const run = (globalThis as unknown as { runCryptoConformance: (v: typeof data) => Promise<CaseResult[]> }).runCryptoConformance
    return await run(data)
  }, vectors)
}))

describe('crypto conformance in headless Chromium: libsodium-wasm', () => {
  test('the page ran in Chromium, and ran each case once', () => {
    assert.match(userAgent, /HeadlessChrome\//)
    const names = results.map((r) => `${r.group} / ${r.name}`)
    assert.equal(new Set(names).size, names.length, 'a case ran twice')
    assert.equal(results.length, expected.reduce((n, group) => n + group.cases.length, 0))
  })
  for (const group of expected) {
    describe(group.name, () => {
      for (const c of group.cases) {
        test(c.name, () => {
          const result = results.find((r) => r.group === group.name && r.name === c.name)
          assert.ok(result !== undefined, 'this case did not run in the page')
          assert.ok(result.ok, result.error)
        })
      }
    })
  }
})
