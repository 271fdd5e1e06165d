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
}

interface Run {
  author: Uint8Array
  firstSeq: number
  firstPrev: Uint8Array | null
  entries: SegmentEntry[]
  ids: Uint8Array[]
}

export async function * exportSegments (reader: StoreReader, space: Uint8Array, options: ExportOptions = {}): AsyncGenerator<{ segment: Segment, ids: Uint8Array[] }> {
  const since = options.since ?? 0
  const authorHex = options.author === undefined ? null : toHex(options.author)
  const runs = new Map<string, Run>() // keyed by the id of the run's last entry
  for await (const page of reader.pages(since + 1)) {
    const { segment, ids } = page
    if (authorHex !== null && toHex(segment.author) !== authorHex) continue
    for (let slot = 0; slot < ids.length; slot++) {
      if (page.pageKey + slot <= since) continue
      const prev = slot === 0 ? segment.firstPrev : ids[slot - 1]
      const prevHex = prev === null ? '' : toHex(prev)
      let run = prev === null ? undefined : runs.get(prevHex)
      if (run !== undefined) runs.delete(prevHex)
      else run = { author: segment.author, firstSeq: segment.firstSeq + slot, firstPrev: prev, entries: [], ids: [] }
      run.entries.push(segment.entries[slot])
      run.ids.push(ids[slot])
      if (segment.entries[slot].signature !== null) {
        yield { segment: { space, author: run.author, firstSeq: run.firstSeq, firstPrev: run.firstPrev, entries: run.entries }, ids: run.ids }
      } else {
        runs.set(toHex(ids[slot]), run)
      }
    }
  }
  // Runs left without a signature are covered by pending segments, which hold their whole segment.
  for await (const pending of reader.pendingSegments()) {
    if (authorHex !== null && toHex(pending.author) !== authorHex) continue
    yield { segment: pending, ids: pending.ids }
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
