// The pending area: authenticated entries that are not ready yet, one row each (keyed by id), so an entry
// sent many times, or in overlapping segments, is stored once. Each pending entry is in one of four states,
// kept in its pendingByAuthor row:
//   orphan     its prev is not stored: its history has a gap, so nothing about it can be judged yet;
//   chained    its prev is pending and its history is whole back to seq 1 (it is "placed");
//   link       its prev is ready (or it is seq 1) and it waits for a linked entry, named in the row;
//   signature  its prev and links are ready or waiting for a signature, and it is unsigned: it waits for
//              a signed entry after it, which authenticates it, to become ready with it.
// Only placed entries (every state but orphan) take part in forks.
import { decodeSegmentBody, encodeSubSegment } from '../entry/segment.js'
import type { Segment, SegmentEntry } from '../entry/types.js'
import { join, readU64, u64 } from './layout.js'

export const WAIT = { orphan: 0, chained: 1, link: 2, signature: 3 } as const
export type WaitKind = typeof WAIT[keyof typeof WAIT]

/** A pending entry as stored: its place in its feed and its content. */
export interface PendingEntry {
  id: Uint8Array
  space: Uint8Array
  author: Uint8Array
  seq: number
  prev: Uint8Array | null
  entry: SegmentEntry
  /** The stored row's bytes (a one-entry segment body). */
  body: Uint8Array
}

/** Entry `index` of `segment` as a pending row's value: a one-entry segment body. */
export function encodePending (segment: Segment, index: number, prev: Uint8Array | null): Uint8Array {
  return encodeSubSegment(segment, index, index + 1, prev)
}

export function decodePending (id: Uint8Array, body: Uint8Array): PendingEntry {
  const segment = decodeSegmentBody(body, { trusted: true })
  return { id, space: segment.space, author: segment.author, seq: segment.firstSeq, prev: segment.firstPrev, entry: segment.entries[0], body }
}

/** The pending row of `pending` with `signature` added. */
export function withSignature (pending: PendingEntry, signature: Uint8Array): Uint8Array {
  const segment = decodeSegmentBody(pending.body, { trusted: true })
  segment.entries[0].signature = signature
  segment.encoded = undefined
  return encodeSubSegment(segment, 0, 1, segment.firstPrev)
}

/** pendingByAuthor key: author ‖ seq ‖ id. */
export function byAuthorKey (author: Uint8Array, seq: number, id: Uint8Array): Uint8Array {
  return join(author, u64(seq), id)
}

/** pendingBySeq key: seq ‖ author ‖ id. */
export function bySeqKey (author: Uint8Array, seq: number, id: Uint8Array): Uint8Array {
  return join(u64(seq), author, id)
}

/** What a pending entry waits for: its state and, for orphan/chained/link, the id it waits for. */
export interface Wait {
  kind: WaitKind
  on: Uint8Array | null
}

export function encodeWait (wait: Wait): Uint8Array {
  return wait.on === null ? new Uint8Array([wait.kind]) : join(new Uint8Array([wait.kind]), wait.on)
}

export function decodeWait (value: Uint8Array): Wait {
  return { kind: value[0] as WaitKind, on: value.byteLength > 1 ? value.slice(1, 33) : null }
}

export function placed (kind: WaitKind): boolean {
  return kind !== WAIT.orphan
}

/**
 * The bytes a pending entry counts against the quota: its row without a signature, so an entry counts the
 * same whichever copies of it arrived, and the entries a quota keeps do not depend on their order.
 */
export function quotaBytes (entry: PendingEntry): number {
  return entry.body.byteLength - (entry.entry.signature === null ? 0 : 64)
}

/** Per-author (and total) pending counts: entries ‖ bytes. */
export interface PendingCount {
  entries: number
  bytes: number
}

export function encodeCount (count: PendingCount): Uint8Array {
  return join(u64(count.entries), u64(count.bytes))
}

export function decodeCount (value: Uint8Array | undefined): PendingCount {
  return value === undefined ? { entries: 0, bytes: 0 } : { entries: readU64(value, 0), bytes: readU64(value, 8) }
}
