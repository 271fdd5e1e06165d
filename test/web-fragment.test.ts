// The web app's reading of the space key from the page's address: only `#space=<64 hex digits>`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spaceKeyFromFragment } from '../web/fragment.js'

const KEY = 'ab'.repeat(32)

test('a fragment with the space key gives the key, lowercased', () => {
  assert.equal(spaceKeyFromFragment(`#space=${KEY}`), KEY)
  assert.equal(spaceKeyFromFragment(`#space=${KEY.toUpperCase()}`), KEY)
  assert.equal(spaceKeyFromFragment(`space=${KEY}`), KEY)
  assert.equal(spaceKeyFromFragment(`#view=notes&space=${KEY}`), KEY)
})

test('anything else is no key: empty, short, long, not hex, named otherwise, given twice', () => {
  for (const hash of ['', '#', '#space=', `#space=${KEY.slice(1)}`, `#space=${KEY}0`, `#space=${'g'.repeat(64)}`,
    `#key=${KEY}`, `#space=${KEY}&space=${KEY}`, `#${KEY}`, `#space= ${KEY}`]) {
    assert.equal(spaceKeyFromFragment(hash), null, hash)
  }
})
