// The transaction a view writes through: writes collect in memory (as JSON text, so a value changed by
// the view after `put` is not changed in the transaction), reads see them first and then the view's
// committed rows. A child transaction isolates one entry's writes when a batch is retried entry by entry.
// While earlier batches wait to commit, the next is applied reading through their writes (pending), so
// its reads see them whether or not the database has them yet.
import type { TextSublevel } from './keyspace.js'
import type { ViewTx } from './types.js'
import type { PendingWrites } from './commit-queue.js'
import type { WrittenKeys } from './written-keys.js'

export const MAX_VIEW_KEY_LENGTH = 16 * 1024

/**
 * What is wrong with a view key, or null. Keys are capped (a payload built to be huge cannot make huge
 * database keys) and must be well-formed Unicode: they are stored as UTF-8, where every lone surrogate
 * becomes U+FFFD, so two such keys would share one row.
 */
export function viewKeyProblem (key: string): string | null {
  if (key.length > MAX_VIEW_KEY_LENGTH) return `is at most ${MAX_VIEW_KEY_LENGTH} characters, got ${key.length}`
  if (!(key as unknown as { isWellFormed: () => boolean }).isWellFormed()) return 'must be well-formed Unicode (it has a lone surrogate)'
  return null
}

export class Transaction implements ViewTx {
  private readonly writes = new Map<string, string | null>()
  /** Rows read by getMany (root transaction only): text, or null for absent. */
  private readonly reads = new Map<string, string | null>()
  private open = true
  /** The first database error a read ran into, if any. */
  storageFailure: unknown = null

  private readonly syncReads: boolean

  /**
   * `written`: the keys written since the keyspace was last empty, when known (a rebuild in this process);
   * a key it has never seen is absent without asking the database.
   */
  constructor (
    private readonly rows: TextSublevel,
    private readonly parent: Transaction | null = null,
    private readonly pending: PendingWrites | null = null,
    private readonly written: WrittenKeys | null = parent?.written ?? null
  ) {
    this.syncReads = (rows.supports as { getSync?: boolean }).getSync === true
  }

  // Arrow properties: a view may pass `tx.get` around without its `this`.
  readonly get = async (key: string): Promise<unknown> => {
    this.check(key)
    let text = this.lookup(key)
    if (text === undefined) {
      try {
        text = (this.syncReads ? this.rows.getSync(key) : await this.rows.get(key)) ?? null
      } catch (err) {
        throw this.storageError(err)
      }
    }
    return text === null ? undefined : JSON.parse(text)
  }

  readonly getMany = async (keys: string[]): Promise<unknown[]> => {
    if (!Array.isArray(keys)) throw new TypeError('getMany takes an array of keys')
    const texts: Array<string | null | undefined> = new Array(keys.length)
    const missing: string[] = []
    for (let i = 0; i < keys.length; i++) {
      this.check(keys[i])
      const text = this.lookup(keys[i])
      texts[i] = text
      if (text === undefined) missing.push(keys[i])
    }
    if (missing.length > 0) {
      let found: Array<string | undefined>
      try {
        found = await this.rows.getMany(missing)
      } catch (err) {
        throw this.storageError(err)
      }
      const reads = this.root().reads
      for (let i = 0; i < missing.length; i++) reads.set(missing[i], found[i] ?? null)
      // Writes made while the read was under way take precedence, as they would for get.
      for (let i = 0; i < keys.length; i++) if (texts[i] === undefined) texts[i] = this.lookup(keys[i])
    }
    return texts.map((text) => (text === null || text === undefined ? undefined : JSON.parse(text)))
  }

  readonly put = (key: string, value: unknown): void => {
    this.check(key)
    const text = value === undefined ? undefined : JSON.stringify(value)
    if (typeof text !== 'string') throw new TypeError(`a view value must be a JSON value (key ${JSON.stringify(key.slice(0, 64))})`)
    this.writes.set(key, text)
  }

  readonly del = (key: string): void => {
    this.check(key)
    this.writes.set(key, null)
  }

  /** What this transaction knows of `key` without the database: text, null for absent, undefined for unknown. */
  private lookup (key: string): string | null | undefined {
    // Stored texts are strings or null, never undefined: get alone tells a miss.
    const own = this.writes.get(key)
    if (own !== undefined) return own
    if (this.parent !== null) return this.parent.lookup(key)
    // A key never written since the keyspace was empty is absent (pending writes are in the filter too).
    if (this.written !== null && !this.written.mayHave(key)) return null
    const pending = this.pending?.lookup(key)
    return pending !== undefined ? pending : this.reads.get(key)
  }

  private root (): Transaction {
    return this.parent === null ? this : this.parent.root()
  }

  /**
   * The database failed, not the view: remembered so that the batch is abandoned rather than the entry
   * recorded as a failure of the view (which would then differ between stores).
   */
  private storageError (err: unknown): unknown {
    this.storageFailure ??= err
    return err
  }

  private check (key: string): void {
    if (!this.open) throw new Error('this view transaction is closed: a view may use its tx only while its apply runs')
    if (typeof key !== 'string') throw new TypeError('a view key must be a string')
    const problem = viewKeyProblem(key)
    if (problem !== null) throw new RangeError(`a view key ${problem}`)
  }

  child (): Transaction {
    return new Transaction(this.rows, this)
  }

  /** What this transaction wrote: each key with its text (null: deleted). Call once it is closed. */
  writtenRows (): Map<string, string | null> {
    return this.writes
  }

  /** Moves a child's writes into its parent (the child's entry applied without throwing). */
  merge (): void {
    if (this.parent === null) throw new Error('only a child transaction merges')
    for (const [key, text] of this.writes) this.parent.writes.set(key, text)
    if (this.storageFailure !== null) this.parent.storageFailure ??= this.storageFailure
    this.close()
  }

  /** After this, the view can no longer write through it (writes from a stray callback would be lost). */
  close (): void {
    this.open = false
  }
}
