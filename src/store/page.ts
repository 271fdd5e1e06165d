// Stored pages. A page is a segment body of up to PAGE_ENTRIES consecutive entries of one author,
// followed by their ids (32 bytes each): ids are computed once, when the entries are authenticated,
// so reading a page back (views, export, get) never hashes. `verify` recomputes them.
import { Buffer } from 'buffer'
import { ID_BYTES } from '../entry/limits.js'
import { decodeSegmentBody, encodeSubSegment, segmentHeaderLength } from '../entry/segment.js'
import type { Entry, Segment } from '../entry/types.js'
import { readU64 } from './layout.js'

export interface StoredEntry extends Entry {
  localSeq: number
}

export interface DecodedPage {
  pageKey: number
  segment: Segment
  /** As stored (views into the page's bytes). */
  ids: Uint8Array[]
}

/** The page of entries [from, to) of `segment`, whose ids are `ids` (indexed like the segment's entries). */
export function encodePage (segment: Segment, from: number, to: number, firstPrev: Uint8Array | null, ids: Uint8Array[]): Uint8Array {
  const out = encodeSubSegment(segment, from, to, firstPrev, ID_BYTES * (to - from))
  let at = out.byteLength - ID_BYTES * (to - from)
  for (let i = from; i < to; i++, at += ID_BYTES) out.set(ids[i], at)
  return out
}

/** A page with its segment body replaced (the same entries, more of them signed): the ids stay. */
export function replacePageBody (value: Uint8Array, body: Uint8Array): Uint8Array {
  const idBytes = ID_BYTES * bodyEntryCount(value)
  const out = new Uint8Array(body.byteLength + idBytes)
  out.set(body, 0)
  out.set(value.subarray(value.byteLength - idBytes), body.byteLength)
  return out
}

/** The segment body of a stored page. */
export function pageBody (value: Uint8Array): Uint8Array {
  return value.subarray(0, value.byteLength - ID_BYTES * bodyEntryCount(value))
}

export function decodePage (pageKey: number, value: Uint8Array): DecodedPage {
  const count = bodyEntryCount(value)
  const idsAt = value.byteLength - ID_BYTES * count
  const segment = decodeSegmentBody(value.subarray(0, idsAt), { trusted: true })
  const ids: Uint8Array[] = new Array(count)
  for (let i = 0; i < count; i++) ids[i] = value.subarray(idsAt + ID_BYTES * i, idsAt + ID_BYTES * (i + 1))
  return { pageKey, segment, ids }
}

/** The ids of a page as hex, in one conversion of their stored bytes (which decodePage keeps contiguous). */
export function pageIdsHex (page: DecodedPage): string[] {
  const { ids } = page
  if (ids.length === 0) return []
  const hex = Buffer.from(ids[0].buffer, ids[0].byteOffset, ID_BYTES * ids.length).toString('hex')
  const out: string[] = new Array(ids.length)
  for (let i = 0; i < ids.length; i++) out[i] = hex.slice(2 * ID_BYTES * i, 2 * ID_BYTES * (i + 1))
  return out
}

export function pageEntry (page: DecodedPage, slot: number): StoredEntry {
  const { segment, ids } = page
  const body = segment.entries[slot]
  return {
    ...body,
    id: ids[slot],
    space: segment.space,
    author: segment.author,
    seq: segment.firstSeq + slot,
    prev: slot === 0 ? segment.firstPrev : ids[slot - 1],
    localSeq: page.pageKey + slot
  }
}

/** Entry count of a stored segment body (or page) without decoding it. */
export function bodyEntryCount (body: Uint8Array): number {
  const firstSeq = readU64(body, 65)
  return new DataView(body.buffer, body.byteOffset, body.byteLength).getUint16(segmentHeaderLength(firstSeq) - 2)
}
