// The LevelDB layout: one sublevel per concern, binary keys, and the codecs for their keys and values.
// docs/FORMAT.md describes the same layout for readers of the database.
//
// Ready entries are stored in local-order pages: a run of up to PAGE_ENTRIES consecutive entries of one
// author, encoded like a segment body, keyed by the local sequence number of its first entry; the id index
// costs one row per entry. Pending entries (authenticated, not yet ready) are stored one row each, keyed by
// id, with small indexes that say what each waits for, so nothing about them is held in memory.
import { Buffer } from 'buffer'
import type { AbstractLevel, AbstractSublevel } from 'abstract-level'
import { readUint53 } from '../entry/bytes.js'

export const PAGE_ENTRIES = 16

type Db = AbstractLevel<any, any, any>
export type Sub = AbstractSublevel<Db, any, Uint8Array, Uint8Array>

export interface Layout {
  db: Db
  /** meta: utf8 keys and values (space id, format, instance id, journal checkpoint). */
  meta: AbstractSublevel<Db, any, string, string>
  /** pages: local seq of first entry (u64) → page (segment body layout ‖ ids). */
  pages: Sub
  /** ids: entry id (all 32 bytes) → page key (u64) ‖ slot (u8). Only ready entries. */
  ids: Sub
  /** feeds: author ‖ last seq (u64) ‖ page key (u64) → first seq (u64) ‖ last id. One row per page. */
  feeds: Sub
  /** tips: author ‖ id → seq (u64) ‖ flag (u8, 1 when it is also a DAG head). One row per feed head. */
  tips: Sub
  /** pending: id → the entry as a one-entry segment body (its author, seq and prev in the header). */
  pending: Sub
  /** pendingByAuthor: author ‖ seq (u64) ‖ id → what it waits for: kind (u8: 0 its prev, 1 a link) ‖ that id. */
  pendingByAuthor: Sub
  /** pendingBySeq: seq (u64) ‖ author ‖ id → (empty). The order in which the total quota evicts (largest first). */
  pendingBySeq: Sub
  /** successors: prev id ‖ id → (empty). Pending entries by the entry they follow. */
  successors: Sub
  /** linkWaits: link id ‖ id → (empty). Pending entries whose prev is ready, by their first link not ready. */
  linkWaits: Sub
  /** awaited: id → u32 count of pending entries waiting for it (as prev or as link): one exact lookup per readied id. */
  awaited: Sub
  /** pendingCounts: author → entries (u64) ‖ bytes (u64) pending; the key of zero bytes holds the totals. */
  pendingCounts: Sub
  /** wakes: id → (empty). Entries made ready whose waiters are not yet woken (a wake cut short by a crash resumes). */
  wakes: Sub
  /** forks: author → seq (u64) ‖ lower id ‖ higher id. The canonical conflicting pair of a forked author. */
  forks: Sub
  /** forkSeqs: author ‖ seq (u64) → (empty). Every seq at which the author was seen forked (to find the marker again). */
  forkSeqs: Sub
  /** changes: change number (u64) → what changed (changes.ts). */
  changes: Sub
  /** seen: SHA-256 of a segment body whose entries are all ready with its signatures → (empty). Re-imports skip it unread. */
  seen: Sub
}

export function openLayout (db: Db): Layout {
  const binary = { keyEncoding: 'view', valueEncoding: 'view' } as const
  const sub = (name: string): Sub => db.sublevel<Uint8Array, Uint8Array>(name, binary)
  return {
    db,
    meta: db.sublevel<string, string>('m', { keyEncoding: 'utf8', valueEncoding: 'utf8' }),
    pages: sub('p'),
    ids: sub('d'),
    feeds: sub('f'),
    tips: sub('h'),
    pending: sub('e'),
    pendingByAuthor: sub('a'),
    pendingBySeq: sub('g'),
    successors: sub('n'),
    linkWaits: sub('l'),
    awaited: sub('x'),
    pendingCounts: sub('s'),
    wakes: sub('z'),
    forks: sub('k'),
    forkSeqs: sub('j'),
    changes: sub('c'),
    seen: sub('b')
  }
}

/** Sublevels of store format 1 that format 2 no longer uses (emptied by the migration). */
export const FORMAT1_SUBLEVELS = ['i', 't', 'q', 'w']

export function u64 (value: number): Uint8Array {
  const out = Buffer.allocUnsafe(8)
  out.writeUInt32BE(Math.floor(value / 0x100000000), 0)
  out.writeUInt32BE(value >>> 0, 4)
  return out
}

export function readU64 (bytes: Uint8Array, offset = 0): number {
  return readUint53(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset)
}

export function join (...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}

/** The range of every key that starts with `prefix` (the prefix's successor bounds it, not prefix ‖ 0xff). */
export function under (prefix: Uint8Array): { gte: Uint8Array, lt?: Uint8Array } {
  const end = Uint8Array.from(prefix)
  for (let i = end.byteLength - 1; i >= 0; i--) {
    if (end[i] !== 0xff) { end[i]++; return { gte: prefix, lt: end.subarray(0, i + 1) } }
  }
  return { gte: prefix }
}

export const ID_LOCATION_BYTES = 9

/** Id-index values for `count` consecutive slots of one page, cut from one allocation (hot path). */
export function idLocations (pageKey: number, count: number): Uint8Array[] {
  const block = Buffer.allocUnsafe(ID_LOCATION_BYTES * count)
  const high = Math.floor(pageKey / 0x100000000)
  const low = pageKey >>> 0
  const out: Uint8Array[] = new Array(count)
  for (let slot = 0; slot < count; slot++) {
    const at = slot * ID_LOCATION_BYTES
    block.writeUInt32BE(high, at)
    block.writeUInt32BE(low, at + 4)
    block[at + 8] = slot
    out[slot] = block.subarray(at, at + ID_LOCATION_BYTES)
  }
  return out
}

export function readIdLocation (value: Uint8Array): { pageKey: number, slot: number } {
  return { pageKey: readU64(value, 0), slot: value[8] }
}

export function feedKey (author: Uint8Array, lastSeq: number, pageKey: number): Uint8Array {
  return join(author, u64(lastSeq), u64(pageKey))
}

export function tipValue (seq: number, isHead: boolean): Uint8Array {
  return join(u64(seq), new Uint8Array([isHead ? 1 : 0]))
}
