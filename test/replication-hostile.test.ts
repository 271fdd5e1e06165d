// A hostile peer against an honest Logbook: forged signatures, made-up ids, a forged fork proof, messages
// too large, malformed or out of place, an endless stream, a stall, another space's key, and the store's
// hostile inputs (bench/hostile/) sent over the wire. Each ends the session with a stable code or is
// absorbed within the pending quota; what was valid before stays, memory stays bounded, verify passes;
// and a peer without the space key learns nothing of the store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { MemoryLevel } from 'memory-level'
import { Logbook, LogbookError, type ReplicationStats, type ReplicationStream } from '../src/index.js'
import { fromHex } from '../src/entry/bytes.js'
import { encodeMessage, type Message, type Want } from '../src/replication/messages.js'
import * as g from '../bench/hostile/generators.js'
import { firstEntry, T0 } from '../bench/hostile/inputs.js'
import { HostilePeer } from './helpers/hostile-peer.js'
import { run } from './helpers/cli.js'
import {
  binaryBody, buildChain, concatBytes, frameOf, identity, jsonBody, memoryBook, OTHER_SPACE, OTHER_SPACE_KEY,
  segmentOf, snapshot, SPACE, SPACE_KEY, toHex, twinOf
} from './helpers/fixtures.js'
import { signEntryId } from '../src/crypto/index.js'
import { encodeSegmentBody } from '../src/entry/segment.js'
import { MAX_MESSAGE_BYTES } from '../src/replication/session.js'

v8.setFlagsFromString('--expose-gc')
/** A full collection, so that what is measured is what is still held, not garbage not yet collected. */
const collectGarbage = vm.runInNewContext('gc') as () => void

const STRANGER = identity(31)
const MiB = 1024 * 1024

/**
 * The session's end, or a failure after `ms`. The timer also keeps the process running: streams piped
 * in one process hold nothing open, and a session that never ends would otherwise end the test file.
 */
async function ended (stream: ReplicationStream, ms = 30_000): Promise<ReplicationStats> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`the session did not end within ${ms} ms`)), ms) })
  try {
    return await Promise.race([stream.session.done, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The honest side's session rejects with `code`. */
async function rejectsWith (stream: ReplicationStream, code: string): Promise<void> {
  await assert.rejects(ended(stream), (err: unknown) => {
    assert.ok(err instanceof LogbookError, `a LogbookError, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    return true
  })
}

/** An honest book (memory-level) holding a few entries of its own, with an optional pending quota. */
async function honestBook (pendingQuota?: { perAuthor: number, total: number }): Promise<Logbook> {
  const book = await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey: SPACE_KEY, identity: identity(1), pendingQuota })
  await book.append([{ honest: 1 }, { honest: 2 }, { honest: 3 }])
  return book
}

/** An honest session (the initiator or not) and a hostile peer on the other end, past the handshake. */
async function connected (book: Logbook, honestInitiator: boolean, options: { timeout?: number } = {}): Promise<{ honest: ReplicationStream, peer: HostilePeer }> {
  const honest = book.replicate(honestInitiator, { timeout: options.timeout ?? 10_000 })
  const peer = HostilePeer.piped(honest, !honestInitiator)
  await peer.handshake(SPACE_KEY)
  return { honest, peer }
}

/** A loopback TCP connection: the honest side's socket and the hostile side's. */
async function loopback (): Promise<{ honestSocket: net.Socket, peerSocket: net.Socket, close: () => void }> {
  const server = net.createServer()
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const peerSocket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
  const honestSocket = await accepted
  return { honestSocket, peerSocket, close: () => { peerSocket.destroy(); honestSocket.destroy(); server.close() } }
}

/** A stranger's feed of `count` entries, one signed segment each. */
function strangerFeed (count: number, who = STRANGER): Uint8Array[] {
  const chain = buildChain(SPACE, who, 0, null, Array.from({ length: count }, (_, i) => jsonBody({ stranger: i }, T0 + i)))
  return chain.map((entry) => frameOf(segmentOf(SPACE, [entry])))
}

/** Every id of `book` a peer must not learn without the key: its author, every feed, every entry. */
async function secretsOf (book: Logbook): Promise<Uint8Array[]> {
  const ids = [book.author, ...book.feedHeads().map((head) => head.author)]
  for await (const entry of book.log()) ids.push(entry.id)
  return ids.map((hex) => fromHex(hex, 32) as Uint8Array)
}

/** Asserts that no message `peer` received holds any of `secrets`, as bytes or as hex text. */
function assertLearnedNothing (peer: HostilePeer, secrets: Uint8Array[]): void {
  const types = peer.receivedMessages().map((message) => message.type)
  assert.ok(types.every((type) => type === 'proof' || type === 'error'), `only the proof (and why the session ended), got ${types.join(', ')}`)
  assert.ok(types.filter((type) => type === 'proof').length <= 1)
  for (const bytes of peer.received) {
    const buffer = Buffer.from(bytes)
    for (const secret of secrets) {
      assert.equal(buffer.indexOf(secret), -1, `a message holds ${toHex(secret)}`)
      assert.equal(buffer.indexOf(toHex(secret).slice(0, 16)), -1, `a message holds ${toHex(secret)} as text`)
    }
  }
}

// ---- forged and made-up content ----

test('a forged signature ends the session with BAD_SIGNATURE; the valid segments sent before it are kept', async () => {
  const book = await honestBook()
  const { honest, peer } = await connected(book, false)
  const valid = strangerFeed(3)
  for (const frame of valid) await peer.sendFrame(frame)
  const [forged] = buildChain(SPACE, identity(32), 0, null, [jsonBody({ forged: true }, T0)])
  forged.signature = signEntryId(forged.id, identity(33).secretKey)
  await peer.sendFrame(frameOf(segmentOf(SPACE, [forged])))
  await rejectsWith(honest, 'BAD_SIGNATURE')
  assert.equal(book.status().entries, 3 + 3, 'the stranger\'s three entries are kept')
  assert.equal(await book.get(toHex(forged.id)), undefined)
  assert.equal(honest.session.stats.rejected, 1)
  assert.equal((await book.verify()).ok, true)
  await book.close()
})

test('a forged fork proof (a second entry at a held seq, its signature forged) is refused and sets no fork marker', async () => {
  const book = await honestBook()
  const held = firstEntry(STRANGER, jsonBody({ branch: 'held' }, T0))
  await book.import(frameOf(segmentOf(SPACE, [held])))
  const { honest, peer } = await connected(book, true)
  const [other] = buildChain(SPACE, STRANGER, 0, null, [jsonBody({ branch: 'forged' }, T0)])
  // A real signature of the author, but over the held entry's id: it does not sign this entry.
  other.signature = held.signature
  await peer.sendFrame(frameOf(segmentOf(SPACE, [other])))
  await rejectsWith(honest, 'BAD_SIGNATURE')
  assert.deepEqual(book.status().forks, [])
  assert.deepEqual(await book.forks(), [])
  assert.equal(await book.get(toHex(other.id)), undefined)
  assert.equal((await book.verify()).ok, true)
  await book.close()
})

test('a segment whose prev is a made-up id waits in the pending area and is never ready; the session ends well', async () => {
  const book = await honestBook()
  const { honest, peer } = await connected(book, false)
  const madeUp = twinOf(buildChain(SPACE, STRANGER, 0, null, [jsonBody({ real: true }, T0)])[0].id)
  const waiting = buildChain(SPACE, STRANGER, 1, madeUp, [jsonBody({ after: 'nothing' }, T0)])
  await peer.reconcile()
  await peer.sendFrame(frameOf(segmentOf(SPACE, waiting)))
  await peer.finish()
  const stats = await ended(honest)
  assert.equal(stats.rejected, 0)
  assert.equal(book.status().pendingEntries, 1)
  assert.equal(await book.get(toHex(waiting[0].id)), undefined)
  assert.deepEqual((await book.pending()).map((run) => run.waitsFor), [toHex(madeUp)])
  assert.equal((await book.verify()).ok, true)
  await book.close()
})

test('a segment of another space ends the session with WRONG_SPACE', async () => {
  const book = await honestBook()
  const { honest, peer } = await connected(book, false)
  await peer.sendFrame(strangerFeed(1)[0])
  const [elsewhere] = buildChain(OTHER_SPACE, STRANGER, 0, null, [jsonBody({ elsewhere: true }, T0)])
  await peer.sendFrame(frameOf(segmentOf(OTHER_SPACE, [elsewhere])))
  await rejectsWith(honest, 'WRONG_SPACE')
  assert.equal(book.status().entries, 4, 'the segment of this space before it is kept')
  assert.equal((await book.verify()).ok, true)
  await book.close()
})

// ---- messages too large, malformed, or out of place ----

test('a message larger than the limit ends the session with MESSAGE_TOO_LARGE', async () => {
  const book = await honestBook()
  const { honest, peer } = await connected(book, false)
  const oversized = new Uint8Array(MAX_MESSAGE_BYTES + 1)
  oversized[0] = encodeMessage({ type: 'segment', body: new Uint8Array(0) })[0]
  await peer.send(oversized).catch(() => {})
  await rejectsWith(honest, 'MESSAGE_TOO_LARGE')
  assert.equal(book.status().entries, 3)
  await book.close()
})

interface WrongCase {
  name: string
  /** The honest side's role. */
  honestInitiator: boolean
  /** Whether the hostile peer does the handshake first. */
  handshake: boolean
  script: (peer: HostilePeer) => Promise<void>
  code: string
  /** Segments the honest side may have sent before the session ended (default: none). */
  sent?: number
}

const known = encodeMessage({ type: 'known', change: null })

/** As the initiator: fingerprints (one bucket), the honest side's items, then each of `wants` as a want message. */
function wantsAfterItems (wants: Want['wants'][]): (peer: HostilePeer) => Promise<void> {
  return async (peer) => {
    await peer.send({ type: 'fingerprints', buckets: 1, digests: new Uint8Array(8) })
    await peer.expect('items')
    for (const want of wants) await peer.send({ type: 'want', wants: want, probes: [] })
  }
}

const WRONG: WrongCase[] = [
  { name: 'a message of an unknown type', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send(new Uint8Array([200, 1, 2, 3])) }, code: 'PROTOCOL_ERROR' },
  {
    name: 'a hello cut short',
    honestInitiator: false,
    handshake: false,
    script: async (peer) => {
      await peer.sendProof(SPACE_KEY)
      await peer.send(encodeMessage(peer.signedHello()).subarray(0, 10))
    },
    code: 'PROTOCOL_ERROR'
  },
  {
    name: 'a known with bytes too many',
    honestInitiator: true,
    handshake: false,
    script: async (peer) => {
      await peer.sendProof(SPACE_KEY)
      await peer.send(peer.signedHello())
      await peer.send(concatBytes([known, new Uint8Array([0])]))
    },
    code: 'PROTOCOL_ERROR'
  },
  {
    name: 'a segment where the hello belongs',
    honestInitiator: false,
    handshake: false,
    script: async (peer) => { await peer.sendProof(SPACE_KEY); await peer.sendFrame(strangerFeed(1)[0]) },
    code: 'PROTOCOL_ERROR'
  },
  { name: 'a second proof after the handshake', honestInitiator: true, handshake: true, script: async (peer) => { await peer.sendProof(SPACE_KEY) }, code: 'PROTOCOL_ERROR' },
  { name: 'a second hello after the handshake', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send(peer.signedHello()) }, code: 'PROTOCOL_ERROR' },
  { name: 'fingerprints sent to the initiator', honestInitiator: true, handshake: true, script: async (peer) => { await peer.send({ type: 'fingerprints', buckets: 1, digests: new Uint8Array(8) }) }, code: 'PROTOCOL_ERROR' },
  { name: 'fingerprints of the wrong bucket count', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send({ type: 'fingerprints', buckets: 65536, digests: new Uint8Array(65536 * 8) }) }, code: 'PROTOCOL_ERROR' },
  {
    // Each answered with a full list of the honest side's tips: repeated, an amplifier.
    name: 'fingerprints sent again',
    honestInitiator: false,
    handshake: true,
    script: async (peer) => {
      const fingerprints: Message = { type: 'fingerprints', buckets: 1, digests: new Uint8Array(8) }
      for (let i = 0; i < 1000; i++) await peer.send(fingerprints)
    },
    code: 'PROTOCOL_ERROR'
  },
  { name: 'items sent to the responder', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send({ type: 'items', buckets: [] }) }, code: 'PROTOCOL_ERROR' },
  {
    name: 'items listing a bucket that does not exist',
    honestInitiator: true,
    handshake: true,
    script: async (peer) => { await peer.expect('fingerprints'); await peer.send({ type: 'items', buckets: [{ bucket: 1 << 20, items: [] }] }) },
    code: 'PROTOCOL_ERROR'
  },
  {
    // Each listing of a bucket makes the initiator look up its own tips there again.
    name: 'items listing one bucket many times',
    honestInitiator: true,
    handshake: true,
    script: async (peer) => {
      await peer.expect('fingerprints')
      await peer.send({ type: 'items', buckets: Array.from({ length: 100_000 }, () => ({ bucket: 0, items: [] })) })
    },
    code: 'PROTOCOL_ERROR'
  },
  { name: 'a want for an item that was not listed', honestInitiator: false, handshake: true, script: wantsAfterItems([[{ bucket: 0, index: 7, after: 0, afterId: null }]]), code: 'PROTOCOL_ERROR' },
  // Each want of the same tip walks its feed again.
  { name: 'a want naming the same item many times', honestInitiator: false, handshake: true, script: wantsAfterItems([Array.from({ length: 200_000 }, () => ({ bucket: 0, index: 0, after: 0, afterId: null }))]), code: 'PROTOCOL_ERROR' },
  { name: 'a second want', honestInitiator: false, handshake: true, script: wantsAfterItems([[], []]), code: 'PROTOCOL_ERROR', sent: 1 },
  { name: 'done twice', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send({ type: 'done', through: 0 }); await peer.send({ type: 'done', through: 0 }) }, code: 'PROTOCOL_ERROR' },
  { name: 'a done cut short', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send(encodeMessage({ type: 'done', through: 0 }).subarray(0, 1)) }, code: 'PROTOCOL_ERROR' },
  {
    name: 'a segment body that is not one',
    honestInitiator: false,
    handshake: true,
    script: async (peer) => { await peer.send({ type: 'segment', body: encodeSegmentBody(segmentOf(SPACE, buildChain(SPACE, STRANGER, 0, null, [jsonBody(1, T0)]))).subarray(0, 20) }) },
    code: 'NON_CANONICAL'
  },
  { name: 'an error with a code this side does not know', honestInitiator: false, handshake: true, script: async (peer) => { await peer.send({ type: 'error', code: 'NOT_A_CODE', message: 'x'.repeat(10_000) }) }, code: 'PROTOCOL_ERROR' }
]

for (const wrong of WRONG) {
  test(`${wrong.name} ends the session with ${wrong.code}`, async () => {
    const book = await honestBook()
    const honest = book.replicate(wrong.honestInitiator, { timeout: 10_000 })
    const peer = HostilePeer.piped(honest, !wrong.honestInitiator)
    if (wrong.handshake) await peer.handshake(SPACE_KEY)
    await wrong.script(peer).catch(() => {})
    await rejectsWith(honest, wrong.code)
    assert.ok(honest.session.stats.sent.segments <= (wrong.sent ?? 0), `sent ${honest.session.stats.sent.segments} segments`)
    assert.equal(book.status().entries, 3)
    assert.equal((await book.verify()).ok, true)
    await book.close()
  })
}

/** A memory database that counts its reads: the work a peer's message causes, measured without a clock. */
function countingDb (): { db: MemoryLevel<Uint8Array, Uint8Array>, reads: () => number } {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
  let reads = 0
  // Sublevels read through these of the database they belong to.
  for (const name of ['get', 'getSync', 'getMany'] as const) {
    const read = (db[name] as (...args: any[]) => unknown).bind(db)
    ;(db as any)[name] = (keys: unknown, ...rest: unknown[]) => { reads += Array.isArray(keys) ? keys.length : 1; return read(keys, ...rest) }
  }
  return { db, reads: () => reads }
}

test('items listing thousands of tips of one feed cost the initiator work in proportion to its own tips', async () => {
  const { db, reads: readsSoFar } = countingDb()
  const book = await Logbook.create({ db, spaceKey: SPACE_KEY, identity: identity(200) })
  // One feed with 101 tips: a main chain of 100 entries and a side branch off each of them.
  await book.import(concatBytes(g.comb(100).input))
  const tips = book.feedHeads().length
  const honest = book.replicate(true, { timeout: 10_000 })
  const peer = HostilePeer.piped(honest, false)
  await peer.handshake(SPACE_KEY)
  const { buckets } = await peer.expect('fingerprints')
  const { bucket, digest } = peer.authorDigest(identity(1).publicKey, buckets)
  // Tips at every seq of the feed, none of them the honest side's: each of its own tips could be sent from any.
  const items = Array.from({ length: 20_000 }, (_, i) => ({ author: digest, seq: 1 + (i % 100), digest: randomBytes(8), signed: 0 }))
  const before = readsSoFar()
  await peer.send({ type: 'items', buckets: [{ bucket, items }] })
  const want = await peer.expect('want')
  // This peer places none of the tips it was asked about (a fork everywhere): the honest side sends them all.
  await peer.send({ type: 'need', probes: want.probes.map((_, i) => i) })
  for (let message = await peer.next(); message !== null && message.type !== 'done'; message = await peer.next()) {}
  const reads = readsSoFar() - before
  await peer.finish()
  await ended(honest)
  assert.equal(want.wants.length, items.length)
  assert.equal(want.probes.length, tips - 2, 'every tip below the highest listed seq is probed')
  assert.ok(reads < 100 * tips, `${reads} reads for ${tips} tips of its own and ${items.length} listed`)
  assert.equal(honest.session.stats.sent.entries, 200)
  await book.close()
})

// ---- stalls ----

test('a peer that stalls after the handshake ends the session with PEER_TIMEOUT', async () => {
  const book = await honestBook()
  const tcp = await loopback()
  try {
    const honest = book.replicate(false, { timeout: 300, stream: tcp.honestSocket })
    const peer = new HostilePeer(true, tcp.peerSocket)
    await peer.handshake(SPACE_KEY)
    await rejectsWith(honest, 'PEER_TIMEOUT')
    assert.ok(peer.receivedMessages().every((message) => message.type !== 'segment'))
  } finally {
    tcp.close()
  }
  await book.close()
})

test('a peer that stalls in the middle of the Noise handshake ends the session with PEER_TIMEOUT', async () => {
  const book = await honestBook()
  const tcp = await loopback()
  try {
    const honest = book.replicate(false, { timeout: 300, stream: tcp.honestSocket })
    // A length prefix of a handshake message, then nothing.
    tcp.peerSocket.write(new Uint8Array([200, 0, 0]))
    await rejectsWith(honest, 'PEER_TIMEOUT')
  } finally {
    tcp.close()
  }
  await book.close()
})

// ---- the space key ----

test('a hello that names an identity it is not signed by (claiming another store\'s change log) is a PROTOCOL_ERROR', async () => {
  const book = await honestBook()
  const honest = book.replicate(false, { timeout: 10_000 })
  const peer = HostilePeer.piped(honest, true)
  await peer.sendProof(SPACE_KEY)
  await peer.expect('proof')
  // Someone else's identity and instance, with a signature of its own key: a cursor under that name would be poisoned.
  const forged = { ...peer.signedHello(), author: identity(1).publicKey }
  await peer.send(forged)
  await rejectsWith(honest, 'PROTOCOL_ERROR')
  await book.close()
})

test('a peer proving another space\'s key ends the session with SPACE_MISMATCH and learns no id', async () => {
  for (const honestInitiator of [true, false]) {
    const book = await honestBook()
    await book.import(concatBytes(strangerFeed(2)))
    const honest = book.replicate(honestInitiator, { timeout: 10_000 })
    const peer = HostilePeer.piped(honest, !honestInitiator)
    await peer.sendProof(OTHER_SPACE_KEY)
    await peer.send(peer.signedHello()).catch(() => {})
    await rejectsWith(honest, 'SPACE_MISMATCH')
    await peer.closed
    assertLearnedNothing(peer, await secretsOf(book))
    assert.notEqual(toHex(peer.noise.remotePublicKey as Uint8Array), book.author, 'the Noise key is not the author\'s')
    await book.close()
  }
})

test('a peer that skips the proof ends the session with PROTOCOL_ERROR and learns no id', async () => {
  const book = await honestBook()
  const honest = book.replicate(true, { timeout: 10_000 })
  const peer = HostilePeer.piped(honest, false)
  await peer.noise.opened
  await peer.send(peer.signedHello({ items: 1, live: true }))
  await peer.send({ type: 'known', change: 0 })
  await peer.send({ type: 'want', wants: [{ bucket: 0, index: 0, after: 0, afterId: null }], probes: [] })
  await rejectsWith(honest, 'PROTOCOL_ERROR')
  await peer.closed
  assertLearnedNothing(peer, await secretsOf(book))
  await book.close()
})

// ---- endless streams and floods ----

/** Bytes the process still holds (JS heap and buffers), after a full collection. */
function heldBytes (): number {
  collectGarbage()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

for (const transport of ['pipe', 'loopback TCP'] as const) {
  test(`an endless stream (${transport}) is read only as fast as it is stored: memory stays bounded`, async () => {
    const book = await honestBook()
    const chain = buildChain(SPACE, STRANGER, 0, null, Array.from({ length: 1000 }, (_, i) => binaryBody(new Uint8Array(4000).fill(i & 0xff), T0 + i)), () => false)
    const frame = frameOf(segmentOf(SPACE, chain))
    let honest: ReplicationStream
    let peer: HostilePeer
    let close = (): void => {}
    if (transport === 'pipe') {
      honest = book.replicate(false, { timeout: 10_000 })
      peer = HostilePeer.piped(honest, true)
    } else {
      const tcp = await loopback()
      close = tcp.close
      honest = book.replicate(false, { timeout: 10_000, stream: tcp.honestSocket })
      peer = new HostilePeer(true, tcp.peerSocket)
    }
    const sends = 100
    let peak = 0
    let stats: ReplicationStats
    try {
      await peer.handshake(SPACE_KEY)
      await peer.reconcile()
      const before = heldBytes()
      for (let i = 0; i < sends; i++) {
        await peer.sendFrame(frame)
        if (i % 10 === 9) peak = Math.max(peak, heldBytes() - before)
      }
      await peer.finish()
      stats = await ended(honest)
    } finally {
      close()
    }
    // Unbounded buffering would hold most of the ~380 MiB sent; reading at the store's pace holds a few messages.
    assert.ok(sends * frame.byteLength > 380 * MiB)
    assert.ok(peak < 96 * MiB, `held ${Math.round(peak / MiB)} MiB more while ${Math.round(sends * frame.byteLength / MiB)} MiB came in`)
    assert.equal(stats.received.segments, sends)
    assert.equal(stats.stored, 1000)
    assert.equal(stats.duplicates, (sends - 1) * 1000)
    assert.equal((await book.verify()).ok, true)
    await book.close()
  })
}

test('a flood of overlapping waiting segments is absorbed within the pending quota, on disk, and `logbook verify` passes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logbook-hostile-peer-'))
  try {
    const quota = { perAuthor: 16 * 1024, total: 32 * 1024 }
    const made = g.overlappingPending(12)
    // The quota is enforced after each segment is stored: at most one segment's pending bytes above it.
    const probe = await memoryBook()
    await probe.import(made.input[0])
    const oneSegment = probe.status().pendingBytes
    await probe.close()
    const book = await Logbook.create({ dir, spaceKey: SPACE_KEY, identity: identity(1), pendingQuota: quota })
    await book.append([{ honest: 1 }])
    const { honest, peer } = await connected(book, true)
    await peer.reconcile()
    let peakPending = 0
    for (const frame of made.input) {
      await peer.sendFrame(frame)
      peakPending = Math.max(peakPending, book.status().pendingBytes)
    }
    await peer.finish()
    const stats = await ended(honest)
    const status = book.status()
    assert.equal(stats.rejected, 0)
    assert.equal(stats.received.segments, made.input.length)
    assert.ok(peakPending <= quota.perAuthor + oneSegment, `pending ${peakPending} bytes`)
    assert.ok(status.pendingBytes > 0 && status.pendingBytes <= quota.perAuthor, `pending ${status.pendingBytes} bytes at the end`)
    assert.ok(status.pendingEntries < made.distinct, `${status.pendingEntries} of ${made.distinct} entries kept pending`)
    assert.equal(status.entries, 1, 'nothing of the flood is ready')
    assert.equal((await book.verify()).ok, true)
    await book.close()
    const verified = run(['--dir', dir, 'verify'])
    assert.equal(verified.status, 0, verified.stderr)
    assert.match(verified.stdout, /^ok: 1 entries verified\n$/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

// ---- the store's hostile inputs, over the wire ----

/** Prefix twins: entries whose prev or link is a made-up id sharing 31 bytes with a real one. */
function prefixTwins (): g.HostileInput {
  const real = firstEntry(identity(52), jsonBody('real', T0))
  const first = firstEntry(identity(51), jsonBody('a1', T0))
  const linksTwin = buildChain(SPACE, identity(51), 1, first.id, [jsonBody('links a twin', T0, [twinOf(real.id)])])
  const prevTwin = buildChain(SPACE, identity(51), 1, twinOf(first.id), [jsonBody('prev is a twin', T0), jsonBody('and after it', T0)])
  const frames = [segmentOf(SPACE, linksTwin), segmentOf(SPACE, prevTwin), segmentOf(SPACE, [real]), segmentOf(SPACE, [first])].map(frameOf)
  return { before: [], input: frames, withheld: [], canonical: [...frames].reverse(), units: 4, distinct: 5 }
}

const OVER_THE_WIRE: Array<{ name: string, made: g.HostileInput }> = [
  { name: 'many fork branches of one feed', made: g.branches(40) },
  { name: 'forked authors whose branches wait', made: g.forkedAuthorsProofs(8) },
  { name: 'overlapping waiting segments', made: g.overlappingPending(6) },
  { name: 'prefix cuts of one chain', made: g.prefixCuts(12) },
  { name: 'a comb of side branches', made: g.comb(30) },
  { name: 'prefix twins', made: prefixTwins() }
]

for (const { name, made } of OVER_THE_WIRE) {
  test(`over the wire, ${name} end in the state an import of them gives`, async () => {
    const imported = await memoryBook()
    await imported.import(concatBytes([...made.before, ...made.input, ...made.withheld]))
    const book = await memoryBook()
    await book.import(concatBytes(made.before))
    const honest = book.replicate(false, { timeout: 10_000 })
    const peer = HostilePeer.piped(honest, true)
    await peer.handshake(SPACE_KEY)
    await peer.reconcile()
    for (const frame of [...made.input, ...made.withheld]) await peer.sendFrame(frame)
    await peer.finish()
    const stats = await ended(honest)
    assert.equal(stats.rejected, 0)
    assert.deepEqual(await snapshot(book), await snapshot(imported))
    assert.equal(book.status().pendingEntries, imported.status().pendingEntries)
    assert.equal((await book.verify()).ok, true)
    await book.close()
    await imported.close()
  })
}
