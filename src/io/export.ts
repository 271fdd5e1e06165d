// Export: every authenticated entry as segments, in local order (causes before effects), then the
// pending segments. Ready entries are regrouped per branch into runs that end at a signed entry; a run
// whose signature waits in the pending area is covered by that pending segment, which is stored whole.
// An incremental export (after a change number) reads the change log: the pages appended since, each
// signature added since to an older entry (as that entry alone, signed), and the pending segments
// stored or changed since that are still pending.
import { toHex } from '../entry/bytes.js'
import { encodeSegmentBody } from '../entry/segment.js'
import type { AuthenticatedSegment, SegmentEntry, Segment } from '../entry/types.js'
import type { StoreReader } from '../store/reader.js'
import { encodeFrame } from './frames.js'
import { segmentToJson } from './json-segment.js'

export interface ExportOptions {
  format?: 'binary' | 'json'
  author?: Uint8Array
  /** Only what changed after this change number (an incremental export; the caller checked the cursor). */
  sinceChange?: number
  /** Told, before anything is read, the last change number this export includes. */
  onChange?: (change: number) => void
  /** Told, at the end, of ready entries no ready signature covered (a pending segment must hold them). */
  onUncovered?: (ids: Uint8Array[]) => void
}

/** A ready entry waiting for the signed entry that ends its run; runs branch where a feed forks. */
interface RunNode {
  entry: SegmentEntry
  id: Uint8Array
  seq: number
  prev: Uint8Array | null
  /** The entry before it in the same run, unless the run starts here. */
  parent: RunNode | null
  emitted: boolean
}

type Exported = { segment: Segment, ids: Uint8Array[], pending: boolean }

export async function * exportSegments (reader: StoreReader, space: Uint8Array, options: ExportOptions = {}): AsyncGenerator<Exported> {
  const authorHex = options.author === undefined ? null : toHex(options.author)
  const mine = (author: Uint8Array): boolean => authorHex === null || toHex(author) === authorHex
  const view = await reader.snapshot()
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
    const fromLocal = changed === null ? 1 : changed.firstPage
    if (fromLocal !== null) yield * readyRuns(reader, space, fromLocal, mine, view.snapshot, options.onUncovered)
    if (changed === null) {
      for await (const pending of reader.pendingSegments(view.snapshot)) {
        if (mine(pending.author)) yield await unsentPart(reader, pending, view.snapshot)
      }
    } else {
      for (const key of changed.pending.values()) {
        const pending = await reader.pendingSegment(key, view.snapshot)
        if (pending !== undefined && mine(pending.author)) yield await unsentPart(reader, pending, view.snapshot)
      }
    }
  } finally {
    await view.close()
  }
}

/**
 * A pending segment without the entries its ready part's last signature covers: those go out as ready
 * runs. A ready part with no signature stays, since only the pending entries' signature covers it.
 */
async function unsentPart (reader: StoreReader, pending: AuthenticatedSegment, snapshot: unknown): Promise<Exported> {
  const notReady = await reader.firstNotReady(pending.ids, snapshot)
  let cut = 0
  for (let i = (notReady < 0 ? pending.ids.length : notReady) - 1; i >= 0 && cut === 0; i--) {
    if ((await reader.get(pending.ids[i], snapshot))?.signature != null) cut = i + 1
  }
  if (cut === 0) return { segment: pending, ids: pending.ids, pending: true }
  const segment: Segment = { space: pending.space, author: pending.author, firstSeq: pending.firstSeq + cut, firstPrev: pending.ids[cut - 1], entries: pending.entries.slice(cut) }
  return { segment, ids: pending.ids.slice(cut), pending: true }
}

/** What the change log says changed after `after`: the first new page, signatures added to older pages, pending keys. */
async function changedSince (reader: StoreReader, after: number, snapshot: unknown): Promise<{ firstPage: number | null, signed: Array<{ pageKey: number, slot: number }>, pending: Map<string, Uint8Array> }> {
  let firstPage: number | null = null
  const signed: Array<{ pageKey: number, slot: number }> = []
  const pending = new Map<string, Uint8Array>()
  for await (const { change } of reader.changesAfter(after, snapshot)) {
    if (change.kind === 'ready') firstPage ??= change.pageKey
    else if (change.kind === 'signed') signed.push(change)
    else if (change.kind === 'pending') pending.set(toHex(change.key), change.key)
  }
  // Pages appended later than a signature change hold that signature already.
  const older = signed.filter((item) => firstPage === null || item.pageKey < firstPage)
  older.sort((a, b) => a.pageKey - b.pageKey || a.slot - b.slot)
  return { firstPage, signed: older, pending }
}

/** Ready entries from local seq `from` on, regrouped per branch into runs that end at a signed entry. */
async function * readyRuns (reader: StoreReader, space: Uint8Array, from: number, mine: (author: Uint8Array) => boolean, snapshot: unknown, onUncovered?: (ids: Uint8Array[]) => void): AsyncGenerator<Exported> {
  // Unsigned ready entries not yet exported, by id. An entry stays here while any run may still grow
  // from it, so a second branch from the same entry finds it too.
  const open = new Map<string, RunNode>()
  for await (const page of reader.pages(from, snapshot)) {
    const { segment, ids } = page
    if (!mine(segment.author)) continue
    for (let slot = 0; slot < ids.length; slot++) {
      if (page.pageKey + slot < from) continue
      const prev = slot === 0 ? segment.firstPrev : ids[slot - 1]
      const parent = prev === null ? undefined : open.get(toHex(prev))
      const node: RunNode = { entry: segment.entries[slot], id: ids[slot], seq: segment.firstSeq + slot, prev, parent: parent ?? null, emitted: false }
      if (node.entry.signature === null) {
        open.set(toHex(node.id), node)
        continue
      }
      // A signature ends the run: walk back to its start (or to an entry already exported).
      const run: RunNode[] = []
      for (let at: RunNode | null = node; at !== null && !at.emitted; at = at.parent) run.push(at)
      run.reverse()
      for (const done of run) { done.emitted = true; open.delete(toHex(done.id)) }
      yield {
        segment: { space, author: segment.author, firstSeq: run[0].seq, firstPrev: run[0].prev, entries: run.map((done) => done.entry) },
        ids: run.map((done) => done.id),
        pending: false
      }
    }
  }
  // Runs left without a signature are covered by pending segments, which hold their whole segment.
  onUncovered?.([...open.values()].map((node) => node.id))
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
