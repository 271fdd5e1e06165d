// The LevelDB layout: one sublevel per concern, binary keys, and the codecs for their keys and values.
// docs/FORMAT.md describes the same layout for readers of the database.
//
// Entries are stored in local-order pages: a run of up to PAGE_ENTRIES consecutive entries of one author,
// encoded like a segment body, keyed by the local sequence number of its first entry. Everything else
// is an index small enough to keep the per-entry cost at one row (the id index).
import type { AbstractLevel, AbstractSublevel } from 'abstract-level'
import { readUint53, writeUint53 } from '../entry/bytes.js'

export const PAGE_ENTRIES = 16
export const ID_PREFIX_BYTES = 16

type Db = AbstractLevel<any, any, any>
export type Sub = AbstractSublevel<Db, any, Uint8Array, Uint8Array>

export interface Layout {
  db: Db
  /** meta: utf8 keys, JSON values (next local seq, format version). */
  meta: AbstractSublevel<Db, any, string, string>
  /** pages: local seq of first entry (u64) → page (segment body layout). */
  pages: Sub
  /** ids: 16-byte id prefix → page key (u64) + slot (u8). Only ready entries. */
  ids: Sub
  /** feeds: author ‖ last seq (u64) ‖ page key (u64) → first seq (u64) ‖ last id. One row per page. */
  feeds: Sub
  /** tips: author ‖ id → seq (u64). Ready entries of a feed with no ready successor (the feed heads). */
  tips: Sub
  /** heads: id → empty. Ready entries that no ready entry references by prev or link. */
  heads: Sub
  /** pending: author ‖ first seq ‖ last id → segment body. Authenticated segments not yet wholly ready. */
  pending: Sub
  /** waits: awaited id ‖ pending key → kind (u8: 0 prev, 1 link) ‖ seq of the first entry not ready (u64). What each pending segment waits for. */
  waits: Sub
  /** forks: author → seq (u64) ‖ lower id ‖ higher id. The canonical conflicting pair of a forked author. */
  forks: Sub
}

export function openLayout (db: Db): Layout {
  const binary = { keyEncoding: 'view', valueEncoding: 'view' } as const
  return {
    db,
    meta: db.sublevel<string, string>('m', { keyEncoding: 'utf8', valueEncoding: 'utf8' }),
    pages: db.sublevel<Uint8Array, Uint8Array>('p', binary),
    ids: db.sublevel<Uint8Array, Uint8Array>('i', binary),
    feeds: db.sublevel<Uint8Array, Uint8Array>('f', binary),
    tips: db.sublevel<Uint8Array, Uint8Array>('t', binary),
    heads: db.sublevel<Uint8Array, Uint8Array>('h', binary),
    pending: db.sublevel<Uint8Array, Uint8Array>('q', binary),
    waits: db.sublevel<Uint8Array, Uint8Array>('w', binary),
    forks: db.sublevel<Uint8Array, Uint8Array>('k', binary)
  }
}

export function u64 (value: number): Uint8Array {
  const out = new Uint8Array(8)
  writeUint53(new DataView(out.buffer), 0, value)
  return out
}

export function readU64 (bytes: Uint8Array, offset = 0): number {
  return readUint53(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset)
}

export function join (...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}

export function idKey (id: Uint8Array): Uint8Array {
  return id.subarray(0, ID_PREFIX_BYTES)
}

export function idLocation (pageKey: number, slot: number): Uint8Array {
  const out = new Uint8Array(9)
  writeUint53(new DataView(out.buffer), 0, pageKey)
  out[8] = slot
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
