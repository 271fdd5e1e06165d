// Fork proofs. A store keeps, per forked author, one canonical conflicting pair: the lowest seq at
// which two authenticated entries differ, and the two smallest ids there. The proof is derived from the
// stored entries on demand: for each of the two ids, the author's run from it to the first signed entry
// along its branch. Any store verifies such a proof on its own.
import { LogbookError } from '../errors.js'
import { compareBytes, equalBytes, toHex } from '../entry/bytes.js'
import { MAX_SEGMENT_ENTRIES } from '../entry/limits.js'
import { authenticateSegment } from '../entry/segment.js'
import type { AuthenticatedSegment, SegmentEntry } from '../entry/types.js'
import { PAGE_ENTRIES } from './layout.js'
import type { DecodedPage } from './page.js'
import type { StoreReader } from './reader.js'
import type { ForkMarker } from './state.js'

export interface ForkProof {
  author: Uint8Array
  seq: number
  segments: [AuthenticatedSegment, AuthenticatedSegment]
}

type Cursor =
  | { kind: 'ready', page: DecodedPage, index: number }
  | { kind: 'pending', segment: AuthenticatedSegment, index: number }

function cursorIds (cursor: Cursor): Uint8Array[] {
  return cursor.kind === 'ready' ? cursor.page.ids : cursor.segment.ids
}
function cursorEntries (cursor: Cursor): SegmentEntry[] {
  return cursor.kind === 'ready' ? cursor.page.segment.entries : cursor.segment.entries
}
function cursorFirstSeq (cursor: Cursor): number {
  return cursor.kind === 'ready' ? cursor.page.segment.firstSeq : cursor.segment.firstSeq
}
function cursorPrev (cursor: Cursor): Uint8Array | null {
  if (cursor.index > 0) return cursorIds(cursor)[cursor.index - 1]
  return cursor.kind === 'ready' ? cursor.page.segment.firstPrev : cursor.segment.firstPrev
}

async function pendingCursor (reader: StoreReader, author: Uint8Array, seq: number, matches: (segment: AuthenticatedSegment, index: number) => boolean): Promise<Cursor | undefined> {
  for await (const segment of reader.pendingSegments()) {
    if (!equalBytes(segment.author, author)) continue
    const index = seq - segment.firstSeq
    if (index >= 0 && index < segment.ids.length && matches(segment, index)) return { kind: 'pending', segment, index }
  }
  return undefined
}

/** Where the entry with `id` (at `seq`) is stored: a ready page or a pending segment. */
async function cursorAt (reader: StoreReader, author: Uint8Array, seq: number, id: Uint8Array): Promise<Cursor | undefined> {
  const location = await reader.locate(id)
  if (location !== undefined) {
    const page = await reader.page(location.pageKey)
    if (page !== undefined && equalBytes(page.ids[location.slot], id)) return { kind: 'ready', page, index: location.slot }
  }
  return await pendingCursor(reader, author, seq, (segment, index) => equalBytes(segment.ids[index], id))
}

/** The entry right after `id` (at `seq`) on the same branch. */
async function successor (reader: StoreReader, author: Uint8Array, seq: number, id: Uint8Array): Promise<Cursor | undefined> {
  for await (const row of reader.authorPages(author, seq + 1, seq + PAGE_ENTRIES)) {
    if (row.firstSeq !== seq + 1) continue
    const page = await reader.page(row.pageKey)
    if (page?.segment.firstPrev !== null && page !== undefined && equalBytes(page.segment.firstPrev as Uint8Array, id)) return { kind: 'ready', page, index: 0 }
  }
  return await pendingCursor(reader, author, seq + 1, (segment, index) =>
    equalBytes(index === 0 ? segment.firstPrev as Uint8Array : segment.ids[index - 1], id))
}

/** The run from the entry `id` to the first signed entry after it on its branch, as a segment. */
export async function runToSignature (reader: StoreReader, space: Uint8Array, author: Uint8Array, seq: number, id: Uint8Array): Promise<AuthenticatedSegment> {
  let cursor = await cursorAt(reader, author, seq, id)
  if (cursor === undefined) throw new LogbookError('VERIFY_FAILED', `fork entry ${toHex(id)} is not stored`)
  const firstPrev = cursorPrev(cursor)
  const entries: SegmentEntry[] = []
  const ids: Uint8Array[] = []
  while (entries.length < MAX_SEGMENT_ENTRIES) {
    const entry = cursorEntries(cursor)[cursor.index]
    const entryId = cursorIds(cursor)[cursor.index]
    entries.push(entry)
    ids.push(entryId)
    if (entry.signature !== null) return { space, author, firstSeq: seq, firstPrev, entries, ids }
    const currentSeq = cursorFirstSeq(cursor) + cursor.index
    if (cursor.index + 1 < cursorIds(cursor).length) {
      cursor = { ...cursor, index: cursor.index + 1 }
    } else {
      const next = await successor(reader, author, currentSeq, entryId)
      if (next === undefined) break
      cursor = next
    }
  }
  throw new LogbookError('VERIFY_FAILED', `no signature authenticates entry ${toHex(id)}`)
}

export async function deriveForkProof (reader: StoreReader, space: Uint8Array, author: Uint8Array, marker: ForkMarker): Promise<ForkProof> {
  const low = await runToSignature(reader, space, author, marker.seq, marker.low)
  const high = await runToSignature(reader, space, author, marker.seq, marker.high)
  return { author, seq: marker.seq, segments: [low, high] }
}

/** Checks a fork proof with nothing but its own bytes: both segments authenticate and conflict. */
export function verifyForkProof (proof: ForkProof, space: Uint8Array): void {
  const [a, b] = proof.segments.map((segment) => authenticateSegment(segment, space))
  if (!equalBytes(a.author, b.author) || !equalBytes(a.author, proof.author)) throw new LogbookError('VERIFY_FAILED', 'fork proof segments are by different authors')
  if (a.firstSeq !== proof.seq || b.firstSeq !== proof.seq) throw new LogbookError('VERIFY_FAILED', 'fork proof segments do not start at the fork seq')
  if (compareBytes(a.ids[0], b.ids[0]) === 0) throw new LogbookError('VERIFY_FAILED', 'fork proof segments do not conflict')
}
