// The index view: a secondary index of entries by one payload field (such as `type`) and time, with
// range queries and limits. Time is the entry's timestamp as its author claimed it: part of the entry,
// so the same on every store. Only string field values of JSON object payloads are indexed.
//
// Row key: JSON of the field value ‖ NUL ‖ timestamp (16 digits) ‖ NUL ‖ id; the value is unused (0).
// JSON text never holds a raw NUL, so one field value's rows are one contiguous range.
import { LogbookError } from '../../errors.js'
import type { LogEntry } from '../../log-entry.js'
import type { ForkPolicy, ViewContext, ViewDefinition, ViewEntry } from '../types.js'

const SEPARATOR = '\u0000'
const TIME_DIGITS = 16
/** Sorts after every id (ids are lowercase hex). */
const AFTER_IDS = 'g'

export interface IndexQuery {
  /** Earliest timestamp (ms, inclusive). */
  from?: number
  /** Latest timestamp (ms, inclusive). */
  to?: number
  limit?: number
  /** Newest first. */
  reverse?: boolean
}

export interface IndexHit {
  id: string
  timestamp: number
}

export interface IndexValue {
  value: string
  /** Entries with this value. */
  entries: number
}

export interface IndexApi {
  /** The values indexed, in key order (of their JSON text), each with its count of entries. */
  values: () => Promise<IndexValue[]>
  /** Ids and timestamps of the entries whose field equals `value`, by time (then id). */
  ids: (value: string, query?: IndexQuery) => Promise<IndexHit[]>
  /** The same, as whole entries. */
  query: (value: string, query?: IndexQuery) => Promise<LogEntry[]>
}

function time (ms: number): string {
  return String(ms).padStart(TIME_DIGITS, '0')
}

function fieldOf (entry: ViewEntry, field: string): string | undefined {
  const payload = entry.payload
  if (entry.kind !== 'json' || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined
  if (!Object.hasOwn(payload, field)) return undefined
  const value = (payload as Record<string, unknown>)[field]
  return typeof value === 'string' ? value : undefined
}

function indexApi (context: ViewContext): IndexApi {
  const ids = async (value: string, query: IndexQuery = {}): Promise<IndexHit[]> => {
    if (typeof value !== 'string') throw new LogbookError('INVALID_ARGUMENT', 'an index value must be a string')
    await context.ready()
    const prefix = JSON.stringify(value) + SEPARATOR
    const range = {
      gte: prefix + time(Math.max(0, query.from ?? 0)),
      lt: prefix + time(Math.min(Number.MAX_SAFE_INTEGER, query.to ?? Number.MAX_SAFE_INTEGER)) + SEPARATOR + AFTER_IDS,
      limit: query.limit ?? -1,
      reverse: query.reverse === true
    }
    const out: IndexHit[] = []
    for await (const [key] of context.rows(range)) {
      const rest = key.slice(prefix.length)
      out.push({ timestamp: Number(rest.slice(0, TIME_DIGITS)), id: rest.slice(TIME_DIGITS + 1) })
    }
    return out
  }
  return {
    values: async () => {
      await context.ready()
      const out: IndexValue[] = []
      // One value's rows are contiguous (see the row key above): count each run.
      let run: { json: string, entries: number } | null = null
      for await (const [key] of context.rows()) {
        const json = key.slice(0, key.indexOf(SEPARATOR))
        if (run !== null && run.json === json) {
          run.entries++
          continue
        }
        if (run !== null) out.push({ value: JSON.parse(run.json), entries: run.entries })
        run = { json, entries: 1 }
      }
      if (run !== null) out.push({ value: JSON.parse(run.json), entries: run.entries })
      return out
    },
    ids,
    query: async (value, query) => {
      const out: LogEntry[] = []
      for (const hit of await ids(value, query)) {
        const entry = await context.book.get(hit.id)
        if (entry !== undefined) out.push(entry)
      }
      return out
    }
  }
}

export function indexView (options: { field: string, version?: number | string, forks?: ForkPolicy }): ViewDefinition<IndexApi> {
  const field = options.field
  if (typeof field !== 'string' || field === '') throw new LogbookError('INVALID_ARGUMENT', 'an index view needs a payload field name')
  return {
    // The field is part of the version: indexing another field must rebuild.
    version: `${String(options.version ?? 1)}:${field}`,
    forks: options.forks ?? 'include',
    apply: (entries, tx) => {
      for (const entry of entries) {
        const value = fieldOf(entry, field)
        if (value !== undefined) tx.put(JSON.stringify(value) + SEPARATOR + time(entry.timestamp) + SEPARATOR + entry.id, 0)
      }
    },
    api: indexApi
  }
}
