// The kv view through the library: concurrent writes kept as a conflict until an entry links to both,
// deletions, listing, and the same answers on stores that exchanged exports in either order.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { kvView, type KvApi, type Logbook } from '../src/index.js'
import { identity } from './helpers/fixtures.js'
import { bookOn, exportOf, importAll, memoryDb, valuesOf } from './helpers/views-books.js'

async function withKv (who: number): Promise<{ book: Logbook, kv: KvApi }> {
  const book = await bookOn(memoryDb(), identity(who))
  return { book, kv: book.use('kv', kvView()).api }
}

describe('kv view', () => {
  test('concurrent writes are one conflict on both stores, whichever order the exports came in; a put linking both resolves it', async () => {
    const a = await withKv(1)
    const b = await withKv(2)
    const red = await a.kv.put('color', 'red')
    const blue = await b.kv.put('color', 'blue')
    await a.kv.put('a-only', 1)
    const [exportA, exportB] = [await exportOf(a.book), await exportOf(b.book)]
    // Each store gets the concatenation of both exports, in opposite orders (its own part is a duplicate).
    await importAll(a.book, [exportB, exportA])
    await importAll(b.book, [exportA, exportB])
    const onA = await a.kv.get('color')
    const onB = await b.kv.get('color')
    assert.equal(onA?.conflict, true)
    assert.deepEqual(valuesOf(onA), valuesOf(onB))
    assert.deepEqual(valuesOf(onA), [[red, 'red'], [blue, 'blue']].sort((x, y) => (x[0] < y[0] ? -1 : 1)))
    assert.equal(onA?.values.every((value) => !value.forked && !value.deleted), true)

    // Resolve on A (its put links to both current values), exchange again: one value on both.
    const green = await a.kv.put('color', 'green')
    assert.deepEqual((await a.book.get(green))?.links.sort(), [red, blue].sort())
    await importAll(b.book, [await exportOf(a.book), await exportOf(b.book)])
    await importAll(a.book, [await exportOf(b.book)])
    for (const side of [a, b]) {
      const result = await side.kv.get('color')
      assert.equal(result?.conflict, false)
      assert.deepEqual(valuesOf(result), [[green, 'green']])
    }
    assert.equal(await a.book.view('kv').digest(), await b.book.view('kv').digest())
    await a.book.close()
    await b.book.close()
  })

  test('null deletes; a write concurrent with a deletion conflicts with it on every store', async () => {
    const a = await withKv(1)
    const b = await withKv(2)
    const first = await a.kv.put('k', { v: 1 })
    await importAll(b.book, [await exportOf(a.book)])
    // Both replace `first`: A deletes, B writes.
    const deletion = await a.kv.del('k')
    const write = await b.kv.put('k', { v: 2 })
    assert.equal(await a.kv.get('k'), undefined, 'deleted on A')
    assert.deepEqual(valuesOf(await b.kv.get('k')), [[write, { v: 2 }]])
    await importAll(a.book, [await exportOf(b.book)])
    await importAll(b.book, [await exportOf(a.book)])
    for (const side of [a, b]) {
      const result = await side.kv.get('k')
      assert.equal(result?.conflict, true)
      assert.deepEqual(result?.values.map((value) => [value.id, value.deleted]).sort(), [[deletion, true], [write, false]].sort())
      assert.ok(!result?.values.some((value) => value.id === first))
    }
    // A deletion that links to both leaves the key deleted everywhere.
    await a.kv.del('k')
    await importAll(b.book, [await exportOf(a.book)])
    assert.equal(await a.kv.get('k'), undefined)
    assert.equal(await b.kv.get('k'), undefined)
    assert.deepEqual(await b.kv.list(), [])
    await a.book.close()
    await b.book.close()
  })

  test('entries written without links stay concurrent; list filters by prefix and limit', async () => {
    const { book, kv } = await withKv(1)
    // Entries appended directly (not through kv.put) link to nothing: both values stay current.
    const [one, two] = await book.append([{ type: 'kv', key: 'user/1', value: 'ann' }, { type: 'kv', key: 'user/1', value: 'bob' }])
    await kv.put('user/2', 'cy')
    await kv.put('users', 'not in the prefix user/')
    await kv.put('zz', 'last')
    assert.deepEqual(valuesOf(await kv.get('user/1')), [[one, 'ann'], [two, 'bob']].sort((x, y) => (x[0] < y[0] ? -1 : 1)))
    assert.deepEqual((await kv.list({ prefix: 'user/' })).map((r) => r.key), ['user/1', 'user/2'])
    assert.deepEqual((await kv.list({ prefix: 'user' })).map((r) => r.key), ['user/1', 'user/2', 'users'])
    assert.deepEqual((await kv.list({ limit: 2 })).map((r) => r.key), ['user/1', 'user/2'])
    assert.deepEqual((await kv.list()).map((r) => r.key), ['user/1', 'user/2', 'users', 'zz'])
    await book.close()
  })

  test('a put replaces more current values than one entry may link to', async () => {
    const { book, kv } = await withKv(1)
    await book.append(Array.from({ length: 600 }, (_, i) => ({ type: 'kv', key: 'crowded', value: i })))
    assert.equal((await kv.get('crowded'))?.values.length, 600)
    const id = await kv.put('crowded', 'one')
    assert.deepEqual(valuesOf(await kv.get('crowded')), [[id, 'one']])
    const check = await book.checkView('kv', { orders: 2, seed: 3 })
    assert.equal(check.ok, true)
    await book.close()
  })
  test('keys with a lone surrogate are recorded failures, the same however the entries were batched', async () => {
    // Stored as UTF-8, '\ud800' and '\ud801' would both become U+FFFD: one row for two keys.
    const a = await withKv(31)
    await a.book.append({ type: 'kv', key: '\ud800', value: 'first' })
    await a.book.view('kv').ready()
    await a.book.append({ type: 'kv', key: '\ud801', value: 'second' })
    await a.book.view('kv').ready()
    const b = await withKv(32)
    await importAll(b.book, [await exportOf(a.book)])
    await b.book.view('kv').ready()
    for (const { book } of [a, b]) {
      const status = await book.view('kv').status()
      assert.equal(status.failures, 2)
      assert.match(status.firstFailures[0].message, /well-formed Unicode/)
    }
    assert.equal(await a.book.view('kv').digest(), await b.book.view('kv').digest())
    assert.deepEqual((await a.book.checkView('kv')).ok, true)
    await assert.rejects(a.kv.put('\udc00', 1), { code: 'INVALID_ARGUMENT' })
    await a.book.close()
    await b.book.close()
  })
})
