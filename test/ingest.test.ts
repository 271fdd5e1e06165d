// The ingest path, case by case: out-of-order arrival, waiting for links (and what status() says about
// it), signatures that arrive later, fork detection in either arrival order (also with a branch still
// waiting), the append guards IDENTITY_FORKED and BEHIND_OWN_HEAD, and reopening an on-disk store
// (after a clean close, after an abrupt exit, and from the image a crash can leave behind).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { crc32 } from 'node:zlib'
import { ClassicLevel } from 'classic-level'
import { Logbook } from '../src/logbook.js'
import { isLogbookError } from '../src/errors.js'
import { decodeSegmentBody, encodeSegmentBody } from '../src/entry/segment.js'
import { storePaths } from '../src/platform/node/store-dir.js'
import {
  SPACE, SPACE_KEY, buildChain, collect, concatBytes, frameBody, frameBounds, frameOf, identity, idsOf, jsonBody, jsonLineOf,
  memoryBook, segmentOf, snapshot, toHex, type BuiltEntry
} from './helpers/fixtures.js'

const A = identity(21)
const B = identity(22)
const C = identity(23)

const frames = (...runs: BuiltEntry[][]): Uint8Array => concatBytes(runs.map((run) => frameOf(segmentOf(SPACE, run))))
const hex = (entries: BuiltEntry[]): string[] => entries.map((e) => toHex(e.id))

async function readyIds (book: Logbook): Promise<string[]> {
  const out: string[] = []
  for await (const entry of book.log()) out.push(entry.id)
  return out
}

async function rejectsWith (promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isLogbookError(err), `expected a LogbookError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    return true
  })
}

describe('out-of-order arrival', () => {
  test('a feed\'s segments in reverse order end fully ready with the right heads', async () => {
    const chain = buildChain(SPACE, A, 0, null, [1, 2, 3, 4, 5, 6].map((n) => jsonBody({ n }, n)))
    const runs = [chain.slice(0, 1), chain.slice(1, 3), chain.slice(3, 4), chain.slice(4, 6)]
    const book = await memoryBook()
    for (const [i, run] of [...runs].reverse().entries()) {
      const summary = await book.import(frames(run))
      assert.equal(summary.imported, run.length)
      if (i < runs.length - 1) {
        assert.deepEqual(await readyIds(book), [], 'nothing is ready before seq 1 arrives')
        const status = book.status()
        assert.equal(status.pendingEntries, chain.length - run[0].seq + 1)
        const first = (await book.pending()).find((p) => p.fromSeq === run[0].seq)
        assert.deepEqual(first && { waitsFor: first.waitsFor, reason: first.reason }, { waitsFor: toHex(run[0].prev as Uint8Array), reason: 'prev' })
      }
    }
    assert.deepEqual((await readyIds(book)), hex(chain), 'ready, in feed order')
    assert.deepEqual(book.heads(), [toHex(chain[5].id)])
    assert.deepEqual(book.feedHeads(), [{ author: A.author, id: toHex(chain[5].id), seq: 6 }])
    assert.equal(book.status().pendingEntries, 0)
    assert.deepEqual((await book.pending()), [])
    assert.deepEqual((await book.verify()).problems, [])
  })

  test('two authors interleaved in reverse, with links across them, in one import call', async () => {
    const a = buildChain(SPACE, A, 0, null, [jsonBody('a1', 1), jsonBody('a2', 2)])
    const b = buildChain(SPACE, B, 0, null, [jsonBody('b1', 3, [a[1].id]), jsonBody('b2', 4)])
    const a3 = buildChain(SPACE, A, 2, a[1].id, [jsonBody('a3', 5, [b[1].id])])
    const book = await memoryBook()
    const summary = await book.import(frames(a3, b.slice(1), b.slice(0, 1), a.slice(1), a.slice(0, 1)))
    assert.equal(summary.pending, 0)
    assert.equal(summary.imported, 5)
    assert.deepEqual(book.heads(), [toHex(a3[0].id)])
    assert.deepEqual(book.feedHeads().map((h) => h.id).sort(), [toHex(a3[0].id), toHex(b[1].id)].sort())
    // Local order puts causes first.
    const order = await readyIds(book)
    assert.ok(order.indexOf(toHex(a[1].id)) < order.indexOf(toHex(b[0].id)))
    assert.ok(order.indexOf(toHex(b[1].id)) < order.indexOf(toHex(a3[0].id)))
    assert.deepEqual((await book.verify()).problems, [])
  })
})

describe('waiting for a link', () => {
  test('a link to an entry that has not arrived: the run waits, reported with reason link, and is ready once it arrives', async () => {
    const missing = buildChain(SPACE, A, 0, null, [jsonBody('x', 1)])
    const b = buildChain(SPACE, B, 0, null, [jsonBody('b1', 2), jsonBody('b2', 3, [missing[0].id]), jsonBody('b3', 4)], (i) => i === 2)
    const book = await memoryBook()
    const first = await book.import(frames(b))
    assert.equal(first.imported, 3)
    assert.equal(first.pending, 3)
    assert.deepEqual(await readyIds(book), [], 'the entry before the link waits too: only a ready signature (b3) authenticates it')
    assert.equal(await book.get(toHex(b[1].id)), undefined)
    assert.deepEqual((await book.pending()), [{ author: B.author, fromSeq: 1, toSeq: 3, entries: 3, waitsFor: toHex(missing[0].id), reason: 'link' }])
    assert.equal(book.status().pendingEntries, 3)
    assert.deepEqual((await book.verify()).problems, [])

    const second = await book.import(frames(missing))
    assert.equal(second.pending, 0)
    assert.deepEqual((await readyIds(book)).sort(), [...hex(b), ...hex(missing)].sort())
    assert.deepEqual((await book.pending()), [])
    assert.deepEqual(book.heads(), [toHex(b[2].id)])
    assert.deepEqual((await book.verify()).problems, [])
  })

  test('a chain of waits: B waits for A\'s link, C waits for B\'s', async () => {
    const a = buildChain(SPACE, A, 0, null, [jsonBody('a', 1)])
    const b = buildChain(SPACE, B, 0, null, [jsonBody('b', 2, [a[0].id])])
    const c = buildChain(SPACE, C, 0, null, [jsonBody('c', 3, [b[0].id])])
    const book = await memoryBook()
    await book.import(frames(c))
    await book.import(frames(b))
    assert.deepEqual((await book.pending()).map((p) => [p.author, p.waitsFor, p.reason]).sort(),
      [[B.author, toHex(a[0].id), 'link'], [C.author, toHex(b[0].id), 'link']].sort())
    await book.import(frames(a))
    assert.equal(book.status().pendingEntries, 0)
    assert.deepEqual(book.heads(), [toHex(c[0].id)])
  })
})

describe('signatures that arrive later', () => {
  const chain = buildChain(SPACE, A, 0, null, [jsonBody(1, 1), jsonBody(2, 2), jsonBody(3, 3)], (i) => i === 1)
  const unsigned = (run: BuiltEntry[]): BuiltEntry[] => run.map((e, i) => i === run.length - 1 ? e : { ...e, signature: null })

  async function exportedRuns (book: Logbook): Promise<Array<{ firstSeq: number, lastId: string, signedIds: string[] }>> {
    const bytes = await collect(book.export())
    return frameBounds(bytes).map(({ start, end }) => {
      const segment = decodeSegmentBody(frameBody(bytes.slice(start, end)))
      const ids = idsOf(segment)
      return { firstSeq: segment.firstSeq, lastId: toHex(ids[ids.length - 1]), signedIds: ids.filter((_, i) => segment.entries[i].signature !== null).map(toHex) }
    })
  }

  test('a signature for an already stored unsigned entry is kept and exported', async () => {
    const book = await memoryBook()
    const first = await book.import(frames(unsigned(chain)))
    assert.equal(first.imported, 3)
    assert.equal((await book.get(toHex(chain[1].id)))?.signed, false)
    const second = await book.import(frames(chain.slice(0, 2)))
    assert.equal(second.imported, 0)
    assert.equal(second.duplicates, 2)
    assert.equal(second.signaturesAdded, 1)
    assert.equal((await book.get(toHex(chain[1].id)))?.signed, true)
    const runs = await exportedRuns(book)
    assert.ok(runs.some((r) => r.lastId === toHex(chain[1].id)), `the export has a segment ending at seq 2: ${JSON.stringify(runs)}`)
    assert.deepEqual(runs.map((r) => r.lastId), [toHex(chain[1].id), toHex(chain[2].id)])
    assert.deepEqual((await book.verify()).problems, [])
    // And it travels: another store importing the export has the signature too.
    const copy = await memoryBook()
    await copy.import(await collect(book.export()))
    assert.equal((await copy.get(toHex(chain[1].id)))?.signed, true)
    // Delivering the signature again changes nothing.
    assert.equal((await book.import(frames(chain.slice(0, 2)))).signaturesAdded, 0)
  })

  test('a signature on a JSON line is kept the same way', async () => {
    const book = await memoryBook()
    await book.import(frames(unsigned(chain)))
    const summary = await book.import(jsonLineOf(segmentOf(SPACE, chain.slice(0, 2))))
    assert.equal(summary.signaturesAdded, 1)
    assert.equal((await book.get(toHex(chain[1].id)))?.signed, true)
  })

  test('a signature delivered while the segment still waits (same first seq, same last entry) is kept', async () => {
    // Entry 1 links to an entry that has not arrived, so the whole run waits. The same run arrives again,
    // now with the signature on seq 2. When the link arrives, seq 2 must be signed, as in the other order.
    const x = buildChain(SPACE, B, 0, null, [jsonBody('x', 0)])
    const linked = buildChain(SPACE, A, 0, null, [jsonBody(1, 1, [x[0].id]), jsonBody(2, 2), jsonBody(3, 3)], (i) => i === 1)
    const waitingFirst = await memoryBook()
    await waitingFirst.import(frames(unsigned(linked)))
    await waitingFirst.import(frames(linked))
    await waitingFirst.import(frames(x))
    const readyFirst = await memoryBook()
    await readyFirst.import(frames(x))
    await readyFirst.import(frames(unsigned(linked)))
    await readyFirst.import(frames(linked))
    assert.equal((await readyFirst.get(toHex(linked[1].id)))?.signed, true)
    assert.deepEqual(await snapshot(waitingFirst), await snapshot(readyFirst), 'the state depends on the arrival order')
    assert.equal((await waitingFirst.get(toHex(linked[1].id)))?.signed, true, 'the signature on seq 2 was dropped')
  })
})

describe('fork detection', () => {
  // Identity F on two devices: both write seq 1 (the same entry), then each its own seq 2.
  // Device two's seq 2 links to an entry of C that a store may not have: that branch then waits.
  const F = identity(24)
  const e1 = buildChain(SPACE, F, 0, null, [jsonBody('e1', 1)])
  const m = buildChain(SPACE, C, 0, null, [jsonBody('m', 2)])
  const branchA = buildChain(SPACE, F, 1, e1[0].id, [jsonBody('2a', 3), jsonBody('3a', 4)], () => false)
  const branchB = buildChain(SPACE, F, 1, e1[0].id, [jsonBody('2b', 3, [m[0].id])])
  const deviceOne = frames(e1, branchA)
  const deviceTwo = frames(e1, branchB)
  const expectedIds = [toHex(branchA[0].id), toHex(branchB[0].id)].sort() as [string, string]

  test('the same proof in both arrival orders, with one branch pending, and after it becomes ready', async () => {
    const oneFirst = await memoryBook()
    const s1 = await oneFirst.import(deviceOne)
    assert.deepEqual(s1.forked, [])
    const s2 = await oneFirst.import(deviceTwo)
    assert.deepEqual(s2.forked, [F.author])
    const twoFirst = await memoryBook()
    let emitted: string | null = null
    twoFirst.on('fork', (author: string) => { emitted = author })
    await twoFirst.import(deviceTwo)
    assert.equal((await twoFirst.pending())[0]?.reason, 'link', 'branch B waits for its link')
    assert.deepEqual((await twoFirst.import(deviceOne)).forked, [F.author])
    assert.equal(emitted, F.author)

    const proofOne = await oneFirst.forks()
    const proofTwo = await twoFirst.forks()
    assert.equal(proofOne.length, 1)
    assert.deepEqual({ author: proofOne[0].author, seq: proofOne[0].seq, ids: proofOne[0].ids }, { author: F.author, seq: 2, ids: expectedIds })
    assert.deepEqual(proofTwo, proofOne, 'the proof depends on the arrival order')
    assert.deepEqual(oneFirst.status().forks, [{ author: F.author, seq: 2 }])
    // Each half of the proof runs from the fork entry to the first signature on its branch.
    const byId = new Map(proofOne[0].proof.map((segment) => [segment.entries[0].id, segment]))
    assert.equal(byId.get(toHex(branchA[0].id))?.entries.length, 2)
    assert.equal(byId.get(toHex(branchB[0].id))?.entries.length, 1)
    for (const book of [oneFirst, twoFirst]) assert.deepEqual((await book.verify()).problems, [])

    // The link arrives: branch B becomes ready; the proof does not change.
    for (const book of [oneFirst, twoFirst]) {
      await book.import(frames(m))
      assert.equal(book.status().pendingEntries, 0)
      assert.deepEqual(await book.forks(), proofOne)
      assert.deepEqual(book.feedHeads().filter((h) => h.author === F.author).map((h) => h.id).sort(), [toHex(branchA[1].id), toHex(branchB[0].id)].sort())
      assert.deepEqual((await book.verify()).problems, [])
    }
    // The proof stands on its own: a fresh store importing only the proof segments finds the same fork.
    const fresh = await memoryBook()
    await fresh.import(frames(e1, m))
    await fresh.import(new TextEncoder().encode(proofOne[0].proof.map((segment) => JSON.stringify(segment)).join('\n') + '\n'))
    assert.deepEqual((await fresh.forks()).map((f) => [f.seq, f.ids]), [[2, expectedIds]])
  })

  test('both branches pending (seq 1 missing): no fork until their history arrives, then the same proof as everywhere', async () => {
    const late = await memoryBook()
    await late.import(frames(branchB, branchA))
    assert.deepEqual(await readyIds(late), [])
    // Entries whose history has a gap are not placed yet: their claimed prev may be anything.
    assert.deepEqual(late.status().forks, [])
    await late.import(frames(m, e1))
    const reference = await memoryBook()
    await reference.import(concatBytes([frames(m), deviceOne, deviceTwo]))
    assert.deepEqual(await snapshot(late), await snapshot(reference))
  })

  test('append in a store that holds a fork of its own identity: IDENTITY_FORKED', async () => {
    const device = await memoryBook({ identity: F })
    await device.import(deviceOne)
    await device.import(deviceTwo) // branch B waits for its link, yet the fork is known
    const before = await readyIds(device)
    await rejectsWith(device.append('more'), 'IDENTITY_FORKED')
    await device.import(frames(m))
    await rejectsWith(device.append(['more', 'still']), 'IDENTITY_FORKED')
    assert.equal((await readyIds(device)).length, before.length + 2, 'only the branch that was waiting was added')
    // Another identity in the same store may still write.
    await device.setIdentity(identity(25))
    await device.append('from a new identity')
  })
})

describe('BEHIND_OWN_HEAD', () => {
  test('a store holding an entry of its own identity that it cannot place refuses to append', async () => {
    const G = identity(26)
    const other = await memoryBook({ identity: G })
    await other.append('g1')
    await other.append('g2')
    const bytes = await collect(other.export())
    const [first, second] = frameBounds(bytes).map(({ start, end }) => bytes.slice(start, end))
    const device = await memoryBook({ identity: G })
    await device.import(second)
    assert.equal((await device.pending())[0]?.reason, 'prev')
    await rejectsWith(device.append('would fork'), 'BEHIND_OWN_HEAD')
    assert.deepEqual(await readyIds(device), [])
    await device.import(first)
    const id = await device.append('g3')
    assert.equal((await device.get(id))?.seq, 3)
    assert.deepEqual(device.status().forks, [])
  })
})

describe('reopening an on-disk store', () => {
  async function withDir (run: (dir: string) => Promise<void>): Promise<void> {
    const base = await mkdtemp(joinPath(tmpdir(), 'logbook-ingest-'))
    try { await run(joinPath(base, 'store')) } finally { await rm(base, { recursive: true, force: true }) }
  }
  const F = identity(27)
  const e1 = buildChain(SPACE, F, 0, null, [jsonBody('e1', 1)])
  const x = buildChain(SPACE, B, 0, null, [jsonBody('x', 2)])
  const fork = buildChain(SPACE, F, 1, e1[0].id, [jsonBody('fork', 3, [x[0].id])])
  const other = buildChain(SPACE, F, 1, e1[0].id, [jsonBody('other', 4)])
  const status = (book: Logbook): unknown => { const s = book.status(); return { ...s, author: undefined } }

  test('after appends and imports (with a pending run and a fork) a reopened store has the same state', async () => {
    await withDir(async (dir) => {
      const book = await Logbook.create({ dir, spaceKey: SPACE_KEY, identity: A })
      await book.append('one')
      await book.append(['two', 'three'])
      await book.import(frames(e1, other))
      await book.import(frames(fork)) // waits for x; F is forked
      const before = await snapshot(book)
      const statusBefore = status(book)
      assert.equal(book.status().pendingEntries, 1)
      await book.close()

      const reopened = await Logbook.open({ dir })
      assert.equal(reopened.author, A.author)
      assert.deepEqual(await snapshot(reopened), before)
      assert.deepEqual(status(reopened), statusBefore)
      assert.deepEqual((await reopened.verify()).problems, [])
      // It carries on where it stopped.
      await reopened.import(frames(x))
      assert.equal(reopened.status().pendingEntries, 0)
      await reopened.append('four')
      const after = await snapshot(reopened)
      await reopened.close()
      const again = await Logbook.open({ dir })
      assert.deepEqual(await snapshot(again), after)
      assert.deepEqual((await again.verify()).problems, [])
      await again.close()
    })
  })

  test('after an abrupt exit (no close) the acknowledged writes are all there', async () => {
    await withDir(async (dir) => {
      const fixtures = new URL('./helpers/fixtures.js', import.meta.url).href
      const logbook = new URL('../src/logbook.js', import.meta.url).href
      const script = `
        import { Logbook } from ${JSON.stringify(logbook)}
        import { SPACE_KEY, identity, snapshot } from ${JSON.stringify(fixtures)}
        const book = await Logbook.create({ dir: ${JSON.stringify(dir)}, spaceKey: SPACE_KEY, identity: identity(21) })
        for (let i = 0; i < 20; i++) await book.append(Array.from({ length: 1 + (i % 5) }, (_, j) => ({ i, j })))
        await book.import(Buffer.from(process.argv[1], 'base64'))
        process.stdout.write(JSON.stringify(await snapshot(book)))
        process.exit(0)
      `
      const input = Buffer.from(frames(e1, other, fork)).toString('base64')
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, input], { encoding: 'utf8' })
      assert.equal(child.status, 0, child.stderr)
      const before = JSON.parse(child.stdout)
      assert.equal(before.ready.length, 20 * 3 + 2)
      const reopened = await Logbook.open({ dir })
      assert.deepEqual(await snapshot(reopened), before)
      assert.equal(reopened.status().pendingEntries, 1)
      assert.deepEqual((await reopened.verify()).problems, [])
      await reopened.close()
    })
  })

  test('the image a crash can leave (x made ready, what waited for x not yet woken) is finished on reopen', async () => {
    // The batch that makes x ready records x in `wakes` when something waits for it; if the process dies
    // before the batch that wakes the waiter, the next open finishes the wake-up.
    await withDir(async (dir) => {
      const waitingSegment = segmentOf(SPACE, buildChain(SPACE, C, 0, null, [jsonBody('waits for x', 5, [x[0].id])]))
      const waitingIds = idsOf(waitingSegment)
      const db = new ClassicLevel<Uint8Array, Uint8Array>(storePaths(dir).db, { keyEncoding: 'view', valueEncoding: 'view' } as any)
      const raw = await Logbook.create({ db, spaceKey: SPACE_KEY, identity: A })
      await raw.import(frameOf(waitingSegment))
      assert.equal(raw.status().pendingEntries, 1)
      // The crash image: x ready, the waiter still pending, x recorded as awaiting its wake-up.
      const totals = raw.internalStore.state.pending
      raw.internalStore.state.pending = { entries: 0, bytes: 0 } // so this import does not wake the waiter itself
      await raw.import(frames(x))
      raw.internalStore.state.pending = totals
      await raw.internalStore.layout.meta.put('pending', `${totals.entries} ${totals.bytes}`)
      await raw.internalStore.layout.wakes.put(x[0].id, new Uint8Array(0))
      assert.equal((await raw.pending()).length, 1, 'the waiter is still pending in the image')
      await raw.close()

      const reopened = await Logbook.open({ db: new ClassicLevel<Uint8Array, Uint8Array>(storePaths(dir).db, { keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey: SPACE_KEY, identity: A })
      assert.ok(await reopened.get(toHex(x[0].id)) !== undefined)
      assert.deepEqual(await reopened.pending(), [], 'the waiter was woken at open')
      assert.ok(await reopened.get(toHex(waitingIds[0])) !== undefined, 'the run that waited for x is ready after reopening')
      assert.equal(reopened.status().pendingEntries, 0)
      assert.deepEqual((await reopened.verify()).problems, [])
      await reopened.close()
    })
  })
})
