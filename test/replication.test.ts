// Replication between two books piped together in one process: both directions, small and large
// differences, peers that met before, forks, filters, live updates, and a peer without the space key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Logbook, LogbookError, type ReplicationStream } from '../src/index.js'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildChain, collect, frameOf, identity, jsonBody, memoryBook, numberedIdentity, OTHER_SPACE_KEY, segmentOf, snapshot, SPACE, SPACE_KEY } from './helpers/fixtures.js'

function pipe (a: ReplicationStream, b: ReplicationStream): void {
  a.pipe(b).pipe(a)
}

async function sync (a: Logbook, b: Logbook, options: { live?: boolean, authors?: string[] } = {}): Promise<{ a: ReplicationStream, b: ReplicationStream }> {
  const sa = a.replicate(true, { ...options, timeout: 10_000 })
  const sb = b.replicate(false, { ...options, timeout: 10_000 })
  pipe(sa, sb)
  await Promise.all([sa.session.synced, sb.session.synced])
  return { a: sa, b: sb }
}

async function ended (streams: { a: ReplicationStream, b: ReplicationStream }): Promise<void> {
  await Promise.all([streams.a.session.done, streams.b.session.done])
}

test('two books exchange what each lacks, both ways, and end', async () => {
  const a = await memoryBook({ identity: identity(1) })
  const b = await memoryBook({ identity: identity(2) })
  await a.append([{ n: 1 }, { n: 2 }, { n: 3 }])
  await b.append(Array.from({ length: 2000 }, (_, i) => ({ i })))
  const streams = await sync(a, b)
  await ended(streams)
  assert.deepEqual(await snapshot(a), await snapshot(b))
  assert.equal(a.status().entries, 2003)
  assert.equal(streams.a.session.stats.mode, 'reconciled')
  assert.equal(streams.a.session.stats.stored, 2000)
  assert.equal(streams.b.session.stats.stored, 3)
  assert.equal((await a.verify()).ok, true)
  await a.close(); await b.close()
})

test('peers that met before send only what changed since, and the difference among many feeds is small on the wire', async () => {
  const a = await memoryBook({ identity: identity(1) })
  const b = await memoryBook({ identity: identity(2) })
  const writers = Array.from({ length: 50 }, (_, i) => identity(100 + i))
  for (const who of writers) {
    const w = await memoryBook({ identity: who })
    await w.append([{ who: who.author }])
    await a.import(w.export())
    await w.close()
  }
  await ended(await sync(a, b))
  assert.deepEqual(await snapshot(a), await snapshot(b))
  await a.append({ later: true })
  const second = await sync(a, b)
  await ended(second)
  assert.equal(second.a.session.stats.mode, 'changes')
  assert.equal(second.b.session.stats.stored, 1)
  assert.equal(second.a.session.stats.sent.entries, 1)
  assert.deepEqual(await snapshot(a), await snapshot(b))
  await a.close(); await b.close()
})

test('a fork travels as both branches and both sides hold the same proof', async () => {
  const one = await memoryBook({ identity: identity(7) })
  const two = await memoryBook({ identity: identity(7) })
  await one.append({ branch: 'one' })
  await two.append({ branch: 'two' })
  const streams = await sync(one, two)
  await ended(streams)
  const s1 = await snapshot(one)
  assert.deepEqual(s1, await snapshot(two))
  assert.equal(s1.forks.length, 1)
  await one.close(); await two.close()
})

test('live: an append on either side reaches the other', async () => {
  const a = await memoryBook({ identity: identity(1) })
  const b = await memoryBook({ identity: identity(2) })
  const streams = await sync(a, b, { live: true })
  const arrived = new Promise<void>((resolve) => b.on('ready', () => { if (b.status().entries === 1) resolve() }))
  const id = await a.append({ live: 1 })
  await arrived
  assert.equal((await b.get(id))?.id, id)
  const back = new Promise<void>((resolve) => a.on('ready', () => { if (a.status().entries === 2) resolve() }))
  await b.append({ live: 2 })
  await back
  assert.deepEqual(await snapshot(a), await snapshot(b))
  streams.a.session.end()
  await ended(streams)
  await a.close(); await b.close()
})

test('a peer without the space key learns nothing and both sides end with SPACE_MISMATCH', async () => {
  const a = await memoryBook({ identity: identity(1) })
  const stranger = await memoryBook({ identity: identity(2), spaceKey: OTHER_SPACE_KEY })
  await a.append({ secret: true })
  const sa = a.replicate(true, { timeout: 5000 })
  const sb = stranger.replicate(false, { timeout: 5000 })
  pipe(sa, sb)
  await assert.rejects(sa.session.done, (err: unknown) => err instanceof LogbookError && err.code === 'SPACE_MISMATCH')
  await assert.rejects(sb.session.done, (err: unknown) => err instanceof LogbookError && err.code === 'SPACE_MISMATCH')
  assert.equal(stranger.status().entries, 0)
  assert.equal(sb.session.stats.received.segments, 0)
  await a.close(); await stranger.close()
})

test('authors limits the feeds; the entries chosen entries link to come along, so nothing chosen waits', async () => {
  const x = await memoryBook({ identity: identity(11) })
  const y = await memoryBook({ identity: identity(12) })
  const z = await memoryBook({ identity: identity(13) })
  const yIds = await y.append([{ y: 1 }, { y: 2 }, { y: 3 }]) // one signed segment: ending at y3
  await y.append({ y: 4 }) // after the linked run: not sent
  await x.import(y.export())
  await z.append({ z: 1 })
  await x.import(z.export())
  const linking = await x.append({ x: 1 }, { links: [yIds[1]] })
  const reader = await memoryBook({ identity: identity(14) })
  const streams = await sync(x, reader, { authors: [x.author] })
  await ended(streams)
  assert.equal((await reader.get(linking))?.id, linking)
  assert.deepEqual((await Promise.all(yIds.map(async (id) => (await reader.get(id))?.id))), yIds)
  assert.equal(reader.status().entries, 4, 'x1 and y1..y3: neither y4 nor z')
  assert.equal(reader.status().pendingEntries, 0)
  for (const book of [x, y, z, reader]) await book.close()
})

test('strangers holding the same feeds store only the entries one side lacks, whichever side holds them', async () => {
  const writers = Array.from({ length: 40 }, (_, i) => numberedIdentity(i))
  const source = await memoryBook({ identity: identity(1) })
  for (const who of writers) {
    await source.setIdentity(who)
    await source.append([{ n: 1 }, { n: 2 }, { n: 3 }])
  }
  const older = await collect(source.export())
  for (const who of writers.slice(0, 5)) {
    await source.setIdentity(who)
    await source.append({ n: 4 })
  }
  const newer = await collect(source.export())
  await source.close()
  for (const holderSide of ['initiator', 'responder'] as const) {
    const a = await memoryBook({ identity: identity(2) })
    const b = await memoryBook({ identity: identity(3) })
    await a.import(holderSide === 'initiator' ? newer : older)
    await b.import(holderSide === 'initiator' ? older : newer)
    const streams = await sync(a, b)
    await ended(streams)
    const [holder, other] = holderSide === 'initiator' ? [streams.a.session.stats, streams.b.session.stats] : [streams.b.session.stats, streams.a.session.stats]
    assert.equal(holder.mode, 'reconciled')
    assert.equal(holder.sent.entries, 5, holderSide)
    // An initiator ahead on a feed finds the responder's older tip on its own branch and asks for nothing;
    // one behind probes its tips and the responder says they lie on its branch: nothing is sent twice.
    assert.equal(other.sent.entries, 0, holderSide)
    assert.equal(holder.stored, 0, holderSide)
    assert.equal(other.stored, 5, holderSide)
    assert.ok(Math.max(holder.roundTrips, other.roundTrips) <= 2, holderSide)
    assert.deepEqual(await snapshot(a), await snapshot(b))
    await a.close(); await b.close()
  }
})

test('live: an append on a hub reaches every peer connected to it', async () => {
  const hub = await memoryBook({ identity: identity(1) })
  const peers = await Promise.all(Array.from({ length: 5 }, async (_, i) => await memoryBook({ identity: identity(10 + i) })))
  const links = await Promise.all(peers.map(async (peer) => await sync(hub, peer, { live: true })))
  for (let n = 1; n <= 3; n++) {
    const arrived = peers.map(async (peer) => await new Promise<void>((resolve) => {
      const check = (): void => { if (peer.status().entries === n) { peer.off('ready', check); resolve() } }
      peer.on('ready', check)
    }))
    const id = await hub.append({ n })
    await Promise.all(arrived)
    for (const peer of peers) assert.equal((await peer.get(id))?.id, id)
  }
  for (const link of links) link.a.session.end()
  await Promise.all(links.map(ended))
  for (const peer of peers) assert.deepEqual(await snapshot(peer), await snapshot(hub))
  await Promise.all([hub, ...peers].map(async (book) => await book.close()))
})

test('a live session moves the peers\' cursors as it goes: the next session sends only what came after it', async () => {
  const a = await memoryBook({ identity: identity(21) })
  const b = await memoryBook({ identity: identity(22) })
  await a.append({ first: true })
  const live = await sync(a, b, { live: true })
  for (let i = 0; i < 5; i++) {
    const arrived = new Promise<void>((resolve) => { const check = (): void => { if (b.status().entries === 2 + i) { b.off('ready', check); resolve() } }; b.on('ready', check) })
    await a.append({ live: i })
    await arrived
  }
  const back = new Promise<void>((resolve) => { const check = (): void => { if (a.status().entries === 7) { a.off('ready', check); resolve() } }; a.on('ready', check) })
  await b.append({ from: 'b' })
  await back
  // Let the marks that follow the last segments arrive and be kept.
  await new Promise((resolve) => setTimeout(resolve, 100))
  await live.a.session.end()
  await ended(live)
  await a.append({ after: true })
  const next = await sync(a, b)
  await ended(next)
  assert.equal(next.a.session.stats.mode, 'changes')
  assert.equal(next.a.session.stats.sent.entries, 1, 'only the entry appended after the live session')
  assert.equal(next.b.session.stats.sent.entries, 0, 'nothing of what b received live goes back')
  assert.deepEqual(await snapshot(a), await snapshot(b))
  await a.close(); await b.close()
})

test('one side limited to some authors, the other not: both size the reconciliation alike and sync', async () => {
  const a = await memoryBook({ identity: identity(31) })
  const b = await memoryBook({ identity: identity(32) })
  for (let i = 0; i < 20; i++) {
    const writer = await memoryBook({ identity: numberedIdentity(300 + i) })
    await writer.append({ i })
    await b.import(writer.export())
    await writer.close()
  }
  const chosen = numberedIdentity(300).author
  const sa = a.replicate(true, { authors: [chosen], timeout: 10_000 })
  const sb = b.replicate(false, { timeout: 10_000 })
  pipe(sa, sb)
  await Promise.all([sa.session.done, sb.session.done])
  assert.equal(a.status().entries, 1, 'only the chosen feed')
  await a.close(); await b.close()
})

test('an entry linking into both branches of a forked feed outside the filter is not left waiting', async () => {
  const alpha = await memoryBook({ identity: identity(7) })
  const beta = await memoryBook({ identity: identity(7) })
  const [, alpha2] = await alpha.append([{ branch: 'alpha', n: 1 }, { branch: 'alpha', n: 2 }])
  const beta1 = await beta.append({ branch: 'beta', n: 1 })
  const x = await memoryBook({ identity: identity(8) })
  await x.import(alpha.export())
  await x.import(beta.export())
  await x.append({ refers: 'alpha2' }, { links: [alpha2] })
  await x.append({ refers: 'beta1' }, { links: [beta1] })
  const reader = await memoryBook({ identity: identity(9) })
  await ended(await sync(x, reader, { authors: [x.author] }))
  let mine = 0
  for await (const _ of reader.log({ author: x.author })) mine++
  assert.equal(mine, 2)
  assert.equal(reader.status().pendingEntries, 0)
  for (const book of [alpha, beta, x, reader]) await book.close()
})

test('a store copied to another directory is another store: a peer that met the original syncs the copy in full', async () => {
  const root = mkdtempSync(join(tmpdir(), 'logbook-copy-'))
  try {
    const c = await memoryBook({ identity: identity(2) })
    const original = await Logbook.create({ dir: join(root, 'one'), spaceKey: SPACE_KEY, identity: identity(1) })
    await original.append([{ base: 1 }, { base: 2 }])
    await ended(await sync(c, original))
    await original.close()
    cpSync(join(root, 'one'), join(root, 'two'), { recursive: true })
    const one = await Logbook.open({ dir: join(root, 'one') })
    const two = await Logbook.open({ dir: join(root, 'two') })
    assert.notEqual(two.cursor.split(':')[0], one.cursor.split(':')[0], 'the copy has an instance id of its own')
    await one.append({ one: 1 })
    for (let i = 0; i < 5; i++) await two.append({ two: i })
    await ended(await sync(c, one))
    const second = await sync(c, two)
    await ended(second)
    assert.equal(second.a.session.stats.mode, 'reconciled')
    const held = await snapshot(c)
    for (const id of (await snapshot(two)).ready) assert.ok(held.ready.includes(id), 'every entry of the copy reached the peer')
    await one.close(); await two.close(); await c.close()
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('strangers holding the same entries with different signatures end holding the same signatures', async () => {
  const writer = identity(41)
  const bodies = [jsonBody({ n: 1 }, 1), jsonBody({ n: 2 }, 2), jsonBody({ n: 3 }, 3)]
  const lastSigned = segmentOf(SPACE, buildChain(SPACE, writer, 0, null, bodies, (i) => i === 2))
  const allSigned = segmentOf(SPACE, buildChain(SPACE, writer, 0, null, bodies, () => true))
  for (const fewerOn of ['initiator', 'responder'] as const) {
    const a = await memoryBook({ identity: identity(42) })
    const b = await memoryBook({ identity: identity(43) })
    await a.import(frameOf(fewerOn === 'initiator' ? lastSigned : allSigned))
    await b.import(frameOf(fewerOn === 'initiator' ? allSigned : lastSigned))
    const streams = await sync(a, b)
    await ended(streams)
    assert.equal(streams.a.session.stats.mode, 'reconciled')
    const [sa, sb] = [await snapshot(a), await snapshot(b)]
    assert.equal(sa.signed.length, 3, fewerOn)
    assert.deepEqual(sa, sb)
    await a.close(); await b.close()
  }
})

test('an entry that leaves the pending area while a one-off session reads it is sent all the same', async () => {
  const a = await memoryBook({ identity: identity(1) })
  const b = await memoryBook({ identity: identity(2) })
  await b.append({ b: 1 })
  // A holds W's second entry, pending for its first; the first arrives just as A's session starts
  // reading the pending area, so the second is neither in a range A sends nor pending any more.
  const writer = numberedIdentity(7)
  const chain = buildChain(SPACE, writer, 0, null, [jsonBody({ w: 1 }, 1), jsonBody({ w: 2 }, 2)])
  await a.import(frameOf(segmentOf(SPACE, [chain[1]])))
  assert.equal(a.status().pendingEntries, 1)
  const reader = a.internalStore.reader
  const readPending = reader.pendingEntries.bind(reader)
  let woke = false
  reader.pendingEntries = async function * (options) {
    if (!woke) {
      woke = true
      await a.import(frameOf(segmentOf(SPACE, [chain[0]])))
    }
    yield * readPending(options)
  }
  await ended(await sync(a, b))
  assert.equal(woke, true)
  assert.equal(a.status().pendingEntries, 0)
  // B got the entry A held when the session began (the first came later: the next session's to send).
  assert.equal(b.status().pendingEntries, 1)
  await ended(await sync(a, b))
  assert.deepEqual(await snapshot(b), await snapshot(a))
  await a.close(); await b.close()
})
