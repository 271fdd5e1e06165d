// What a session sends, read from the store: the entries on the way to chosen feed tips (reconciliation),
// everything (a peer that holds nothing), what changed after a change number (a peer met before, and the
// live phase), and the pending area. All of it as signed segments in local order, so that what an entry
// follows or links to arrives before it and the receiver rarely has to hold anything pending.
import { compareBytes, toHex } from '../entry/bytes.js'
import type { Segment } from '../entry/types.js'
import { RunBuilder } from '../io/export.js'
import type { Store } from '../store/store.js'

/** The entries of a feed on the way to `tip`, after seq `after`; `afterId` is the id the peer holds there. */
export interface Range {
  tip: Uint8Array
  after: number
  afterId: Uint8Array | null
}

interface Piece { from: number, to: number }

/**
 * The slots of each page (by page key) on the way back from `range.tip` to seq `range.after`. When the
 * entry at `after` on this branch is not `afterId`, the peer holds another branch there: the whole branch
 * is collected instead.
 */
async function collect (store: Store, range: Range, into: Map<number, Piece>, walked: Map<number, number>): Promise<void> {
  const reader = store.reader
  let after = range.after
  let location = await reader.locate(range.tip)
  while (location !== undefined) {
    // Branches of one feed share what lies below their fork: walk it once (for the lowest `after` asked).
    const before = walked.get(location.pageKey)
    const walkedPiece = into.get(location.pageKey)
    if (before !== undefined && before <= after && walkedPiece !== undefined) {
      walkedPiece.to = Math.max(walkedPiece.to, location.slot)
      return
    }
    const page = await reader.page(location.pageKey)
    if (page === undefined) return
    const firstSeq = page.segment.firstSeq
    let from = 0
    if (after >= firstSeq) {
      const held = page.ids[after - firstSeq]
      if (range.afterId === null || held === undefined || compareBytes(held, range.afterId) === 0) from = after - firstSeq + 1
      else after = 0
    }
    const piece = into.get(page.pageKey)
    if (piece === undefined) into.set(page.pageKey, { from, to: location.slot })
    else into.set(page.pageKey, { from: Math.min(piece.from, from), to: Math.max(piece.to, location.slot) })
    walked.set(page.pageKey, Math.min(before ?? after, after))
    if (from > 0 || page.segment.firstPrev === null) return
    if (after === firstSeq - 1 && after > 0) {
      if (range.afterId === null || compareBytes(page.segment.firstPrev, range.afterId) === 0) return
      after = 0
    }
    location = await reader.locate(page.segment.firstPrev)
  }
}

/** The entries on the way to each range's tip, as signed segments in local order. */
export async function * rangeSegments (store: Store, ranges: Range[]): AsyncGenerator<{ segment: Segment, ids: Uint8Array[] }> {
  const pieces = new Map<number, Piece>()
  const walked = new Map<number, number>()
  // Lowest `after` first: the shared history of a forked feed is then walked once, whatever order a peer asked in.
  for (const range of [...ranges].sort((a, b) => a.after - b.after)) await collect(store, range, pieces, walked)
  const runs = new RunBuilder(store.space)
  for (const pageKey of [...pieces.keys()].sort((a, b) => a - b)) {
    const page = await store.reader.page(pageKey)
    if (page === undefined) continue
    const { from, to } = pieces.get(pageKey) as Piece
    for (let slot = from; slot <= to && slot < page.ids.length; slot++) {
      const run = runs.addSlot(page, slot)
      if (run !== null) yield run
    }
  }
}

/** The pending area's entries of the chosen authors, as signed segments. */
export async function * pendingSegments (store: Store, authors: (author: Uint8Array) => boolean): AsyncGenerator<Segment> {
  const runs = new RunBuilder(store.space)
  for await (const pending of store.reader.pendingEntries()) {
    if (!authors(pending.author)) continue
    const run = runs.add(pending.author, pending.seq, pending.prev, pending.id, pending.entry)
    if (run !== null) yield run.segment
  }
}

/**
 * The pages made ready from the pending area after change `after`, as signed segments. A pass over the
 * pending area reads it as it is at each step: an entry that leaves it before the pass gets there (its
 * predecessor arrived) was in no range sent either, and is found here.
 */
export async function * wokenSegments (store: Store, after: number, authors: (author: Uint8Array) => boolean): AsyncGenerator<{ segment: Segment, ids: Uint8Array[] }> {
  // The pages that hold entries which left the pending area (one that proved invalid is in none), in local order.
  const pages = new Set<number>()
  for await (const { change } of store.reader.changesAfter(after)) {
    if (change.kind !== 'unpending') continue
    const location = await store.reader.locate(change.key)
    if (location !== undefined) pages.add(location.pageKey)
  }
  const runs = new RunBuilder(store.space)
  for (const pageKey of [...pages].sort((x, y) => x - y)) {
    const page = await store.reader.page(pageKey)
    if (page === undefined || !authors(page.segment.author)) continue
    for (let slot = 0; slot < page.ids.length; slot++) {
      const run = runs.addSlot(page, slot)
      if (run !== null) yield run
    }
  }
}

/**
 * How many ready entries of each author (hex) this store holds signed. Reconciliation compares it for tips
 * both sides hold, so that signatures one side holds on inner entries reach the other. One pass over the log.
 */
export async function signedCounts (store: Store, chosen: (author: Uint8Array) => boolean): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for await (const page of store.reader.pages(1)) {
    if (!chosen(page.segment.author)) continue
    let signed = 0
    for (const entry of page.segment.entries) if (entry.signature !== null) signed++
    if (signed === 0) continue
    const author = toHex(page.segment.author)
    counts.set(author, (counts.get(author) ?? 0) + signed)
  }
  return counts
}
