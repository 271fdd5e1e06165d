// Discovery over the hyperswarm DHT: a book joins the topic of its space (a one-way hash of the space key,
// not the space id, so holding an entry does not tell where its peers meet) and runs a replication session
// over every connection. hyperswarm redials a peer whose connection dropped; each new connection is a new
// session, and a peer met before sends only what changed since (the session's change-log cursors).
import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import type Hyperswarm from 'hyperswarm'
import type { PeerInfo } from 'hyperswarm'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { swarmTopic } from '../crypto/index.js'
import { toHex } from '../entry/bytes.js'
import { LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import type { ReplicateOptions, ReplicationStats } from '../replication/session.js'
import type { ReplicationSession } from '../replication/session.js'
import type { ReplicationStream } from '../replication/stream.js'

export interface SwarmOptions {
  /** A HyperDHT node to run on (tests pass one made by a local testnet). The swarm destroys it on close. */
  dht?: unknown
  /** DHT bootstrap nodes, `host:port` or `{ host, port }`; default: the public hyperswarm bootstrap nodes. */
  bootstrap?: Array<string | { host: string, port: number }>
  /** The local address the DHT node binds; default: every address, or 127.0.0.1 when every bootstrap node is on loopback. */
  host?: string
  /** Sessions stay open and push changes both ways (default true); false syncs once with each peer found. */
  live?: boolean
  /** Passed to each session (see ReplicateOptions). */
  authors?: ReplicateOptions['authors']
  timeout?: number
}

/** One connection to a peer and its replication session. */
export interface SwarmPeer {
  /** The peer's hyperswarm public key (hex): the same across its reconnections. */
  readonly key: string
  /** Whether this side dialed. */
  readonly initiator: boolean
  /** The connection (a Noise stream); destroying it drops the peer, which hyperswarm then redials. */
  readonly stream: ReplicationStream
  readonly session: ReplicationSession
}

export interface SwarmCounters {
  /** Distinct peers (by key) met. */
  peers: number
  /** Connections, each one session. */
  sessions: number
  /** Sessions whose first sync completed, and sessions that ended with an error. */
  synced: number
  failed: number
  /** Entries sent and received, and received entries stored for the first time, over all sessions. */
  sent: number
  received: number
  stored: number
}

/** What a swarm did, from join to close. */
export interface SwarmSummary extends SwarmCounters {
  topic: string
  ms: number
}

export interface LogbookSwarmEvents {
  /** A connection opened and its session started. */
  'peer-join': [peer: SwarmPeer]
  /** A session's first sync completed. */
  'peer-synced': [peer: SwarmPeer, stats: ReplicationStats]
  /** A session ended: cleanly (error null) or with the LogbookError that ended it. */
  'peer-leave': [peer: SwarmPeer, stats: ReplicationStats, error: LogbookError | null]
}

/** The swarm and DHT node classes, loaded on first use: every other command and import stays quick to start. */
interface Modules { Hyperswarm: typeof Hyperswarm, HyperDHT: new (options: object) => unknown }
let modules: Promise<Modules> | null = null
async function load (): Promise<Modules> {
  modules ??= (async () => {
    const { default: Hyperswarm } = await import('hyperswarm')
    // The DHT node class hyperswarm itself runs on (its own dependency), so the two always match.
    const HyperDHT = createRequire(createRequire(import.meta.url).resolve('hyperswarm'))('hyperdht') as Modules['HyperDHT']
    return { Hyperswarm, HyperDHT }
  })()
  return await modules
}

/** How long a new connection may stay silent: a peer's session sends its proof as soon as it opens. */
const SILENT_MS = 10_000

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/

/** `host:port` as a bootstrap node; the error names what was given. */
export function parseBootstrap (value: string | { host: string, port: number }): { host: string, port: number } {
  if (typeof value !== 'string') return value
  const match = /^(.+):(\d{1,5})$/.exec(value)
  const port = match === null ? NaN : Number(match[2])
  if (match === null || port < 1 || port > 65535) throw new LogbookError('INVALID_ARGUMENT', `a bootstrap node is host:port, got ${JSON.stringify(value)}`)
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port }
}

function makeDht (options: SwarmOptions, HyperDHT: Modules['HyperDHT']): unknown {
  if (options.dht !== undefined) return options.dht
  if (options.bootstrap === undefined && options.host === undefined) return undefined
  const bootstrap = options.bootstrap?.map(parseBootstrap)
  // A node bound to every address announces addresses a loopback-only DHT cannot reach.
  const host = options.host ?? (bootstrap !== undefined && bootstrap.length > 0 && bootstrap.every((node) => LOOPBACK.test(node.host)) ? '127.0.0.1' : undefined)
  // On loopback every local process reaches this node's UDP port directly: no hole to punch. (Left to find
  // out, two processes' nodes often finished a holepunch on one side only.)
  const loopback = host !== undefined && LOOPBACK.test(host)
  return new HyperDHT({ ...(bootstrap !== undefined ? { bootstrap } : {}), ...(host !== undefined ? { host } : {}), ...(loopback ? { firewalled: false } : {}) })
}

/** Whether a session ended because hyperswarm kept another connection to the same peer (both dialed at once). */
function replaced (error: LogbookError): boolean {
  return error.code === 'CONNECTION_CLOSED' && error.cause instanceof Error && error.cause.message === 'Duplicate connection'
}

export class LogbookSwarm extends EventEmitter<LogbookSwarmEvents> {
  /** The DHT topic (hex). */
  readonly topic: string
  /** This node's hyperswarm public key (hex). */
  readonly key: string
  readonly counters: SwarmCounters = { peers: 0, sessions: 0, synced: 0, failed: 0, sent: 0, received: 0, stored: 0 }
  /** Resolves once this node is announced on the topic and has looked for peers after that. */
  readonly joined: Promise<void>

  readonly #book: Logbook
  readonly #swarm: Hyperswarm
  readonly #topic: Uint8Array
  readonly #live: boolean
  readonly #session: ReplicateOptions
  readonly #open = new Set<SwarmPeer>()
  readonly #met = new Set<string>()
  readonly #started = Date.now()
  #closing: Promise<SwarmSummary> | null = null

  /** @internal Made by joinSwarm; absent from the published typings (they name no Holepunch module). */
  constructor (book: Logbook, options: SwarmOptions, { Hyperswarm, HyperDHT }: Modules) {
    super()
    this.#book = book
    this.#live = options.live !== false
    this.#session = { live: this.#live, authors: options.authors, timeout: options.timeout }
    this.#topic = swarmTopic(book.spaceKey)
    this.topic = toHex(this.#topic)
    const dht = makeDht(options, HyperDHT)
    this.#swarm = new Hyperswarm(dht === undefined ? {} : { dht })
    this.key = toHex(this.#swarm.keyPair.publicKey)
    this.#swarm.on('connection', (connection: NoiseSecretStream, info: PeerInfo) => this.#connected(connection, info))
    this.joined = this.#join()
    this.joined.catch(() => {})
  }

  async #join (): Promise<void> {
    const discovery = this.#swarm.join(this.#topic, { server: true, client: true })
    await discovery.flushed()
    // Two peers that announce at the same moment can each look up before the other's announcement is stored,
    // and would not meet before the next refresh (minutes). One more lookup, after this announcement is
    // stored, settles it: of two such peers, the one whose announcement was stored last finds the other.
    await discovery.refresh()
  }

  /** The peers connected now. */
  get peers (): SwarmPeer[] {
    return [...this.#open]
  }

  #connected (connection: NoiseSecretStream, info: PeerInfo): void {
    connection.on('error', () => {}) // the session reports why it ended
    if (this.#closing !== null) { connection.destroy(); return }
    let stream: ReplicationStream
    try {
      stream = this.#book.replicate(connection, this.#session)
    } catch (err) {
      connection.destroy()
      if (err instanceof LogbookError && err.code === 'LOGBOOK_NOT_OPEN') return
      throw err
    }
    const session = stream.session
    // A connection can open on the dialing side only, never reaching the peer's swarm (seen when two peers dial
    // each other at once, and often between processes on loopback). A peer's session speaks first thing; one
    // that says nothing is not there: ending the connection lets hyperswarm dial again.
    const silent = setTimeout(() => {
      if (connection.rawBytesRead === 0) connection.destroy(new LogbookError('PEER_TIMEOUT', `the peer sent nothing in the ${SILENT_MS / 1000} s after the connection opened`))
    }, SILENT_MS)
    silent.unref()
    connection.once('close', () => clearTimeout(silent))
    const key = toHex(connection.remotePublicKey as Uint8Array)
    const peer: SwarmPeer = { key, initiator: connection.isInitiator, stream, session }
    this.#open.add(peer)
    this.counters.sessions++
    if (!this.#met.has(key)) { this.#met.add(key); this.counters.peers++ }
    this.emit('peer-join', peer)
    session.synced.then((stats) => {
      this.counters.synced++
      this.emit('peer-synced', peer, stats)
    }, () => {})
    const left = (error: LogbookError | null): void => {
      this.#open.delete(peer)
      const stats = session.stats
      this.counters.sent += stats.sent.entries
      this.counters.received += stats.received.entries
      this.counters.stored += stats.stored
      if (error !== null && !replaced(error)) this.counters.failed++
      // Synced once (not live): without this, hyperswarm would redial the peer as soon as the connection closes.
      if (!this.#live && error === null) info.reconnect(false)
      this.emit('peer-leave', peer, stats, error)
    }
    session.done.then(() => left(null), (err: LogbookError) => left(err))
  }

  /** Leaves the topic, ends every session cleanly (what was received is stored), then stops the DHT node. */
  async close (): Promise<SwarmSummary> {
    this.#closing ??= this.#closeOnce()
    return await this.#closing
  }

  async #closeOnce (): Promise<SwarmSummary> {
    // Unannouncing (a round of DHT queries) and ending the sessions go on at once: a stop should be quick.
    const leaving = this.#swarm.leave(this.#topic).catch(() => {})
    const ending = [...this.#open].map(async (peer) => {
      await peer.session.end()
      await peer.session.done.catch(() => {})
    })
    await Promise.all([leaving, ...ending])
    await this.#swarm.destroy()
    // The last 'peer-leave' handlers ran in the promise jobs of `done`; the counters include them now.
    await new Promise((resolve) => setImmediate(resolve))
    return { ...this.counters, topic: this.topic, ms: Date.now() - this.#started }
  }
}

/** Joins the DHT topic of `book`'s space and replicates with every peer found there, until close(). */
export async function joinSwarm (book: Logbook, options: SwarmOptions = {}): Promise<LogbookSwarm> {
  return new LogbookSwarm(book, options, await load())
}
