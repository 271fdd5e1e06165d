// The one ingest path. Append, import and replication all hand authenticated segments to `ingest`,
// which stores each in one atomic batch: the entries that are ready go into local-order pages with their
// indexes; the rest of the segment waits, whole, in the pending area until what it waits for is ready.
// Ingest is serialized: memory state changes only after the batch that persists it has been written.
import { LogbookError } from '../errors.js'
import { compareBytes, toHex } from '../entry/bytes.js'
import { computeChainIds } from '../entry/entry-id.js'
import { decodeSegmentBody, encodeSegmentBody } from '../entry/segment.js'
import type { AuthenticatedSegment } from '../entry/types.js'
import { PAGE_ENTRIES, encodeTips, feedKey, idLocations, join, pendingKey, readIdLocation, readU64, u64, type Layout } from './layout.js'
import { decodePage, encodePage, pageBody, replacePageBody } from './page.js'
import type { ForkMarker, PendingInfo, StoreState } from './state.js'
import type { BatchOp, Writer } from './writer.js'
import { changeOps, type Change } from './changes.js'

export interface IngestCounts {
  /** Entries stored for the first time (ready or pending). */
  stored: number
  /** Entries that became ready (including ones that waited in the pending area). */
  readied: number
  /** Entries already stored. */
  duplicates: number
  /** Signatures added to entries stored earlier without one. */
  signaturesAdded: number
  /** Authors whose fork marker was set or changed. */
  forked: Set<string>
}

export function emptyCounts (): IngestCounts {
  return { stored: 0, readied: 0, duplicates: 0, signaturesAdded: 0, forked: new Set() }
}


function smallerMarker (a: ForkMarker, b: ForkMarker | undefined): boolean {
  if (b === undefined) return true
  if (a.seq !== b.seq) return a.seq < b.seq
  const low = compareBytes(a.low, b.low)
  if (low !== 0) return low < 0
  return compareBytes(a.high, b.high) < 0
}

function markerOf (seq: number, a: Uint8Array, b: Uint8Array): ForkMarker {
  return compareBytes(a, b) < 0 ? { seq, low: a, high: b } : { seq, low: b, high: a }
}

/** What the ingest path tells the rest of the system once a batch is acknowledged. */
export interface IngestListener {
  /** Entries up to local seq `lastLocalSeq` are ready. */
  ready?: (lastLocalSeq: number) => void
  /** `author`'s (hex) fork marker changed: it got one, a lower one, or lost it (see dropInvalid). */
  fork?: (author: string) => void
}

export class Ingestor {
  private queue: Promise<unknown> = Promise.resolve()
  readonly listeners = new Set<IngestListener>()

  constructor (private readonly layout: Layout, private readonly state: StoreState, private readonly writer: Writer) {}

  /** Runs `task` after every earlier task: appends and imports never interleave. */
  exclusive<T> (task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task)
    this.queue = result.catch(() => {})
    return result
  }

  /**
   * Stores one authenticated segment (call inside `exclusive`), then wakes what waited for it.
   * `replay` marks a segment read back from the journal, which must not be journaled again.
   */
  async ingest (segment: AuthenticatedSegment, counts: IngestCounts, sync = false, replay = false): Promise<void> {
    await this.wake(await this.ingestOne(segment, counts, sync, null, replay), counts, sync)
  }

  /**
   * Re-examines pending segments whose awaited entry is ready. Normally ingest does this as it goes;
   * at open it repairs a crash that fell between an entry's batch and the batch that woke its waiters.
   */
  async wakeReadyPending (counts: IngestCounts): Promise<void> {
    const blockers = [...this.state.waiting.keys()]
    if (blockers.length === 0) return
    await this.writer.drained()
    const found = await this.layout.ids.getMany(blockers.map((hex) => Buffer.from(hex, 'hex')))
    const keys: Uint8Array[] = []
    found.forEach((location, i) => {
      if (location !== undefined) for (const key of this.state.waiting.get(blockers[i]) ?? []) keys.push(Buffer.from(key, 'hex'))
    })
    await this.wake(keys, counts, false)
  }

  private async wake (keys: Uint8Array[], counts: IngestCounts, sync: boolean): Promise<void> {
    let woken = keys
    while (woken.length > 0) {
      const next: Uint8Array[] = []
      for (const key of woken) {
        await this.writer.drained()
        const body = await this.layout.pending.get(key)
        if (body === undefined) continue
        const waiting = decodeSegmentBody(body, { trusted: true })
        const ids = computeChainIds(waiting.space, waiting.author, waiting.firstSeq, waiting.firstPrev, waiting.entries)
        // Not push(...woken): a spread of very many keys overflows the stack.
        for (const wokenKey of await this.ingestOne({ ...waiting, ids }, counts, sync, key, true)) next.push(wokenKey)
      }
      woken = next
    }
  }

  /** Returns the keys of pending segments that waited for an entry this call made ready. */
  private async ingestOne (segment: AuthenticatedSegment, counts: IngestCounts, sync: boolean, fromPending: Uint8Array | null, replay: boolean): Promise<Uint8Array[]> {
    const { layout, state } = this
    const { author, ids, entries, firstSeq, firstPrev } = segment
    const n = entries.length
    const authorHex = toHex(author)
    const tips = state.feedTips(authorHex)
    const ops: BatchOp[] = []
    const changes: Change[] = []
    const ownKey = pendingKey(author, firstSeq, ids[n - 1])
    const ownKeyHex = toHex(ownKey)
    if (fromPending === null && state.pending.has(ownKeyHex)) {
      counts.duplicates += n
      await this.keepPendingSignatures(segment, ownKey, counts, sync, replay)
      return []
    }

    // 1. How much of the segment is ready already? By the hash chain, a prefix.
    const firstPrevHex = firstPrev === null ? null : toHex(firstPrev)
    const extendsTip = firstPrevHex === null ? tips.size === 0 : tips.get(firstPrevHex) === firstSeq - 1
    let k = 0
    if (!extendsTip) {
      await this.writer.drained()
      const found = await layout.ids.getMany(ids)
      k = found.findIndex((value) => value === undefined)
      if (k < 0) k = n
      await this.keepNewSignatures(segment, found.slice(0, k), ops, changes, counts)
    }
    counts.duplicates += fromPending === null ? k : 0

    // 2. Which of the rest can become ready now: prev and every link must be ready.
    let m = k
    let blocker: Uint8Array | null = null
    let blockerIsPrev = false
    if (k < n) {
      const ownIndex = new Map<string, number>()
      const outside: Uint8Array[] = []
      const needPrevLookup = k === 0 && firstPrev !== null && !extendsTip
      if (needPrevLookup) outside.push(firstPrev)
      for (let j = k; j < n; j++) {
        for (const link of entries[j].links) outside.push(link)
      }
      if (outside.length > (needPrevLookup ? 1 : 0)) for (let j = 0; j < n; j++) ownIndex.set(toHex(ids[j]), j)
      const readyOutside = new Set<string>()
      if (outside.length > 0) {
        await this.writer.drained()
        const found = await layout.ids.getMany(outside)
        found.forEach((value, i) => { if (value !== undefined) readyOutside.add(toHex(outside[i])) })
      }
      if (needPrevLookup && readyOutside.has(firstPrevHex as string)) {
        // The prev id commits to its author and seq: it must be this author's entry at firstSeq - 1.
        const place = await this.readyPlace(firstPrev)
        if (place === undefined || toHex(place.author) !== authorHex || place.seq !== firstSeq - 1) {
          return await this.dropInvalid(segment, fromPending, sync,
            `seq ${firstSeq} names as its prev an entry that is not this author's seq ${firstSeq - 1}`)
        }
      }
      for (; m < n; m++) {
        if (m === k && needPrevLookup && !readyOutside.has(firstPrevHex as string)) {
          blocker = firstPrev; blockerIsPrev = true; break
        }
        for (const link of entries[m].links) {
          const linkHex = toHex(link)
          const own = ownIndex.get(linkHex)
          if (readyOutside.has(linkHex) || (own !== undefined && own < m)) continue
          blocker = link
          break
        }
        if (blocker !== null) break
      }
    }

    // 3. Fork check: any other stored entry of this author at the seqs this segment adds.
    let marker = state.forks.get(authorHex)
    let markerChanged = false
    if (fromPending === null && k < n) {
      for (const candidate of await this.conflicts(segment, k, ownKeyHex)) {
        if (smallerMarker(candidate, marker)) { marker = candidate; markerChanged = true }
      }
    }

    // 4. One batch: ready entries with their indexes, the waiting remainder, the fork marker.
    const readyCount = m - k
    const localStart = state.nextLocalSeq
    const removedHeads: string[] = []
    let removedTip: string | null = null
    let newTipHex = ''
    if (readyCount > 0) {
      for (let c = k; c < m; c += PAGE_ENTRIES) {
        const end = Math.min(c + PAGE_ENTRIES, m)
        const pageKey = localStart + (c - k)
        const page = encodePage(segment, c, end, c === 0 ? firstPrev : ids[c - 1], ids)
        ops.push({ type: 'put', sublevel: layout.pages, key: u64(pageKey), value: page })
        changes.push({ kind: 'ready', pageKey })
        const locations = idLocations(pageKey, end - c)
        for (let j = c; j < end; j++) ops.push({ type: 'put', sublevel: layout.ids, key: ids[j], value: locations[j - c] })
        ops.push({ type: 'put', sublevel: layout.feeds, key: feedKey(author, firstSeq + end - 1, pageKey), value: join(u64(firstSeq + c), ids[end - 1]) })
      }
      // Feed heads and DAG heads: the run's last entry replaces its prev; links stop being DAG heads.
      const prevOfFirst = k === 0 ? firstPrev : ids[k - 1]
      if (prevOfFirst !== null) {
        const prevHex = k === 0 ? firstPrevHex as string : toHex(prevOfFirst)
        if (tips.has(prevHex)) removedTip = prevHex
        if (state.heads.has(prevHex)) removedHeads.push(prevHex)
      }
      const touchedAuthors = new Set<string>([authorHex])
      for (let j = k; j < m; j++) {
        for (const link of entries[j].links) {
          const linkHex = toHex(link)
          if (state.heads.has(linkHex) && !removedHeads.includes(linkHex)) {
            removedHeads.push(linkHex)
            touchedAuthors.add(state.authorOfTip(linkHex) as string)
          }
        }
      }
      newTipHex = toHex(ids[m - 1])
      const nextTips = new Map(tips)
      if (removedTip !== null) nextTips.delete(removedTip)
      nextTips.set(newTipHex, firstSeq + m - 1)
      const isHead = (idHex: string): boolean => idHex === newTipHex || (state.heads.has(idHex) && !removedHeads.includes(idHex))
      for (const touched of touchedAuthors) {
        const authorTips = touched === authorHex ? nextTips : state.feedTips(touched)
        ops.push({ type: 'put', sublevel: layout.tips, key: Buffer.from(touched, 'hex'), value: encodeTips(authorTips, isHead) })
      }
    }
    let waiting: PendingInfo | null = null
    if (fromPending !== null) {
      const old = state.pending.get(toHex(fromPending))
      if (old !== undefined) ops.push({ type: 'del', sublevel: layout.waits, key: join(old.blocker, fromPending) })
    }
    if (blocker !== null) {
      waiting = { key: ownKey, author, firstSeq, lastSeq: firstSeq + n - 1, blocker, blockerIsPrev, blockedSeq: firstSeq + m }
      if (fromPending === null) {
        ops.push({ type: 'put', sublevel: layout.pending, key: ownKey, value: encodeSegmentBody(segment) })
        changes.push({ kind: 'pending', key: ownKey })
      }
      ops.push({ type: 'put', sublevel: layout.waits, key: join(blocker, ownKey), value: join(new Uint8Array([blockerIsPrev ? 0 : 1]), u64(firstSeq + m)) })
    } else if (fromPending !== null) {
      ops.push({ type: 'del', sublevel: layout.pending, key: fromPending })
      changes.push({ kind: 'unpending', key: fromPending })
    }
    if (markerChanged && marker !== undefined) {
      ops.push({ type: 'put', sublevel: layout.forks, key: author, value: join(u64(marker.seq), marker.low, marker.high) })
      changes.push({ kind: 'fork', author })
    }
    if (ops.length === 0) return []
    await this.commit(ops, changes, !replay && this.writer.journaling ? encodeSegmentBody(segment) : null, sync)

    // 5. The batch is durable: now the memory summary may follow.
    if (fromPending === null) counts.stored += n - k
    counts.readied += readyCount
    if (readyCount > 0) {
      state.nextLocalSeq = localStart + readyCount
      if (removedTip !== null) state.deleteTip(authorHex, removedTip)
      state.setTip(authorHex, newTipHex, firstSeq + m - 1)
      for (const head of removedHeads) state.heads.delete(head)
      state.heads.add(newTipHex)
    }
    if (fromPending !== null) state.removePending(toHex(fromPending))
    if (waiting !== null) state.addPending(waiting)
    if (markerChanged && marker !== undefined) { state.forks.set(authorHex, marker); counts.forked.add(authorHex) }
    this.notify((listener) => {
      if (readyCount > 0) listener.ready?.(state.nextLocalSeq - 1)
      if (markerChanged) listener.fork?.(authorHex)
    })

    const woken: Uint8Array[] = []
    if (readyCount > 0 && state.waiting.size > 0) {
      for (let j = k; j < m; j++) {
        const keys = state.waiting.get(toHex(ids[j]))
        if (keys !== undefined) for (const key of keys) woken.push(Buffer.from(key, 'hex'))
      }
    }
    return woken
  }

  /** Where a ready entry sits in its feed (author, seq), read from its page. */
  private async readyPlace (id: Uint8Array): Promise<{ author: Uint8Array, seq: number } | undefined> {
    await this.writer.drained()
    const location = await this.layout.ids.get(id)
    if (location === undefined) return undefined
    const { pageKey, slot } = readIdLocation(location)
    const value = await this.layout.pages.get(u64(pageKey))
    if (value === undefined) return undefined
    const page = decodeSegmentBody(pageBody(value), { trusted: true })
    return { author: page.author, seq: page.firstSeq + slot }
  }

  /** Writes `ops` with the change-log records of `changes`, in one atomic batch. */
  private async commit (ops: BatchOp[], changes: Change[], record: Uint8Array | null, sync: boolean): Promise<void> {
    const last = this.state.lastChange
    for (const op of changeOps(this.layout, last, changes)) ops.push(op)
    await this.writer.write(ops, record, sync)
    this.state.lastChange = last + changes.length
  }

  /** Tells every listener; a listener's bug must not undo an acknowledged write or skip the wake-ups after it. */
  private notify (tell: (listener: IngestListener) => void): void {
    for (const listener of this.listeners) {
      try {
        tell(listener)
      } catch (err) {
        queueMicrotask(() => { throw err })
      }
    }
  }

  /**
   * A segment whose chain can never become ready (its prev is not its author's previous entry): one that
   * arrives is rejected; one that waited in the pending area is removed from it, so every order of
   * arrival ends in the same state.
   */
  private async dropInvalid (segment: AuthenticatedSegment, fromPending: Uint8Array | null, sync: boolean, why: string): Promise<Uint8Array[]> {
    if (fromPending === null) throw new LogbookError('BAD_CHAIN', why)
    const old = this.state.pending.get(toHex(fromPending))
    const ops: BatchOp[] = [{ type: 'del', sublevel: this.layout.pending, key: fromPending }]
    const changes: Change[] = [{ kind: 'unpending', key: fromPending }]
    if (old !== undefined) ops.push({ type: 'del', sublevel: this.layout.waits, key: join(old.blocker, fromPending) })
    // A fork marker may rest on the segment being dropped: find the author's marker again without it.
    const authorHex = toHex(segment.author)
    const marker = this.state.forks.get(authorHex)
    const resting = marker !== undefined && segment.ids.some((id) => compareBytes(id, marker.low) === 0 || compareBytes(id, marker.high) === 0)
    let next: ForkMarker | undefined = marker
    if (resting) {
      next = await this.lowestConflict(segment.author, toHex(fromPending))
      ops.push(next === undefined
        ? { type: 'del', sublevel: this.layout.forks, key: segment.author }
        : { type: 'put', sublevel: this.layout.forks, key: segment.author, value: join(u64(next.seq), next.low, next.high) })
      changes.push({ kind: 'fork', author: segment.author })
    }
    await this.commit(ops, changes, null, sync)
    this.state.removePending(toHex(fromPending))
    if (resting) {
      if (next === undefined) this.state.forks.delete(authorHex)
      else this.state.forks.set(authorHex, next)
      this.notify((listener) => listener.fork?.(authorHex))
    }
    return []
  }

  /**
   * The canonical fork marker of an author computed from everything stored (rare path: only when a
   * segment a marker rested on is dropped). Every pair of runs that overlap in seq is compared.
   */
  private async lowestConflict (author: Uint8Array, skipKeyHex: string): Promise<ForkMarker | undefined> {
    await this.writer.drained()
    const runs: Array<{ firstSeq: number, ids: Uint8Array[] }> = []
    const rows = this.layout.feeds.iterator({ gte: join(author, u64(0)), lte: join(author, u64(Number.MAX_SAFE_INTEGER), u64(Number.MAX_SAFE_INTEGER)) })
    for await (const [key] of rows) {
      const pageKey = readU64(key, 40)
      const page = decodePage(pageKey, (await this.layout.pages.get(u64(pageKey))) as Uint8Array)
      runs.push({ firstSeq: page.segment.firstSeq, ids: page.ids })
    }
    for (const info of this.state.pendingOf(toHex(author))) {
      if (toHex(info.key) === skipKeyHex) continue
      const body = await this.layout.pending.get(info.key)
      if (body === undefined) continue
      const other = decodeSegmentBody(body, { trusted: true })
      runs.push({ firstSeq: other.firstSeq, ids: computeChainIds(other.space, other.author, other.firstSeq, other.firstPrev, other.entries) })
    }
    let best: ForkMarker | undefined
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const a = runs[i]
        const b = runs[j]
        const last = Math.min(a.firstSeq + a.ids.length, b.firstSeq + b.ids.length) - 1
        for (let seq = Math.max(a.firstSeq, b.firstSeq); seq <= last; seq++) {
          const x = a.ids[seq - a.firstSeq]
          const y = b.ids[seq - b.firstSeq]
          if (compareBytes(x, y) === 0) continue
          const candidate = markerOf(seq, x, y)
          if (smallerMarker(candidate, best)) best = candidate
          break
        }
      }
    }
    return best
  }

  /**
   * A segment identical to one waiting in the pending area may carry signatures it lacks: keep them,
   * in the pending copy and on the part of it that is ready already.
   */
  private async keepPendingSignatures (segment: AuthenticatedSegment, key: Uint8Array, counts: IngestCounts, sync: boolean, replay: boolean): Promise<void> {
    if (!segment.entries.some((entry) => entry.signature !== null)) return
    await this.writer.drained()
    const body = await this.layout.pending.get(key)
    if (body === undefined) return
    const ops: BatchOp[] = []
    const changes: Change[] = []
    const found = await this.layout.ids.getMany(segment.ids)
    let ready = found.findIndex((value) => value === undefined)
    if (ready < 0) ready = found.length
    await this.keepNewSignatures(segment, found.slice(0, ready), ops, changes, counts)
    const stored = decodeSegmentBody(body, { trusted: true })
    let changed = false
    let addedToWaiting = 0 // signatures on entries not ready yet (the ready part was counted above)
    segment.entries.forEach((entry, i) => {
      if (entry.signature === null || stored.entries[i].signature !== null) return
      stored.entries[i].signature = entry.signature
      changed = true
      if (i >= ready) addedToWaiting++
    })
    if (changed) {
      stored.encoded = undefined
      ops.push({ type: 'put', sublevel: this.layout.pending, key, value: encodeSegmentBody(stored) })
      changes.push({ kind: 'pending', key })
    }
    if (ops.length === 0) return
    await this.commit(ops, changes, !replay && this.writer.journaling ? encodeSegmentBody(segment) : null, sync)
    counts.signaturesAdded += addedToWaiting
  }

  /** Signatures carried by already-stored entries that were stored unsigned: keep them (page rewrite). */
  private async keepNewSignatures (segment: AuthenticatedSegment, locations: Array<Uint8Array | undefined>, ops: BatchOp[], changes: Change[], counts: IngestCounts): Promise<void> {
    const byPage = new Map<number, Array<{ slot: number, signature: Uint8Array }>>()
    locations.forEach((location, i) => {
      const signature = segment.entries[i].signature
      if (location === undefined || signature === null) return
      const { pageKey, slot } = readIdLocation(location)
      const list = byPage.get(pageKey) ?? []
      list.push({ slot, signature })
      byPage.set(pageKey, list)
    })
    for (const [pageKey, signatures] of byPage) {
      const value = await this.layout.pages.get(u64(pageKey))
      if (value === undefined) continue
      const page = decodeSegmentBody(pageBody(value), { trusted: true })
      let changed = false
      for (const { slot, signature } of signatures) {
        if (page.entries[slot].signature === null) {
          page.entries[slot].signature = signature
          changed = true
          counts.signaturesAdded++
          changes.push({ kind: 'signed', pageKey, slot })
        }
      }
      page.encoded = undefined // the stored bytes no longer match the entries
      if (changed) ops.push({ type: 'put', sublevel: this.layout.pages, key: u64(pageKey), value: replacePageBody(value, encodeSegmentBody(page)) })
    }
  }

  /**
   * The conflicting pairs (author, seq, two ids) that entries k.. of `segment` make with stored entries:
   * ready ones found through the feed index, pending ones through the pending summary.
   * For each other run only the lowest conflicting seq matters to the canonical marker.
   */
  private async conflicts (segment: AuthenticatedSegment, k: number, ownKeyHex: string): Promise<ForkMarker[]> {
    const { layout, state } = this
    const { author, ids, firstSeq } = segment
    const authorHex = toHex(author)
    const x0 = firstSeq + k
    const x1 = firstSeq + ids.length - 1
    const found: ForkMarker[] = []
    const overlapping = state.pendingOf(authorHex).filter((info) => toHex(info.key) !== ownKeyHex && info.lastSeq >= x0 && info.firstSeq <= x1)
    const readyOverlap = state.maxReadySeq(authorHex) >= x0
    if (!readyOverlap && overlapping.length === 0) return found
    await this.writer.drained()
    if (readyOverlap) {
      const rows = layout.feeds.iterator({ gte: join(author, u64(x0)), lte: join(author, u64(Math.min(x1 + PAGE_ENTRIES, Number.MAX_SAFE_INTEGER)), u64(Number.MAX_SAFE_INTEGER)) })
      for await (const [key, value] of rows) {
        const lastSeq = readU64(key, 32)
        const pageFirst = readU64(value, 0)
        const seq = Math.max(x0, pageFirst)
        if (seq > Math.min(x1, lastSeq)) continue
        let readyId: Uint8Array = value.subarray(8, 40)
        if (seq !== lastSeq) {
          const pageKey = readU64(key, 40)
          const page = decodePage(pageKey, (await layout.pages.get(u64(pageKey))) as Uint8Array)
          readyId = page.ids[seq - pageFirst]
        }
        found.push(markerOf(seq, ids[seq - firstSeq], readyId.slice()))
      }
    }
    for (const info of overlapping) {
      const body = await layout.pending.get(info.key)
      if (body === undefined) continue
      const other = decodeSegmentBody(body, { trusted: true })
      const otherIds = computeChainIds(other.space, other.author, other.firstSeq, other.firstPrev, other.entries)
      for (let seq = Math.max(x0, info.firstSeq); seq <= Math.min(x1, info.lastSeq); seq++) {
        const mine = ids[seq - firstSeq]
        const theirs = otherIds[seq - info.firstSeq]
        if (compareBytes(mine, theirs) !== 0) { found.push(markerOf(seq, mine, theirs)); break }
      }
    }
    return found
  }
}
