// The replication protocol's messages (docs/PROTOCOL.md): a tagged union, one message per Noise
// transport message, each a type byte and its fields in compact-encoding. Decoding checks every length;
// anything malformed is a PROTOCOL_ERROR, never a crash.
import c from 'compact-encoding'
import { LogbookError } from '../errors.js'

/** Versions of the protocol this build speaks (a peer and this one use the highest both speak). */
export const PROTOCOL_VERSIONS = { min: 1, max: 1 } as const

/** Bytes of an author or item digest in reconciliation (keyed per session, so not chosen by a stranger). */
export const DIGEST_BYTES = 8

/** The first message each way, before anything else: the versions spoken and the proof of the space key. */
export interface Proof { type: 'proof', minVersion: number, maxVersion: number, proof: Uint8Array }

/** What each side is: its store's instance, where its change log stands, what it knows of the other side. */
export interface Hello {
  type: 'hello'
  /** The store's instance id (16 bytes). */
  instance: Uint8Array
  /** The store's identity, and its signature of the instance id bound to this session (crypto signHello). */
  author: Uint8Array
  signature: Uint8Array
  /** The store's last change number. */
  lastChange: number
  /** Feed tips this side holds within the filter (sizes the reconciliation). */
  items: number
  /** Keep the session open and send what changes from now on. */
  live: boolean
  /** Only these authors' feeds (and the entries they link to); empty: every feed. */
  authors: Uint8Array[]
}

/**
 * Sent once the peer's hello is in: through which change of the peer's change log this side holds
 * everything, from an earlier session under the same filter (null: never met; on the wire, change + 1 or 0).
 */
export interface Known { type: 'known', change: number | null }

/** Reconciliation, first step: one keyed digest of each bucket's feed tips (the initiator sends it). */
export interface Fingerprints { type: 'fingerprints', buckets: number, digests: Uint8Array }

/** One feed tip, as reconciliation sends it, with how many of its author's ready entries the sender holds signed. */
export interface Item { author: Uint8Array, seq: number, digest: Uint8Array, signed: number }

/** Reconciliation, second step: the responder's tips in every bucket whose digest differed. */
export interface Items { type: 'items', buckets: Array<{ bucket: number, items: Item[] }> }

/**
 * Reconciliation, third step: the responder's tips the initiator lacks, and from where to send each; and
 * probes: tips of the initiator's, each below a later tip the responder listed (`index`), that the
 * responder holds only if they lie on that tip's branch.
 */
export interface Want {
  type: 'want'
  wants: Array<{ bucket: number, index: number, after: number, afterId: Uint8Array | null }>
  probes: Array<{ bucket: number, index: number, seq: number, digest: Uint8Array }>
}

/** The responder's answer to the probes: the ones it cannot place (by their place in the list), for the initiator to send. */
export interface Need { type: 'need', probes: number[] }

/** A segment, exactly as an export frame's body holds it. */
export interface SegmentMessage { type: 'segment', body: Uint8Array }

/** Everything the sender owed at the start is sent: it covered its change log through `through`. */
export interface Done { type: 'done', through: number }

/**
 * Live: everything the sender's change log held through `through` has been sent (after the segments before
 * this message). The receiver keeps it as its cursor once those are stored, so a reconnect starts there.
 */
export interface Mark { type: 'mark', through: number }

/** Why the sender ends the session. */
export interface ErrorMessage { type: 'error', code: string, message: string }

export type Message = Proof | Hello | Known | Fingerprints | Items | Want | Need | SegmentMessage | Done | ErrorMessage | Mark

const TYPES = ['proof', 'hello', 'known', 'fingerprints', 'items', 'want', 'need', 'segment', 'done', 'error', 'mark'] as const

const digest = c.fixed(DIGEST_BYTES)
const optionalId = {
  preencode (state: c.State, value: Uint8Array | null) { c.uint.preencode(state, 0); if (value !== null) c.fixed32.preencode(state, value) },
  encode (state: c.State, value: Uint8Array | null) { c.uint.encode(state, value === null ? 0 : 1); if (value !== null) c.fixed32.encode(state, value) },
  decode (state: c.State): Uint8Array | null { return c.uint.decode(state) === 0 ? null : c.fixed32.decode(state) }
}
const item = {
  preencode (state: c.State, value: Item) { digest.preencode(state, value.author); c.uint.preencode(state, value.seq); digest.preencode(state, value.digest); c.uint.preencode(state, value.signed) },
  encode (state: c.State, value: Item) { digest.encode(state, value.author); c.uint.encode(state, value.seq); digest.encode(state, value.digest); c.uint.encode(state, value.signed) },
  decode (state: c.State): Item { return { author: digest.decode(state), seq: c.uint.decode(state), digest: digest.decode(state), signed: c.uint.decode(state) } }
}
const bucketItems = {
  preencode (state: c.State, value: { bucket: number, items: Item[] }) { c.uint.preencode(state, value.bucket); c.array(item).preencode(state, value.items) },
  encode (state: c.State, value: { bucket: number, items: Item[] }) { c.uint.encode(state, value.bucket); c.array(item).encode(state, value.items) },
  decode (state: c.State) { return { bucket: c.uint.decode(state), items: c.array(item).decode(state) } }
}
type WantRef = Want['wants'][number]
type Probe = Want['probes'][number]
const probe = {
  preencode (state: c.State, value: Probe) { c.uint.preencode(state, value.bucket); c.uint.preencode(state, value.index); c.uint.preencode(state, value.seq); digest.preencode(state, value.digest) },
  encode (state: c.State, value: Probe) { c.uint.encode(state, value.bucket); c.uint.encode(state, value.index); c.uint.encode(state, value.seq); digest.encode(state, value.digest) },
  decode (state: c.State): Probe { return { bucket: c.uint.decode(state), index: c.uint.decode(state), seq: c.uint.decode(state), digest: digest.decode(state) } }
}
const wantRef = {
  preencode (state: c.State, value: WantRef) { c.uint.preencode(state, value.bucket); c.uint.preencode(state, value.index); c.uint.preencode(state, value.after); optionalId.preencode(state, value.afterId) },
  encode (state: c.State, value: WantRef) { c.uint.encode(state, value.bucket); c.uint.encode(state, value.index); c.uint.encode(state, value.after); optionalId.encode(state, value.afterId) },
  decode (state: c.State): WantRef { return { bucket: c.uint.decode(state), index: c.uint.decode(state), after: c.uint.decode(state), afterId: optionalId.decode(state) } }
}

/** Encodes the fields of `message` after its type byte: one place per message, used to size and to write. */
function fields (message: Message, state: c.State, mode: 'preencode' | 'encode'): void {
  const put = <T>(encoding: c.Encoder<T>, value: T): void => { encoding[mode](state, value) }
  switch (message.type) {
    case 'proof': put(c.uint, message.minVersion); put(c.uint, message.maxVersion); put(c.fixed32, message.proof); return
    case 'hello':
      put(c.fixed(16), message.instance); put(c.fixed32, message.author); put(c.fixed64, message.signature)
      put(c.uint, message.lastChange); put(c.uint, message.items)
      put(c.bool, message.live); put(c.array(c.fixed32), message.authors)
      return
    case 'known': put(c.uint, message.change === null ? 0 : message.change + 1); return
    case 'fingerprints': put(c.uint, message.buckets); put(c.buffer, message.digests); return
    case 'items': put(c.array(bucketItems), message.buckets); return
    case 'want': put(c.array(wantRef), message.wants); put(c.array(probe), message.probes); return
    case 'need': put(c.array(c.uint), message.probes); return
    case 'segment': put(c.raw, message.body); return
    case 'done': case 'mark': put(c.uint, message.through); return
    case 'error': put(c.string, message.code); put(c.string, message.message)
  }
}

export function encodeMessage (message: Message): Uint8Array {
  const state = c.state()
  c.uint8.preencode(state, 0)
  fields(message, state, 'preencode')
  state.buffer = new Uint8Array(state.end)
  c.uint8.encode(state, TYPES.indexOf(message.type))
  fields(message, state, 'encode')
  return state.buffer
}

/** A message's type, read without decoding the rest. */
export function messageType (bytes: Uint8Array): Message['type'] | undefined {
  return TYPES[bytes[0]]
}

export function decodeMessage (bytes: Uint8Array): Message {
  const state = c.state(1, bytes.byteLength, bytes)
  const type = TYPES[bytes[0]]
  let message: Message
  try {
    switch (type) {
      case 'proof': message = { type, minVersion: c.uint.decode(state), maxVersion: c.uint.decode(state), proof: c.fixed32.decode(state) }; break
      case 'hello': {
        const instance = c.fixed(16).decode(state)
        const author = c.fixed32.decode(state)
        const signature = c.fixed64.decode(state)
        const lastChange = c.uint.decode(state)
        const items = c.uint.decode(state)
        message = { type, instance, author, signature, lastChange, items, live: c.bool.decode(state), authors: c.array(c.fixed32).decode(state) }
        break
      }
      case 'known': { const change = c.uint.decode(state); message = { type, change: change === 0 ? null : change - 1 }; break }
      case 'fingerprints': message = { type, buckets: c.uint.decode(state), digests: c.buffer.decode(state) ?? new Uint8Array(0) }; break
      case 'items': message = { type, buckets: c.array(bucketItems).decode(state) }; break
      case 'want': message = { type, wants: c.array(wantRef).decode(state), probes: c.array(probe).decode(state) }; break
      case 'need': message = { type, probes: c.array(c.uint).decode(state) }; break
      case 'segment': message = { type, body: bytes.subarray(1) }; state.start = state.end; break
      case 'done': message = { type, through: c.uint.decode(state) }; break
      case 'mark': message = { type, through: c.uint.decode(state) }; break
      case 'error': message = { type, code: c.string.decode(state), message: c.string.decode(state) }; break
      default: throw new LogbookError('PROTOCOL_ERROR', `a peer sent a message of unknown type ${bytes[0]}`)
    }
  } catch (err) {
    if (err instanceof LogbookError) throw err
    throw new LogbookError('PROTOCOL_ERROR', `a peer sent a malformed ${type} message: ${(err as Error).message}`, { cause: err })
  }
  if (state.start !== state.end) throw new LogbookError('PROTOCOL_ERROR', `a peer sent a ${type} message with ${state.end - state.start} bytes too many`)
  return message
}
