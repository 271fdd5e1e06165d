// Applying one batch of ready entries to a view: the part of the runner that the live view, a rebuild
// and the checkers share. A batch that throws is applied again entry by entry, each in its own child
// transaction, so the entries that throw are recorded as failures and the rest are applied as usual:
// the outcome depends on the entries only, never on where a batch happened to start or end.
import { entryAuthor, toViewEntry, type ReadyEntry } from './entry.js'
import type { ViewKeyspace, ViewOp } from './keyspace.js'
import type { PendingWrites } from './commit-queue.js'
import { Transaction } from './tx.js'
import type { WrittenKeys } from './written-keys.js'
import type { ViewDefinition, ViewEntry, ViewFailure } from './types.js'

const MAX_FAILURE_MESSAGE = 500

function describe (err: unknown): string {
  let text: string
  try {
    text = err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${String(err)}`
  } catch {
    text = 'thrown: (a value that cannot be shown)'
  }
  return text.length > MAX_FAILURE_MESSAGE ? text.slice(0, MAX_FAILURE_MESSAGE) + '…' : text
}

/** A read that failed in the database ends the batch: nothing is committed, nothing recorded. */
function throwStorageFailure (tx: Transaction): void {
  if (tx.storageFailure !== null) throw new StorageFailure(tx.storageFailure)
}

export class StorageFailure extends Error {
  constructor (cause: unknown) {
    super('a view read failed in the database', { cause })
    this.name = 'StorageFailure'
  }
}

export interface AppliedBatch {
  /** The view's writes: each key with its JSON text, or null for a deletion (the caller's to keep). */
  rows: Map<string, string | null>
  /** One failure record per entry that threw (the checkpoint is the caller's). */
  failureOps: ViewOp[]
}

/**
 * Runs `definition.apply` over `entries` (ready, in local order), leaving out authors in `excluded`.
 * Nothing is written: the caller commits the returned operations with its checkpoint. `pending` holds the
 * writes of earlier batches that may not be committed yet; `written`, when known, the keys
 * written since the keyspace was empty.
 */
export async function applyBatch (definition: ViewDefinition<any>, keyspace: ViewKeyspace, entries: ReadyEntry[], excluded: ReadonlySet<string>, pending: PendingWrites | null = null, written: WrittenKeys | null = null): Promise<AppliedBatch> {
  const given = excluded.size === 0 ? entries : entries.filter((stored) => !excluded.has(entryAuthor(stored)))
  if (given.length === 0) return { rows: new Map(), failureOps: [] }
  const viewEntries: ViewEntry[] = new Array(given.length)
  for (let i = 0; i < given.length; i++) viewEntries[i] = toViewEntry(given[i])
  const whole = new Transaction(keyspace.data, null, pending, written)
  try {
    await definition.apply(viewEntries, whole)
    whole.close()
    throwStorageFailure(whole)
    return { rows: whole.writtenRows(), failureOps: [] }
  } catch {
    whole.close()
    throwStorageFailure(whole)
  }
  // Entries are converted again: the failed attempt may have changed the objects it was given.
  const tx = new Transaction(keyspace.data, null, pending, written)
  const failureOps: ViewOp[] = []
  for (const stored of given) {
    const entry = toViewEntry(stored)
    const child = tx.child()
    try {
      await definition.apply([entry], child)
      throwStorageFailure(child)
      child.merge()
    } catch (err) {
      child.close()
      throwStorageFailure(child)
      const failure: ViewFailure = { id: entry.id, message: describe(err) }
      failureOps.push(keyspace.failureOp(stored.localSeq, failure))
    }
  }
  tx.close()
  return { rows: tx.writtenRows(), failureOps }
}
