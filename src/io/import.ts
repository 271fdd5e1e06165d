// Import: frames from a byte stream, each authenticated whole, then handed to the one ingest path.
// A bad segment is rejected with its reason and the import goes on; a damaged frame ends the import
// at its offset. Everything valid before it stays stored. An abort signal ends it after the segment
// in hand, even while it waits for input.
import { LogbookError } from '../errors.js'
import type { Store } from '../store/store.js'
import { readFrames } from './frames.js'
import { Intake } from './intake.js'

export interface Problem {
  offset: number
  code: string
  message: string
}

export interface ImportSummary {
  /** Segments read (accepted or not). */
  segments: number
  /** Entries stored for the first time. */
  imported: number
  duplicates: number
  /** Entries waiting in the pending area after the import. */
  pending: number
  /** Pending entries evicted to keep the pending area within its quota (asked for again later). */
  evicted: number
  signaturesAdded: number
  /** Rejected segments (the first 100 are listed; `rejectedCount` counts all). */
  rejected: Problem[]
  rejectedCount: number
  /** The damaged frame that ended the import, if any. */
  corrupt: Problem | null
  /** Authors found forked during this import. */
  forked: string[]
  bytes: number
  /** The signal aborted before the input ended: what was read up to then is stored, the rest was not read. */
  aborted: boolean
}

export interface ImportOptions {
  sync?: boolean
  onProgress?: (progress: { bytes: number, entries: number }) => void
  /** Stops the import after the segment in hand (each segment is stored in one atomic batch). */
  signal?: AbortSignal
}

const MAX_LISTED = 100

async function * counted (source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.byteLength)
    yield chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk)
  }
}

/**
 * `source` until `signal` aborts (then `onCut` is called); a read still waiting then is abandoned (a pipe
 * may never send more).
 */
async function * untilAborted (source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined, onCut: () => void): AsyncGenerator<Uint8Array> {
  if (signal === undefined) {
    yield * source
    return
  }
  const iterator = source[Symbol.asyncIterator]()
  let onAbort = (): void => {}
  const aborted = new Promise<null>((resolve) => { onAbort = () => resolve(null) })
  signal.addEventListener('abort', onAbort, { once: true })
  let waiting = false
  try {
    while (true) {
      if (signal.aborted) { onCut(); return }
      const reading = iterator.next()
      waiting = true
      reading.catch(() => {})
      const next = await Promise.race([reading, aborted])
      if (next === null) { onCut(); return }
      waiting = false
      if (next.done === true) return
      yield next.value
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
    // An async iterator finishes a read before it can be told to stop: ask only when none is waiting.
    if (!waiting) await iterator.return?.()
  }
}

export async function importStream (store: Store, source: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<ImportSummary> {
  const summary: ImportSummary = { segments: 0, imported: 0, duplicates: 0, pending: 0, signaturesAdded: 0, rejected: [], rejectedCount: 0, corrupt: null, forked: [], bytes: 0, aborted: false, evicted: 0 }
  const signal = options.signal
  let cut = false
  const onCut = (): void => { cut = true }
  const reject = (offset: number, err: LogbookError): void => {
    summary.rejectedCount++
    if (summary.rejected.length < MAX_LISTED) summary.rejected.push({ offset, code: err.code, message: err.message })
  }
  const intake = new Intake(store, reject, options.sync)
  try {
    const known = async (body: Uint8Array): Promise<number | null> => await store.ingestor.heldBody(body)
    for await (const item of readFrames(counted(untilAborted(source, signal, onCut), (n) => { summary.bytes += n }), { known })) {
      if (signal?.aborted === true) { cut = true; break }
      summary.segments++
      if ('rejected' in item) { reject(item.offset, item.rejected); continue }
      if ('known' in item) { intake.skipHeld(item.known); continue }
      await intake.take(item.segment, item.offset, item.statedIds)
      options.onProgress?.({ bytes: summary.bytes, entries: intake.entries })
    }
  } catch (err) {
    if (!(err instanceof LogbookError) || err.code !== 'CORRUPT_FRAME') throw err
    // A frame cut short by the abort is not damage in the input.
    if (!cut) summary.corrupt = { offset: err.offset ?? 0, code: err.code, message: err.message }
  } finally {
    await intake.drain()
  }
  const counts = intake.counts
  summary.aborted = cut
  summary.imported = counts.stored
  summary.duplicates = counts.duplicates
  summary.signaturesAdded = counts.signaturesAdded
  summary.forked = [...counts.forked].sort()
  summary.pending = store.state.pending.entries
  summary.evicted = counts.evicted
  return summary
}
