// The explorer reads a window of rows through the reader's pages: exactly the local seqs asked for, each
// with its author, feed seq, prev and links, whatever pages the window starts and ends inside.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { identity } from './helpers/fixtures.js'
import { bookOn, memoryDb } from './helpers/views-books.js'
import { readRows } from '../web/dag-rows.js'

test('a window of rows in the middle of segments, with prevs and links; an empty or past-the-end window reads nothing', async () => {
  const book = await bookOn(memoryDb(), identity(1))
  const first = await book.append(Array.from({ length: 30 }, (_, i) => ({ n: i }))) // one segment: local seqs 1..30
  const linked = await book.append({ n: 30 }, { links: [first[4]] })               // local seq 31
  const all = []
  for await (const entry of book.log()) all.push(entry)
  const rows = await readRows(book.reader, 10, 31)
  assert.deepEqual(rows.map((row) => row.localSeq), Array.from({ length: 22 }, (_, i) => 10 + i))
  const expected = all.slice(9, 31).map(({ localSeq, id, author, seq, prev, links, timestamp }) => ({ localSeq, id, author, seq, prev, links, timestamp }))
  assert.deepEqual(rows, expected)
  assert.deepEqual(rows.at(-1)?.links, [first[4]])
  assert.equal(rows.at(-1)?.id, linked)
  assert.deepEqual((await readRows(book.reader, 12, 13)).map((row) => [row.seq, row.prev]), [[12, first[10]], [13, first[11]]])
  assert.deepEqual(await readRows(book.reader, 5, 4), [])
  assert.deepEqual(await readRows(book.reader, 40, 50), [])
  await book.close()
})
