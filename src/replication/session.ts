// One replication session over a Noise stream (docs/PROTOCOL.md). Both sides first prove they hold the
// space key, bound to this Noise session, and say nothing else before the other's proof checks out. Then
// each says where its change log stands and what it received from the other before. Two peers that met
// before send what changed since (the change log makes that exact); others reconcile their feed tips
// (reconcile.ts) and send what the other lacks. Everything received goes through the same intake as an
// import. With `live`, each side then sends what changes in its store until the stream closes.
import { EventEmitter } from 'events'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { equalConstantTime, reconcileKey, sha256, signHello, spaceProof, verifyHello } from '../crypto/index.js'
import { LogbookError, type ErrorCode } from '../errors.js'
import { fromHex, toHex } from '../entry/bytes.js'
import { MAX_SEGMENT_BYTES } from '../entry/limits.js'
import { decodeSegmentBody, encodeSegmentBody } from '../entry/segment.js'
import type { Segment } from '../entry/types.js'
import { exportSegments } from '../io/export.js'
import { Intake } from '../io/intake.js'
import type { Store } from '../store/store.js'
import { decodeMessage, encodeMessage, PROTOCOL_VERSIONS, type Hello, type Item, type Message, type Want } from './messages.js'
import { bucketCount, MAX_BUCKETS, TipSet, type Tip } from './reconcile.js'
import { pendingSegments, rangeSegments, signedCounts, wokenSegments, type Range } from './sender.js'
import { initiatorPlan, responderPlan } from './differ.js'
import { LinkedPrefixes } from './linked.js'

/** The largest message a peer may send: a segment of the largest size, with room for its type byte. */
export const MAX_MESSAGE_BYTES = MAX_SEGMENT_BYTES + 1024
/** The codes a peer may end a session with: the protocol's own, and what the intake refuses segments with. */
const PEER_ERROR_CODES = new Set<string>(['SPACE_MISMATCH', 'VERSION_MISMATCH', 'PROTOCOL_ERROR', 'MESSAGE_TOO_LARGE', 'PEER_TIMEOUT', 'CONNECTION_CLOSED',
  'BAD_SIGNATURE', 'ID_MISMATCH', 'BAD_CHAIN', 'WRONG_SPACE', 'NON_CANONICAL', 'MISSING_SIGNATURE', 'SEGMENT_TOO_LARGE', 'INVALID_PAYLOAD', 'TOO_MANY_LINKS', 'IO_ERROR'])

/** Without a byte from the peer for this long (keep-alives included), the session ends with PEER_TIMEOUT. */
export const DEFAULT_TIMEOUT_MS = 30_000
/** Ids of entries received that a live session remembers, so it does not send them straight back. */
const ECHO_MEMORY = 65_536

export interface ReplicateOptions {
  /** Stay connected after the first sync and send what changes, both ways, until the stream closes. */
  live?: boolean
  /** Only these authors' feeds (hex or bytes); both sides' lists are intersected. Default: every feed. */
  authors?: Array<string | Uint8Array>
  /** Milliseconds without a byte from the peer before the session ends with PEER_TIMEOUT (default 30 s; 0: never). */
  timeout?: number
  /** Told as segments go and come. */
  onProgress?: (stats: ReplicationStats) => void
}

export interface ReplicationStats {
  /** How the first sync found the difference: `changes` (peers that met before) or `reconciled`. */
  mode: 'changes' | 'reconciled' | null
  sent: { segments: number, entries: number, bytes: number }
  received: { segments: number, entries: number, bytes: number }
  /** Entries stored for the first time, and entries received that were held already. */
  stored: number
  duplicates: number
  /** Segments the store refused (the session ends at the first: an honest peer never sends one). */
  rejected: number
  /** Requests after the handshake whose answer this side waited for before it could go on (the initiator of a reconciliation: 2; peers met before: 0). */
  roundTrips: number
  /** Bytes on the wire, both ways, Noise framing included. */
  wireBytes: { sent: number, received: number }
  /** Milliseconds from the start to the first complete sync (null before). */
  syncMs: number | null
}

/** Hooks a session needs from its Logbook. */
export interface SessionHost {
  store: Store
  spaceKey: Uint8Array
  /** The store's identity: it signs this side's hello. */
  identity: { publicKey: Uint8Array, secretKey: Uint8Array }
  /** fsync what is received (the Logbook's `sync` option), as appends and imports do. */
  sync?: boolean
  /** Holds views' reaction to forks until the returned function is called (one rebuild per burst). */
  holdForkNews?: () => () => void
}

function authorBytes (author: string | Uint8Array): Uint8Array {
  if (author instanceof Uint8Array && author.byteLength === 32) return author
  if (typeof author === 'string' && /^[0-9a-f]{64}$/.test(author)) return fromHex(author, 32) as Uint8Array
  throw new LogbookError('INVALID_ARGUMENT', `authors: expected 64 lowercase hex digits or 32 bytes, got ${typeof author === 'string' ? JSON.stringify(author) : `${author.byteLength} bytes`}`)
}

/** The effective author filter of a session: both sides' lists intersected; null is every feed. */
function effectiveAuthors (mine: Uint8Array[], theirs: Uint8Array[]): Set<string> | null {
  if (mine.length === 0 && theirs.length === 0) return null
  if (mine.length === 0) return new Set(theirs.map(toHex))
  if (theirs.length === 0) return new Set(mine.map(toHex))
  const other = new Set(theirs.map(toHex))
  return new Set(mine.map(toHex).filter((hex) => other.has(hex)))
}

/** The key peer cursors are kept under for a filter: the same filter, the same cursor. */
function scopeOf (authors: Set<string> | null): string {
  if (authors === null) return 'all'
  return toHex(sha256(new TextEncoder().encode([...authors].sort().join(',')))).slice(0, 32)
}

function protocolError (message: string): LogbookError {
  return new LogbookError('PROTOCOL_ERROR', message)
}

export class ReplicationSession extends EventEmitter {
  readonly stats: ReplicationStats = {
    mode: null,
    sent: { segments: 0, entries: 0, bytes: 0 },
    received: { segments: 0, entries: 0, bytes: 0 },
    stored: 0,
    duplicates: 0,
    rejected: 0,
    roundTrips: 0,
    wireBytes: { sent: 0, received: 0 },
    syncMs: null
  }

  /** Resolves when the first sync is complete both ways (everything each side held at the start is exchanged). */
  readonly synced: Promise<ReplicationStats>
  /** Resolves when the session ends cleanly; rejects with the LogbookError that ended it. */
  readonly done: Promise<ReplicationStats>

  private readonly store: Store
  private readonly live: boolean
  private readonly myAuthors: Uint8Array[]
  private authors: Set<string> | null = null
  private remote: Hello | null = null
  /** What this side said in its hello: the counts both sides size the reconciliation by. */
  private myHello: Hello | null = null
  private readonly intake: Intake
  private failure: LogbookError | null = null
  private readonly started = Date.now()
  /** The peer has ended its half of the stream: every message it sent has been read. */
  private peerHasEnded = false
  private sentDone = false
  /** The peer's `done` has arrived; and what it sent before it is stored. */
  private doneIn = false
  private gotDone = false
  private remoteThrough = 0
  private tipSet: TipSet | null = null
  /** The change number this side's first sync covered (sent in its `done`), and then where live sending stands. */
  private sentThrough = 0
  private readonly received = new Set<string>()
  private releaseForkNews: (() => void) | null = null
  private resolveSynced: (stats: ReplicationStats) => void = () => {}
  private rejectSynced: (err: LogbookError) => void = () => {}
  private stopLive: (() => void) | null = null
  private messageCount = 0
  /** How far this side received the peer's change log in an earlier session (0: never, or not usable). */
  private knownOfRemote: number | null = null
  /** How far the peer says it received this side's change log before (null: never). */
  private remoteKnows: number | null = null
  /** Whether the peer's `done` may be kept as a cursor (both sides asked for the same feeds). */
  private keepCursor = false
  /** The responder has answered the fingerprints (once). */
  private fingerprintsIn = false
  /** The reconciliation's items (initiator) or wants (responder) are in: a second copy is a protocol error. */
  private itemsIn = false
  /** The initiator's probes' ranges, and who waits for the responder's needs. */
  private probed: Range[] | null = null
  private onNeed: ((needs: number[]) => void) | null = null
  /** With a filter: the entries of other feeds that chosen entries link to, sent before them. */
  private linked: LinkedPrefixes | null = null
  /** Everything was sent at once (the peer held nothing): nothing more before `done`. */
  private sendsAll = false

  /** @internal Made by Logbook.replicate; absent from the published typings (they name no Holepunch module). */
  constructor (private readonly host: SessionHost, private readonly noise: NoiseSecretStream, private readonly options: ReplicateOptions = {}) {
    super()
    this.store = host.store
    noise.once('end', () => { this.peerHasEnded = true })
    this.live = options.live === true
    this.myAuthors = (options.authors ?? []).map(authorBytes)
    this.intake = new Intake(this.store, (_at, err) => {
      this.stats.rejected++
      this.fail(err)
    }, host.sync)
    this.synced = new Promise((resolve, reject) => { this.resolveSynced = resolve; this.rejectSynced = reject })
    this.synced.catch(() => {})
    this.done = this.run()
    this.done.catch(() => {})
  }

  /** Both sides asked for a live session. */
  private get liveBoth (): boolean {
    return this.live && this.remote?.live === true
  }

  private chosen = (author: Uint8Array): boolean => this.authors === null || this.authors.has(toHex(author))

  private async run (): Promise<ReplicationStats> {
    const noise = this.noise
    const timeout = this.options.timeout ?? DEFAULT_TIMEOUT_MS
    if (timeout > 0) {
      noise.setTimeout(timeout)
      noise.setKeepAlive(Math.max(1, Math.floor(timeout / 3)))
    }
    const closed = new Promise<void>((resolve) => noise.once('close', () => resolve()))
    noise.on('error', (err: Error) => this.fail(err))
    try {
      const incoming = noise[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>
      if (!await noise.opened) throw this.failure ?? new LogbookError('CONNECTION_CLOSED', 'the connection closed during the Noise handshake')
      await this.handshake(incoming)
      await this.receive(incoming)
      await this.intake.drain()
      if (this.failure !== null) throw this.failure
      if (!this.gotDone) throw new LogbookError('CONNECTION_CLOSED', 'the peer closed the connection before the sync was complete')
    } catch (err) {
      this.fail(err)
    } finally {
      this.stopLive?.()
      this.releaseForkNews?.()
      this.releaseForkNews = null
    }
    await this.intake.drain().catch(() => {})
    // A segment is counted once written, after take() returned: the last ones are counted only now.
    this.countIntake()
    this.countWire()
    if (this.failure !== null) {
      // fail() wrote why and ended this side; give the peer a moment to read it before the stream goes.
      if (!noise.destroyed) await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 100))])
      if (!noise.destroyed) noise.destroy(this.failure)
      this.rejectSynced(this.failure)
      throw this.failure
    }
    noise.end(undefined)
    await closed
    this.countWire()
    return this.stats
  }

  /** Ends the session with `err` (the first reason wins): tells the peer why, then closes. */
  fail (err: unknown): void {
    if (this.failure !== null) return
    // After a complete sync, a connection that closes is how a live session ends.
    if (this.stats.syncMs !== null && isClosure(err)) return
    this.failure = toSessionError(err)
    this.emit('failure', this.failure)
    if (!this.noise.destroyed) {
      // The peer is told why (best effort), then the stream closes.
      try { this.noise.write(encodeMessage({ type: 'error', code: this.failure.code, message: this.failure.message })) } catch {}
      // Not unref'd: `done` settles when this fires if the peer keeps its side open, and nothing else
      // (no socket, for streams piped in one process) need keep the process running until then.
      const noise = this.noise
      setTimeout(() => { if (!noise.destroyed) noise.destroy(this.failure ?? undefined) }, 50)
      noise.end(undefined)
    }
  }

  /**
   * Ends the session: a live one stops sending, finishes what is in flight and closes; one still in its
   * first sync is cut off (CONNECTION_CLOSED). Resolves once it has ended.
   */
  async end (): Promise<void> {
    this.stopLive?.()
    if (this.stats.syncMs === null) this.fail(new LogbookError('CONNECTION_CLOSED', 'this side closed the session before the sync was complete'))
    else if (!this.noise.destroyed) this.noise.end(undefined)
    const stop = setTimeout(() => { if (!this.noise.destroyed) this.noise.destroy() }, 2000)
    try {
      await this.done.catch(() => {})
    } finally {
      clearTimeout(stop)
    }
  }

  private countIntake (): void {
    this.stats.stored = this.intake.counts.stored
    this.stats.duplicates = this.intake.counts.duplicates
  }

  private countWire (): void {
    this.stats.wireBytes = { sent: this.noise.rawBytesWritten, received: this.noise.rawBytesRead }
  }

  /**
   * The next chunk, or the end once the peer has ended its side. (Not a race against one long-lived promise:
   * each race would leave a reaction on it holding the chunk it resolved with, for as long as the session.)
   */
  private async nextChunk (incoming: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array>> {
    return await new Promise((resolve, reject) => {
      // The end is said a turn later, so that a message still buffered is read first.
      const ended = (): void => { setTimeout(() => resolve({ done: true, value: undefined }), 0) }
      incoming.next().then((result) => { this.noise.off('end', ended); resolve(result) }, (err) => { this.noise.off('end', ended); reject(err) })
      if (this.peerHasEnded) ended()
      else this.noise.once('end', ended)
    })
  }

  private async next (incoming: AsyncIterator<Uint8Array>): Promise<Message | null> {
    // streamx's iterator finishes only when the stream closes, and it closes only once both sides have
    // ended: the peer's end ('end', emitted once every message before it was read) is the end of input.
    for (;;) {
      const { value, done } = await this.nextChunk(incoming)
      if (done === true) return null
      if (value.byteLength > MAX_MESSAGE_BYTES) throw new LogbookError('MESSAGE_TOO_LARGE', `a peer sent a message of ${value.byteLength} bytes; the limit is ${MAX_MESSAGE_BYTES}`)
      if (value.byteLength === 0) continue // a keep-alive
      this.messageCount++
      const message = decodeMessage(value)
      if (message.type === 'error') {
        // Only codes a peer can mean; its words without control characters (they reach a terminal).
        const code = PEER_ERROR_CODES.has(message.code) ? message.code as ErrorCode : 'PROTOCOL_ERROR'
        throw new LogbookError(code, `the peer ended the session: ${message.message.slice(0, 500).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')}`)
      }
      return message
    }
  }

  private async send (message: Message): Promise<void> {
    if (this.failure !== null || this.noise.destroyed) throw this.failure ?? new LogbookError('CONNECTION_CLOSED', 'the connection closed')
    const bytes = encodeMessage(message)
    if (!this.noise.write(bytes)) {
      await new Promise<void>((resolve) => {
        const go = (): void => { this.noise.off('drain', go); this.noise.off('close', go); resolve() }
        this.noise.on('drain', go)
        this.noise.on('close', go)
      })
    }
  }

  private async sendSegment (segment: Segment): Promise<void> {
    if (this.linked !== null) for await (const linked of this.linked.before(segment)) await this.sendOne(linked)
    await this.sendOne(segment)
  }

  private async sendOne (segment: Segment): Promise<void> {
    const body = segment.encoded?.body ?? encodeSegmentBody(segment)
    await this.send({ type: 'segment', body })
    this.stats.sent.segments++
    this.stats.sent.entries += segment.entries.length
    this.stats.sent.bytes += body.byteLength
    this.options.onProgress?.(this.stats)
  }

  // ---- handshake ----

  private async handshake (incoming: AsyncIterator<Uint8Array>): Promise<void> {
    const hash = this.noise.handshakeHash as Uint8Array
    const initiator = this.noise.isInitiator
    await this.send({ type: 'proof', minVersion: PROTOCOL_VERSIONS.min, maxVersion: PROTOCOL_VERSIONS.max, proof: spaceProof(this.host.spaceKey, hash, initiator) })
    const proof = await this.next(incoming)
    if (proof === null) throw new LogbookError('SPACE_MISMATCH', 'the peer closed the connection before proving it holds the space key (another space?)')
    if (proof.type !== 'proof') throw protocolError(`a peer sent ${proof.type} before proving it holds the space key`)
    if (!equalConstantTime(proof.proof, spaceProof(this.host.spaceKey, hash, !initiator))) {
      throw new LogbookError('SPACE_MISMATCH', 'the peer does not hold this space\'s key (or a relay stands between the two)')
    }
    if (proof.maxVersion < PROTOCOL_VERSIONS.min || proof.minVersion > PROTOCOL_VERSIONS.max) {
      throw new LogbookError('VERSION_MISMATCH', `the peer speaks protocol versions ${proof.minVersion} to ${proof.maxVersion}; this one speaks ${PROTOCOL_VERSIONS.min} to ${PROTOCOL_VERSIONS.max}`)
    }
    const store = this.store
    const instance = fromHex(store.instance, 16) as Uint8Array
    const signature = signHello(hash, initiator, instance, this.host.identity.secretKey)
    this.myHello = { type: 'hello', instance, author: this.host.identity.publicKey, signature, lastChange: store.state.lastChange, items: this.tips(this.myFilter()).length, live: this.live, authors: this.myAuthors }
    await this.send(this.myHello)
    const hello = await this.next(incoming)
    if (hello === null) throw new LogbookError('CONNECTION_CLOSED', 'the peer closed the connection during the handshake')
    if (hello.type !== 'hello') throw protocolError(`a peer sent ${hello.type} where its hello belongs`)
    if (!verifyHello(hello.signature, hash, !initiator, hello.instance, hello.author)) throw protocolError('the peer\'s hello is not signed by the identity it names')
    this.remote = hello
    this.authors = effectiveAuthors(this.myAuthors, hello.authors)
    if (this.authors !== null) this.linked = new LinkedPrefixes(this.store, this.chosen)
    // Cursors are kept per filter: what was received of some feeds says nothing of the others.
    this.knownOfRemote = await store.peerCursor(peerKey(hello), scopeOf(this.myFilter()))
    await this.send({ type: 'known', change: this.knownOfRemote })
    const known = await this.next(incoming)
    if (known === null) throw new LogbookError('CONNECTION_CLOSED', 'the peer closed the connection during the handshake')
    if (known.type !== 'known') throw protocolError(`a peer sent ${known.type} where it says what it holds of this store`)
    this.remoteKnows = known.change
  }

  /** This side's own filter (before the peer's is known). */
  private myFilter (): Set<string> | null {
    return this.myAuthors.length === 0 ? null : new Set(this.myAuthors.map(toHex))
  }

  /** This side's feed tips within the filter. */
  private tips (filter: Set<string> | null, signed: Map<string, number> = new Map()): Tip[] {
    const out: Tip[] = []
    for (const [author, tips] of this.store.state.tips) {
      if (filter !== null && !filter.has(author)) continue
      const authorId = fromHex(author, 32) as Uint8Array
      for (const [id, seq] of tips) out.push({ author: authorId, seq, id: fromHex(id, 32) as Uint8Array, signed: signed.get(author) ?? 0 })
    }
    return out
  }

  // ---- the first sync ----

  private async receive (incoming: AsyncIterator<Uint8Array>): Promise<void> {
    const remote = this.remote as Hello
    // Peers that met before under the same filter send what changed since; the change numbers must exist.
    const sameFilter = scopeOf(this.myFilter()) === scopeOf(remote.authors.length === 0 ? null : new Set(remote.authors.map(toHex)))
    const theirs = this.remoteKnows
    const mineOk = this.knownOfRemote !== null && this.knownOfRemote <= remote.lastChange
    // Both sides judge with the numbers both hellos said, so both choose the same way.
    const theirsOk = theirs !== null && theirs <= (this.myHello as Hello).lastChange
    this.keepCursor = sameFilter
    this.releaseForkNews = this.host.holdForkNews?.() ?? null
    if (sameFilter && mineOk && theirsOk) {
      this.stats.mode = 'changes'
      this.runTask(this.sendChanges(theirs as number))
    } else {
      this.stats.mode = 'reconciled'
      // Signed counts compare tips both sides hold: a peer that holds none is sent everything anyway.
      const tips = this.tips(this.authors, remote.items === 0 ? new Map() : await signedCounts(this.store, this.chosen))
      this.tipSet = new TipSet(reconcileKey(this.noise.handshakeHash as Uint8Array), tips, bucketCount((this.myHello as Hello).items, remote.items))
      this.sentThrough = this.store.state.lastChange
      if (this.noise.isInitiator) {
        await this.send({ type: 'fingerprints', buckets: this.tipSet.count, digests: this.tipSet.fingerprints })
        this.stats.roundTrips++
      }
    }
    for (;;) {
      let message: Message | null
      try {
        message = await this.next(incoming)
      } catch (err) {
        // A stream that closes after a complete sync (the peer is done, or this side ended) ended well.
        if (this.stats.syncMs !== null && isClosure(err)) return
        throw err
      }
      if (message === null) return
      await this.handle(message)
      if (this.failure !== null) return
      // After a complete sync that is not live, nothing more comes: stop reading before the stream closes.
      if (this.stats.syncMs !== null && !this.liveBoth) return
    }
  }

  /** Runs a sending task beside the receiving loop (each side reads while it writes: no deadlock). */
  private runTask (task: Promise<void>): void {
    task.catch((err) => this.fail(err))
  }

  private async handle (message: Message): Promise<void> {
    switch (message.type) {
      case 'segment': return await this.take(message.body)
      case 'fingerprints': return this.answerFingerprints(message.buckets, message.digests)
      case 'items': return this.answerItems(message.buckets)
      case 'want': return this.answerWants(message.wants, message.probes)
      case 'need': return this.answerNeeds(message.probes)
      case 'done': return await this.remoteDone(message.through)
      case 'mark': return await this.remoteMark(message.through)
      default: throw protocolError(`a peer sent ${message.type} after the handshake`)
    }
  }

  private async take (body: Uint8Array): Promise<void> {
    let segment: Segment
    try {
      segment = decodeSegmentBody(body)
    } catch (err) {
      if (err instanceof LogbookError) this.stats.rejected++
      throw err
    }
    this.stats.received.segments++
    this.stats.received.entries += segment.entries.length
    this.stats.received.bytes += body.byteLength
    const ids = await this.intake.take(segment, this.messageCount)
    if (this.live && ids !== null) this.remember(segment, ids)
    this.countIntake()
    // Told of every segment received, stored yet or not (the intake stores behind): a progress bar moves with the bytes.
    this.options.onProgress?.(this.stats)
  }

  /** Whether the peer sent all of this, signed where this side holds it signed: it is not sent back. */
  private echoes (segment: Segment, ids: Uint8Array[]): boolean {
    return ids.every((id, i) => this.received.has(echoKey(id, segment.entries[i].signature !== null)))
  }

  /** Remembers what the peer sent (each entry, and whether signed), so the live phase does not send it back. */
  private remember (segment: Segment, ids: Uint8Array[]): void {
    if (this.received.size > ECHO_MEMORY) this.received.clear()
    ids.forEach((id, i) => this.received.add(echoKey(id, segment.entries[i].signature !== null)))
  }

  private answerFingerprints (buckets: number, digests: Uint8Array): void {
    const tipSet = this.tipSet
    // Once: each answer lists this side's tips, so a repeated question would be an amplifier.
    if (tipSet === null || this.noise.isInitiator || this.fingerprintsIn) throw protocolError('a peer sent fingerprints it was not asked for')
    this.fingerprintsIn = true
    if (buckets !== tipSet.count || digests.byteLength !== buckets * 8 || buckets > MAX_BUCKETS) {
      throw protocolError(`a peer sent ${buckets} bucket fingerprints in ${digests.byteLength} bytes; ${tipSet.count} were due`)
    }
    const differ = tipSet.differing(digests)
    this.runTask(this.send({ type: 'items', buckets: differ.map((bucket) => ({ bucket, items: tipSet.items(bucket) })) }))
  }

  /** The initiator: from the responder's tips in each differing bucket, what each side lacks. */
  private answerItems (buckets: Array<{ bucket: number, items: Item[] }>): void {
    const tipSet = this.tipSet
    if (tipSet === null || !this.noise.isInitiator || this.itemsIn) throw protocolError('a peer sent items it was not asked for')
    this.itemsIn = true
    const listed = new Set<number>()
    for (const { bucket } of buckets) {
      if (bucket >= tipSet.count) throw protocolError(`a peer listed bucket ${bucket} of ${tipSet.count}`)
      // Each bucket once, or one message could make this side go over its tips there again and again.
      if (listed.has(bucket)) throw protocolError(`a peer listed bucket ${bucket} twice`)
      listed.add(bucket)
    }
    this.runTask((async () => {
      const plan = await initiatorPlan(this.store, tipSet, buckets)
      this.probed = plan.probed
      const needed = new Promise<number[]>((resolve) => { this.onNeed = resolve })
      await this.send({ type: 'want', wants: plan.wants, probes: plan.probes })
      this.stats.roundTrips++
      await this.sendRanges(plan.pushes)
      // Then what the responder could not place, once it has said so.
      const needs = await needed
      await this.sendRanges(needs.map((i) => plan.probed[i]))
      await this.finishFirstSync()
    })())
  }

  /** The responder: say which probes it cannot place, then send what was wanted, the pending area, and `done`. */
  private answerWants (wants: Want['wants'], probes: Want['probes']): void {
    const tipSet = this.tipSet
    if (tipSet === null || this.noise.isInitiator || this.itemsIn) throw protocolError('a peer sent wants it was not asked for')
    this.itemsIn = true
    this.runTask((async () => {
      const { ranges, needs } = await responderPlan(this.store, tipSet, wants, probes, (what) => { throw protocolError(`a peer asked for ${what}`) })
      await this.send({ type: 'need', probes: needs })
      await this.sendRanges(ranges)
      await this.finishFirstSync()
    })())
  }

  private answerNeeds (needs: number[]): void {
    const onNeed = this.onNeed
    if (onNeed === null || this.probed === null) throw protocolError('a peer sent needs it was not asked for')
    this.onNeed = null
    for (const i of needs) if (!Number.isInteger(i) || i >= this.probed.length) throw protocolError(`a peer needs probe ${i} of ${this.probed.length}`)
    onNeed([...new Set(needs)])
  }

  /** Sends the entries on the way to `ranges`; everything, when the peer holds nothing (no ranges needed). */
  private async sendRanges (ranges: Range[]): Promise<void> {
    if (this.sendsAll) return
    const remote = this.remote as Hello
    if (remote.items === 0 && this.authors === null) {
      this.sendsAll = true
      for await (const { segment } of exportSegments(this.store.reader, this.store.space, {})) await this.sendSegment(segment)
      return
    }
    for await (const { segment } of rangeSegments(this.store, ranges)) await this.sendSegment(segment)
  }

  /** The pending area (unless everything was sent already), then what left it while it was read, then `done`. */
  private async finishFirstSync (): Promise<void> {
    if (!this.sendsAll) {
      for await (const segment of pendingSegments(this.store, this.chosen)) await this.sendSegment(segment)
      for await (const { segment, ids } of wokenSegments(this.store, this.sentThrough, this.chosen)) {
        if (!this.echoes(segment, ids)) await this.sendSegment(segment)
      }
    }
    await this.sendDone(this.sentThrough)
  }

  /** A peer met before: what changed after the change it received last, then `done`. */
  private async sendChanges (after: number): Promise<void> {
    let through = after
    for await (const { segment } of exportSegments(this.store.reader, this.store.space, { authors: this.chosen, sinceChange: after, onChange: (change) => { through = change } })) {
      await this.sendSegment(segment)
    }
    await this.sendDone(through)
  }

  private async sendDone (through: number): Promise<void> {
    this.sentThrough = through
    await this.send({ type: 'done', through })
    this.sentDone = true
    this.checkSynced()
  }

  private async remoteDone (through: number): Promise<void> {
    if (this.gotDone || this.doneIn) throw protocolError('a peer said twice that it sent everything')
    // In a reconciliation, `done` comes only after the questions it answers.
    if (this.stats.mode === 'reconciled' && (!this.itemsIn || (this.noise.isInitiator && this.onNeed !== null))) {
      throw protocolError('a peer said it sent everything before the reconciliation was done')
    }
    this.doneIn = true
    this.remoteThrough = through
    await this.intake.drain()
    if (this.failure !== null) return
    // Everything the peer held through `through` is stored now: next time, only what follows.
    if (this.keepCursor) await this.store.setPeerCursor(peerKey(this.remote as Hello), scopeOf(this.myFilter()), through)
    // Only now: the sync is not complete (nor its counts final) while what came before `done` is being stored.
    this.gotDone = true
    this.checkSynced()
  }

  /** Live: the peer has sent everything through `through`; once that is stored, a reconnect starts after it. */
  private async remoteMark (through: number): Promise<void> {
    if (!this.gotDone || !this.liveBoth) throw protocolError('a peer sent a mark outside a live session')
    if (through < this.remoteThrough) throw protocolError(`a peer marked change ${through} after ${this.remoteThrough}`)
    this.remoteThrough = through
    await this.intake.drain()
    if (this.failure === null && this.keepCursor) await this.store.setPeerCursor(peerKey(this.remote as Hello), scopeOf(this.myFilter()), through)
  }

  private checkSynced (): void {
    if (!this.sentDone || !this.gotDone || this.stats.syncMs !== null) return
    this.stats.syncMs = Date.now() - this.started
    this.countIntake()
    this.releaseForkNews?.()
    this.releaseForkNews = null
    this.countWire()
    this.resolveSynced(this.stats)
    this.emit('synced', this.stats)
    const remote = this.remote as Hello
    if (this.liveBoth) this.startLive()
    else this.noise.end(undefined)
  }

  // ---- live ----

  private startLive (): void {
    let sending = false
    let again = false
    const pump = async (): Promise<void> => {
      if (sending) { again = true; return }
      sending = true
      try {
        do {
          again = false
          let through = this.sentThrough
          for await (const { segment, ids } of exportSegments(this.store.reader, this.store.space, { authors: this.chosen, sinceChange: this.sentThrough, onChange: (change) => { through = change } })) {
            if (this.echoes(segment, ids)) continue
            await this.sendSegment(segment)
          }
          if (through > this.sentThrough) {
            this.sentThrough = through
            await this.send({ type: 'mark', through })
          }
        } while (again && this.failure === null)
      } finally {
        sending = false
      }
    }
    const listener = { changed: () => { this.runTask(pump()) } }
    this.store.ingestor.listeners.add(listener)
    this.stopLive = () => { this.store.ingestor.listeners.delete(listener) }
    this.runTask(pump())
  }
}

/**
 * The words of a stream closing under the session. UDP streams say "connection reset by peer" with the code
 * ECONNRESET; hyperswarm closes the older of two connections to one peer with "Duplicate connection".
 */
const CLOSURE = /closed|destroyed|ECONNRESET|EPIPE|premature|Duplicate connection/i

/** An error's message, with its code (errno-style errors keep the code apart from the words). */
function errorText (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? `${message} (${code})` : message
}

/** Whose change log a cursor is in: the store's instance id and the identity that signed its hello. */
function peerKey (hello: Hello): string {
  return `${toHex(hello.instance)}.${toHex(hello.author)}`
}

function echoKey (id: Uint8Array, signed: boolean): string {
  return signed ? `${toHex(id)}+` : toHex(id)
}

/** Whether `err` is the stream closing under the session (not a timeout, not a protocol error). */
function isClosure (err: unknown): boolean {
  if (err instanceof LogbookError) return err.code === 'CONNECTION_CLOSED'
  const text = errorText(err)
  return !/timed out/i.test(text) && CLOSURE.test(text)
}

/** Any error that ends a session, as a LogbookError with a code a user can act on. */
function toSessionError (err: unknown): LogbookError {
  if (err instanceof LogbookError) return err
  const message = err instanceof Error ? err.message : String(err)
  if (/timed out/i.test(message)) return new LogbookError('PEER_TIMEOUT', 'the peer sent nothing for longer than the timeout', { cause: err })
  if (CLOSURE.test(errorText(err))) return new LogbookError('CONNECTION_CLOSED', `the connection closed: ${message}`, { cause: err })
  return new LogbookError('PROTOCOL_ERROR', `the session failed: ${message}`, { cause: err })
}
