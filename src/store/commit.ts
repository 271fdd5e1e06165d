// One atomic batch of the ingest path, and what it changes in memory once it is durable. Ingest and wake
// steps add to a commit; reads made while building it see its own changes first (entries it made ready,
// pending rows it wrote or removed, tips it moved), so several steps can share one batch.
import { Buffer } from 'buffer'
import { toHex } from '../entry/bytes.js'
import type { Segment } from '../entry/types.js'
import type { Change } from './changes.js'
import { PAGE_ENTRIES, feedKey, idLocations, join, tipValue, u64, type Layout } from './layout.js'
import { encodePage } from './page.js'
import { byAuthorKey, bySeqKey, encodeWait, quotaBytes, type PendingEntry, type Wait } from './pending.js'
import type { ForkMarker, StoreState } from './state.js'
import type { BatchOp } from './writer.js'

/** A run of consecutive entries of one author becoming ready: entries [from, to) of `segment`. */
export interface ReadyRun {
  segment: Segment
  from: number
  to: number
  /** Ids indexed like the segment's entries. */
  ids: Uint8Array[]
}

/** A pending entry as this commit leaves it: its wait, or null once it is ready or removed. */
interface PendingOverlay {
  entry: PendingEntry
  wait: Wait | null
}

export class Commit {
  readonly ops: BatchOp[] = []
  readonly changes: Change[] = []
  /** Local seq the next ready entry gets. */
  nextLocalSeq: number
  /** Ready ids in the order they became ready, with their author (hex) and seq. */
  private readonly readiedInOrder: Array<{ id: Uint8Array, author: string, seq: number }> = []
  /** The same by id (hex) and by (author, seq), built only when asked (the plain import path never asks). */
  private readiedById = new Map<string, { author: string, seq: number }>()
  private readonly readiedBySeq = new Map<string, Uint8Array[]>()
  private readiedIndexed = 0
  /** Pending rows this commit wrote, changed or removed (hex id). */
  readonly pending = new Map<string, PendingOverlay>()
  private readonly pendingBySeq = new Map<string, string[]>()
  /** Counter deltas: awaited ids and per-author pending counts, resolved against the stored values at write time. */
  readonly awaitedDelta = new Map<string, number>()
  readonly countDelta = new Map<string, { entries: number, bytes: number }>()
  /** Fork markers this commit sets (author hex → marker, or null when withdrawn). */
  readonly markers = new Map<string, ForkMarker | null>()
  /** Authors whose marker changed. */
  readonly forked = new Set<string>()
  /** Ids whose dependents are still to be re-examined, to record if the commit ends first; and those done. */
  readonly wakesDone = new Set<string>()
  /** Feed heads this commit adds (author hex → id hex → seq) and removes from the stored ones. */
  private readonly tipsAdded = new Map<string, Map<string, number>>()
  private readonly tipsRemoved = new Map<string, Set<string>>()
  private readonly headsAdded = new Set<string>()
  private readonly headsRemoved = new Set<string>()
  private readonly tipAuthorsAdded = new Map<string, string>()
  stored = 0
  readiedCount = 0
  /** Signatures this commit adds to entries stored without them (pages or pending rows). */
  signaturesAdded = 0
  /** Ids made ready or stored pending whose waiting dependents have not been looked for yet. */
  private unasked: Uint8Array[] = []
  private readonly evicted = new Map<string, Uint8Array>()
  /** Pending rows this commit added that name an id (as prev, or as the link waited for), by that id (hex). */
  private readonly dependentsAdded = new Map<string, Uint8Array[]>()
  private readonly touched = new Map<string, Uint8Array>()

  constructor (private readonly layout: Layout, private readonly state: StoreState) {
    this.nextLocalSeq = state.nextLocalSeq
  }

  // ---- reads through the commit ----

  /** The seq of feed head `idHex` of the author, or undefined when it is not one. */
  tipSeq (authorHex: string, idHex: string): number | undefined {
    const added = this.tipsAdded.get(authorHex)?.get(idHex)
    if (added !== undefined) return added
    if (this.tipsRemoved.get(authorHex)?.has(idHex) === true) return undefined
    return this.state.tips.get(authorHex)?.get(idHex)
  }

  /** How many feed heads the author has. */
  tipCount (authorHex: string): number {
    return (this.state.tips.get(authorHex)?.size ?? 0) + (this.tipsAdded.get(authorHex)?.size ?? 0) - (this.tipsRemoved.get(authorHex)?.size ?? 0)
  }

  private addTip (authorHex: string, idHex: string, seq: number): void {
    let added = this.tipsAdded.get(authorHex)
    if (added === undefined) { added = new Map(); this.tipsAdded.set(authorHex, added) }
    added.set(idHex, seq)
    this.tipAuthorsAdded.set(idHex, authorHex)
  }

  private removeTip (authorHex: string, idHex: string): boolean {
    if (this.tipsAdded.get(authorHex)?.delete(idHex) === true) return true
    if (this.state.tips.get(authorHex)?.has(idHex) !== true) return false
    let removed = this.tipsRemoved.get(authorHex)
    if (removed === undefined) { removed = new Set(); this.tipsRemoved.set(authorHex, removed) }
    const fresh = !removed.has(idHex)
    removed.add(idHex)
    return fresh
  }

  isHead (idHex: string): boolean {
    return this.headsAdded.has(idHex) || (this.state.heads.has(idHex) && !this.headsRemoved.has(idHex))
  }

  markerOf (authorHex: string): ForkMarker | undefined {
    const set = this.markers.get(authorHex)
    return set === undefined ? this.state.forks.get(authorHex) : set ?? undefined
  }

  private authorOfTip (idHex: string): string | undefined {
    return this.tipAuthorsAdded.get(idHex) ?? this.state.authorOfTip(idHex)
  }

  // ---- ready entries ----

  private indexReadied (): void {
    for (; this.readiedIndexed < this.readiedInOrder.length; this.readiedIndexed++) {
      const { id, author, seq } = this.readiedInOrder[this.readiedIndexed]
      this.readiedById.set(toHex(id), { author, seq })
      const key = `${author}:${seq}`
      const list = this.readiedBySeq.get(key)
      if (list === undefined) this.readiedBySeq.set(key, [id])
      else list.push(id)
    }
  }

  /** The author (hex) and seq of an entry this commit made ready, or undefined. */
  readiedPlace (idHex: string): { author: string, seq: number } | undefined {
    if (this.readiedInOrder.length === 0) return undefined
    this.indexReadied()
    return this.readiedById.get(idHex)
  }

  /** Entries of `author` (hex) at `seq` this commit made ready. */
  readiedAt (author: string, seq: number): Uint8Array[] {
    if (this.readiedInOrder.length === 0) return []
    this.indexReadied()
    return this.readiedBySeq.get(`${author}:${seq}`) ?? []
  }

  /**
   * Pages, id rows and feed rows for a run of consecutive entries of one author, and the tips and DAG heads
   * it moves: the run's last entry replaces its prev as a feed head, and stops its links being DAG heads.
   */
  addReadyRun (run: ReadyRun): void {
    const { segment, from, to, ids } = run
    const { layout } = this
    const author = segment.author
    const authorHex = toHex(author)
    const start = this.nextLocalSeq
    for (let c = from; c < to; c += PAGE_ENTRIES) {
      const end = Math.min(c + PAGE_ENTRIES, to)
      const pageKey = start + (c - from)
      const prev = c === 0 ? segment.firstPrev : ids[c - 1]
      this.ops.push({ type: 'put', sublevel: layout.pages, key: u64(pageKey), value: encodePage(segment, c, end, prev, ids) })
      const locations = idLocations(pageKey, end - c)
      for (let j = c; j < end; j++) this.ops.push({ type: 'put', sublevel: layout.ids, key: ids[j], value: locations[j - c] })
      this.ops.push({ type: 'put', sublevel: layout.feeds, key: feedKey(author, segment.firstSeq + end - 1, pageKey), value: join(u64(segment.firstSeq + c), ids[end - 1]) })
      this.changes.push({ kind: 'ready', pageKey })
    }
    for (let j = from; j < to; j++) {
      this.readiedInOrder.push({ id: ids[j], author: authorHex, seq: segment.firstSeq + j })
      this.unasked.push(ids[j])
    }
    this.nextLocalSeq = start + (to - from)
    this.readiedCount += to - from

    const prev = from === 0 ? segment.firstPrev : ids[from - 1]
    if (prev !== null) {
      const prevHex = toHex(prev)
      if (this.removeTip(authorHex, prevHex)) this.ops.push({ type: 'del', sublevel: layout.tips, key: join(author, prev) })
      this.removeHead(prevHex)
    }
    const lastHex = toHex(ids[to - 1])
    const lastSeq = segment.firstSeq + to - 1
    for (let j = from; j < to; j++) {
      for (const link of segment.entries[j].links) {
        const linkHex = toHex(link)
        if (!this.isHead(linkHex)) continue
        this.removeHead(linkHex)
        // A feed head that something now links to is no DAG head any more: its row says so.
        // Every DAG head is a feed head: its tip row now says it is no DAG head.
        const linkAuthor = this.authorOfTip(linkHex)
        if (linkAuthor === undefined) continue
        const seq = this.tipSeq(linkAuthor, linkHex)
        if (seq !== undefined) this.ops.push({ type: 'put', sublevel: layout.tips, key: join(Buffer.from(linkAuthor, 'hex'), link), value: tipValue(seq, false) })
      }
    }
    this.addTip(authorHex, lastHex, lastSeq)
    this.headsRemoved.delete(lastHex)
    this.headsAdded.add(lastHex)
    this.ops.push({ type: 'put', sublevel: layout.tips, key: join(author, ids[to - 1]), value: tipValue(lastSeq, true) })
  }

  private removeHead (idHex: string): void {
    this.headsAdded.delete(idHex)
    if (this.state.heads.has(idHex)) this.headsRemoved.add(idHex)
  }

  // ---- pending entries ----

  /** A pending entry as this commit sees it: undefined when the commit did not touch it. */
  private overlay (entry: PendingEntry, wait: Wait | null): void {
    const idHex = toHex(entry.id)
    if (!this.pending.has(idHex)) {
      const key = `${toHex(entry.author)}:${entry.seq}`
      const ids = this.pendingBySeq.get(key)
      if (ids === undefined) this.pendingBySeq.set(key, [idHex])
      else ids.push(idHex)
    }
    this.pending.set(idHex, { entry, wait })
  }

  /** Pending entries of `author` (hex) at `seq` as this commit leaves them (those it touched). */
  pendingAt (author: string, seq: number): PendingOverlay[] {
    return (this.pendingBySeq.get(`${author}:${seq}`) ?? []).map((idHex) => this.pending.get(idHex) as PendingOverlay)
  }

  pendingOverlay (idHex: string): PendingOverlay | undefined {
    return this.pending.get(idHex)
  }

  /** Stores a new pending entry with its wait. */
  addPending (entry: PendingEntry, wait: Wait): void {
    const { layout } = this
    const idHex = toHex(entry.id)
    this.ops.push({ type: 'put', sublevel: layout.pending, key: entry.id, value: entry.body })
    this.ops.push({ type: 'put', sublevel: layout.pendingBySeq, key: bySeqKey(entry.author, entry.seq, entry.id), value: new Uint8Array(0) })
    if (entry.prev !== null) {
      this.ops.push({ type: 'put', sublevel: layout.successors, key: join(entry.prev, entry.id), value: new Uint8Array(0) })
      this.awaited(entry.prev, 1)
      this.dependentAdded(entry.prev, entry.id)
    }
    this.writeWait(entry, wait, null)
    this.count(entry, 1)
    this.overlay(entry, wait)
    this.changes.push({ kind: 'pending', key: entry.id })
    this.stored++
    this.unasked.push(entry.id)
    this.touched.set(toHex(entry.author), entry.author)
  }

  /** The ids made ready or stored since the last call (whose stored dependents are to be looked for). */
  takeUnasked (): Uint8Array[] {
    const out = this.unasked
    this.unasked = []
    return out
  }

  /** Authors whose pending entries this commit stored or enlarged (the quota looks at them). */
  touchedAuthors (): Uint8Array[] {
    return [...this.touched.values()]
  }

  noteEviction (author: Uint8Array): void {
    this.evicted.set(toHex(author), author)
  }

  /** Authors this commit evicted pending entries of. */
  evictedFrom (): Uint8Array[] {
    return [...this.evicted.values()]
  }

  /** A pending entry's wait changes (its row is rewritten; a link wait moves). */
  setWait (entry: PendingEntry, wait: Wait, old: Wait): void {
    this.writeWait(entry, wait, old)
    this.overlay(entry, wait)
  }

  /** A pending entry's stored bytes change (a signature was added; the quota counts it as before). */
  rewritePending (entry: PendingEntry, wait: Wait): void {
    this.ops.push({ type: 'put', sublevel: this.layout.pending, key: entry.id, value: entry.body })
    this.overlay(entry, wait)
    this.changes.push({ kind: 'pending', key: entry.id })
    this.signaturesAdded++
  }

  /** Removes a pending entry (it became ready, proved invalid, or was evicted). */
  removePending (entry: PendingEntry, wait: Wait): void {
    const { layout } = this
    this.ops.push({ type: 'del', sublevel: layout.pending, key: entry.id })
    this.ops.push({ type: 'del', sublevel: layout.pendingByAuthor, key: byAuthorKey(entry.author, entry.seq, entry.id) })
    this.ops.push({ type: 'del', sublevel: layout.pendingBySeq, key: bySeqKey(entry.author, entry.seq, entry.id) })
    if (entry.prev !== null) {
      this.ops.push({ type: 'del', sublevel: layout.successors, key: join(entry.prev, entry.id) })
      this.awaited(entry.prev, -1)
    }
    if (wait.kind === 2 && wait.on !== null) {
      this.ops.push({ type: 'del', sublevel: layout.linkWaits, key: join(wait.on, entry.id) })
      this.awaited(wait.on, -1)
    }
    this.count(entry, -1)
    this.overlay(entry, null)
    this.changes.push({ kind: 'unpending', key: entry.id })
  }

  private writeWait (entry: PendingEntry, wait: Wait, old: Wait | null): void {
    const { layout } = this
    this.ops.push({ type: 'put', sublevel: layout.pendingByAuthor, key: byAuthorKey(entry.author, entry.seq, entry.id), value: encodeWait(wait) })
    if (old !== null && old.kind === 2 && old.on !== null) {
      this.ops.push({ type: 'del', sublevel: layout.linkWaits, key: join(old.on, entry.id) })
      this.awaited(old.on, -1)
    }
    if (wait.kind === 2 && wait.on !== null) {
      this.ops.push({ type: 'put', sublevel: layout.linkWaits, key: join(wait.on, entry.id), value: new Uint8Array(0) })
      this.awaited(wait.on, 1)
      this.dependentAdded(wait.on, entry.id)
    }
  }

  private dependentAdded (on: Uint8Array, id: Uint8Array): void {
    const hex = toHex(on)
    const list = this.dependentsAdded.get(hex)
    if (list === undefined) this.dependentsAdded.set(hex, [id])
    else list.push(id)
  }

  /** Ids of pending entries this commit stored (or re-blocked) naming `id` as their prev or awaited link. */
  dependentsOf (id: Uint8Array): Uint8Array[] {
    return this.dependentsAdded.get(toHex(id)) ?? []
  }

  private awaited (id: Uint8Array, delta: number): void {
    const hex = toHex(id)
    this.awaitedDelta.set(hex, (this.awaitedDelta.get(hex) ?? 0) + delta)
  }

  private count (entry: PendingEntry, sign: 1 | -1): void {
    const hex = toHex(entry.author)
    const count = this.countDelta.get(hex) ?? { entries: 0, bytes: 0 }
    count.entries += sign
    count.bytes += sign * quotaBytes(entry)
    this.countDelta.set(hex, count)
  }

  // ---- forks ----

  setMarker (author: Uint8Array, marker: ForkMarker | null): void {
    const authorHex = toHex(author)
    this.markers.set(authorHex, marker)
    this.forked.add(authorHex)
    this.ops.push(marker === null
      ? { type: 'del', sublevel: this.layout.forks, key: author }
      : { type: 'put', sublevel: this.layout.forks, key: author, value: join(u64(marker.seq), marker.low, marker.high) })
    this.changes.push({ kind: 'fork', author })
  }

  /** Whether this commit changes anything at all. */
  get empty (): boolean {
    return this.ops.length === 0
  }

  /** Once the batch is durable: the memory summary follows it. */
  applyToMemory (): void {
    const { state } = this
    state.nextLocalSeq = this.nextLocalSeq
    for (const [authorHex, removed] of this.tipsRemoved) for (const idHex of removed) state.deleteTip(authorHex, idHex)
    for (const [authorHex, added] of this.tipsAdded) for (const [idHex, seq] of added) state.setTip(authorHex, idHex, seq)
    for (const head of this.headsRemoved) state.heads.delete(head)
    for (const head of this.headsAdded) state.heads.add(head)
    for (const [authorHex, marker] of this.markers) {
      if (marker === null) state.forks.delete(authorHex)
      else state.forks.set(authorHex, marker)
    }
  }
}
