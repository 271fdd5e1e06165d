// Export: every authenticated entry as segments, in local order (causes before effects), then the
// pending segments. Ready entries are regrouped per branch into runs that end at a signed entry; a run
// whose signature waits in the pending area is covered by that pending segment, which is stored whole.
import { toHex } from '../entry/bytes.js'
import { encodeSegmentBody } from '../entry/segment.js'
import type { SegmentEntry, Segment } from '../entry/types.js'
import type { StoreReader } from '../store/reader.js'
import { encodeFrame } from './frames.js'
import { segmentToJson } from './json-segment.js'

export interface ExportOptions {
  format?: 'binary' | 'json'
  author?: Uint8Array
  /** Only what became ready after this local sequence number (incremental backups). */
  since?: number
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

export async function * exportSegments (reader: StoreReader, space: Uint8Array, options: ExportOptions = {}): AsyncGenerator<{ segment: Segment, ids: Uint8Array[], pending: boolean }> {
  const since = options.since ?? 0
  const authorHex = options.author === undefined ? null : toHex(options.author)
  // Unsigned ready entries not yet exported, by id. An entry stays here while any run may still grow
  // from it, so a second branch from the same entry finds it too.
  const open = new Map<string, RunNode>()
  const view = await reader.snapshot()
  try {
    for await (const page of reader.pages(since + 1, view.snapshot)) {
      const { segment, ids } = page
      if (authorHex !== null && toHex(segment.author) !== authorHex) continue
      for (let slot = 0; slot < ids.length; slot++) {
        if (page.pageKey + slot <= since) continue
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
    options.onUncovered?.([...open.values()].map((node) => node.id))
    for await (const pending of reader.pendingSegments(view.snapshot)) {
      if (authorHex !== null && toHex(pending.author) !== authorHex) continue
      yield { segment: pending, ids: pending.ids, pending: true }
    }
  } finally {
    await view.close()
  }
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
