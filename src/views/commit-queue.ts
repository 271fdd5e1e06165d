// A view's commits, in order and grouped. While one commit is with the database, the batches applied
// meanwhile wait together and then go as one atomic batch with the newest checkpoint: a rebuild makes a
// few large writes rather than one per batch, and applying never waits for the database unless too many
// entries are waiting. Until a batch's writes land, later batches read them from here.
import type { Checkpoint, ViewOp } from './keyspace.js'

/** What commits together: every batch's rows (the latest write of a key winning) and failure records, and the last batch's checkpoint. */
export interface CommitGroup {
  /** Each key written with its JSON text (null: deleted). */
  rows: Map<string, string | null>
  ops: ViewOp[]
  checkpoint: Checkpoint
  entries: number
}

/** Writes not yet in the database, newest first: what a transaction reads before the database. */
export interface PendingWrites {
  lookup: (key: string) => string | null | undefined
}

function lookupIn (group: CommitGroup | null, key: string): string | null | undefined {
  // Texts are strings or null, never undefined: get alone tells a miss.
  return group === null ? undefined : group.rows.get(key)
}

export class CommitQueue implements PendingWrites {
  private committing: CommitGroup | null = null
  private committed: Promise<void> | null = null
  private waiting: CommitGroup | null = null
  private failure: { error: unknown } | null = null

  /** `write` commits one group atomically; at most `maxWaiting` entries wait before `add` waits too. */
  constructor (private readonly write: (group: CommitGroup) => Promise<void>, private readonly maxWaiting: number) {}

  lookup (key: string): string | null | undefined {
    const found = lookupIn(this.waiting, key)
    return found !== undefined ? found : lookupIn(this.committing, key)
  }

  /**
   * Queues one applied batch: the rows it wrote (taken over: the caller must not use the map again), its
   * failure records and its checkpoint. Resolves once queued; waits while too many entries are waiting.
   */
  async add (rows: Map<string, string | null>, ops: ViewOp[], checkpoint: Checkpoint, entries: number): Promise<void> {
    this.throwFailure()
    if (this.waiting === null) {
      // The first batch's map becomes the group's: the others are merged into it.
      this.waiting = { rows, ops: [], checkpoint, entries: 0 }
    } else {
      const merged = this.waiting.rows
      rows.forEach((text, key) => merged.set(key, text))
    }
    const group = this.waiting
    for (const op of ops) group.ops.push(op)
    group.checkpoint = checkpoint
    group.entries += entries
    if (this.committed === null) this.next()
    while (this.waiting !== null && this.waiting.entries >= this.maxWaiting && this.committed !== null) await this.committed
    this.throwFailure()
  }

  /** Resolves once everything queued is committed; rejects with the first failure. */
  async drain (): Promise<void> {
    while (this.committed !== null) await this.committed
    this.throwFailure()
  }

  private next (): void {
    const group = this.waiting
    this.waiting = null
    if (group === null || this.failure !== null) return
    this.committing = group
    this.committed = this.write(group).then(() => {
      this.committing = null
      this.committed = null
      this.next()
    }, (error: unknown) => {
      // Nothing after a failed commit is written: the checkpoint stays at the last group that landed.
      this.failure = { error }
      this.committing = null
      this.committed = null
      this.waiting = null
    })
  }

  private throwFailure (): void {
    if (this.failure !== null) throw this.failure.error
  }
}
