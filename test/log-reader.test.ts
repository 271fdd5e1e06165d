// The LogReader views and the command read the log through (book.reader): its pages give the same
// entries as book.log() from any local seq, entry(id) is book.get(id), and it tells its listeners when
// entries become ready and when an author's fork proof appears, until they stop listening.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { LogbookError, type Logbook, type LogPage } from '../src/index.js'
import { identity, memoryBook } from './helpers/fixtures.js'
import { bookOn, exportOf, importAll, memoryDb } from './helpers/views-books.js'

async function all<T> (source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of source) out.push(item)
  return out
}

/** Each entry of the pages as (localSeq, id, author, seq, prev, timestamp, link ids): what book.log() says of it too. */
function flatten (pages: LogPage[]): unknown[] {
  return pages.flatMap((page) => page.ids.map((id, i) => [page.localSeq + i, id, page.author, page.seq + i,
    i === 0 ? page.prev : page.ids[i - 1], page.entries[i].timestamp, page.entries[i].links.map((link) => Buffer.from(link).toString('hex'))]))
}

async function logged (book: Logbook, since: number): Promise<unknown[]> {
  return (await all(book.log({ since }))).map((entry) => [entry.localSeq, entry.id, entry.author, entry.seq, entry.prev, entry.timestamp, entry.links])
}

describe('LogReader', () => {
  test('pages from every local seq hold exactly the ready entries from there, the first page starting there', async () => {
    const book = await memoryBook({ identity: identity(1) })
    const other = await memoryBook({ identity: identity(2) })
    try {
      const first = await book.append([{ n: 1 }, { n: 2 }, { n: 3 }], { timestamp: 10 })
      await other.append([{ m: 1 }, { m: 2 }], { timestamp: 11 })
      await book.import(other.export())
      await book.append([{ n: 4 }, { n: 5 }], { timestamp: 12, links: [first[1]] })
      await book.append({ n: 6 }, { timestamp: 13 })
      const log = book.reader
      assert.equal(log.readyCount, 8)
      const pages = await all(log.pages())
      assert.ok(pages.length >= 4, 'several pages')
      for (let from = 1; from <= log.readyCount + 1; from++) {
        const read = await all(log.pages(from))
        assert.equal(read[0]?.localSeq, from <= log.readyCount ? from : undefined, `from ${from}`)
        assert.deepEqual(flatten(read), await logged(book, from - 1), `from ${from}`)
      }
      assert.deepEqual(await all(log.pages(100)), [])
    } finally {
      await book.close()
      await other.close()
    }
  })

  test('entry(id) is the ready entry book.get gives; undefined for an id it does not have; INVALID_KEY for one that is not an id', async () => {
    const book = await memoryBook()
    try {
      const id = await book.append({ hello: 'world' }, { timestamp: 5 })
      assert.deepEqual(await book.reader.entry(id), await book.get(id))
      assert.equal((await book.reader.entry(id))?.localSeq, 1)
      assert.equal(await book.reader.entry('0'.repeat(64)), undefined)
      await assert.rejects(book.reader.entry('abc'), (err: LogbookError) => err.code === 'INVALID_KEY')
    } finally {
      await book.close()
    }
  })

  test('listeners hear of entries made ready and of a fork proof until they stop listening', async () => {
    // One identity on two devices: each writes its own seq 1, so the feed forks when both arrive.
    const forker = identity(7)
    const device1 = await bookOn(memoryDb(), forker)
    const device2 = await bookOn(memoryDb(), forker)
    const book = await memoryBook({ identity: identity(3) })
    try {
      await device1.append({ device: 1 })
      await device2.append({ device: 2 })
      const ready: number[] = []
      const forked: string[] = []
      const stop = book.reader.subscribe({ ready: (last) => ready.push(last), forksChanged: (author) => forked.push(author) })
      await book.append([{ a: 1 }, { a: 2 }])
      assert.deepEqual(ready, [2])
      assert.deepEqual(book.reader.forkedAuthors(), [])
      await importAll(book, [await exportOf(device1), await exportOf(device2)])
      assert.deepEqual(forked, [forker.author])
      assert.deepEqual(book.reader.forkedAuthors(), [forker.author])
      assert.equal(ready[ready.length - 1], book.reader.readyCount)
      stop()
      const heard = ready.length
      await book.append({ a: 3 })
      assert.equal(ready.length, heard, 'nothing after stop()')
    } finally {
      await book.close()
      await device1.close()
      await device2.close()
    }
  })
})
