// Shared test fixtures: fixed identities and space keys, stores on memory-level, hand-built segments
// (any signature placement, crafted prevs and links), frames, JSON lines, byte-stream helpers, and a
// comparable snapshot of a store's state.
import { MemoryLevel } from 'memory-level'
import { Logbook } from '../../src/logbook.js'
import { Identity } from '../../src/identity.js'
import { signEntryId, spaceIdFromKey } from '../../src/crypto/index.js'
import { compareBytes, concatBytes, toHex } from '../../src/entry/bytes.js'
import { computeChainIds } from '../../src/entry/entry-id.js'
import { encodeSegmentBody } from '../../src/entry/segment.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type EntryBody, type Segment, type SegmentEntry } from '../../src/entry/types.js'
import { encodeFrame } from '../../src/io/frames.js'
import { segmentToJson } from '../../src/io/json-segment.js'

export { concatBytes, toHex }

const encoder = new TextEncoder()

/** A 32-byte value filled with `n` (space keys and identity seeds that never change between runs). */
export function filled (n: number): Uint8Array {
  return new Uint8Array(32).fill(n)
}

export const SPACE_KEY = filled(0x5a)
export const SPACE = spaceIdFromKey(SPACE_KEY)
export const OTHER_SPACE_KEY = filled(0xa5)
export const OTHER_SPACE = spaceIdFromKey(OTHER_SPACE_KEY)

const identities = new Map<number, Identity>()
/** Identity number `n` (1..255): the same key pair in every run, so two stores can act as two devices. */
export function identity (n: number): Identity {
  let id = identities.get(n)
  if (id === undefined) { id = Identity.fromSeed(filled(n)); identities.set(n, id) }
  return id
}

/**
 * Identity number `i` of any count (0 ≤ i < 2^32), for inputs with many authors: the same key pair in
 * every run, and never one of `identity(n)`'s.
 */
export function numberedIdentity (i: number): Identity {
  const seed = new Uint8Array(32).fill(0xb0)
  new DataView(seed.buffer).setUint32(0, i)
  return Identity.fromSeed(seed)
}

export async function memoryBook (options: { identity?: Identity, spaceKey?: Uint8Array } = {}): Promise<Logbook> {
  return await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey: options.spaceKey ?? SPACE_KEY, identity: options.identity ?? identity(200) })
}

// ---- hand-built entries and segments ----

/** One entry as built by hand: its place in its feed, its body, its (optional) signature. */
export interface BuiltEntry extends SegmentEntry {
  id: Uint8Array
  seq: number
  prev: Uint8Array | null
  author: Uint8Array
}

export function jsonBody (value: unknown, timestamp: number, links: Uint8Array[] = []): EntryBody {
  return { timestamp, links: [...links].sort(compareBytes), kind: PAYLOAD_JSON, payload: encoder.encode(JSON.stringify(value)) }
}

/** A JSON payload given as its text (for texts JSON.stringify could not write, such as very deep nesting). */
export function jsonTextBody (text: string, timestamp: number, links: Uint8Array[] = []): EntryBody {
  return { timestamp, links: [...links].sort(compareBytes), kind: PAYLOAD_JSON, payload: encoder.encode(text) }
}

export function binaryBody (bytes: Uint8Array, timestamp: number, links: Uint8Array[] = []): EntryBody {
  return { timestamp, links: [...links].sort(compareBytes), kind: PAYLOAD_BINARY, payload: bytes }
}

/**
 * A chain of entries by `who` after (seq `afterSeq`, id `afterId`), each signed when `signed(i)` says so
 * (the last one always). Links are used as given: pass them sorted unless testing that they are not.
 */
export function buildChain (space: Uint8Array, who: Identity, afterSeq: number, afterId: Uint8Array | null, bodies: EntryBody[], signed: (i: number) => boolean = () => true): BuiltEntry[] {
  const ids = computeChainIds(space, who.publicKey, afterSeq + 1, afterId, bodies)
  return bodies.map((body, i) => ({
    ...body,
    id: ids[i],
    seq: afterSeq + 1 + i,
    prev: i === 0 ? afterId : ids[i - 1],
    author: who.publicKey,
    signature: signed(i) || i === bodies.length - 1 ? signEntryId(ids[i], who.secretKey) : null
  }))
}

/** The segment of consecutive built entries (as they are: their signatures decide what is signed). */
export function segmentOf (space: Uint8Array, entries: BuiltEntry[]): Segment {
  const first = entries[0]
  return {
    space,
    author: first.author,
    firstSeq: first.seq,
    firstPrev: first.prev,
    entries: entries.map((e) => ({ timestamp: e.timestamp, links: e.links, kind: e.kind, payload: e.payload, signature: e.signature }))
  }
}

export function frameOf (segment: Segment): Uint8Array {
  return encodeFrame(encodeSegmentBody(segment))
}

/** One NDJSON line; with `ids`, the entries state their ids (as an export writes them). */
export function jsonLineOf (segment: Segment, ids?: Uint8Array[]): Uint8Array {
  return encoder.encode(JSON.stringify(segmentToJson(segment, ids)) + '\n')
}

/** The same id with its last bit flipped: a made-up id that shares the first 31 bytes with a real one. */
export function twinOf (id: Uint8Array): Uint8Array {
  const twin = Uint8Array.from(id)
  twin[31] ^= 1
  return twin
}

/** Ids of a segment, recomputed along its chain. */
export function idsOf (segment: Segment): Uint8Array[] {
  return computeChainIds(segment.space, segment.author, segment.firstSeq, segment.firstPrev, segment.entries)
}

// ---- byte streams ----

export async function collect (source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return concatBytes(parts)
}

/** Yields `bytes` in chunks of the given sizes (cycled; each at least 1 byte). */
export async function * chunked (bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0
  let i = 0
  while (at < bytes.byteLength) {
    const size = Math.max(1, sizes.length === 0 ? bytes.byteLength : sizes[i++ % sizes.length])
    yield bytes.slice(at, at + size)
    at += size
  }
}

/** Byte offsets and lengths of the binary frames in a binary export. */
export function frameBounds (bytes: Uint8Array): Array<{ start: number, end: number }> {
  const out: Array<{ start: number, end: number }> = []
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 0
  while (at < bytes.byteLength) {
    const length = view.getUint32(at + 4)
    out.push({ start: at, end: at + 12 + length })
    at += 12 + length
  }
  return out
}

/** Re-frames a (possibly altered) segment body with a correct CRC. */
export function reframe (body: Uint8Array): Uint8Array {
  return encodeFrame(body)
}

/** The body bytes of a frame (a copy). */
export function frameBody (frame: Uint8Array): Uint8Array {
  return frame.slice(8, frame.byteLength - 4)
}

// ---- comparable state ----

export interface Snapshot {
  ready: string[]
  heads: string[]
  feedHeads: Array<{ author: string, id: string, seq: number }>
  forks: Array<{ author: string, seq: number, ids: [string, string], proof: string }>
  signed: string[]
}

/** What "same state" means: ready ids, heads, feed heads, fork proofs (and which ready entries carry signatures). */
export async function snapshot (book: Logbook): Promise<Snapshot> {
  const ready: string[] = []
  const signed: string[] = []
  for await (const entry of book.log()) {
    ready.push(entry.id)
    if (entry.signed) signed.push(entry.id)
  }
  return {
    ready: ready.sort(),
    heads: book.heads(),
    feedHeads: book.feedHeads(),
    forks: (await book.forks()).map((f) => ({ author: f.author, seq: f.seq, ids: f.ids, proof: JSON.stringify(f.proof) })),
    signed: signed.sort()
  }
}

/** Ids that `book` has ready, out of `ids`. */
export async function presentIds (book: Logbook, ids: Iterable<Uint8Array | string>): Promise<string[]> {
  const out: string[] = []
  for (const id of ids) {
    const hex = typeof id === 'string' ? id : toHex(id)
    if (await book.get(hex) !== undefined) out.push(hex)
  }
  return out
}

/** A tiny deterministic PRNG (mulberry32) for test data that must not change between runs. */
export { seededRandom as prng } from '../../src/views/order.js'

/** memory-level whose every batch waits `ms` first, as a page's IndexedDB takes a while. */
export function slowLevel (ms = 15): MemoryLevel<Uint8Array, Uint8Array> {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
  const inner = db as unknown as { _batch: (...args: unknown[]) => Promise<void> }
  const batch = inner._batch.bind(db)
  inner._batch = async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, ms))
    await batch(...args)
  }
  return db
}
