// The writer: every batch of the ingest path goes through here, in order. With a journal, a batch is
// acknowledged once its segment is in the journal, and LevelDB applies batches behind it, grouping
// those that queue up into one atomic batch. Anything that reads LevelDB first waits for `drained()`.
// Without a journal (memory-level, browsers) each batch is written through before it is acknowledged.
import { LogbookError } from '../errors.js'
import type { Journal } from './journal.js'
import type { Layout } from './layout.js'

export type BatchOp = { type: 'put', sublevel: any, key: any, value: any } | { type: 'del', sublevel: any, key: any }

/** Queued operations above which a writer waits for LevelDB to catch up (bounds memory). */
const HIGH_WATER_OPS = 32 * 1024
/** Journal size at which LevelDB is synced and the journal emptied. */
const JOURNAL_CHECKPOINT_BYTES = 64 * 1024 * 1024

const VIEW_ENCODINGS = { keyEncoding: 'view', valueEncoding: 'view' } as const

type RootOp = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

export class Writer {
  private queue: RootOp[] = []
  /** Set while the journal is being replayed: it must not be emptied before the replay ends. */
  holdCheckpoints = false
  private readonly prefixes = new Map<unknown, Buffer>()
  /** Per-batch encoding options only when the root database does not already take bytes: abstract-level
   *  looks encodings up again for every operation when a batch names them. */
  private readonly batchOptions: object
  private writing: Promise<void> | null = null
  private failure: unknown = null

  constructor (private readonly layout: Layout, private readonly journal: Journal | null) {
    const takesBytes = layout.db.keyEncoding().commonName === 'view' && layout.db.valueEncoding().commonName === 'view'
    this.batchOptions = takesBytes ? {} : VIEW_ENCODINGS
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
      // `sync` is classic-level's fsync option; other backends ignore it.
      await this.layout.db.batch(this.toRoot(ops) as any, { ...this.batchOptions, sync } as any)
      return
    }
    if (record !== null) {
      try {
        this.journal.append(record, sync)
      } catch (err) {
        // Nothing after a failed journal write may be acknowledged (a replay would stop at the tear).
        this.failure = err
        throw new LogbookError('LOGBOOK_NOT_OPEN', `the journal could not be written: ${(err as Error).message}`, { cause: err })
      }
    }
    for (const op of this.toRoot(ops)) this.queue.push(op)
    if (this.writing === null) this.writing = this.applyQueued()
    while (this.queue.length > HIGH_WATER_OPS && this.writing !== null) await this.writing
    if (this.journal.size > JOURNAL_CHECKPOINT_BYTES && !this.holdCheckpoints) await this.checkpoint()
  }

  private async applyQueued (): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue
        this.queue = []
        await this.layout.db.batch(group as any, this.batchOptions as any)
      }
    } catch (err) {
      this.failure = err
    } finally {
      this.writing = null
    }
  }

  /**
   * The same operations addressed to the root database with each sublevel's prefix applied here:
   * abstract-level's per-operation sublevel handling cost about a fifth of the write path.
   */
  private toRoot (ops: BatchOp[]): RootOp[] {
    const out: RootOp[] = new Array(ops.length)
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]
      let prefix = this.prefixes.get(op.sublevel)
      if (prefix === undefined) {
        prefix = Buffer.from((op.sublevel as { prefix: string }).prefix)
        this.prefixes.set(op.sublevel, prefix)
      }
      const key = Buffer.concat([prefix, typeof op.key === 'string' ? Buffer.from(op.key) : op.key])
      out[i] = op.type === 'put'
        ? { type: 'put', key, value: typeof op.value === 'string' ? Buffer.from(op.value) : op.value }
        : { type: 'del', key }
    }
    return out
  }

  private assertHealthy (): void {
    if (this.failure !== null) {
      throw new LogbookError('LOGBOOK_NOT_OPEN', 'a write to the database failed; reopen the store to recover from its journal', { cause: this.failure })
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
    // A synced write makes LevelDB flush its own log, which holds every earlier batch.
    await this.layout.meta.put('checkpoint', String(this.journal.size), { sync: true } as any)
    this.journal.truncate()
  }

  async close (): Promise<void> {
    await this.checkpoint()
    this.journal?.close()
  }
}
