// The one door into the store for segments that come from outside: import reads them from a byte stream,
// replication from a peer; both hand each decoded segment here. Ids are computed and the chain checked
// at once; signatures are verified only if the store would keep something; one segment is written
// while the next is identified. A segment the store refuses is reported, and the rest goes on.
import { LogbookError } from '../errors.js'
import { identifySegment, verifySignatures } from '../entry/segment.js'
import type { AuthenticatedSegment, Segment } from '../entry/types.js'
import { emptyCounts, type IngestCounts } from '../store/ingest.js'
import type { Store } from '../store/store.js'

/** Told of each segment refused, with where it came from (a byte offset, or a message number). */
export type OnRejected = (at: number, err: LogbookError) => void

export class Intake {
  readonly counts: IngestCounts = emptyCounts()
  /** Entries handed in (stored, duplicate or refused). */
  entries = 0
  private inflight: Promise<void> | null = null

  constructor (private readonly store: Store, private readonly onRejected: OnRejected, private readonly sync?: boolean) {}

  /**
   * Identifies `segment` (ids, chain, stated ids) and queues it for the store once the one before it is
   * written. Resolves, with the entries' ids, when it is queued; `drain` waits until it is written.
   */
  async take (segment: Segment, at: number, statedIds?: Array<Uint8Array | null>): Promise<Uint8Array[] | null> {
    let identified: AuthenticatedSegment
    try {
      identified = identifySegment(segment, this.store.space, statedIds)
    } catch (err) {
      if (!(err instanceof LogbookError)) throw err
      if (this.inflight !== null) await this.inflight
      this.onRejected(at, err)
      return null
    }
    if (this.inflight !== null) await this.inflight
    this.entries += identified.entries.length
    this.inflight = this.store.ingestor.exclusive(async () => {
      try {
        await this.store.ingestor.ingest(identified, this.counts, this.sync, false, () => { verifySignatures(identified) })
      } catch (err) {
        // What only the store can judge (a prev that is not the author's previous entry), and signatures
        // checked only once the store would keep something, are refusals too.
        if (!(err instanceof LogbookError) || (err.code !== 'BAD_CHAIN' && err.code !== 'BAD_SIGNATURE')) throw err
        this.onRejected(at, err)
      }
    })
    return identified.ids
  }

  /** Counts entries that were recognised as held without being decoded (an import's known bodies). */
  skipHeld (entries: number): void {
    this.counts.duplicates += entries
    this.entries += entries
  }

  /** Waits until every segment taken is written (or refused). */
  async drain (): Promise<void> {
    if (this.inflight !== null) await this.inflight
  }
}
