// The kv view: a key/value map over the DAG that converges whatever order entries arrive in.
//
// An entry with payload { "type": "kv", "key": K, "value": V } becomes a current value of K, and every
// current value of K that it links to stops being one. So the current values of K are exactly the kv
// entries for K that no other kv entry for K links to: a function of the set of entries, not of their
// order. Concurrent writes (neither links to the other) are both kept, a conflict, until an entry that
// links to both replaces them. `value: null` is a deletion; it stays as a current value (a tombstone),
// because a write concurrent with the deletion must still conflict with it on every store.
//
// Row per key: a JSON array of [id, value], sorted by id. A query reads each value's author and seq from
// the log by its id: rows stay small, which a rebuild writing a million of them feels.
import { MAX_LINKS } from '../../entry/limits.js'
import { LogbookError } from '../../errors.js'
import { checkJsonValue, type JsonValue } from '../../payload.js'
import { viewKeyProblem } from '../tx.js'
import type { ForkPolicy, ViewContext, ViewDefinition, ViewEntry, ViewTx } from '../types.js'

export const KV_TYPE = 'kv'

type Row = Array<[id: string, value: unknown]>

export interface KvValue {
  id: string
  author: string
  seq: number
  /** null for a deletion. */
  value: unknown
  deleted: boolean
  /** The author has a fork proof in this store (decided when read; not part of the view's state). */
  forked: boolean
}

export interface KvResult {
  key: string
  /** Every current value, deletions included, sorted by id. */
  values: KvValue[]
  /** More than one current value: concurrent writes not yet resolved. */
  conflict: boolean
}

export interface KvApi {
  /** The key's current values; undefined when it was never written or every current value is a deletion. */
  get: (key: string) => Promise<KvResult | undefined>
  /** Keys in order (UTF-8 byte order) with their current values, deleted keys left out. */
  list: (options?: { prefix?: string, limit?: number }) => Promise<KvResult[]>
  /** Appends a kv entry that replaces the key's current values (it links to all of them); returns its id. */
  put: (key: string, value: JsonValue) => Promise<string>
  /** Appends a deletion that replaces the key's current values; returns its id. NOT_FOUND when the key is absent. */
  del: (key: string) => Promise<string>
}

function isKvEntry (entry: ViewEntry): entry is ViewEntry & { payload: Record<string, unknown> } {
  const payload = entry.payload
  return entry.kind === 'json' && typeof payload === 'object' && payload !== null && !Array.isArray(payload) &&
    Object.hasOwn(payload, 'type') && (payload as { type?: unknown }).type === KV_TYPE
}

function kvKey (entry: ViewEntry & { payload: Record<string, unknown> }): string {
  const { payload } = entry
  const key = Object.hasOwn(payload, 'key') ? payload.key : undefined
  if (typeof key !== 'string') throw new TypeError('a kv entry needs a string "key"')
  if (!Object.hasOwn(payload, 'value')) throw new TypeError('a kv entry needs a "value" (null deletes)')
  return key
}

async function applyKv (entries: ViewEntry[], tx: ViewTx): Promise<void> {
  // Checked first: an entry that is not a valid kv write throws before anything is read (the runner then
  // applies the batch entry by entry and records that one).
  const writes: Array<{ entry: ViewEntry & { payload: Record<string, unknown> }, key: string }> = []
  for (const entry of entries) if (isKvEntry(entry)) writes.push({ entry, key: kvKey(entry) })
  if (writes.length === 0) return
  // Every row the batch touches, in one read; later writes to a key see the earlier ones through `rows`.
  const keys = [...new Set(writes.map((write) => write.key))]
  const found = await tx.getMany(keys)
  const rows = new Map<string, Row>()
  for (let i = 0; i < keys.length; i++) rows.set(keys[i], (found[i] ?? []) as Row)
  for (const { entry, key } of writes) {
    const current = rows.get(key) as Row
    let next: Row
    if (entry.links.length === 0) {
      next = current.slice()
    } else {
      const replaced = new Set(entry.links)
      next = current.filter(([id]) => !replaced.has(id))
    }
    next.push([entry.id, entry.payload.value])
    if (next.length > 1) next.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    rows.set(key, next)
    tx.put(key, next)
  }
}

/** A key none of whose current values is a value: never written, or every current value a deletion. */
function absent (row: Row): boolean {
  return row.every(([, current]) => current === null)
}

/** A key for a message: quoted, and cut short (a key may be 16k characters). */
export function quoteKey (key: string): string {
  return JSON.stringify(key.length > 64 ? key.slice(0, 64) + '…' : key)
}

function kvApi (context: ViewContext): KvApi {
  const log = context.book.reader
  const kvValue = async (id: string, value: unknown): Promise<KvValue> => {
    const entry = await log.entry(id)
    if (entry === undefined) throw new LogbookError('VERIFY_FAILED', `view ${context.name}: a row names entry ${id}, which the log does not have`)
    const { author, seq } = entry
    return { id, author, seq, value, deleted: value === null, forked: log.forkedAuthors().includes(author) }
  }
  const result = async (key: string, row: Row): Promise<KvResult | undefined> => {
    if (absent(row)) return undefined
    const values: KvValue[] = []
    for (const [id, current] of row) values.push(await kvValue(id, current))
    return { key, values, conflict: values.length > 1 }
  }
  const checkKey = (key: unknown): string => {
    if (typeof key !== 'string') throw new LogbookError('INVALID_ARGUMENT', 'a kv key must be a string')
    // Refused before anything is appended: the view could only record such an entry as a failure.
    const problem = viewKeyProblem(key)
    if (problem !== null) throw new LogbookError('INVALID_ARGUMENT', `a kv key ${problem}`)
    return key
  }
  /** The key's row once the view has caught up ([] when never written). */
  const currentRow = async (key: string): Promise<Row> => {
    await context.ready()
    return (await context.get(checkKey(key)) ?? []) as Row
  }
  /** Appends `value` for `key`, replacing the values of `row` (the key's current row). */
  const write = async (key: string, value: JsonValue, row: Row): Promise<string> => {
    const current = row.map(([id]) => id)
    // An entry links to at most MAX_LINKS entries: with more current values, each further entry replaces
    // the one before it and the next share of them, and only the last remains.
    let id = await context.book.append({ type: KV_TYPE, key, value }, { links: current.slice(0, MAX_LINKS) })
    for (let at = MAX_LINKS; at < current.length; at += MAX_LINKS - 1) {
      id = await context.book.append({ type: KV_TYPE, key, value }, { links: [id, ...current.slice(at, at + MAX_LINKS - 1)] })
    }
    return id
  }
  return {
    get: async (key) => {
      await context.ready()
      const row = await context.get(checkKey(key)) as Row | undefined
      return row === undefined ? undefined : await result(key, row)
    },
    list: async (options = {}) => {
      await context.ready()
      const prefix = options.prefix ?? ''
      const limit = options.limit ?? Infinity
      const out: KvResult[] = []
      if (limit <= 0) return out
      for await (const [key, row] of context.rows({ gte: prefix })) {
        if (!key.startsWith(prefix)) break
        const found = await result(key, row as Row)
        if (found !== undefined) out.push(found)
        if (out.length >= limit) break
      }
      return out
    },
    put: async (key, value) => {
      // Refused before the key's row is read or anything appended (null is a JSON value: it deletes).
      checkJsonValue(value, 'a kv value')
      return await write(key, value, await currentRow(key))
    },
    del: async (key) => {
      const row = await currentRow(key)
      // Deleting what is absent would only append an entry that replaces nothing here.
      if (absent(row)) throw new LogbookError('NOT_FOUND', `no value for key ${quoteKey(key)}: nothing to delete`)
      return await write(key, null, row)
    }
  }
}

export function kvView (options: { version?: number | string, forks?: ForkPolicy } = {}): ViewDefinition<KvApi> {
  return { version: options.version ?? 1, forks: options.forks ?? 'include', apply: applyKv, api: kvApi }
}
