// The explorer's window onto the log: which rows a scroll position shows, and where they are drawn.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_SCROLL_PX, rowAt, rowWindow, scrollExtent } from '../web/dag-window.js'

const ROW = 20

test('at the top, the rows that fit, and overscan only below', () => {
  assert.deepEqual(rowWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: ROW, rows: 1000, overscan: 3 }), { first: 1, last: 8, top: 0 })
})

test('scrolled part-way into a row: that row first, drawn partly above the top edge, overscan on both sides', () => {
  const window = rowWindow({ scrollTop: 2010, viewportHeight: 100, rowHeight: ROW, rows: 1000, overscan: 2 })
  // Row 101 (0-based 100) starts at 2000 px: 10 px of it are above; rows 101..106 are visible.
  assert.deepEqual(window, { first: 99, last: 108, top: -50 })
  assert.equal(rowAt(window, 0, ROW), 101)
  assert.equal(rowAt(window, 9, ROW), 101)
  assert.equal(rowAt(window, 10, ROW), 102)
})

test('the end of the log: no row past the last, and a scroll past the end is held at it', () => {
  assert.deepEqual(rowWindow({ scrollTop: 99_999, viewportHeight: 100, rowHeight: ROW, rows: 30, overscan: 2 }), { first: 24, last: 30, top: -40 })
  assert.deepEqual(rowWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: ROW, rows: 3, overscan: 2 }), { first: 1, last: 3, top: 0 })
})

test('an empty log, or no room, shows nothing', () => {
  const none = rowWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: ROW, rows: 0, overscan: 2 })
  assert.ok(none.last < none.first)
  const hidden = rowWindow({ scrollTop: 0, viewportHeight: 0, rowHeight: ROW, rows: 10, overscan: 2 })
  assert.ok(hidden.last < hidden.first)
  assert.equal(rowAt(none, 5, ROW), null)
})

test('more rows than a scroll area may be tall: the scroll range still reaches the first and the last row', () => {
  const rows = 10_000_000
  assert.equal(scrollExtent(rows, ROW), MAX_SCROLL_PX)
  assert.equal(scrollExtent(1000, ROW), 20_000)
  const top = rowWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: ROW, rows, overscan: 0 })
  assert.equal(top.first, 1)
  const bottom = rowWindow({ scrollTop: MAX_SCROLL_PX - 100, viewportHeight: 100, rowHeight: ROW, rows, overscan: 0 })
  assert.equal(bottom.last, rows)
  assert.equal(bottom.last - bottom.first, 4)
  const middle = rowWindow({ scrollTop: (MAX_SCROLL_PX - 100) / 2, viewportHeight: 100, rowHeight: ROW, rows, overscan: 0 })
  assert.ok(Math.abs(middle.first - rows / 2) < 10, String(middle.first))
})
