// The writer: every batch of the ingest path goes through here, in order. With a journal, a batch is
// acknowledged once its segment is in the journal, and LevelDB applies batches behind it, grouping
// those that queue up into one atomic batch. Anything that reads LevelDB first waits for `drained()`.
// Without a journal (memory-level, browsers) each batch is written through before it is acknowledged.
import { isIoFailure, LogbookError, storeFailure } from '../errors.js'
import type { Journal } from './journal.js'
import type { Layout } from './layout.js'
import { RootBatcher, type RootOp, type SublevelOp } from './root-batch.js'

export type BatchOp = SublevelOp

/** Queued operations above which a writer waits for LevelDB to catch up (bounds memory). */
const HIGH_WATER_OPS = 32 * 1024
/** Journal size at which LevelDB is synced and the journal emptied. */
const JOURNAL_CHECKPOINT_BYTES = 64 * 1024 * 1024

export class Writer {
  private queue: RootOp[] = []
  /** Set while the journal is being replayed: it must not be emptied before the replay ends. */
  holdCheckpoints = false
  private readonly batcher: RootBatcher
  private writing: Promise<void> | null = null
  private failure: unknown = null

  constructor (private readonly layout: Layout, private readonly journal: Journal | null) {
    this.batcher = new RootBatcher(layout.db)
  }

  /** Whether writes need the segment they come from (to journal it). */
  get journaling (): boolean {
    return this.journal !== null
  }

  /**
   * Writes `ops` atomically. `record` (the segment they come from) goes to the journal first;
   * replayed records need none. Resolves once the write survives a process crash (and, with
   * `sync`, a power loss).
   */
  async write (ops: BatchOp[], record: Uint8Array | null, sync: boolean): Promise<void> {
    this.assertHealthy()
    if (this.journal === null) {
      try {
        // `sync` is classic-level's fsync option; other backends ignore it.
        await this.batcher.write(ops, { sync })
      } catch (err) {
        throw storeFailure(err, 'LOGBOOK_NOT_OPEN', 'a write to the database failed')
      }
      return
    }
    if (record !== null) {
      try {
        this.journal.append(record, sync)
      } catch (err) {
        // Nothing after a failed journal write may be acknowledged (a replay would stop at the tear).
        this.failure = err
        throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `the journal (${this.journal.path}) could not be written`)
      }
    }
    for (const op of this.batcher.toRoot(ops)) this.queue.push(op)
    if (this.writing === null) this.writing = this.applyQueued()
    while (this.queue.length > HIGH_WATER_OPS && this.writing !== null) await this.writing
    if (this.journal.size > JOURNAL_CHECKPOINT_BYTES && !this.holdCheckpoints) await this.checkpoint()
  }

  private async applyQueued (): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue
        this.queue = []
        await this.batcher.writeRoot(group)
      }
    } catch (err) {
      this.failure = err
    } finally {
      this.writing = null
    }
  }

  private assertHealthy (): void {
    if (this.failure !== null) {
      const reason = (this.failure as Error)?.message ?? String(this.failure)
      throw new LogbookError(isIoFailure(this.failure) ? 'IO_ERROR' : 'LOGBOOK_NOT_OPEN',
        `an earlier write failed (${reason}); reopen the store to recover from its journal`, { cause: this.failure })
    }
  }

  /** Resolves when LevelDB holds every batch written so far. */
  async drained (): Promise<void> {
    while (this.writing !== null) await this.writing
    this.assertHealthy()
  }

  /** Makes LevelDB's copy durable, then empties the journal. */
  async checkpoint (): Promise<void> {
    await this.drained()
    if (this.journal === null || this.journal.size === 0) return
    try {
      // A synced write makes LevelDB flush its own log, which holds every earlier batch.
      await this.layout.meta.put('checkpoint', String(this.journal.size), { sync: true } as any)
      this.journal.truncate()
    } catch (err) {
      this.failure = err
      throw storeFailure(err, 'LOGBOOK_NOT_OPEN', 'the journal could not be checkpointed')
    }
  }

  /**
   * After a failed write the journal is kept as it is (the next open replays it), and closing reports
   * nothing new: the failure was reported by the write that met it.
   */
  async close (): Promise<void> {
    try {
      if (this.failure === null) await this.checkpoint()
    } finally {
      this.journal?.close()
    }
  }
}
