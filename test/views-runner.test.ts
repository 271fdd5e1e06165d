// The view runner: local order and batches, live updates, exactly-once across restarts, versions and
// rebuilds with progress, failures recorded and skipped identically on every store, and what a view is
// and is not given.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { checkView, countView, kvView, LogbookError, reduceView, type ViewEntry, type ViewProgress } from '../src/index.js'
import { identity } from './helpers/fixtures.js'
import { bookOn, countingView, exportOf, importAll, memoryDb, recordingView } from './helpers/views-books.js'

describe('view runner', () => {
  test('a view gets ready entries in local order, in batches, and follows appends and imports', async () => {
    const other = await bookOn(memoryDb(), identity(2))
    await other.append(Array.from({ length: 50 }, (_, i) => ({ from: 'other', i })))
    const book = await bookOn(memoryDb(), identity(1))
    await book.append(Array.from({ length: 3000 }, (_, i) => ({ n: i })))
    const order: string[] = []
    const batches: number[] = []
    const view = book.use('order', {
      apply: (entries: ViewEntry[], tx) => {
        batches.push(entries.length)
        for (const entry of entries) { order.push(entry.id); tx.put(entry.id, entry.seq) }
      }
    })
    await view.ready()
    assert.ok(batches.length >= 3, 'several batches')
    assert.ok(Math.max(...batches) <= 1024)
    await book.append({ n: 'live' })
    await importAll(book, [await exportOf(other)])
    await view.ready()
    const local: string[] = []
    for await (const entry of book.log()) local.push(entry.id)
    assert.equal(local.length, 3051)
    assert.deepEqual(order, local, 'every ready entry once, in local order')
    await other.close()
    await book.close()
  })

  test('a view is given entries without their local seq or signature flag, as fresh copies', async () => {
    const book = await bookOn(memoryDb())
    await book.append([{ a: 1 }, { a: 2 }])
    const first = book.use('first', {
      apply: (entries: ViewEntry[], tx) => {
        for (const entry of entries) {
          tx.put(entry.id, Object.keys(entry).sort())
          ;(entry.payload as { a: number }).a = 99 // must not reach the other view
        }
      }
    })
    const second = book.use('second', recordingView())
    await first.ready()
    const seen = await second.api.seen()
    const payloads = seen.map(([, row]) => (row as { payload: { a: number } }).payload.a).sort()
    assert.deepEqual(payloads, [1, 2], 'the first view changed its copies only')
    const keys = (seen[0][1] as { keys: string[] }).keys
    assert.deepEqual(keys, ['author', 'id', 'kind', 'links', 'payload', 'prev', 'seq', 'timestamp'])
    await book.close()
  })

  test('exactly once: an unchanged version resumes from its checkpoint, a new version rebuilds', async () => {
    const db = memoryDb()
    let book = await bookOn(db)
    await book.append(Array.from({ length: 2500 }, (_, i) => ({ i })))
    let counting = countingView(1)
    let view = book.use('count', counting)
    assert.equal(await view.api.count(), 2500)
    assert.equal(counting.calls.entries, 2500)
    await book.close()

    // Reopened with the same version and 100 more entries: only the 100 are applied.
    book = await bookOn(db)
    await book.append(Array.from({ length: 100 }, (_, i) => ({ more: i })))
    counting = countingView(1)
    view = book.use('count', counting)
    assert.equal(await view.api.count(), 2600)
    assert.equal(counting.calls.entries, 100, 'resumed from the checkpoint')
    await book.close()

    // A new version wipes and replays everything.
    book = await bookOn(db)
    counting = countingView(2)
    view = book.use('count', counting)
    const reasons: string[] = []
    view.on('rebuild', ({ reason }) => reasons.push(reason))
    assert.equal(await view.api.count(), 2600)
    assert.equal(counting.calls.entries, 2600, 'rebuilt from the first entry')
    assert.deepEqual(reasons, ['version'])
    const status = await view.status()
    assert.equal(status.version, 2)
    assert.equal(status.applied, 2600)
    assert.equal(status.behind, 0)
    await book.close()
  })

  test('rebuild() wipes, replays with progress events, and gives the same digest', async () => {
    const book = await bookOn(memoryDb())
    await book.append(Array.from({ length: 4000 }, (_, i) => ({ type: 'kv', key: `k${i % 97}`, value: i })))
    const view = book.use('kv', kvView())
    await view.ready()
    const before = await view.digest()
    const progress: ViewProgress[] = []
    const status = await book.rebuild('kv', { onProgress: (p) => progress.push(p) })
    assert.equal(status.applied, 4000)
    assert.ok(progress.length >= 2, 'progress is reported as commits land (batches applied meanwhile commit together)')
    assert.ok(progress.every((p) => p.name === 'kv' && p.target === 4000))
    assert.deepEqual(progress.map((p) => p.applied), [...progress.map((p) => p.applied)].sort((a, b) => a - b), 'progress only grows')
    assert.equal(progress[progress.length - 1].applied, 4000)
    assert.equal(progress[progress.length - 1].rebuilding, false)
    assert.equal(progress[0].rebuilding, true)
    assert.equal(await view.digest(), before)
    await book.close()
  })

  test('ready() called while a wipe is under way waits for the rebuild', async () => {
    const book = await bookOn(memoryDb())
    await book.append(Array.from({ length: 3000 }, (_, i) => ({ i })))
    const view = book.use('count', countingView())
    assert.equal(await view.api.count(), 3000)
    const wipe = view.keyspace.wipe.bind(view.keyspace)
    let wiped = false
    let duringWipe: Promise<boolean> | null = null
    view.keyspace.wipe = async (fresh) => {
      duringWipe = view.ready().then(() => wiped)
      await wipe(fresh)
      wiped = true
    }
    await book.rebuild('count')
    assert.equal(await duringWipe, true, 'resolved only after the wipe (not on the checkpoint being replaced)')
    assert.equal(await view.api.count(), 3000)
    await book.close()
  })

  test('a view that throws records the failure for that entry, skips it, and goes on', async () => {
    const db = memoryDb()
    const book = await bookOn(db)
    const ids = await book.append(Array.from({ length: 40 }, (_, i) => ({ i, bad: i % 10 === 3 })))
    const picky = {
      apply: async (entries: ViewEntry[], tx: { put: (key: string, value: unknown) => void }) => {
        for (const entry of entries) {
          const payload = entry.payload as { i: number, bad: boolean }
          tx.put(`seen/${payload.i}`, true) // written before the throw: must not survive it
          if (payload.bad) throw new Error(`entry ${payload.i} is bad`)
          tx.put(`ok/${payload.i}`, true)
        }
      }
    }
    const view = book.use('picky', picky)
    await view.ready()
    const status = await view.status()
    assert.equal(status.applied, 40)
    assert.equal(status.failures, 4)
    assert.deepEqual(status.firstFailures.map((f) => f.id), [ids[3], ids[13], ids[23], ids[33]])
    assert.match(status.firstFailures[0].message, /entry 3 is bad/)
    const rows: string[] = []
    for await (const key of view.keyspace.data.keys()) rows.push(key)
    assert.equal(rows.filter((key) => key.startsWith('ok/')).length, 36)
    assert.equal(rows.filter((key) => key.startsWith('seen/')).length, 36, 'a failing entry leaves no writes')
    assert.ok(!rows.includes('seen/3'))
    // Determinism holds with failures: a rebuild records the same ones.
    const check = await book.checkView('picky', { orders: 3, seed: 7 })
    assert.equal(check.ok, true, JSON.stringify(check.mismatch?.difference))
    const listed = (await book.viewStatuses()).find((s) => s.name === 'picky')
    assert.equal(listed?.failures, 4)
    await book.close()
  })

  test('failures are the same on two stores that received the entries in different orders', async () => {
    const a = await bookOn(memoryDb(), identity(1))
    const b = await bookOn(memoryDb(), identity(2))
    await a.append([{ type: 'kv', key: 'x', value: 1 }, { type: 'kv', key: 7, value: 'wrong type' }, { type: 'kv', key: '__proto__', value: { polluted: true } }])
    await b.append([{ type: 'kv', key: 'x', value: 2 }, { type: 'kv', key: 'y' }, { type: 'kv', key: 'constructor', value: 'fine' }])
    const [exportA, exportB] = [await exportOf(a), await exportOf(b)]
    const c = await bookOn(memoryDb(), identity(3))
    const d = await bookOn(memoryDb(), identity(4))
    await importAll(c, [exportA, exportB])
    await importAll(d, [exportB, exportA])
    const kvC = c.use('kv', kvView())
    const kvD = d.use('kv', kvView())
    await kvC.ready()
    await kvD.ready()
    const [statusC, statusD] = [await kvC.status(), await kvD.status()]
    assert.equal(statusC.failures, 2)
    assert.deepEqual(statusC.firstFailures.map((f) => f.id).sort(), statusD.firstFailures.map((f) => f.id).sort())
    assert.equal(await kvC.digest(), await kvD.digest())
    assert.equal((await kvC.api.get('__proto__'))?.values[0].value instanceof Object, true)
    assert.deepEqual((await kvC.api.get('__proto__'))?.values[0].value, { polluted: true })
    assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'no prototype was touched')
    assert.equal((await kvD.api.get('constructor'))?.values[0].value, 'fine')
    assert.equal((await kvD.api.get('x'))?.conflict, true)
    for (const book of [a, b, c, d]) await book.close()
  })

  test('huge payloads and keys: recorded or applied, never stalling the view', async () => {
    const book = await bookOn(memoryDb())
    const big = 'x'.repeat(900 * 1024)
    await book.append({ type: 'kv', key: 'big', value: big })
    await book.append({ type: 'kv', key: 'k'.repeat(20 * 1024), value: 1 }) // key over the view's limit
    await book.append({ type: 'kv', key: 'after', value: 'still applied' })
    const view = book.use('kv', kvView())
    assert.equal((await view.api.get('big'))?.values[0].value, big)
    assert.equal((await view.api.get('after'))?.values[0].value, 'still applied')
    const status = await view.status()
    assert.equal(status.failures, 1)
    assert.match(status.firstFailures[0].message, /RangeError/)
    await book.close()
  })

  test('ready() waits for entries ready at the call; a closed book stops its views cleanly', async () => {
    const db = memoryDb()
    let book = await bookOn(db)
    await book.append(Array.from({ length: 5000 }, (_, i) => ({ i })))
    const counting = countingView()
    const view = book.use('count', counting)
    const waiting = view.ready()
    await book.close() // while catching up
    await assert.rejects(waiting, (err: unknown) => err instanceof LogbookError && err.code === 'LOGBOOK_NOT_OPEN')
    await assert.rejects(view.ready(), (err: unknown) => err instanceof LogbookError && err.code === 'LOGBOOK_NOT_OPEN')
    book = await bookOn(db)
    const again = countingView()
    const reopened = book.use('count', again)
    assert.equal(await reopened.api.count(), 5000)
    assert.equal(counting.calls.entries + again.calls.entries >= 5000, true)
    await book.close()
  })

  test('registration: names are checked, a name is used once, unknown names are NOT_FOUND', async () => {
    const book = await bookOn(memoryDb())
    assert.throws(() => book.use('Bad Name', countView()), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_ARGUMENT')
    assert.throws(() => book.use('x', { apply: 1 } as any), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_ARGUMENT')
    book.use('count', countView())
    assert.throws(() => book.use('count', countView()), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_ARGUMENT')
    assert.throws(() => book.view('nope'), (err: unknown) => err instanceof LogbookError && err.code === 'NOT_FOUND')
    await book.close()
  })

  test('a view keeps no clock or randomness: one that does fails the determinism check', async () => {
    const book = await bookOn(memoryDb())
    await book.append(Array.from({ length: 20 }, (_, i) => ({ i })))
    const random = { apply: (entries: ViewEntry[], tx: { put: (k: string, v: unknown) => void }) => { for (const entry of entries) tx.put(entry.id, Math.random()) } }
    book.use('random', random)
    const live = await book.checkView('random')
    assert.equal(live.ok, false)
    assert.equal(live.deterministic, false)
    assert.equal(live.mismatch?.check, 'determinism')
    assert.equal(live.mismatch?.difference?.where, 'row')
    // The exported checker does the same for a definition that is not registered.
    const unregistered = await checkView(book, random)
    assert.equal(unregistered.deterministic, false)
    // And a transaction used after its apply returned refuses writes rather than losing them silently.
    let stray: (() => void) | null = null
    book.use('stray', { apply: (_entries, tx) => { stray = () => tx.put('late', 1) } })
    await book.view('stray').ready()
    assert.throws(() => (stray as unknown as () => void)(), /closed/)
    await book.close()
  })
  test('a progress or rebuild listener that throws does not stop the view', async () => {
    const book = await bookOn(memoryDb())
    await book.append(Array.from({ length: 600 }, (_, i) => ({ n: i })))
    const view = book.use('count', countingView())
    let thrown = 0
    const unexpected: unknown[] = []
    view.once('progress', () => { thrown++; throw new Error('a listener bug') })
    view.once('rebuild', () => { thrown++; throw new Error('another listener bug') })
    // The listener's error is rethrown on its own (as an uncaught exception), not into the view.
    const onUncaught = (err: unknown): void => { unexpected.push(err) }
    const listeners = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    process.on('uncaughtException', onUncaught)
    try {
      await view.ready()
      await book.append({ n: 600 })
      await view.ready()
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.removeListener('uncaughtException', onUncaught)
      for (const listener of listeners) process.on('uncaughtException', listener)
    }
    assert.equal(thrown, 2)
    assert.deepEqual(unexpected.map((err) => (err as Error).message).sort(), ['a listener bug', 'another listener bug'])
    assert.equal(await (view.api as { count: () => Promise<number> }).count(), 601)
    await book.close()
  })
  test('a reducer that changes its accumulator does not change the initial value of other groups', async () => {
    const book = await bookOn(memoryDb())
    await book.append([{ g: 'a', v: 1 }, { g: 'b', v: 2 }])
    const payload = (entry: ViewEntry): { g: string, v: number } => entry.payload as { g: string, v: number }
    const view = book.use('lists', reduceView<number[]>({
      group: (entry) => payload(entry).g,
      map: (entry) => [payload(entry).v],
      reduce: (acc, value) => { for (const v of value) acc.push(v); return acc.sort((x, y) => x - y) },
      initial: []
    }))
    await view.ready()
    assert.deepEqual(await view.api.groups(), [['a', [1]], ['b', [2]]])
    assert.deepEqual(await view.api.get('none'), [])
    await book.close()
  })
})
