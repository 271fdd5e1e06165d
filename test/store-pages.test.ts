// Stored pages carry their entries' ids: reads use them as stored, verify recomputes and compares them,
// and a database written in another layout version is refused at open with a clear error.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { isLogbookError } from '../src/errors.js'
import { computeChainIds } from '../src/entry/entry-id.js'
import { u64 } from '../src/store/layout.js'
import { decodePage } from '../src/store/page.js'
import { STORE_FORMAT } from '../src/store/store.js'
import { bookOn, memoryDb } from './helpers/views-books.js'

describe('stored pages', () => {
  test('a page holds the ids of its entries, the same as recomputed from their content', async () => {
    const book = await bookOn(memoryDb())
    const ids = await book.append(Array.from({ length: 40 }, (_, i) => ({ i })))
    const seen: string[] = []
    for await (const [key, value] of book.internalStore.layout.pages.iterator()) {
      const page = decodePage(Number(Buffer.from(key).readBigUInt64BE()), value)
      const { segment } = page
      const computed = computeChainIds(segment.space, segment.author, segment.firstSeq, segment.firstPrev, segment.entries)
      assert.deepEqual(page.ids.map((id) => Buffer.from(id).toString('hex')), computed.map((id) => Buffer.from(id).toString('hex')))
      seen.push(...page.ids.map((id) => Buffer.from(id).toString('hex')))
    }
    assert.deepEqual(seen, ids)
    assert.equal((await book.get(ids[17]))?.id, ids[17])
    await book.close()
  })

  test('verify finds a stored id that is not the id of its entry', async () => {
    const db = memoryDb()
    const book = await bookOn(db)
    const ids = await book.append(Array.from({ length: 20 }, (_, i) => ({ i })))
    assert.deepEqual((await book.verify()).problems, [])
    const pages = book.internalStore.layout.pages
    const value = Buffer.from((await pages.get(u64(1))) as Uint8Array)
    value[value.byteLength - 1] ^= 1 // the last id of the first page
    await pages.put(u64(1), value)
    const { ok, problems } = await book.verify()
    assert.equal(ok, false)
    assert.ok(problems.some((problem) => /seq 16: its stored id is not the id of its content/.test(problem)), problems.join('\n'))
    assert.equal(ids.length, 20)
    await book.close()
  })

  test('a database of another layout version is refused at open, naming both versions', async () => {
    const db = memoryDb()
    const book = await bookOn(db)
    await book.append({ hello: 1 })
    await book.internalStore.layout.meta.put('format', '1')
    await book.close()
    await assert.rejects(bookOn(db), (err: unknown) => {
      assert.ok(isLogbookError(err))
      assert.equal(err.code, 'LOGBOOK_NOT_OPEN')
      assert.match(err.message, new RegExp(`store format row 1, which this version of logbook does not read \\(it reads ${STORE_FORMAT}`))
      return true
    })
  })
})
