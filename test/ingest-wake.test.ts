// One entry that many waiting segments need: every author's first entry links to entry M, which itself
// waits for entry R; when R arrives, waking M wakes all of them. `npm run drill:wake` runs this with
// 150,000 waiting segments, more than a function call can take as arguments (the segments one wake-up
// returns must never be spread into one call).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Identity } from '../src/index.js'
import { buildChain, frameOf, identity, jsonBody, memoryBook, segmentOf, SPACE, toHex } from './helpers/fixtures.js'

const WAITING = Number(process.env.LOGBOOK_WAKE_SEGMENTS ?? 2000)

/** A distinct, repeatable identity per index. */
function author (i: number): Identity {
  const seed = new Uint8Array(32)
  new DataView(seed.buffer).setUint32(0, i + 1)
  seed[31] = 0xee
  return Identity.fromSeed(seed)
}

test(`one arriving entry wakes ${WAITING} waiting segments`, { timeout: 30 * 60_000 }, async () => {
  const root = buildChain(SPACE, identity(60), 0, null, [jsonBody({ root: true }, 1)])
  const rootId = root[0].id
  const middle = buildChain(SPACE, identity(61), 0, null, [jsonBody({ middle: true }, 2, [rootId])])
  const middleId = middle[0].id
  const frames: Uint8Array[] = [frameOf(segmentOf(SPACE, middle))]
  for (let i = 0; i < WAITING; i++) {
    frames.push(frameOf(segmentOf(SPACE, buildChain(SPACE, author(i), 0, null, [jsonBody({ n: i }, 3, [middleId])]))))
  }
  const book = await memoryBook()
  try {
    const waiting = await book.import(Buffer.concat(frames))
    assert.equal(waiting.pending, WAITING + 1)
    assert.equal(book.reader.readyCount, 0)
    const waitsFor = (await book.pending()).map((p) => p.waitsFor)
    assert.equal(waitsFor.filter((id) => id === toHex(middleId)).length, WAITING)
    assert.equal(waitsFor.filter((id) => id === toHex(rootId)).length, 1)

    const woken = await book.import(frameOf(segmentOf(SPACE, root)))
    assert.equal(woken.pending, 0)
    assert.equal(woken.imported, 1, "the waiting entries were stored by the first import")
    assert.equal(book.reader.readyCount, WAITING + 2)
    assert.equal(book.heads().length, WAITING)
    const first: string[] = []
    for await (const entry of book.log({ limit: 2 })) first.push(entry.id)
    assert.deepEqual(first, [toHex(rootId), toHex(middleId)], 'what they wait for comes first')
    assert.deepEqual((await book.verify()).problems, [])
  } finally {
    await book.close()
  }
})
