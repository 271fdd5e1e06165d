// A peer that speaks the replication protocol by hand, to send what an honest peer never would. It runs
// its own Noise stream, proves a space key (the right one, or another), says hello and what it knows,
// and then sends whatever a test scripts: messages, or raw bytes (oversized, malformed, out of order).
// It keeps every plaintext message the honest side sent it, so a test can assert on what a peer learns.
import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { generateKeyPair, reconcileKey, signHello, spaceProof } from '../../src/crypto/index.js'
import type { ReplicationStream } from '../../src/index.js'
import { decodeMessage, encodeMessage, PROTOCOL_VERSIONS, type Hello, type Message } from '../../src/replication/messages.js'
import { bucketCount, TipSet } from '../../src/replication/reconcile.js'
import { frameBody } from './fixtures.js'

export class HostilePeer {
  readonly noise: NoiseSecretStream
  /** Every plaintext message the honest side sent, in order (keep-alives left out). */
  readonly received: Uint8Array[] = []
  /** Resolves once the stream has closed. */
  readonly closed: Promise<void>
  /** The honest side's hello, once the handshake got that far. */
  remoteHello: Hello | null = null
  private nextIndex = 0
  private wake: (() => void) | null = null
  private isClosed = false

  /** A hostile peer over `socket`, or (without one) over a stream of its own for `pipeTo`. */
  constructor (isInitiator: boolean, socket?: Duplex) {
    this.noise = new NoiseSecretStream(isInitiator, socket ?? null)
    this.noise.on('data', (data) => {
      const bytes = data as Uint8Array
      if (bytes.byteLength > 0) this.received.push(bytes)
      this.wake?.()
    })
    // What the honest side does to the stream is what the tests look at; errors here are expected.
    this.noise.on('error', () => {})
    this.closed = new Promise((resolve) => this.noise.once('close', () => { this.isClosed = true; this.wake?.(); resolve() }))
  }

  /** A hostile peer piped to `honest` (the encrypted side `book.replicate(bool)` returns). */
  static piped (honest: ReplicationStream, isInitiator: boolean): HostilePeer {
    const peer = new HostilePeer(isInitiator)
    peer.noise.rawStream.pipe(honest as any).pipe(peer.noise.rawStream)
    return peer
  }

  /** Every message the honest side sent, decoded. */
  receivedMessages (): Message[] {
    return this.received.map((bytes) => decodeMessage(bytes))
  }

  /** The next message the honest side sent (null once the stream closed without one). */
  async next (): Promise<Message | null> {
    while (this.nextIndex >= this.received.length) {
      if (this.isClosed) return null
      await new Promise<void>((resolve) => { this.wake = resolve })
      this.wake = null
    }
    return decodeMessage(this.received[this.nextIndex++])
  }

  /** The next message, which must be of `type`. */
  async expect<T extends Message['type']> (type: T): Promise<Extract<Message, { type: T }>> {
    const message = await this.next()
    if (message?.type !== type) throw new Error(`expected ${type} from the honest side, got ${message === null ? 'the end of the stream' : message.type}`)
    return message as Extract<Message, { type: T }>
  }

  /** Sends a message, or raw plaintext bytes as one Noise message; waits while the honest side is not reading. */
  async send (message: Message | Uint8Array): Promise<void> {
    if (this.noise.destroyed) throw new Error('the stream is closed')
    const bytes = message instanceof Uint8Array ? message : encodeMessage(message)
    if (this.noise.write(bytes)) return
    await new Promise<void>((resolve) => {
      const go = (): void => { this.noise.off('drain', go); this.noise.off('close', go); resolve() }
      this.noise.on('drain', go)
      this.noise.on('close', go)
    })
  }

  /** Sends a binary export frame's segment as a segment message. */
  async sendFrame (frame: Uint8Array): Promise<void> {
    await this.send({ type: 'segment', body: frameBody(frame) })
  }

  /** A hello as an honest stranger says it (signed by a throwaway identity, bound to this session), with `fields` over it. */
  signedHello (fields: Partial<Hello> = {}): Hello {
    const who = generateKeyPair()
    const instance = fields.instance ?? randomBytes(16)
    const signature = signHello(this.noise.handshakeHash as Uint8Array, this.noise.isInitiator, instance, who.secretKey)
    return { type: 'hello', instance, author: who.publicKey, signature, lastChange: 0, items: 0, live: false, authors: [], ...fields }
  }

  /** Proves `spaceKey` (the honest side's, or another) over this Noise session. */
  async sendProof (spaceKey: Uint8Array): Promise<void> {
    if (!await this.noise.opened) throw new Error('the Noise handshake failed')
    const hash = this.noise.handshakeHash as Uint8Array
    await this.send({ type: 'proof', minVersion: PROTOCOL_VERSIONS.min, maxVersion: PROTOCOL_VERSIONS.max, proof: spaceProof(spaceKey, hash, this.noise.isInitiator) })
  }

  /**
   * The handshake as an honest peer does it: proof, hello (a stranger holding nothing, unless `hello`
   * says otherwise), known (never met). Returns the honest side's hello.
   */
  async handshake (spaceKey: Uint8Array, hello: Partial<Hello> = {}): Promise<Hello> {
    await this.sendProof(spaceKey)
    await this.expect('proof')
    await this.send(this.signedHello(hello))
    this.remoteHello = await this.expect('hello')
    await this.send({ type: 'known', change: null })
    await this.expect('known')
    return this.remoteHello
  }

  /**
   * Reconciliation as a peer holding nothing does it, so that the honest side sends what it holds and
   * then its `done`: the initiator sends empty fingerprints and wants nothing; the responder lists nothing.
   */
  async reconcile (): Promise<void> {
    const remote = this.remoteHello
    if (remote === null) throw new Error('reconcile after the handshake')
    if (this.noise.isInitiator) {
      const buckets = bucketCount(0, remote.items)
      await this.send({ type: 'fingerprints', buckets, digests: new Uint8Array(buckets * 8) })
      await this.expect('items')
      await this.send({ type: 'want', wants: [], probes: [] })
    } else {
      await this.expect('fingerprints')
      await this.send({ type: 'items', buckets: [] })
      // The honest initiator waits for the answer to its probes before it says it is done.
      await this.expect('want')
      await this.send({ type: 'need', probes: [] })
    }
  }

  /** Where reconciliation puts `author`'s tips in this session, with `buckets` buckets: the bucket and the author's digest. */
  authorDigest (author: Uint8Array, buckets: number): { bucket: number, digest: Uint8Array } {
    return new TipSet(reconcileKey(this.noise.handshakeHash as Uint8Array), [], buckets).authorDigest(author)
  }

  /** Says it sent everything, then closes its side. */
  async finish (through = 0): Promise<void> {
    await this.send({ type: 'done', through })
    this.noise.end(undefined)
  }

  /** Cuts the connection. */
  destroy (): void {
    this.noise.destroy()
  }
}
