// Export: every authenticated entry as segments, in local order (causes before effects), then the
// pending entries in feed order. Entries are regrouped per branch into runs that end at a signed entry.
// An incremental export (after a change number) reads the change log: the pages appended since, each
// signature added since to an older entry (as that entry alone, signed), and the pending entries stored
// or changed since that are still pending.
import { Buffer } from 'buffer'
import { compareBytes, toHex } from '../entry/bytes.js'
import { encodeSegmentBody } from '../entry/segment.js'
import type { SegmentEntry, Segment } from '../entry/types.js'
import type { StoreReader } from '../store/reader.js'
import type { DecodedPage } from '../store/page.js'
import type { PendingEntry } from '../store/pending.js'
import { encodeFrame } from './frames.js'
import { segmentToJson } from './json-segment.js'

export interface ExportOptions {
  format?: 'binary' | 'json'
  author?: Uint8Array
  /** Only the authors this says yes to (with `author`, both must). */
  authors?: (author: Uint8Array) => boolean
  /** Only what changed after this change number (an incremental export; the caller checked the cursor). */
  sinceChange?: number
  /** Told, before anything is read, the last change number this export includes. */
  onChange?: (change: number) => void
  /** Told, at the end, of entries no stored signature covers (they cannot be sent: verify names them). */
  onUncovered?: (ids: Uint8Array[]) => void
}

/** An entry waiting for the signed entry that ends its run; runs branch where a feed forks. */
interface RunNode {
  entry: SegmentEntry
  id: Uint8Array
  seq: number
  prev: Uint8Array | null
  /** The entry before it in the same run, unless the run starts here. */
  parent: RunNode | null
  emitted: boolean
}

interface Exported { segment: Segment, ids: Uint8Array[], pending: boolean }

/**
 * Regroups entries, given each after the one it follows, into runs that end at a signed entry. An unsigned
 * entry stays open while any run may still grow from it, so a second branch from it finds it too.
 */
export class RunBuilder {
  private readonly open = new Map<string, RunNode>()

  constructor (private readonly space: Uint8Array) {}

  add (author: Uint8Array, seq: number, prev: Uint8Array | null, id: Uint8Array, entry: SegmentEntry): { segment: Segment, ids: Uint8Array[] } | null {
    const parent = prev === null ? undefined : this.open.get(toHex(prev))
    const node: RunNode = { entry, id, seq, prev, parent: parent ?? null, emitted: false }
    if (entry.signature === null) {
      this.open.set(toHex(id), node)
      return null
    }
    // A signature ends the run: walk back to its start (or to an entry already sent).
    const run: RunNode[] = []
    for (let at: RunNode | null = node; at !== null && !at.emitted; at = at.parent) run.push(at)
    run.reverse()
    for (const done of run) { done.emitted = true; this.open.delete(toHex(done.id)) }
    return {
      segment: { space: this.space, author, firstSeq: run[0].seq, firstPrev: run[0].prev, entries: run.map((done) => done.entry) },
      ids: run.map((done) => done.id)
    }
  }

  /** The entry in `slot` of a stored page (see add). */
  addSlot (page: DecodedPage, slot: number): { segment: Segment, ids: Uint8Array[] } | null {
    const { segment, ids } = page
    return this.add(segment.author, segment.firstSeq + slot, slot === 0 ? segment.firstPrev : ids[slot - 1], ids[slot], segment.entries[slot])
  }

  /** Entries no signature closed a run for. */
  unclosed (): Uint8Array[] {
    return [...this.open.values()].map((node) => node.id)
  }
}

export async function * exportSegments (reader: StoreReader, space: Uint8Array, options: ExportOptions = {}): AsyncGenerator<Exported> {
  const authorHex = options.author === undefined ? null : toHex(options.author)
  const chosen = options.authors ?? (() => true)
  const mine = (author: Uint8Array): boolean => (authorHex === null || toHex(author) === authorHex) && chosen(author)
  const view = await reader.snapshot()
  const runs = new RunBuilder(space)
  // Without a snapshot (browser-level) each read sees the store as it is then: an entry woken from the
  // pending area after the pages were read but before the pending area was is in neither pass. It went
  // into a page after those read (or after those there now), so the pages are read on from there once the
  // pending area is done.
  const live = view.snapshot === undefined
  let nextLocal = live ? await reader.nextLocalSeq() : 0
  try {
    options.onChange?.(await reader.lastChange(view.snapshot))
    const changed = options.sinceChange === undefined || options.sinceChange === 0 ? null : await changedSince(reader, options.sinceChange, view.snapshot)
    if (changed !== null) {
      for (const { pageKey, slot } of changed.signed) {
        const page = await reader.page(pageKey, view.snapshot)
        if (page === undefined || !mine(page.segment.author)) continue
        const { segment, ids } = page
        yield {
          segment: { space, author: segment.author, firstSeq: segment.firstSeq + slot, firstPrev: slot === 0 ? segment.firstPrev : ids[slot - 1], entries: [segment.entries[slot]] },
          ids: [ids[slot]],
          pending: false
        }
      }
    }
    const readyRuns = async function * (from: number): AsyncGenerator<Exported> {
      for await (const page of reader.pages(from, view.snapshot)) {
        const { segment, ids } = page
        nextLocal = Math.max(nextLocal, page.pageKey + ids.length)
        if (!mine(segment.author)) continue
        for (let slot = 0; slot < ids.length; slot++) {
          if (page.pageKey + slot < from) continue
          const run = runs.addSlot(page, slot)
          if (run !== null) yield { ...run, pending: false }
        }
      }
    }
    const fromLocal = changed === null ? 1 : changed.firstPage
    if (fromLocal !== null) yield * readyRuns(fromLocal)
    // Pending entries follow, in feed order; a ready run whose signature is pending continues into them.
    for await (const pending of pendingInFeedOrder(reader, changed?.pending ?? null, options.author, view.snapshot)) {
      if (!mine(pending.author)) continue
      const run = runs.add(pending.author, pending.seq, pending.prev, pending.id, pending.entry)
      if (run !== null) yield { ...run, pending: true }
    }
    if (live) yield * readyRuns(nextLocal)
    options.onUncovered?.(runs.unclosed())
  } finally {
    await view.close()
  }
}

/** Pending ids an incremental export reads one by one; more than this, and it reads the whole pending area once. */
const PENDING_BY_ID = 4096

/**
 * Pending entries in (author, seq, id) order: all of them (of `author`), or only those in `only` (hex ids)
 * that are still pending, read by id when they are few (a live session sends a few at a time).
 */
async function * pendingInFeedOrder (reader: StoreReader, only: Set<string> | null, author: Uint8Array | undefined, snapshot: unknown): AsyncGenerator<PendingEntry> {
  if (only !== null && only.size <= PENDING_BY_ID) {
    const found: PendingEntry[] = []
    for (const hex of only) {
      const entry = await reader.pendingEntry(Buffer.from(hex, 'hex'), snapshot)
      if (entry !== undefined && (author === undefined || compareBytes(entry.author, author) === 0)) found.push(entry)
    }
    found.sort((a, b) => compareBytes(a.author, b.author) || a.seq - b.seq || compareBytes(a.id, b.id))
    yield * found
    return
  }
  for await (const entry of reader.pendingEntries({ author, snapshot })) {
    if (only === null || only.has(toHex(entry.id))) yield entry
  }
}

/** What the change log says changed after `after`: the first new page, signatures added to older pages, pending ids. */
async function changedSince (reader: StoreReader, after: number, snapshot: unknown): Promise<{ firstPage: number | null, signed: Array<{ pageKey: number, slot: number }>, pending: Set<string> }> {
  let firstPage: number | null = null
  const signed: Array<{ pageKey: number, slot: number }> = []
  const pending = new Set<string>()
  for await (const { change } of reader.changesAfter(after, snapshot)) {
    if (change.kind === 'ready') firstPage ??= change.pageKey
    else if (change.kind === 'signed') signed.push(change)
    else if (change.kind === 'pending') pending.add(toHex(change.key))
  }
  // Pages appended after a signature was added hold it already.
  const older = signed.filter((item) => firstPage === null || item.pageKey < firstPage)
  older.sort((a, b) => a.pageKey - b.pageKey || a.slot - b.slot)
  return { firstPage, signed: older, pending }
}

/** The export as bytes, in chunks of about 1 MiB. */
export async function * exportBytes (reader: StoreReader, space: Uint8Array, options: ExportOptions = {}): AsyncGenerator<Uint8Array> {
  const json = options.format === 'json'
  const encoder = new TextEncoder()
  let parts: Uint8Array[] = []
  let size = 0
  for await (const { segment, ids } of exportSegments(reader, space, options)) {
    const bytes = json
      ? encoder.encode(JSON.stringify(segmentToJson(segment, ids)) + '\n')
      : encodeFrame(encodeSegmentBody(segment))
    parts.push(bytes)
    size += bytes.byteLength
    if (size >= 1024 * 1024) { yield Buffer.concat(parts); parts = []; size = 0 }
  }
  if (size > 0) yield Buffer.concat(parts)
}
