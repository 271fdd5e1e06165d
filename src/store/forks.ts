// Fork proofs. A store keeps, per forked author, one canonical conflicting pair: the lowest seq at
// which two placed entries differ, and the two smallest ids there (fork-check.ts). The proof is derived from the
// stored entries on demand: for each of the two ids, the author's shortest run from it to a signed entry
// (runToSignature says which run when there are several). Any store verifies such a proof on its own.
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

/** One stored entry of the author, as far as a proof needs it. */
interface Stored {
  id: Uint8Array
  entry: SegmentEntry
  prev: Uint8Array | null
  /** The ready page holding it, when it is ready (its successor may be the page's next slot). */
  page: DecodedPage | null
}

/** A step of the search: an entry and the step before it (null for the fork entry). */
interface Step {
  stored: Stored
  before: Step | null
}

/** The ready page holding `id`, if it is ready. */
async function readyPageOf (reader: StoreReader, id: Uint8Array): Promise<DecodedPage | undefined> {
  const location = await reader.locate(id)
  if (location === undefined) return undefined
  const page = await reader.page(location.pageKey)
  return page !== undefined && equalBytes(page.ids[location.slot], id) ? page : undefined
}

/** The stored entry `id` (ready or pending), if it is stored. */
async function storedEntry (reader: StoreReader, id: Uint8Array, seq: number): Promise<Stored | undefined> {
  const page = await readyPageOf(reader, id)
  if (page !== undefined) {
    const slot = seq - page.segment.firstSeq
    return { id, entry: page.segment.entries[slot], prev: slot === 0 ? page.segment.firstPrev : page.ids[slot - 1], page }
  }
  const pending = await reader.pendingEntry(id)
  return pending === undefined ? undefined : { id, entry: pending.entry, prev: pending.prev, page: null }
}

/** The stored entries right after `stored` (at `seq`) on any branch, ready or pending, sorted by id. */
async function successors (reader: StoreReader, author: Uint8Array, seq: number, stored: Stored): Promise<Stored[]> {
  const { id } = stored
  const found = new Map<string, Stored>()
  const pages: DecodedPage[] = stored.page === null ? [] : [stored.page]
  for await (const row of reader.authorPages(author, seq + 1, seq + PAGE_ENTRIES)) {
    if (row.firstSeq !== seq + 1) continue
    const page = await reader.page(row.pageKey)
    if (page !== undefined) pages.push(page)
  }
  for (const page of pages) {
    const slot = seq + 1 - page.segment.firstSeq
    if (slot < 0 || slot >= page.ids.length) continue
    const prev = slot === 0 ? page.segment.firstPrev : page.ids[slot - 1]
    if (prev !== null && equalBytes(prev, id)) found.set(toHex(page.ids[slot]), { id: page.ids[slot], entry: page.segment.entries[slot], prev, page })
  }
  for (const pending of await reader.pendingSuccessors(id)) {
    if (equalBytes(pending.author, author) && pending.seq === seq + 1) found.set(toHex(pending.id), { id: pending.id, entry: pending.entry, prev: pending.prev, page: null })
  }
  return [...found.values()].sort((a, b) => compareBytes(a.id, b.id))
}

/**
 * The run from the entry `id` (at `seq`) to a signed entry, as a segment: the shortest such run over
 * every branch the store holds (ready or pending), and among runs of that length the one whose ids are
 * smallest, step by step. The proof is then the same on every store that holds the same entries,
 * whatever order they arrived in.
 */
export async function runToSignature (reader: StoreReader, space: Uint8Array, author: Uint8Array, seq: number, id: Uint8Array): Promise<AuthenticatedSegment> {
  const start = await storedEntry(reader, id, seq)
  if (start === undefined) throw new LogbookError('VERIFY_FAILED', `fork entry ${toHex(id)} is not stored`)
  // Breadth first: each level holds the runs of one length, in the order of their ids.
  let level: Step[] = [{ stored: start, before: null }]
  for (let length = 1; length <= MAX_SEGMENT_ENTRIES && level.length > 0; length++) {
    const signed = level.find((step) => step.stored.entry.signature !== null)
    if (signed !== undefined) return runSegment(space, author, seq, start.prev, signed)
    const next: Step[] = []
    for (const step of level) {
      for (const stored of await successors(reader, author, seq + length - 1, step.stored)) next.push({ stored, before: step })
    }
    level = next
  }
  throw new LogbookError('VERIFY_FAILED', `no signature authenticates entry ${toHex(id)}`)
}

function runSegment (space: Uint8Array, author: Uint8Array, seq: number, firstPrev: Uint8Array | null, last: Step): AuthenticatedSegment {
  const run: Stored[] = []
  for (let step: Step | null = last; step !== null; step = step.before) run.push(step.stored)
  run.reverse()
  return { space, author, firstSeq: seq, firstPrev, entries: run.map((stored) => stored.entry), ids: run.map((stored) => stored.id) }
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
