// Building blocks of the hostile inputs: chains cut into signed segments, normal feeds, ids of nothing.
// Everything is deterministic (fixed identities, timestamps and payloads), so every run sends the same bytes.
import { createHash } from 'node:crypto'
import type { Identity } from '../../src/index.js'
import type { EntryBody } from '../../src/entry/types.js'
import { binaryBody, buildChain, frameOf, segmentOf, SPACE, type BuiltEntry } from '../../test/helpers/fixtures.js'

/** The claimed time of every generated entry (plus its index where entries must differ). */
export const T0 = 1_700_000_000_000

/** Bytes of a normal entry's binary payload (as in the rest of the benchmark). */
export const NORMAL_PAYLOAD_BYTES = 100

/** An id no entry has (distinct per `i`): what an entry that must wait forever links to. */
export function missingId (i: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`logbook hostile missing ${i}`).digest())
}

/** A 100-byte payload that differs per `i`. */
export function normalPayload (i: number): Uint8Array {
  const bytes = new Uint8Array(NORMAL_PAYLOAD_BYTES).fill(i & 0xff)
  new DataView(bytes.buffer).setUint32(0, i)
  return bytes
}

/**
 * The frame of `chain[from..to)` as one segment that keeps only its last entry's signature (which the
 * chain must carry): a cut of a longer chain, signed at its end.
 */
export function cutFrame (chain: BuiltEntry[], from: number, to: number): Uint8Array {
  const entries = chain.slice(from, to).map((entry, i, all) => (i === all.length - 1 ? entry : { ...entry, signature: null }))
  if (entries.length === 0 || entries[entries.length - 1].signature === null) throw new Error(`no signature at the end of cut ${from}..${to}`)
  return frameOf(segmentOf(SPACE, entries))
}

/** One frame per entry: each entry its own signed segment (the entries must all be signed). */
export function singleFrames (chain: BuiltEntry[]): Uint8Array[] {
  return chain.map((_, i) => cutFrame(chain, i, i + 1))
}

/** One signed single-entry segment at seq 1 of `who`. */
export function firstEntry (who: Identity, body: EntryBody): BuiltEntry {
  return buildChain(SPACE, who, 0, null, [body])[0]
}

/**
 * `count` entries of `who` after (afterSeq, afterId), `body(i)` each, as segments of up to `per` entries
 * signed only at their ends. Built a segment at a time, so a long feed never holds every entry's ids at once.
 */
export function feed (who: Identity, count: number, options: { per?: number, afterSeq?: number, afterId?: Uint8Array | null, body?: (i: number) => EntryBody } = {}): { frames: Uint8Array[], lastId: Uint8Array | null } {
  const per = options.per ?? 1024
  const body = options.body ?? ((i: number) => binaryBody(normalPayload(i), T0 + i))
  let seq = options.afterSeq ?? 0
  let prev = options.afterId ?? null
  const frames: Uint8Array[] = []
  for (let start = 0; start < count; start += per) {
    const bodies = Array.from({ length: Math.min(per, count - start) }, (_, i) => body(start + i))
    const chain = buildChain(SPACE, who, seq, prev, bodies, () => false)
    frames.push(cutFrame(chain, 0, chain.length))
    seq += chain.length
    prev = chain[chain.length - 1].id
  }
  return { frames, lastId: prev }
}

/** Bytes of a normal entry inside a 1024-entry segment (flags, timestamp, link count, length, payload). */
const NORMAL_ENTRY_BYTES = 1 + 8 + 2 + 4 + NORMAL_PAYLOAD_BYTES

/** A normal feed (one author, 100-byte payloads, 1024 entries a signed segment) of about `bytes` bytes. */
export function normalFeedOfBytes (who: Identity, bytes: number): Uint8Array[] {
  return feed(who, Math.max(1, Math.round(bytes / NORMAL_ENTRY_BYTES))).frames
}

export function byteLength (frames: Uint8Array[]): number {
  return frames.reduce((sum, frame) => sum + frame.byteLength, 0)
}
