// Entries and ids as the API shows and takes them: ids and keys as lowercase hex, JSON payloads parsed.
import { fromHex, toHex } from './entry/bytes.js'
import { PAYLOAD_JSON, type Entry } from './entry/types.js'
import { LogbookError } from './errors.js'

/** An entry as the API shows it: ids and keys as lowercase hex, JSON payloads parsed. */
export interface LogEntry {
  id: string
  author: string
  seq: number
  prev: string | null
  links: string[]
  timestamp: number
  /** Position in this store's local order (causes before effects); may differ between stores. */
  localSeq: number
  signed: boolean
  kind: 'json' | 'binary'
  payload: unknown
}

const utf8 = new TextDecoder()

/** A ready entry as read from the store (with its place in the local order), as the API shows it. */
export function toLogEntry (entry: Entry & { localSeq: number }): LogEntry {
  const json = entry.kind === PAYLOAD_JSON
  return {
    id: toHex(entry.id),
    author: toHex(entry.author),
    seq: entry.seq,
    prev: entry.prev === null ? null : toHex(entry.prev),
    links: entry.links.map(toHex),
    timestamp: entry.timestamp,
    localSeq: entry.localSeq,
    signed: entry.signature !== null,
    kind: json ? 'json' : 'binary',
    payload: json ? JSON.parse(utf8.decode(entry.payload)) : entry.payload
  }
}

/** A full id (or author id) given as hex, as bytes; INVALID_KEY naming `what` otherwise. */
export function parseId (id: string, what = 'id'): Uint8Array {
  const bytes = fromHex(id, 32)
  if (bytes === undefined) throw new LogbookError('INVALID_KEY', `${what} must be 64 lowercase hex digits, got ${JSON.stringify(id)}`)
  return bytes
}
