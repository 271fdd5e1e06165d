// Fork bookkeeping. A fork is two different placed entries of one author at one seq (placed: ready, or
// pending with its history stored back to seq 1). Each forked author has one canonical marker: the lowest
// such seq and the two smallest ids there, so it is a function of the entries stored, whatever their order.
//
// A marker can only move down as entries are placed, so an entry placed above the author's marker is not
// checked at all, and one at or below it costs a look at that one seq. Ready entries that fork among
// themselves are also noted by seq (forkSeqs): when eviction removes a pending entry the marker rests on,
// the marker is found again from those rows and the author's pending entries, never from the whole feed.
import { compareBytes, equalBytes, toHex } from '../entry/bytes.js'
import type { Commit } from './commit.js'
import { join, readU64, u64, type Layout, under } from './layout.js'
import type { Lookups } from './lookups.js'
import { decodeWait, placed } from './pending.js'
import type { ForkMarker } from './state.js'

export function markerOf (seq: number, a: Uint8Array, b: Uint8Array): ForkMarker {
  return compareBytes(a, b) < 0 ? { seq, low: a, high: b } : { seq, low: b, high: a }
}

function lower (a: ForkMarker, b: ForkMarker | undefined): boolean {
  if (b === undefined) return true
  if (a.seq !== b.seq) return a.seq < b.seq
  const low = compareBytes(a.low, b.low)
  return low !== 0 ? low < 0 : compareBytes(a.high, b.high) < 0
}

/** The two smallest of a marker's pair and one more id at the same seq. */
function withId (marker: ForkMarker, id: Uint8Array): ForkMarker {
  if (equalBytes(id, marker.low) || equalBytes(id, marker.high)) return marker
  const [low, high] = [marker.low, marker.high, id].sort(compareBytes)
  return { seq: marker.seq, low, high }
}

/**
 * An entry of `author` at `seq` was placed (stored as ready, or pending with its history whole): the marker
 * moves if this makes a lower or smaller fork. Placed entries at that seq are compared whole.
 */
export async function checkPlaced (lookups: Lookups, commit: Commit, author: Uint8Array, seq: number, id: Uint8Array, soleChain: boolean): Promise<void> {
  const authorHex = toHex(author)
  const marker = commit.markerOf(authorHex)
  if (marker !== undefined && seq > marker.seq) return
  if (marker !== undefined && seq === marker.seq) {
    const next = withId(marker, id)
    if (next !== marker) commit.setMarker(author, next)
    return
  }
  // Below the marker (or none yet): at most one other entry can be at this seq, or the marker would be here.
  const others = soleChain ? [] : await lookups.readyIdsAt(author, seq, id, 1, commit)
  if (others.length === 0) others.push(...await lookups.placedPendingAt(author, seq, id, 1, commit))
  if (others.length === 0) return
  const candidate = markerOf(seq, id, others[0])
  if (lower(candidate, marker)) commit.setMarker(author, candidate)
}

/** A ready entry that forks from another ready entry at its seq is noted, so a later recount finds it cheaply. */
export function noteReadyFork (layout: Layout, commit: Commit, author: Uint8Array, seq: number): void {
  commit.ops.push({ type: 'put', sublevel: layout.forkSeqs, key: join(author, u64(seq)), value: new Uint8Array(0) })
}

/**
 * The author's marker found again from what is stored (after pending entries it rested on were removed):
 * the lowest noted ready fork, and the author's placed pending entries against the ready ones at their seqs.
 */
export async function recountMarker (layout: Layout, lookups: Lookups, commit: Commit, author: Uint8Array): Promise<void> {
  let best: ForkMarker | undefined
  const consider = (seq: number, ids: Uint8Array[]): void => {
    const unique = [...new Map(ids.map((id) => [toHex(id), id])).values()].sort(compareBytes)
    if (unique.length >= 2) {
      const candidate = { seq, low: unique[0], high: unique[1] }
      if (lower(candidate, best)) best = candidate
    }
  }
  for await (const key of layout.forkSeqs.keys({ ...under(author), limit: 1 })) {
    const seq = readU64(key, 32)
    consider(seq, await lookups.readyIdsAt(author, seq, null, Infinity, commit))
  }
  // The author's pending entries in seq order: each seq that holds a placed one is compared with the ready ones there.
  let seq = -1
  let ids: Uint8Array[] = []
  const flush = async (): Promise<void> => {
    if (ids.length > 0) consider(seq, [...ids, ...await lookups.readyIdsAt(author, seq, null, Infinity, commit)])
  }
  for await (const [key, value] of layout.pendingByAuthor.iterator(under(author))) {
    const at = readU64(key, 32)
    if (best !== undefined && at > best.seq) break
    if (at !== seq) { await flush(); seq = at; ids = [] }
    const id = key.slice(40)
    const overlay = commit.pendingOverlay(toHex(id))
    const wait = overlay === undefined ? decodeWait(value) : overlay.wait
    if (wait !== null && placed(wait.kind)) ids.push(id)
  }
  await flush()
  const current = commit.markerOf(toHex(author))
  if (best === undefined ? current !== undefined : current === undefined || !equalBytes(best.low, current.low) || !equalBytes(best.high, current.high) || best.seq !== current.seq) {
    commit.setMarker(author, best ?? null)
  }
}
