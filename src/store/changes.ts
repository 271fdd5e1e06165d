// The change log. Every change to what a store holds gets the next change number, written in the same
// atomic batch as the change itself: a page of entries made ready, a signature added to a stored entry, a
// pending segment stored, changed or removed, a fork marker set or withdrawn. An incremental export reads
// the log after a cursor (the store's instance id and a change number) and sends exactly what changed.
import { LogbookError } from '../errors.js'
import { toHex } from '../entry/bytes.js'
import { readU64, u64, join, type Layout } from './layout.js'
import type { BatchOp } from './writer.js'

export type Change =
  /** Entries became ready: the page at local seq `pageKey` was appended. */
  | { kind: 'ready', pageKey: number }
  /** A signature was added to the ready entry in `slot` of page `pageKey`. */
  | { kind: 'signed', pageKey: number, slot: number }
  /** The pending segment under `key` was stored, or gained signatures. */
  | { kind: 'pending', key: Uint8Array }
  /** The pending segment under `key` was removed (it became ready, or proved invalid). */
  | { kind: 'unpending', key: Uint8Array }
  /** `author`'s fork marker was set, changed or withdrawn. */
  | { kind: 'fork', author: Uint8Array }

const KINDS = ['ready', 'signed', 'pending', 'unpending', 'fork'] as const

function encodeChange (change: Change): Uint8Array {
  const tag = new Uint8Array([KINDS.indexOf(change.kind)])
  switch (change.kind) {
    case 'ready': return join(tag, u64(change.pageKey))
    case 'signed': return join(tag, u64(change.pageKey), new Uint8Array([change.slot]))
    case 'pending': case 'unpending': return join(tag, change.key)
    case 'fork': return join(tag, change.author)
  }
}

export function decodeChange (value: Uint8Array): Change {
  const kind = KINDS[value[0]]
  switch (kind) {
    case 'ready': return { kind, pageKey: readU64(value, 1) }
    case 'signed': return { kind, pageKey: readU64(value, 1), slot: value[9] }
    case 'pending': case 'unpending': return { kind, key: value.slice(1) }
    case 'fork': return { kind, author: value.slice(1) }
    default: throw new LogbookError('LOGBOOK_NOT_OPEN', `the change log holds an unknown kind of change (${value[0]})`)
  }
}

/** The batch operations that record `changes` under the numbers after `last`. */
export function changeOps (layout: Layout, last: number, changes: Change[]): BatchOp[] {
  return changes.map((change, i) => ({ type: 'put', sublevel: layout.changes, key: u64(last + 1 + i), value: encodeChange(change) }))
}

/** The last change number written (0 for a store that has recorded none). */
export async function lastChange (layout: Layout, snapshot?: unknown): Promise<number> {
  for await (const key of layout.changes.keys({ reverse: true, limit: 1, snapshot } as any)) return readU64(key)
  return 0
}

/** The changes after number `after`, in order (read from `snapshot` when given). */
export async function * changesAfter (layout: Layout, after: number, snapshot?: unknown): AsyncGenerator<{ number: number, change: Change }> {
  for await (const [key, value] of layout.changes.iterator({ gt: u64(after), snapshot } as any)) {
    yield { number: readU64(key), change: decodeChange(value) }
  }
}

/**
 * A cursor names a point in one store's change log: `<instance id>:<change number>`. The instance id is
 * random per store, so a cursor taken from another store (or one re-created) is refused rather than
 * silently skipping what that store never had.
 */
export function formatCursor (instance: string, change: number): string {
  return `${instance}:${change}`
}

export function parseCursor (cursor: string, instance: string, last: number): number {
  const match = /^([0-9a-f]{32}):(0|[1-9][0-9]{0,15})$/.exec(cursor)
  if (match === null) {
    throw new LogbookError('INVALID_CURSOR', `${JSON.stringify(cursor)} is not an export cursor (32 hex digits, a colon and a change number, as status and every export print it)`)
  }
  if (match[1] !== instance) {
    throw new LogbookError('INVALID_CURSOR', `the cursor ${cursor} was taken from another store (this one is ${instance}); take a full export instead`)
  }
  const change = Number(match[2])
  if (change > last) {
    throw new LogbookError('INVALID_CURSOR', `the cursor ${cursor} is ahead of this store (its last change is ${last}): was the store restored from an older backup? Take a full export instead`)
  }
  return change
}

/** A new random instance id (hex). */
export function newInstanceId (): string {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(16)))
}
