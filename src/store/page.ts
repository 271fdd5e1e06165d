// Reading stored pages back into entries. A page is a segment body of up to PAGE_ENTRIES consecutive
// entries of one author; ids are not stored but recomputed along the prev chain when a page is read.
import { computeChainIds } from '../entry/entry-id.js'
import { decodeSegmentBody, segmentHeaderLength } from '../entry/segment.js'
import type { Entry, Segment } from '../entry/types.js'
import { readU64 } from './layout.js'

export interface StoredEntry extends Entry {
  localSeq: number
}

export interface DecodedPage {
  pageKey: number
  segment: Segment
  ids: Uint8Array[]
}

export function decodePage (pageKey: number, value: Uint8Array): DecodedPage {
  const segment = decodeSegmentBody(value, { trusted: true })
  const ids = computeChainIds(segment.space, segment.author, segment.firstSeq, segment.firstPrev, segment.entries)
  return { pageKey, segment, ids }
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

export function pageEntries (page: DecodedPage): StoredEntry[] {
  return page.segment.entries.map((_, slot) => pageEntry(page, slot))
}

/** Entry count of a stored segment body without decoding it (pending summaries at open). */
export function bodyEntryCount (body: Uint8Array): number {
  const firstSeq = readU64(body, 65)
  return new DataView(body.buffer, body.byteOffset, body.byteLength).getUint16(segmentHeaderLength(firstSeq) - 2)
}
