// The determinism and convergence checks, and the built-in views that must pass both: kv, index and
// reduce (counts, integer sums). Reducers that are not commutative and associative (string
// concatenation, float sums) fail the convergence check with a seed that reproduces the failure.
import { before, after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { checkView, countView, indexView, kvView, reduceView, sumView, type Logbook, type ViewEntry } from '../src/index.js'
import { identity } from './helpers/fixtures.js'
import { bookOn, exportOf, importAll, memoryDb } from './helpers/views-books.js'

const TYPES = ['note', 'task', 'event']

/** Three authors writing concurrently, then linking to what they learned from each other. */
async function concurrentLog (): Promise<Logbook> {
  const books = [await bookOn(memoryDb(), identity(21)), await bookOn(memoryDb(), identity(22)), await bookOn(memoryDb(), identity(23))]
  for (let round = 0; round < 3; round++) {
    for (const [who, book] of books.entries()) {
      await book.append(Array.from({ length: 12 }, (_, i) => ({
        type: TYPES[(i + who) % 3],
        text: `${who}.${round}.${i}`,
        n: who * 1000 + round * 100 + i,
        x: 0.1 * (i + 1) + who * 1e-7 + round * 1e7,
        ...(i % 4 === 0 ? { type: 'kv', key: `key${i % 8}`, value: `${who}:${round}:${i}` } : {})
      })), { timestamp: 1_700_000_000_000 + round * 1000 + who * 10 })
    }
    // Everyone learns everything; the next round's first entries link to what they learned.
    const exports = await Promise.all(books.map(exportOf))
    for (const book of books) await importAll(book, exports)
    for (const book of books) await book.append({ type: 'kv', key: 'key0', value: `merge ${round}` }, { links: book.heads().slice(0, 3) })
  }
  const exports = await Promise.all(books.map(exportOf))
  const reader = await bookOn(memoryDb(), identity(24))
  await importAll(reader, exports)
  for (const book of books) await book.close()
  return reader
}

/** Each id in `order` comes after its prev and links that are in `order` too. */
async function isTopological (book: Logbook, order: string[]): Promise<boolean> {
  const position = new Map(order.map((id, i) => [id, i]))
  for (const [i, id] of order.entries()) {
    const entry = await book.get(id)
    for (const dependency of [entry?.prev, ...(entry?.links ?? [])]) {
      if (dependency === null || dependency === undefined) continue
      const at = position.get(dependency)
      if (at !== undefined && at > i) return false
    }
  }
  return true
}

describe('determinism and convergence checks', () => {
  let book: Logbook
  before(async () => { book = await concurrentLog() })
  after(async () => { await book.close() })

  test('the built-in views pass both checks', async () => {
    assert.ok(book.reader.readyCount > 100)
    book.use('kv', kvView())
    book.use('types', indexView({ field: 'type' }))
    book.use('counts', countView({ group: (entry) => (entry.payload as { type?: string }).type }))
    book.use('sums', sumView('n', { group: (entry) => entry.author }))
    for (const name of ['kv', 'types', 'counts', 'sums']) {
      const report = await book.checkView(name, { orders: 8, seed: 42 })
      assert.equal(report.ok, true, `${name}: ${JSON.stringify(report.mismatch?.difference)}`)
      assert.equal(report.deterministic, true)
      assert.equal(report.converges, true)
      assert.equal(report.liveDigest, report.rebuildDigest)
      assert.equal(report.entries, book.reader.readyCount)
      assert.equal(report.seed, 42)
    }
    // The aggregates are right, not just stable.
    const counts = book.view<any>('counts').api
    let total = 0
    for (const [, count] of await counts.groups()) total += count as number
    assert.equal(total, book.reader.readyCount)
    const sums = await book.view<any>('sums').api.groups()
    assert.equal(sums.length, 3)
    assert.equal(typeof sums[0][1], 'bigint')
  })

  test('string concatenation and float sums fail the convergence check, reproducibly, with the orders and the first differing key', async () => {
    const concat = reduceView<string>({ map: (entry: ViewEntry) => (entry.payload as { text?: string }).text, reduce: (a, b) => a + '|' + b, initial: '' })
    const floats = reduceView<number>({ map: (entry: ViewEntry) => (entry.payload as { x?: number }).x, reduce: (a, b) => a + b, initial: 0 })
    for (const reducer of [concat, floats]) {
      const report = await checkView(book, reducer, { orders: 10, seed: 1234 })
      assert.equal(report.deterministic, true, 'replaying the same order gives the same value')
      assert.equal(report.converges, false)
      assert.equal(report.ok, false)
      const mismatch = report.mismatch
      assert.ok(mismatch !== null)
      assert.equal(mismatch.check, 'convergence')
      assert.equal(mismatch.seed, 1234)
      assert.ok(mismatch.order >= 1 && mismatch.order <= 10)
      assert.equal(mismatch.difference?.key, '', 'the one group')
      assert.notEqual(mismatch.difference?.a, mismatch.difference?.b)
      assert.notEqual(mismatch.digests[0], mismatch.digests[1])
      const local: string[] = []
      for await (const entry of book.log()) local.push(entry.id)
      assert.deepEqual(mismatch.orders[0], local, 'the reference is the local order')
      assert.deepEqual([...mismatch.orders[1]].sort(), [...local].sort(), 'the same entries')
      assert.notDeepEqual(mismatch.orders[1], local)
      assert.ok(await isTopological(book, mismatch.orders[1]), 'each entry after its prev and links')
      // The same seed finds the same failing order.
      const again = await checkView(book, reducer, { orders: 10, seed: 1234 })
      assert.equal(again.mismatch?.order, mismatch.order)
      assert.deepEqual(again.mismatch?.orders[1], mismatch.orders[1])
      assert.deepEqual(again.mismatch?.digests, mismatch.digests)
    }
    // A registered view is checked the same way through the book.
    book.use('concat', concat)
    const registered = await book.checkView('concat', { orders: 10, seed: 1234 })
    assert.equal(registered.deterministic, true)
    assert.equal(registered.converges, false)
  })

  test('the index view answers range queries by field value and time, with limits', async () => {
    const local = await bookOn(memoryDb(), identity(30))
    const at = (t: number): { timestamp: number } => ({ timestamp: t })
    const n1 = await local.append({ type: 'note', text: 'one' }, at(1000))
    const n2 = await local.append({ type: 'note', text: 'two' }, at(2000))
    await local.append({ type: 'task', text: 'other type' }, at(2500))
    const n3 = await local.append({ type: 'note', text: 'three' }, at(3000))
    await local.append({ type: 42, text: 'not a string: not indexed' }, at(3500))
    await local.append({ text: 'no type' }, at(3600))
    await local.append({ type: 'note"\u0000x', text: 'awkward value' }, at(3700))
    const index = local.use('types', indexView({ field: 'type' })).api
    assert.deepEqual((await index.ids('note')).map((hit) => hit.id), [n1, n2, n3])
    assert.deepEqual(await index.ids('note', { from: 1500, to: 3000 }), [{ id: n2, timestamp: 2000 }, { id: n3, timestamp: 3000 }])
    assert.deepEqual((await index.ids('note', { reverse: true, limit: 2 })).map((hit) => hit.id), [n3, n2])
    assert.deepEqual((await index.query('note', { limit: 1 })).map((entry) => entry.payload), [{ type: 'note', text: 'one' }])
    assert.equal((await index.ids('task')).length, 1)
    assert.equal((await index.ids('note"\u0000x')).length, 1)
    assert.deepEqual(await index.ids('missing'), [])
    await local.close()
  })
})
