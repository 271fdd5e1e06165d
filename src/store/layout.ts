// The LevelDB layout: one sublevel per concern, binary keys, and the codecs for their keys and values.
// docs/FORMAT.md describes the same layout for readers of the database.
//
// Entries are stored in local-order pages: a run of up to PAGE_ENTRIES consecutive entries of one author,
// encoded like a segment body, keyed by the local sequence number of its first entry. Everything else
// is an index small enough to keep the per-entry cost at one row (the id index).
import type { AbstractLevel, AbstractSublevel } from 'abstract-level'
import { readUint53 } from '../entry/bytes.js'

export const PAGE_ENTRIES = 16

type Db = AbstractLevel<any, any, any>
export type Sub = AbstractSublevel<Db, any, Uint8Array, Uint8Array>

export interface Layout {
  db: Db
  /** meta: utf8 keys and values (space id, format version). */
  meta: AbstractSublevel<Db, any, string, string>
  /** pages: local seq of first entry (u64) → page (segment body layout). */
  pages: Sub
  /** ids: entry id (all 32 bytes) → page key (u64) + slot (u8). Only ready entries. */
  ids: Sub
  /** feeds: author ‖ last seq (u64) ‖ page key (u64) → first seq (u64) ‖ last id. One row per page. */
  feeds: Sub
  /**
   * tips: author → for each feed head (ready entry with no ready successor): id ‖ seq (u64) ‖ flag (u8, 1 when
   * it is also a DAG head, i.e. no ready entry links to it). One row per author, rewritten when it changes:
   * DAG heads are always feed heads, so both fit in one small row and an append writes it once.
   */
  tips: Sub
  /** pending: author ‖ first seq ‖ last id → segment body. Authenticated segments not yet wholly ready. */
  pending: Sub
  /** waits: awaited id ‖ pending key → kind (u8: 0 prev, 1 link) ‖ seq of the first entry not ready (u64). What each pending segment waits for. */
  waits: Sub
  /** forks: author → seq (u64) ‖ lower id ‖ higher id. The canonical conflicting pair of a forked author. */
  forks: Sub
  /** changes: change number (u64) → what changed (changes.ts). */
  changes: Sub
}

export function openLayout (db: Db): Layout {
  const binary = { keyEncoding: 'view', valueEncoding: 'view' } as const
  return {
    db,
    meta: db.sublevel<string, string>('m', { keyEncoding: 'utf8', valueEncoding: 'utf8' }),
    pages: db.sublevel<Uint8Array, Uint8Array>('p', binary),
    ids: db.sublevel<Uint8Array, Uint8Array>('d', binary),
    feeds: db.sublevel<Uint8Array, Uint8Array>('f', binary),
    tips: db.sublevel<Uint8Array, Uint8Array>('t', binary),
    pending: db.sublevel<Uint8Array, Uint8Array>('q', binary),
    waits: db.sublevel<Uint8Array, Uint8Array>('w', binary),
    forks: db.sublevel<Uint8Array, Uint8Array>('k', binary),
    changes: db.sublevel<Uint8Array, Uint8Array>('c', binary)
  }
}

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

export const TIP_RECORD_BYTES = 32 + 8 + 1

export function encodeTips (tips: Map<string, number>, isHead: (idHex: string) => boolean): Uint8Array {
  const out = Buffer.alloc(tips.size * TIP_RECORD_BYTES)
  let at = 0
  for (const [idHex, seq] of tips) {
    out.write(idHex, at, 'hex')
    out.set(u64(seq), at + 32)
    out[at + 40] = isHead(idHex) ? 1 : 0
    at += TIP_RECORD_BYTES
  }
  return out
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

export function pendingKey (author: Uint8Array, firstSeq: number, lastId: Uint8Array): Uint8Array {
  return join(author, u64(firstSeq), lastId)
}
