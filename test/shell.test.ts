// What a shell user expects: ids by unique prefix, and the log read from its end, checked against
// brute force.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { LogbookError, type LogEntry, type Logbook } from '../src/index.js'
import type { DecodedPage } from '../src/store/page.js'
import { identity, memoryBook } from './helpers/fixtures.js'
import { exportOf, importAll } from './helpers/views-books.js'

/** The error a promise rejects with (it must reject). */
async function rejection (promise: Promise<unknown>): Promise<LogbookError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof LogbookError, String(err))
    return err
  }
  assert.fail('expected a rejection')
}

/** `count` entries by `book`, in batches, with fixed timestamps: the same ids in every run. */
async function appendMany (book: Logbook, count: number, tag: string): Promise<string[]> {
  const ids: string[] = []
  for (let at = 0; at < count; at += 1000) {
    const payloads = Array.from({ length: Math.min(1000, count - at) }, (_, i) => ({ tag, n: at + i }))
    ids.push(...await book.append(payloads, { timestamp: 1_700_000_000_000 + at }))
  }
  return ids
}

describe('ids by unique prefix (library)', () => {
  test('resolveId agrees with a brute-force search for every prefix length, odd ones included', async () => {
    const book = await memoryBook()
    try {
      const ids = await appendMany(book, 3000, 'prefix')
      const expectResolve = async (prefix: string): Promise<void> => {
        const matches = ids.filter((id) => id.startsWith(prefix))
        if (matches.length === 1) {
          assert.equal(await book.resolveId(prefix), matches[0], prefix)
          return
        }
        const err = await rejection(book.resolveId(prefix))
        if (matches.length === 0) {
          assert.equal(err.code, 'NOT_FOUND', prefix)
        } else {
          assert.equal(err.code, 'AMBIGUOUS_ID', prefix)
          assert.ok(err.message.includes(`${matches.length} ready entries`), err.message)
          // A few candidates are named, as the start of their ids.
          assert.ok(matches.sort().slice(0, 2).every((id) => err.message.includes(id.slice(0, 16))), err.message)
        }
      }
      const lengths = [4, 5, 6, 7, 8, 31, 32, 33, 40, 63, 64]
      for (const id of ids.slice(0, 300)) for (const length of lengths) await expectResolve(id.slice(0, length))
      // Prefixes no id has, of odd and even lengths, at both ends of the key range.
      for (const prefix of ['0000', '00000', 'ffff', 'fffff', 'abcde1234', '0'.repeat(33), 'f'.repeat(64)]) await expectResolve(prefix)
      // With 3000 ids, 4 digits (and, for these fixed ids, 5) are shared by some: ambiguous.
      const shared = (length: number): string | undefined => ids.map((id) => id.slice(0, length)).find((prefix, i, all) => all.indexOf(prefix) !== i)
      for (const length of [4, 5]) {
        const prefix = shared(length)
        assert.ok(prefix !== undefined, `some ${length}-digit prefix is shared`)
        assert.equal((await rejection(book.resolveId(prefix))).code, 'AMBIGUOUS_ID')
      }
    } finally {
      await book.close()
    }
  })

  test('a full id is compared in full, and a prefix past the index key too', async () => {
    const book = await memoryBook()
    try {
      const [id] = await book.append([{ n: 1 }])
      const other = (digit: string): string => digit === '0' ? '1' : '0'
      const lastChanged = id.slice(0, 63) + other(id[63])
      assert.equal((await rejection(book.resolveId(lastChanged))).code, 'NOT_FOUND')
      const thirtyThird = id.slice(0, 32) + other(id[32])
      assert.equal((await rejection(book.resolveId(thirtyThird))).code, 'NOT_FOUND')
      assert.equal(await book.resolveId(id), id)
      assert.equal(await book.resolveId(id.slice(0, 33)), id)
      for (const bad of ['abc', id.slice(0, 8).toUpperCase(), 'ghij', id + '0', '']) {
        assert.equal((await rejection(book.resolveId(bad))).code, 'INVALID_KEY', bad)
      }
    } finally {
      await book.close()
    }
  })

  test('author prefixes resolve among the authors the store has entries of', async () => {
    const a = await memoryBook({ identity: identity(1) })
    const b = await memoryBook({ identity: identity(2) })
    try {
      await a.append({ by: 'a' })
      await b.append({ by: 'b' })
      await importAll(a, [await exportOf(b)])
      for (const who of [identity(1).author, identity(2).author]) {
        assert.equal(a.resolveAuthor(who.slice(0, 5)), who)
        assert.equal(a.resolveAuthor(who), who)
      }
      // A full id is taken as it is, known or not; a prefix of no known author is NOT_FOUND.
      const unknown = identity(3).author
      assert.equal(a.resolveAuthor(unknown), unknown)
      assert.throws(() => a.resolveAuthor(unknown.slice(0, 6)), (err: LogbookError) => err.code === 'NOT_FOUND')
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe('log from the end (library)', () => {
  /** Counts the pages the store's reader yields, forwards and backwards, and where forward reads start. */
  function countPages (book: Logbook): { forward: number, backward: number, starts: number[] } {
    const counts = { forward: 0, backward: 0, starts: [] as number[] }
    const reader = book.store.reader
    const pages = reader.pages.bind(reader)
    const pagesReverse = reader.pagesReverse.bind(reader)
    reader.pages = async function * (from?: number, snapshot?: unknown): AsyncGenerator<DecodedPage> {
      counts.starts.push(from ?? 1)
      for await (const page of pages(from, snapshot)) { counts.forward++; yield page }
    }
    reader.pagesReverse = async function * (): AsyncGenerator<DecodedPage> {
      for await (const page of pagesReverse()) { counts.backward++; yield page }
    }
    return counts
  }

  test('reverse, tail, limit, since and author give what filtering the whole log would', async () => {
    const a = await memoryBook({ identity: identity(1) })
    const b = await memoryBook({ identity: identity(2) })
    try {
      // Two authors' pages interleaved in A's local order.
      for (let round = 0; round < 4; round++) {
        await appendMany(b, 40, `b${round}`)
        await importAll(a, [await exportOf(b)])
        await appendMany(a, 25, `a${round}`)
      }
      const all: LogEntry[] = []
      for await (const entry of a.log()) all.push(entry)
      assert.equal(all.length, 260)
      const seqs = (entries: Array<{ localSeq: number }>): number[] => entries.map((entry) => entry.localSeq)
      const read = async (options: Parameters<Logbook['log']>[0]): Promise<number[]> => {
        const out: LogEntry[] = []
        for await (const entry of a.log(options)) out.push(entry)
        return seqs(out)
      }
      for (const author of [undefined, identity(1).author, identity(2).author]) {
        for (const since of [undefined, 0, 100, 259, 260]) {
          const chosen = all.filter((entry) => (author === undefined || entry.author === author) && entry.localSeq > (since ?? 0))
          for (const tail of [undefined, 0, 1, 7, 30, 1000]) {
            for (const limit of [undefined, 3]) {
              const picked = tail === undefined ? chosen : tail === 0 ? [] : chosen.slice(-tail)
              const forward = seqs(picked).slice(0, limit)
              const backward = seqs(picked).reverse().slice(0, limit)
              const options = { author, since, tail, limit }
              assert.deepEqual(await read(options), forward, JSON.stringify(options))
              assert.deepEqual(await read({ ...options, reverse: true }), backward, JSON.stringify({ ...options, reverse: true }))
            }
          }
        }
      }
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('the last entries are read from the end of the local order, not from its start', async () => {
    const book = await memoryBook()
    try {
      await appendMany(book, 5000, 'long')
      const counts = countPages(book)
      const last = []
      for await (const entry of book.log({ tail: 3 })) last.push(entry.localSeq)
      assert.deepEqual(last, [4998, 4999, 5000])
      assert.deepEqual(counts.starts, [4998])
      assert.ok(counts.forward <= 2, `${counts.forward} pages read`)
      const newest = []
      for await (const entry of book.log({ reverse: true, limit: 3 })) newest.push(entry.localSeq)
      assert.deepEqual(newest, [5000, 4999, 4998])
      // Reads are a few pages at a time from the end: far fewer than the store's 313 pages.
      assert.ok(counts.backward <= 4, `${counts.backward} pages read backwards`)
      counts.backward = 0
      for await (const entry of book.log({ tail: 20, author: book.author })) assert.ok(entry.localSeq > 4980)
      assert.ok(counts.backward <= 4, `${counts.backward} pages read backwards`)
    } finally {
      await book.close()
    }
  })
})
