// The one ingest path. Append, import and replication all hand authenticated segments to `ingest`, which
// stores what is new in one atomic batch: entries that are ready go into local-order pages with their
// indexes; the others into the pending area, one row each, with what each waits for. Then whatever waited
// for what just arrived is examined again (`wake`), then the pending quota is enforced.
//
// An entry is ready once its prev and every link are ready and a signed entry after it (or itself) is
// ready with it: an entry becomes ready together with the signature that authenticates it.
// Ingest is serialized: memory state changes only after the batch that persists it has been written.
import { Buffer } from 'buffer'
import { LogbookError } from '../errors.js'
import { equalBytes, toHex } from '../entry/bytes.js'
import { sha256 } from '../crypto/index.js'
import { MAX_SEGMENT_ENTRIES } from '../entry/limits.js'
import type { AuthenticatedSegment, Segment } from '../entry/types.js'
import { changeOps } from './changes.js'
import { Commit, type ReadyRun } from './commit.js'
import { checkPlaced, noteReadyFork, recountMarker } from './fork-check.js'
import { decodeCount, encodeCount, encodePending, quotaBytes, WAIT, withSignature, placed, type PendingEntry, type Wait } from './pending.js'
import { Lookups } from './lookups.js'
import { join, readIdLocation, readU64, u64, type Layout, under } from './layout.js'
import { bodyEntryCount, pageBody, replacePageBody } from './page.js'
import { decodeSegmentBody, encodeSegmentBody } from '../entry/segment.js'
import type { StoreState } from './state.js'
import type { Writer } from './writer.js'

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
  /** Pending entries removed to keep the pending area within its quota. */
  evicted: number
}

export function emptyCounts (): IngestCounts {
  return { stored: 0, readied: 0, duplicates: 0, signaturesAdded: 0, forked: new Set(), evicted: 0 }
}

/** How much the pending area may hold, in bytes of stored entries: per author, and in total. */
export interface PendingQuota {
  perAuthor: number
  total: number
}

export const DEFAULT_PENDING_QUOTA: PendingQuota = { perAuthor: 64 * 1024 * 1024, total: 512 * 1024 * 1024 }

/** What the ingest path tells the rest of the system once a batch is acknowledged. */
export interface IngestListener {
  /** Entries up to local seq `lastLocalSeq` are ready. */
  ready?: (lastLocalSeq: number) => void
  /** `author`'s (hex) fork marker changed: it got one, a lower one, or lost it. */
  fork?: (author: string) => void
  /** The change log grew: its last change number is now `lastChange` (a live session sends what changed). */
  changed?: (lastChange: number) => void
}

/** Segments of at least this many entries are remembered by the hash of their bytes once wholly ready. */
const SEEN_MIN_ENTRIES = 16

/** Entries a commit makes ready (or re-examines) before it is written and a new one begun (bounds memory). */
const COMMIT_ENTRIES = 4096

/** What a segment's entry is when it arrives. */
type Known = { ready: Uint8Array } | { entry: PendingEntry, wait: Wait } | null

export class Ingestor {
  private queue: Promise<unknown> = Promise.resolve()
  readonly listeners = new Set<IngestListener>()
  private readonly lookups: Lookups

  constructor (private readonly layout: Layout, private readonly state: StoreState, private readonly writer: Writer, readonly quota: PendingQuota = DEFAULT_PENDING_QUOTA) {
    this.lookups = new Lookups(layout, writer)
  }

  /** Runs `task` after every earlier task: appends and imports never interleave. */
  exclusive<T> (task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task)
    this.queue = result.catch(() => {})
    return result
  }

  /**
   * Stores one authenticated segment (call inside `exclusive`). `replay` marks a segment read back from the
   * journal, which must not be journaled again. Throws BAD_CHAIN, storing nothing, when its first entry's
   * prev is stored and is not its author's previous entry.
   */
  async ingest (segment: AuthenticatedSegment, counts: IngestCounts, sync = false, replay = false, verify?: () => void): Promise<void> {
    const commit = new Commit(this.layout, this.state)
    const known = await this.recognise(segment, commit)
    const { woken, differ } = await this.keepSignatures(segment, known, commit)
    const newCount = known.filter((item) => item === null).length
    // Signatures are checked only when something would be kept: a copy of what is held, with the very
    // signatures held, changes nothing (a re-import of an export costs no signature checks).
    if (verify !== undefined && (newCount > 0 || differ || !commit.empty)) verify()
    let readyNew = 0
    if (newCount > 0) {
      await this.checkFirstPrev(segment, known, commit)
      readyNew = await this.storeNew(segment, known, commit)
    }
    counts.duplicates += known.length - newCount
    // An imported segment wholly ready now is remembered by the hash of its bytes, so the same bytes again
    // are skipped unread. (Appends are not: hashing every appended body measured ~6% of batched appends.)
    if (verify !== undefined && segment.entries.length >= SEEN_MIN_ENTRIES && !commit.empty && readyNew === newCount && known.every((item) => item === null || 'ready' in item)) {
      commit.ops.push({ type: 'put', sublevel: this.layout.seen, key: bodyDigest(encodeSegmentBody(segment)), value: new Uint8Array(0) })
    }
    // Pending entries that waited only for a signature this segment brought.
    const changed: Uint8Array[] = []
    for (const id of woken) {
      const item = await this.lookups.pending(id, commit)
      if (item !== undefined && await this.reexamine(item.entry, item.wait, commit)) changed.push(id)
    }
    const record = !replay && this.writer.journaling ? encodeSegmentBody(segment) : null
    await this.wake(commit, changed, counts, sync, record)
    await this.enforceQuota(commit.touchedAuthors(), counts, sync)
  }

  /** The entry count of a segment body (these very bytes) whose entries are all held ready, or null. */
  async heldBody (body: Uint8Array): Promise<number | null> {
    let count: number
    try {
      count = bodyEntryCount(body)
    } catch {
      return null // not even a header: the decoder will say what is wrong
    }
    if (count < SEEN_MIN_ENTRIES || count > MAX_SEGMENT_ENTRIES) return null
    // No wait for writes still being applied: a row not there yet only means the slower path.
    return (await this.layout.seen.get(bodyDigest(body))) === undefined ? null : count
  }

  /** Finishes what a crash interrupted: dependents of entries that were made ready or stored. */
  async resumeWakes (counts: IngestCounts): Promise<void> {
    await this.writer.drained()
    const ids: Uint8Array[] = []
    for await (const key of this.layout.wakes.keys()) ids.push(key)
    if (ids.length === 0) return
    const commit = new Commit(this.layout, this.state)
    await this.wake(commit, ids, counts, false, null, true)
  }

  // ---- step 1: which entries are stored already ----

  private async recognise (segment: AuthenticatedSegment, commit: Commit): Promise<Known[]> {
    const { ids, author, firstPrev, firstSeq } = segment
    const known: Known[] = new Array(ids.length).fill(null)
    const authorHex = toHex(author)
    // Appending to a feed head: nothing of the segment can be ready yet.
    const extendsTip = firstPrev === null ? commit.tipCount(authorHex) === 0 : commit.tipSeq(authorHex, toHex(firstPrev)) === firstSeq - 1
    if (!extendsTip) {
      await this.writer.drained()
      const found = await this.layout.ids.getMany(ids)
      found.forEach((location, i) => { if (location !== undefined) known[i] = { ready: location } })
    }
    if (this.state.pending.entries > 0) {
      const rest = ids.map((id, i) => ({ id, i })).filter(({ i }) => known[i] === null)
      const found = await this.lookups.pendingMany(rest.map(({ id }) => id), commit)
      found.forEach((item, j) => { if (item !== undefined) known[rest[j].i] = item })
    }
    return known
  }

  // ---- step 2: signatures this segment brings to entries stored without them ----

  /**
   * Adds them (page or pending row rewritten); returns pending entries a signature may make ready, and
   * whether any signature differs from the one held (which must then be verified).
   */
  private async keepSignatures (segment: AuthenticatedSegment, known: Known[], commit: Commit): Promise<{ woken: Uint8Array[], differ: boolean }> {
    const byPage = new Map<number, Array<{ slot: number, signature: Uint8Array }>>()
    const woken: Uint8Array[] = []
    let differ = false
    for (let i = 0; i < known.length; i++) {
      const item = known[i]
      const signature = segment.entries[i].signature
      if (item === null || signature === null) continue
      if ('ready' in item) {
        const { pageKey, slot } = readIdLocation(item.ready)
        const list = byPage.get(pageKey) ?? []
        list.push({ slot, signature })
        byPage.set(pageKey, list)
      } else if (item.entry.entry.signature !== null) {
        if (!equalBytes(item.entry.entry.signature, signature)) differ = true
      } else {
        const body = withSignature(item.entry, signature)
        const entry = { ...item.entry, body, entry: { ...item.entry.entry, signature } }
        commit.rewritePending(entry, item.wait)
        if (item.wait.kind === WAIT.signature) woken.push(entry.id)
      }
    }
    for (const [pageKey, signatures] of byPage) {
      await this.writer.drained()
      const value = await this.layout.pages.get(u64(pageKey))
      if (value === undefined) continue
      const page = decodeSegmentBody(pageBody(value), { trusted: true })
      let changed = false
      for (const { slot, signature } of signatures) {
        const held = page.entries[slot].signature
        if (held !== null) {
          if (!equalBytes(held, signature)) differ = true
          continue
        }
        page.entries[slot].signature = signature
        changed = true
        commit.signaturesAdded++
        commit.changes.push({ kind: 'signed', pageKey, slot })
      }
      page.encoded = undefined // the stored bytes no longer match the entries
      if (changed) commit.ops.push({ type: 'put', sublevel: this.layout.pages, key: u64(pageKey), value: replacePageBody(value, encodeSegmentBody(page)) })
    }
    return { woken, differ }
  }

  // ---- step 3: a first prev that is stored must be this author's previous entry ----

  private async checkFirstPrev (segment: AuthenticatedSegment, known: Known[], commit: Commit): Promise<void> {
    const { firstPrev, firstSeq, author } = segment
    if (firstPrev === null || known[0] !== null) return
    // The author's feed head at the seq before: its place is known without a read (every append).
    if (commit.tipSeq(toHex(author), toHex(firstPrev)) === firstSeq - 1) return
    const place = await this.placeOf(firstPrev, commit)
    if (place !== undefined && (toHex(place.author) !== toHex(author) || place.seq !== firstSeq - 1)) {
      throw new LogbookError('BAD_CHAIN', `seq ${firstSeq} names as its prev an entry that is not this author's seq ${firstSeq - 1}`)
    }
  }

  /** A stored entry's author and seq (ready or pending), or undefined when it is not stored. */
  private async placeOf (id: Uint8Array, commit: Commit): Promise<{ author: Uint8Array, seq: number } | undefined> {
    const ready = await this.lookups.readyPlace(id, commit)
    if (ready !== undefined) return ready
    const pending = await this.lookups.pending(id, commit)
    return pending === undefined ? undefined : { author: pending.entry.author, seq: pending.entry.seq }
  }

  // ---- step 4: the new entries: ready ones into pages, the rest into the pending area ----

  /** Returns how many of the segment's new entries became ready. */
  private async storeNew (segment: AuthenticatedSegment, known: Known[], commit: Commit): Promise<number> {
    const { entries, ids, author, firstSeq, firstPrev } = segment
    const n = entries.length
    const authorHex = toHex(author)
    // Links of the new entries that are not among the segment's own ids, looked up at once.
    const own = new Map<string, number>()
    if (entries.some((entry) => entry.links.length > 0)) ids.forEach((id, i) => own.set(toHex(id), i))
    const outside: Uint8Array[] = []
    for (let i = 0; i < n; i++) {
      if (known[i] !== null) continue
      for (const link of entries[i].links) if (!own.has(toHex(link))) outside.push(link)
    }
    const readyOutside = new Set<string>()
    const readyFlags = await this.lookups.areReady(outside, commit)
    outside.forEach((link, i) => { if (readyFlags[i]) readyOutside.add(toHex(link)) })

    // Walk the segment in order, keeping the state of each entry's prev.
    let prevState = await this.stateOf(firstPrev, authorHex, commit)
    let run: number[] = [] // new entries whose dependencies are ready, waiting for a signature
    let runAfterDeps = false // the entry before the run waits only for a signature itself
    const readyInSegment = new Set<number>()
    for (let i = 0; i < n; i++) {
      const item = known[i]
      if (item !== null) {
        for (const j of run) await this.storePending(segment, j, { kind: WAIT.signature, on: null }, commit)
        run = []
        prevState = 'ready' in item ? 'ready' : stateOfWait(item.wait)
        continue
      }
      const prev = i === 0 ? firstPrev : ids[i - 1]
      if (prevState === 'missing' || prevState === 'orphan') {
        await this.storePending(segment, i, { kind: WAIT.orphan, on: prev }, commit)
        prevState = 'orphan'
        continue
      }
      if (prevState === 'waiting') {
        await this.storePending(segment, i, { kind: WAIT.chained, on: prev }, commit)
        continue
      }
      // The prev is ready, or waits only for a signature: the links decide.
      const missing = entries[i].links.find((link) => {
        const at = own.get(toHex(link))
        return at !== undefined ? !readyInSegment.has(at) : !readyOutside.has(toHex(link))
      })
      if (missing !== undefined) {
        for (const j of run) await this.storePending(segment, j, { kind: WAIT.signature, on: null }, commit)
        run = []
        await this.storePending(segment, i, { kind: WAIT.link, on: missing }, commit)
        prevState = 'waiting'
        continue
      }
      if (run.length === 0) runAfterDeps = prevState === 'deps'
      run.push(i)
      if (entries[i].signature === null) { prevState = 'deps'; continue }
      // Signed: the run (and any stored ancestors waiting for a signature) becomes ready now.
      if (runAfterDeps) {
        const ancestors = await this.signatureWaiters(run[0] === 0 ? firstPrev : ids[run[0] - 1], commit)
        for (const j of run) await checkPlaced(this.lookups, commit, author, firstSeq + j, ids[j], false)
        await this.makeReady([...ancestors, ...run.map((j) => pendingOf(segment, j))], commit)
      } else {
        await this.readyFromSegment(segment, run[0], i + 1, commit, authorHex)
      }
      for (const j of run) readyInSegment.add(j)
      run = []
      prevState = 'ready'
    }
    for (const j of run) await this.storePending(segment, j, { kind: WAIT.signature, on: null }, commit)
    return readyInSegment.size
  }

  /**
   * The state of an entry's prev: 'ready' also for none (seq 1); 'deps' when it waits only for a signature.
   * A feed head of the entry's author is ready without a read (the prev of every append).
   */
  private async stateOf (prev: Uint8Array | null, authorHex: string, commit: Commit): Promise<PrevState> {
    if (prev === null || commit.tipSeq(authorHex, toHex(prev)) !== undefined || await this.lookups.isReady(prev, commit)) return 'ready'
    const pending = await this.lookups.pending(prev, commit)
    return pending === undefined ? 'missing' : stateOfWait(pending.wait)
  }

  /** Entries [from, to) of a segment, which are new, made ready as one run straight from its bytes. */
  private async readyFromSegment (segment: AuthenticatedSegment, from: number, to: number, commit: Commit, authorHex: string): Promise<void> {
    const { author, firstSeq, ids } = segment
    const prev = from === 0 ? segment.firstPrev : ids[from - 1]
    const soleChain = prev === null ? commit.tipCount(authorHex) === 0 : commit.tipCount(authorHex) === 1 && commit.tipSeq(authorHex, toHex(prev)) !== undefined
    await this.notePlaced(author, firstSeq + from, to - from, ids.slice(from, to), prev, soleChain, commit)
    commit.addReadyRun({ segment, from, to, ids })
    commit.stored += to - from
  }

  /**
   * Placed entries are checked for forks; a first ready entry beside another ready one at its seq is
   * noted. `soleChain`: the author has one feed head and it is `prev`, so no other ready entry shares a seq.
   */
  private async notePlaced (author: Uint8Array, firstSeq: number, count: number, ids: Uint8Array[], prev: Uint8Array | null, soleChain: boolean, commit: Commit): Promise<void> {
    const authorHex = toHex(author)
    const forksBeside = prev === null ? commit.tipCount(authorHex) > 0 : commit.tipSeq(authorHex, toHex(prev)) === undefined
    if (forksBeside) noteReadyFork(this.layout, commit, author, firstSeq)
    const marker = commit.markerOf(authorHex)
    if (soleChain && !await this.hasPending(author, commit)) return
    for (let i = 0; i < count; i++) {
      if (marker !== undefined && firstSeq + i > marker.seq) break
      await checkPlaced(this.lookups, commit, author, firstSeq + i, ids[i], soleChain && i > 0)
    }
  }

  /** Whether the author has any pending entry (stored, or stored by this commit). */
  private async hasPending (author: Uint8Array, commit: Commit): Promise<boolean> {
    if (commit.touchedAuthors().some((touched) => toHex(touched) === toHex(author))) return true
    if (this.state.pending.entries === 0) return false
    await this.writer.drained()
    return (await this.layout.pendingCounts.get(author)) !== undefined
  }

  /** Stores entry `i` of a segment in the pending area with `wait`. */
  private async storePending (segment: AuthenticatedSegment, i: number, wait: Wait, commit: Commit): Promise<void> {
    const entry = pendingOf(segment, i)
    commit.addPending(entry, wait)
    if (placed(wait.kind)) await checkPlaced(this.lookups, commit, entry.author, entry.seq, entry.id, false)
  }

  /** Stored pending ancestors of `id` (itself included) that wait only for a signature, oldest first. */
  private async signatureWaiters (id: Uint8Array | null, commit: Commit): Promise<PendingEntry[]> {
    const out: PendingEntry[] = []
    let at = id
    while (at !== null) {
      const pending = await this.lookups.pending(at, commit)
      if (pending === undefined || pending.wait.kind !== WAIT.signature) break
      out.push(pending.entry)
      at = pending.entry.prev
    }
    return out.reverse()
  }

  /** Stored (or just arrived) pending entries, consecutive in one chain, made ready as one run. */
  private async makeReady (chain: PendingEntry[], commit: Commit): Promise<void> {
    const first = chain[0]
    const segment: Segment = { space: first.space, author: first.author, firstSeq: first.seq, firstPrev: first.prev, entries: chain.map((item) => item.entry) }
    const ids = chain.map((item) => item.id)
    const run: ReadyRun = { segment, from: 0, to: chain.length, ids }
    for (const item of chain) {
      const overlay = commit.pendingOverlay(toHex(item.id))
      const stored = overlay === undefined ? await this.lookups.pending(item.id, commit) : undefined
      if (overlay?.wait != null) commit.removePending(item, overlay.wait)
      else if (stored !== undefined) commit.removePending(item, stored.wait)
      else commit.stored++ // arrived in this segment, never stored pending
    }
    const authorHex = toHex(first.author)
    if (first.prev !== null && commit.tipSeq(authorHex, toHex(first.prev)) === undefined) noteReadyFork(this.layout, commit, first.author, first.seq)
    if (first.prev === null && commit.tipCount(authorHex) > 0) noteReadyFork(this.layout, commit, first.author, first.seq)
    commit.addReadyRun(run)
  }

  // ---- step 5: what waited for these entries, examined again ----

  /**
   * Writes the commit, then re-examines the dependents of everything it made ready or changed, in further
   * commits of bounded size. Each commit records, in `wakes`, the ids whose dependents it leaves to the next,
   * so a crash in between is finished at the next open.
   */
  private async wake (commit: Commit, start: Uint8Array[], counts: IngestCounts, sync: boolean, record: Uint8Array | null, startHasRows = false): Promise<void> {
    let stack: Uint8Array[] = [...start]
    // Ids recorded in `wakes` (by an earlier commit, or a crash): their rows go once they are done.
    let recorded = new Set(startHasRows ? start.map(toHex) : [])
    let current = commit
    let journal = record
    for (;;) {
      // The dependents of what this commit made ready or stored are next.
      for (const id of await this.awaitedAmong(current)) stack.push(id)
      while (stack.length > 0 && current.readiedCount + current.pending.size < COMMIT_ENTRIES) {
        const id = stack.pop() as Uint8Array
        for (const next of await this.reexamineDependents(id, current)) stack.push(next)
        current.wakesDone.add(toHex(id))
        for (const awaited of await this.awaitedAmong(current)) stack.push(awaited)
      }
      stack = [...new Map(stack.map((id) => [toHex(id), id])).values()]
      for (const id of stack) if (!recorded.has(toHex(id))) current.ops.push({ type: 'put', sublevel: this.layout.wakes, key: id, value: new Uint8Array(0) })
      for (const idHex of current.wakesDone) if (recorded.has(idHex)) current.ops.push({ type: 'del', sublevel: this.layout.wakes, key: Buffer.from(idHex, 'hex') })
      await this.write(current, journal, sync, counts)
      journal = null
      if (stack.length === 0) return
      recorded = new Set(stack.map(toHex))
      current = new Commit(this.layout, this.state)
    }
  }

  /** Ids the commit made ready or stored that stored pending entries wait for (each asked once per commit). */
  private async awaitedAmong (commit: Commit): Promise<Uint8Array[]> {
    if (this.state.pending.entries === 0) return []
    const fresh = commit.takeUnasked()
    if (fresh.length === 0) return []
    await this.writer.drained()
    const counts = await this.layout.awaited.getMany(fresh)
    return fresh.filter((_, i) => counts[i] !== undefined)
  }

  /** Re-examines the pending entries that follow `id` or wait for it as a link; returns ids whose own dependents changed. */
  private async reexamineDependents (id: Uint8Array, commit: Commit): Promise<Uint8Array[]> {
    const changed: Uint8Array[] = []
    const dependents = new Map<string, Uint8Array>()
    for (const dependent of [
      ...await this.lookups.keysUnder(this.layout.successors, id),
      ...await this.lookups.keysUnder(this.layout.linkWaits, id),
      ...commit.dependentsOf(id)
    ]) dependents.set(toHex(dependent), dependent)
    for (const dependent of dependents.values()) {
      const item = await this.lookups.pending(dependent, commit)
      if (item !== undefined && await this.reexamine(item.entry, item.wait, commit)) changed.push(item.entry.id)
    }
    return changed
  }

  /**
   * Works out a pending entry's wait again from what is stored now; true when it changed in a way its own
   * dependents must see (it became ready, placed, or ready but for a signature).
   */
  private async reexamine (entry: PendingEntry, wait: Wait, commit: Commit): Promise<boolean> {
    const prevState = await this.stateOf(entry.prev, toHex(entry.author), commit)
    if (prevState === 'missing') return false
    if (wait.kind === WAIT.orphan && entry.prev !== null) {
      const place = await this.placeOf(entry.prev, commit)
      if (place !== undefined && (toHex(place.author) !== toHex(entry.author) || place.seq !== entry.seq - 1)) {
        // Its prev is not its author's previous entry: it can never become ready.
        commit.removePending(entry, wait)
        return false
      }
    }
    let next: Wait
    if (prevState === 'orphan') next = { kind: WAIT.orphan, on: entry.prev }
    else if (prevState === 'waiting') next = { kind: WAIT.chained, on: entry.prev }
    else {
      const links = entry.entry.links
      const from = wait.kind === WAIT.link && wait.on !== null ? Math.max(0, links.findIndex((link) => toHex(link) === toHex(wait.on as Uint8Array))) : 0
      const flags = await this.lookups.areReady(links.slice(from), commit)
      const missing = flags.indexOf(false)
      if (missing >= 0) next = { kind: WAIT.link, on: links[from + missing] }
      else if (entry.entry.signature === null) next = { kind: WAIT.signature, on: null }
      else {
        const ancestors = prevState === 'deps' ? await this.signatureWaiters(entry.prev, commit) : []
        if (!placed(wait.kind)) await checkPlaced(this.lookups, commit, entry.author, entry.seq, entry.id, false)
        await this.makeReady([...ancestors, entry], commit)
        return true
      }
    }
    if (next.kind === wait.kind && toHex(next.on ?? new Uint8Array(0)) === toHex(wait.on ?? new Uint8Array(0))) return false
    commit.setWait(entry, next, wait)
    if (!placed(wait.kind) && placed(next.kind)) await checkPlaced(this.lookups, commit, entry.author, entry.seq, entry.id, false)
    return placed(next.kind) !== placed(wait.kind) || next.kind === WAIT.signature
  }

  // ---- step 6: the pending quota ----

  /**
   * Evicts pending entries while an author, or the whole area, holds more than the quota allows: always
   * the largest (seq, id) of that author, or of the whole area (seq, then author, then id). The rule looks
   * only at what is pending, never at when it came; an evicted entry is simply asked for again later.
   */
  private async enforceQuota (authors: Uint8Array[], counts: IngestCounts, sync: boolean): Promise<void> {
    const { perAuthor, total } = this.quota
    if (this.state.pending.entries === 0 || (authors.length === 0 && this.state.pending.bytes <= total)) return
    const commit = new Commit(this.layout, this.state)
    await this.writer.drained()
    for (const author of authors) {
      const held = decodeCount(await this.layout.pendingCounts.get(author)).bytes
      if (held > perAuthor) counts.evicted += await this.evictDown(this.layout.pendingByAuthor.keys({ ...under(author), reverse: true }), held - perAuthor, commit)
    }
    const all = this.state.pending.bytes + sumBytes(commit)
    if (all > total) counts.evicted += await this.evictDown(this.layout.pendingBySeq.keys({ reverse: true }), all - total, commit)
    if (commit.empty) return
    for (const author of commit.evictedFrom()) {
      if (commit.markerOf(toHex(author)) !== undefined) await recountMarker(this.layout, this.lookups, commit, author)
    }
    await this.write(commit, null, sync, counts)
  }

  /**
   * Evicts the pending entries the iterator yields (largest first; keys end with the id), skipping those
   * this commit removed already, until at least `excess` bytes are gone. Returns how many it evicted.
   */
  private async evictDown (keys: AsyncIterable<Uint8Array> & { close: () => Promise<void> }, excess: number, commit: Commit): Promise<number> {
    let freed = 0
    let evicted = 0
    try {
      for await (const key of keys) {
        if (freed >= excess) break
        const id = key.slice(key.byteLength - 32)
        if (commit.pendingOverlay(toHex(id))?.wait === null) continue
        const item = await this.lookups.pending(id, commit)
        if (item === undefined) continue
        commit.removePending(item.entry, item.wait)
        commit.noteEviction(item.entry.author)
        freed += quotaBytes(item.entry)
        evicted++
      }
    } finally {
      await keys.close()
    }
    return evicted
  }

  // ---- writing ----

  /** Writes a commit (with its change-log records and counters) in one batch; then memory follows. */
  private async write (commit: Commit, record: Uint8Array | null, sync: boolean, counts: IngestCounts): Promise<void> {
    if (commit.empty) return
    await this.resolveCounters(commit)
    const last = this.state.lastChange
    for (const op of changeOps(this.layout, last, commit.changes)) commit.ops.push(op)
    const totals = { entries: this.state.pending.entries, bytes: this.state.pending.bytes }
    for (const delta of commit.countDelta.values()) { totals.entries += delta.entries; totals.bytes += delta.bytes }
    if (totals.entries !== this.state.pending.entries || totals.bytes !== this.state.pending.bytes) {
      commit.ops.push({ type: 'put', sublevel: this.layout.meta as any, key: 'pending', value: `${totals.entries} ${totals.bytes}` })
    }
    await this.writer.write(commit.ops, record, sync)
    this.state.lastChange = last + commit.changes.length
    this.state.pending = totals
    commit.applyToMemory()
    counts.stored += commit.stored
    counts.readied += commit.readiedCount
    counts.signaturesAdded += commit.signaturesAdded
    for (const author of commit.forked) counts.forked.add(author)
    const readyUpTo = commit.readiedCount > 0 ? this.state.nextLocalSeq - 1 : null
    const lastChange = commit.changes.length > 0 ? this.state.lastChange : null
    this.notify((listener) => {
      if (readyUpTo !== null) listener.ready?.(readyUpTo)
      for (const author of commit.forked) listener.fork?.(author)
      if (lastChange !== null) listener.changed?.(lastChange)
    })
  }

  /** Counters (awaited ids, per-author pending counts) read and updated by their deltas. */
  private async resolveCounters (commit: Commit): Promise<void> {
    const awaited = [...commit.awaitedDelta].filter(([, delta]) => delta !== 0)
    const authors = [...commit.countDelta].filter(([, delta]) => delta.entries !== 0 || delta.bytes !== 0)
    if (awaited.length === 0 && authors.length === 0) return
    await this.writer.drained()
    const awaitedNow = await this.layout.awaited.getMany(awaited.map(([hex]) => Buffer.from(hex, 'hex')))
    awaited.forEach(([hex, delta], i) => {
      const value = awaitedNow[i]
      const count = (value === undefined ? 0 : readU64(value)) + delta
      const key = Buffer.from(hex, 'hex')
      commit.ops.push(count > 0 ? { type: 'put', sublevel: this.layout.awaited, key, value: u64(count) } : { type: 'del', sublevel: this.layout.awaited, key })
    })
    const countsNow = await this.layout.pendingCounts.getMany(authors.map(([hex]) => Buffer.from(hex, 'hex')))
    authors.forEach(([hex, delta], i) => {
      const count = decodeCount(countsNow[i])
      const next = { entries: count.entries + delta.entries, bytes: count.bytes + delta.bytes }
      const key = Buffer.from(hex, 'hex')
      commit.ops.push(next.entries > 0 ? { type: 'put', sublevel: this.layout.pendingCounts, key, value: encodeCount(next) } : { type: 'del', sublevel: this.layout.pendingCounts, key })
    })
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
}

type PrevState = 'ready' | 'deps' | 'waiting' | 'orphan' | 'missing'

function stateOfWait (wait: Wait): PrevState {
  if (wait.kind === WAIT.signature) return 'deps'
  if (wait.kind === WAIT.orphan) return 'orphan'
  return 'waiting'
}

/** Digests of segment bodies, kept with the bytes: an import hashes a body once to ask and once to remember. */
const digests = new WeakMap<Uint8Array, Uint8Array>()

function bodyDigest (body: Uint8Array): Uint8Array {
  let digest = digests.get(body)
  if (digest === undefined) { digest = sha256(body); digests.set(body, digest) }
  return digest
}

/** Entry `i` of a segment as a pending entry. */
function pendingOf (segment: AuthenticatedSegment, i: number): PendingEntry {
  const prev = i === 0 ? segment.firstPrev : segment.ids[i - 1]
  return { id: segment.ids[i], space: segment.space, author: segment.author, seq: segment.firstSeq + i, prev, entry: segment.entries[i], body: encodePending(segment, i, prev) }
}

function sumBytes (commit: Commit): number {
  let bytes = 0
  for (const delta of commit.countDelta.values()) bytes += delta.bytes
  return bytes
}
