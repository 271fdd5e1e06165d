// The library's browser entry in headless Chromium: stores named in IndexedDB (browser-level), kept
// across a close and an open, with their identity; one open at a time (a Web Lock), and the same error
// codes as in Node.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { bundleForBrowser, inChromiumPage } from './helpers/browser.js'

const bundle = await bundleForBrowser('store-page.js')

describe('browser stores (IndexedDB) in headless Chromium', () => {
  test('create, append, close, open: everything kept, identity included; a store whose log is gone does not open empty', async () => {
    const result = await inChromiumPage(bundle, 'runStoreBasics', async (page) => await page.evaluate(async () => {
      return await (globalThis as unknown as { runStoreBasics: () => Promise<Record<string, unknown>> }).runStoreBasics()
    }))
    assert.equal(result.missing, 'LOGBOOK_NOT_INITIALIZED')
    assert.equal(result.createdAgain, 'LOGBOOK_ALREADY_INITIALIZED')
    assert.equal(result.openedTwice, 'LOGBOOK_NOT_OPEN')
    assert.equal(result.sameSpace, true)
    assert.equal(result.identityKept, true)
    assert.equal(result.entries, 3)
    assert.equal((result.ids as string[]).length, 3)
    assert.deepEqual(result.lastPayload, { n: 3 })
    assert.equal(result.verified, true)
    assert.equal(result.logDeleted, 'LOGBOOK_NOT_OPEN')
  })
})
