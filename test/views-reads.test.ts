// How views read their own rows: getMany (one round trip for a batch's keys), the filter of keys written
// since a wipe (a rebuild skips reads of keys it never wrote, and must still read every key it did), and
// the checkpoint's check that the log still holds the entry a view's checkpoint ends at.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kvView, Logbook, type KvApi, type ViewEntry } from '../src/index.js'
import { WrittenKeys } from '../src/views/written-keys.js'
import { bookOn, memoryDb } from './helpers/views-books.js'

describe('view reads', () => {
  test('getMany answers in the order asked, from the transaction, the batch before, and the database', async () => {
    const book = await bookOn(memoryDb())
    await book.append(Array.from({ length: 600 }, (_, i) => ({ i })))
    const seen: unknown[][] = []
    const firsts: number[] = []
    const gets: unknown[] = []
    const view = book.use('many', {
      apply: async (entries: ViewEntry[], tx) => {
        const first = (entries[0].payload as { i: number }).i
        firsts.push(first)
        if (first === 0) {
          tx.put('a', 'written before the read')
          seen.push(await tx.getMany(['absent', 'a', 'a']))
        } else {
          // 'a' and 'b' come from earlier batches: the one before (maybe still committing) or the database.
          seen.push(await tx.getMany(['b', 'a', 'nothing']))
          gets.push(await tx.get('b'))
        }
        tx.put('b', first)
      }
    })
    await view.ready()
    assert.equal((await view.status()).failures, 0)
    assert.deepEqual(seen[0], [undefined, 'written before the read', 'written before the read'])
    assert.ok(seen.length >= 3, 'several batches')
    for (let n = 1; n < seen.length; n++) {
      assert.equal(seen[n][0], firsts[n - 1], "'b' as the batch before wrote it")
      assert.equal(seen[n][1], 'written before the read')
      assert.equal(seen[n][2], undefined)
      assert.equal(gets[n - 1], seen[n][0], 'a get after getMany agrees')
    }
    const bad = book.use('bad', { apply: async (_entries, tx) => { await tx.getMany('x' as any) } })
    await bad.ready()
    const status = await bad.status()
    assert.equal(status.failures, 600)
    assert.match(status.firstFailures[0].message, /getMany takes an array/)
    await book.close()
  })

  test('the written-keys filter never forgets a key it was given', () => {
    const filter = new WrittenKeys(20_000)
    for (let i = 0; i < 20_000; i++) filter.add(`key-${i}`)
    for (let i = 0; i < 20_000; i++) assert.equal(filter.mayHave(`key-${i}`), true, `key-${i}`)
    let maybe = 0
    for (let i = 0; i < 20_000; i++) if (filter.mayHave(`other-${i}`)) maybe++
    assert.ok(maybe < 400, `few keys never added look present (${maybe} of 20000)`)
    // Past its size it answers "maybe" more often, never a wrong "absent".
    const small = new WrittenKeys(1)
    for (let i = 0; i < 50_000; i++) small.add(String(i))
    for (let i = 0; i < 50_000; i++) assert.equal(small.mayHave(String(i)), true)
  })

  test('a rebuild skips reads of keys it never wrote and still reads every key it did', async () => {
    const book = await bookOn(memoryDb())
    // 3000 concurrent writes (no links) over 50 keys: every row keeps all 60 of its values, so a read
    // of a written key that was skipped would lose values.
    await book.append(Array.from({ length: 3000 }, (_, i) => ({ type: 'kv', key: `k${i % 50}`, value: i })))
    const view = book.use('kv', kvView())
    await view.ready()
    const api = view.api as KvApi
    for (const key of ['k0', 'k17', 'k49']) assert.equal((await api.get(key))?.values.length, 60, key)
    const report = await book.checkView('kv', { orders: 2 })
    assert.equal(report.ok, true, JSON.stringify(report.mismatch))
    const built = await view.digest()
    await book.rebuild('kv')
    assert.equal(await view.digest(), built)
    await book.close()
  })

  test('a views database whose log no longer holds its checkpoint entry rebuilds', async () => {
    const root = mkdtempSync(join(tmpdir(), 'logbook-views-'))
    try {
      const a = join(root, 'a')
      const b = join(root, 'b')
      const first = await Logbook.create({ dir: a })
      await first.close()
      cpSync(a, b, { recursive: true }) // same space and identity, two diverging logs
      for (const [dir, tag] of [[a, 'a'], [b, 'b']]) {
        const book = await Logbook.open({ dir })
        await book.append(Array.from({ length: 300 }, (_, i) => ({ type: 'kv', key: `${tag}${i}`, value: i })))
        await book.use('kv', kvView()).ready()
        await book.close()
      }
      // b's log with a's views: the checkpoint's entry is not in b's log.
      rmSync(join(b, 'views'), { recursive: true })
      cpSync(join(a, 'views'), join(b, 'views'), { recursive: true })
      const book = await Logbook.open({ dir: b })
      const view = book.use('kv', kvView())
      const reasons: string[] = []
      view.on('rebuild', ({ reason }) => reasons.push(reason))
      // Queries arriving while the view is still deciding whether to rebuild (as a server's would) must
      // wait for the rebuild, never answer from the rows about to be wiped.
      const early: Array<Promise<unknown>> = []
      for (let i = 0; i < 50; i++) {
        early.push((view.api as KvApi).get('a1'), (view.api as KvApi).get('b1').then((result) => result?.values[0].value))
        await new Promise((resolve) => setImmediate(resolve))
      }
      const answers = await Promise.all(early)
      for (let i = 0; i < answers.length; i += 2) assert.deepEqual([answers[i], answers[i + 1]], [undefined, 1])
      await view.ready()
      assert.deepEqual(reasons, ['log'])
      const api = view.api as KvApi
      assert.equal(await api.get('a1'), undefined, "a's rows are gone")
      assert.equal((await api.get('b1'))?.values[0].value, 1)
      await book.close()
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
