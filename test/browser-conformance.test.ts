// The store conformance suite and the view convergence suite inside headless Chromium, on browser-level
// (IndexedDB, no snapshots): the cases memory-level and classic-level pass in Node (store-conformance.test),
// found here by name, one subtest each.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { storeConformanceCases, type StoreBackend } from './helpers/store-conformance.js'
import { viewConvergenceCases } from './helpers/view-convergence.js'
import { bundleForBrowser, inChromiumPage } from './helpers/browser.js'
import type { CaseResult } from './browser/conformance-page.js'

// The case lists as Node builds them (nothing is opened until a case runs).
const unused: StoreBackend = { name: 'browser-level', openDb: () => { throw new Error('not run in Node') } }
const expected = { store: storeConformanceCases(unused), views: viewConvergenceCases(unused) }

const bundle = await bundleForBrowser('conformance-page.js')
const results = await inChromiumPage(bundle, 'runStoreConformance', async (page) => await page.evaluate(async () => {
  return await (globalThis as unknown as { runStoreConformance: () => Promise<CaseResult[]> }).runStoreConformance()
}), 240_000)

for (const [suite, cases] of Object.entries(expected)) {
  describe(`${suite === 'store' ? 'store conformance' : 'view convergence'} in headless Chromium: browser-level`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const result = results.find((r) => r.suite === suite && r.name === c.name)
        assert.ok(result !== undefined, 'this case did not run in the page')
        assert.ok(result.ok, result.error)
      })
    }
  })
}

test('every case ran once in the page', () => {
  const names = results.map((r) => `${r.suite} / ${r.name}`)
  assert.equal(new Set(names).size, names.length)
  assert.equal(results.length, expected.store.length + expected.views.length)
})
