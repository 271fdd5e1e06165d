// Where a replication session meets a byte stream: a Noise stream of its own (its encrypted side is what
// the caller pipes to a peer), one over a socket the caller gives, or one a hyperswarm connection already is.
import NoiseSecretStream from '@hyperswarm/secret-stream'
import { ReplicationSession, type ReplicateOptions, type SessionHost } from './session.js'

export type { ReplicateOptions, ReplicationStats } from './session.js'

/** The byte stream `replicate` returns (a streamx Duplex), with its session. */
export interface ReplicationStream {
  readonly session: ReplicationSession
  pipe: <T>(destination: T) => T
  write: (data: Uint8Array) => boolean
  end: (data?: Uint8Array) => unknown
  destroy: (err?: Error) => void
  on: (event: string, listener: (...args: any[]) => void) => unknown
  once: (event: string, listener: (...args: any[]) => void) => unknown
  readonly destroyed: boolean
}

function isNoiseStream (value: object): value is NoiseSecretStream {
  return value instanceof NoiseSecretStream || (typeof (value as { isInitiator?: unknown }).isInitiator === 'boolean' && 'handshakeHash' in value && 'rawStream' in value)
}

/**
 * A TCP socket closes both ways once the peer ends its side (net's default), and the Noise stream over it
 * then drops the messages it has not read yet. A session ends its side as soon as it is in sync, while the
 * peer may still be reading the last segments and its `done`: the socket must stay open for reading.
 */
function keepHalfOpen (stream: unknown): void {
  if (typeof stream === 'object' && stream !== null && (stream as { allowHalfOpen?: unknown }).allowHalfOpen === false) {
    (stream as { allowHalfOpen: boolean }).allowHalfOpen = true
  }
}

/**
 * secret-stream pauses its raw stream while what it decrypted waits unread. A Noise stream made without
 * a raw stream of its own gets a Bridge as its raw stream, and what arrives comes through the Bridge's
 * other side (`reverse`), which that pause does not stop: a peer sending without end would fill this
 * side's memory. Pausing and resuming the Bridge now does the same to the side the data comes through.
 */
function forwardPauseToBridge (noise: NoiseSecretStream): void {
  const bridge = noise.rawStream as unknown as { reverse?: { pause: () => unknown, resume: () => unknown }, pause: () => unknown, resume: () => unknown }
  const inner = bridge.reverse
  if (inner === undefined) return
  const pause = bridge.pause.bind(bridge)
  const resume = bridge.resume.bind(bridge)
  bridge.pause = () => { inner.pause(); return pause() }
  bridge.resume = () => { inner.resume(); return resume() }
}

export function openReplication (isInitiator: boolean | object, options: ReplicateOptions & { stream?: unknown }, host: SessionHost): ReplicationStream {
  let noise: NoiseSecretStream
  let outer: unknown
  if (typeof isInitiator === 'boolean') {
    keepHalfOpen(options.stream)
    noise = new NoiseSecretStream(isInitiator, options.stream ?? null)
    outer = options.stream === undefined ? noise.rawStream : noise
  } else if (isNoiseStream(isInitiator)) {
    noise = isInitiator
    outer = noise
  } else {
    throw new TypeError('expected isInitiator to be a boolean or a Noise stream (a hyperswarm connection)')
  }
  forwardPauseToBridge(noise)
  const session = new ReplicationSession(host, noise, options)
  Object.defineProperty(outer, 'session', { value: session, configurable: true })
  return outer as ReplicationStream
}
