// Forks and views: an author who wrote two different entries at one seq (here: one identity used on two
// devices). A view that includes forks sees both branches, and the kv view marks their values; a view
// that excludes them drops every entry of that author once the proof is known, rebuilding when it
// arrives. Stores that got the branches and the proof in different orders end with identical views.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { kvView, type KvApi, type Logbook } from '../src/index.js'
import { buildSignedSegments } from '../src/entry/segment.js'
import { frameOf, identity, jsonBody, memoryBook, SPACE } from './helpers/fixtures.js'
import { bookOn, exportOf, importAll, memoryDb } from './helpers/views-books.js'

const FORKER = identity(7)
const HONEST = identity(8)

async function useBoth (book: Logbook): Promise<void> {
  book.use('all', kvView({ forks: 'include' }))
  book.use('trusted', kvView({ forks: 'exclude' }))
}

describe('views and forks', () => {
  test('a forked author\'s kv writes: marked when included, gone when excluded, the same on stores that learned of the fork in different orders', async () => {
    // The same identity on two devices: each writes its own seq 1 and 2, so the feed forks at seq 1.
    const device1 = await bookOn(memoryDb(), FORKER)
    const device2 = await bookOn(memoryDb(), FORKER)
    const honest = await bookOn(memoryDb(), HONEST)
    const branch1 = await device1.append([{ type: 'kv', key: 'owner', value: 'device 1' }, { type: 'kv', key: 'only-1', value: true }])
    const branch2 = await device2.append([{ type: 'kv', key: 'owner', value: 'device 2' }, { type: 'kv', key: 'only-2', value: true }])
    const honestId = await honest.append({ type: 'kv', key: 'owner', value: 'honest' })
    const [one, two, good] = [await exportOf(device1), await exportOf(device2), await exportOf(honest)]

    // P: honest, branch 1, then branch 2 (the proof arrives last, while the views are live).
    const p = await bookOn(memoryDb(), identity(9))
    await useBoth(p)
    const rebuilds: string[] = []
    p.view('trusted').on('rebuild', ({ reason }) => rebuilds.push(reason))
    await importAll(p, [good, one])
    await p.view('trusted').ready()
    assert.deepEqual((await p.view<any>('trusted').api.get('owner')).values.map((v: any) => v.value).sort(), ['device 1', 'honest'], 'before the proof, the author is trusted')
    await importAll(p, [two])
    // Q: branch 2, honest, branch 1, and its views registered only afterwards.
    const q = await bookOn(memoryDb(), identity(10))
    await importAll(q, [two, good, one])
    await useBoth(q)
    assert.equal((await p.forks()).length, 1)
    assert.deepEqual(await q.forks().then((forks) => forks.map((f) => f.ids)), await p.forks().then((forks) => forks.map((f) => f.ids)))

    for (const book of [p, q]) {
      const all = book.view<any>('all').api
      const owner = await all.get('owner')
      assert.equal(owner.conflict, true)
      assert.deepEqual(owner.values.map((v: any) => [v.id, v.value, v.forked]).sort(),
        [[branch1[0], 'device 1', true], [branch2[0], 'device 2', true], [honestId, 'honest', false]].sort())
      assert.equal((await all.get('only-1')).values[0].forked, true)
      assert.equal((await all.get('only-2')).values[0].forked, true)

      const trusted = book.view<any>('trusted').api
      const trustedOwner = await trusted.get('owner')
      assert.deepEqual(trustedOwner.values.map((v: any) => [v.id, v.value]), [[honestId, 'honest']])
      assert.equal(trustedOwner.conflict, false)
      assert.equal(await trusted.get('only-1'), undefined)
      assert.equal(await trusted.get('only-2'), undefined)
      assert.deepEqual((await book.view('trusted').status()).excluded, [FORKER.author])
    }
    assert.ok(rebuilds.includes('forks'), 'the excluding view rebuilt when the proof arrived')
    assert.equal(await p.view('all').digest(), await q.view('all').digest())
    assert.equal(await p.view('trusted').digest(), await q.view('trusted').digest())
    for (const name of ['all', 'trusted']) {
      for (const book of [p, q]) {
        const check = await book.checkView(name, { orders: 5, seed: 11 })
        assert.equal(check.ok, true, `${name}: ${JSON.stringify(check.mismatch?.difference)}`)
      }
    }
    for (const book of [device1, device2, honest, p, q]) await book.close()
  })

  test('an excluding view whose checkpoint predates a fork rebuilds when it is opened again', async () => {
    const device1 = await bookOn(memoryDb(), FORKER)
    const device2 = await bookOn(memoryDb(), FORKER)
    await device1.append({ type: 'kv', key: 'k', value: 1 })
    await device2.append({ type: 'kv', key: 'k', value: 2 })
    const db = memoryDb()
    let book = await bookOn(db, identity(9))
    await importAll(book, [await exportOf(device1)])
    book.use('trusted', kvView({ forks: 'exclude' }))
    assert.equal((await book.view<any>('trusted').api.get('k')).values[0].value, 1)
    await book.close()
    // The proof arrives while the view is not registered.
    book = await bookOn(db, identity(9))
    await importAll(book, [await exportOf(device2)])
    await book.close()
    book = await bookOn(db, identity(9))
    const view = book.use('trusted', kvView({ forks: 'exclude' }))
    const reasons: string[] = []
    view.on('rebuild', ({ reason }) => reasons.push(reason))
    assert.equal(await view.api.get('k'), undefined)
    assert.deepEqual(reasons, ['forks'])
    for (const other of [device1, device2, book]) await other.close()
  })
  test('a fork marker the store withdraws (its segment was invalid) is no longer excluded, whatever the order', async () => {
    const who = identity(41)
    const chain = (afterSeq: number, afterId: Uint8Array | null, keys: string[]): ReturnType<typeof buildSignedSegments>[number] =>
      buildSignedSegments(SPACE, who.publicKey, who.secretKey, afterSeq, afterId, keys.map((key) => jsonBody({ type: 'kv', key, value: key }, 1)))[0]
    const first = chain(0, null, ['k1'])
    const rest = chain(1, first.ids[0], ['k2', 'k3', 'k4', 'k5', 'k6'])
    // Claims seq 6 with seq 1 as its prev: pending until seq 1 arrives, then dropped as invalid.
    const invalid = chain(5, first.ids[0], ['k99'])
    const outcomes: unknown[] = []
    for (const order of [[rest, invalid, first], [first, rest, invalid], [invalid, rest, first]]) {
      const book = await memoryBook()
      const view = book.use('trusted', kvView({ forks: 'exclude' }))
      for (const segment of order) {
        try { await book.import(frameOf(segment)) } catch { /* the invalid segment, when it comes last */ }
      }
      await view.ready()
      assert.deepEqual(await book.forks(), [])
      const status = await view.status()
      outcomes.push({ excluded: status.excluded, k1: (await (view.api as KvApi).get('k1'))?.values[0].value, digest: await view.digest() })
      await book.close()
    }
    assert.deepEqual(outcomes[0], { excluded: [], k1: 'k1', digest: (outcomes[0] as { digest: string }).digest })
    assert.deepEqual(outcomes[1], outcomes[0])
    assert.deepEqual(outcomes[2], outcomes[0])
  })
})

test('forks that arrive together (many forked authors in one import) cost an excluding view one rebuild', async () => {
  const AUTHORS = 40
  const frames: Uint8Array[] = []
  for (let i = 0; i < AUTHORS; i++) {
    const who = identity(100 + i)
    for (const device of [1, 2]) {
      frames.push(frameOf(buildSignedSegments(SPACE, who.publicKey, who.secretKey, 0, null, [jsonBody({ type: 'kv', key: `k${i}`, value: device }, device)])[0]))
    }
  }
  const book = await memoryBook({ identity: identity(99) })
  try {
    book.use('trusted', kvView({ forks: 'exclude' }))
    await book.view('trusted').ready()
    const rebuilds: string[] = []
    book.view('trusted').on('rebuild', ({ reason }) => rebuilds.push(reason))
    const summary = await book.import(Buffer.concat(frames))
    assert.equal(summary.forked.length, AUTHORS)
    await book.view('trusted').ready()
    assert.deepEqual(rebuilds, ['forks'], 'one rebuild for all forty')
    assert.deepEqual(await book.view<KvApi>('trusted').api.list(), [], 'every forked author is left out')
  } finally {
    await book.close()
  }
})
