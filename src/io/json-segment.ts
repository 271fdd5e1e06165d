// The text form of a segment: one JSON object per line, fields decoded, bytes as hex (ids, keys,
// signatures) or base64 (binary payloads). It re-encodes to exactly the same binary segment.
import { Buffer } from 'buffer'
import { LogbookError } from '../errors.js'
import { fromHex, toHex } from '../entry/bytes.js'
import { jsonValueTooDeep } from '../entry/json-depth.js'
import { MAX_JSON_DEPTH } from '../entry/limits.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type Segment, type SegmentEntry } from '../entry/types.js'

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
const utf8Encoder = new TextEncoder()

export interface JsonSegmentEntry {
  id?: string
  seq?: number
  timestamp: number
  links: string[]
  /** A JSON payload whose text is exactly JSON.stringify of this value. */
  json?: unknown
  /** A JSON payload whose text JSON.stringify would not reproduce (spacing, number forms): kept verbatim. */
  text?: string
  /** A binary payload. */
  base64?: string
  signature: string | null
}

export interface JsonSegment {
  logbook: 1
  space: string
  author: string
  seq: number
  prev: string | null
  entries: JsonSegmentEntry[]
}

/** The JSON object of a segment; `ids` (one per entry) are included for readers such as jq. */
export function segmentToJson (segment: Segment, ids?: Uint8Array[]): JsonSegment {
  return {
    logbook: 1,
    space: toHex(segment.space),
    author: toHex(segment.author),
    seq: segment.firstSeq,
    prev: segment.firstPrev === null ? null : toHex(segment.firstPrev),
    entries: segment.entries.map((entry, i) => {
      const out: JsonSegmentEntry = ids === undefined ? {} as JsonSegmentEntry : { id: toHex(ids[i]), seq: segment.firstSeq + i } as JsonSegmentEntry
      out.timestamp = entry.timestamp
      out.links = entry.links.map(toHex)
      if (entry.kind === PAYLOAD_BINARY) {
        out.base64 = Buffer.from(entry.payload).toString('base64')
      } else {
        const text = utf8Decoder.decode(entry.payload)
        const value = JSON.parse(text) as unknown
        if (JSON.stringify(value) === text) out.json = value
        else out.text = text
      }
      out.signature = entry.signature === null ? null : toHex(entry.signature)
      return out
    })
  }
}

function bad (message: string): LogbookError {
  return new LogbookError('NON_CANONICAL', `text segment: ${message}`)
}

function hexField (value: unknown, length: number, name: string): Uint8Array {
  const bytes = typeof value === 'string' ? fromHex(value, length) : undefined
  if (bytes === undefined) throw bad(`${name} must be ${length * 2} lowercase hex digits`)
  return bytes
}

function integerField (value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw bad(`${name} must be a non-negative safe integer`)
  return value
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Parses the JSON object of one text segment back into a segment and the ids it states (if any). */
export function segmentFromJson (value: unknown): { segment: Segment, statedIds: Array<Uint8Array | null> } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('a line is not a JSON object')
  const obj = value as Record<string, unknown>
  if (obj.logbook !== 1) throw bad('"logbook" must be 1')
  const space = hexField(obj.space, 32, 'space')
  const author = hexField(obj.author, 32, 'author')
  const firstSeq = integerField(obj.seq, 'seq')
  const firstPrev = obj.prev === null ? null : hexField(obj.prev, 32, 'prev')
  if (firstSeq < 1) throw bad('"seq" must be at least 1')
  if ((firstSeq > 1) !== (firstPrev !== null)) throw bad('"prev" must be present exactly when "seq" > 1')
  if (!Array.isArray(obj.entries)) throw bad('"entries" must be an array')
  const statedIds: Array<Uint8Array | null> = []
  const entries: SegmentEntry[] = obj.entries.map((raw: unknown, i: number) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`entry ${i} is not an object`)
    const e = raw as Record<string, unknown>
    statedIds.push(e.id === undefined ? null : hexField(e.id, 32, 'id'))
    // Only a number is echoed: String() of a deeply nested array would recurse.
    if (e.seq !== undefined && e.seq !== firstSeq + i) throw bad(`entry ${i} states ${typeof e.seq === 'number' ? `seq ${e.seq}` : 'a seq that is not a number'}, expected ${firstSeq + i}`)
    if (!Array.isArray(e.links)) throw bad(`entry ${i}: "links" must be an array`)
    const links = e.links.map((link: unknown) => hexField(link, 32, 'link'))
    const forms = ['json', 'text', 'base64'].filter((key) => key in e)
    if (forms.length !== 1) throw bad(`entry ${i} must have exactly one of "json", "text", "base64"`)
    let kind: typeof PAYLOAD_BINARY | typeof PAYLOAD_JSON = PAYLOAD_JSON
    let payload: Uint8Array
    if (forms[0] === 'json') {
      // Before JSON.stringify, which recurses once per level (the "text" form is checked as bytes later).
      if (jsonValueTooDeep(e.json, MAX_JSON_DEPTH)) throw new LogbookError('INVALID_PAYLOAD', `text segment: entry ${i}: "json" nests deeper than ${MAX_JSON_DEPTH} levels`)
      payload = utf8Encoder.encode(JSON.stringify(e.json))
    } else if (forms[0] === 'text') {
      if (typeof e.text !== 'string') throw bad(`entry ${i}: "text" must be a string`)
      payload = utf8Encoder.encode(e.text)
    } else {
      if (typeof e.base64 !== 'string' || !BASE64.test(e.base64) || e.base64.length % 4 !== 0) throw bad(`entry ${i}: "base64" is not padded base64`)
      payload = new Uint8Array(Buffer.from(e.base64, 'base64'))
      if (Buffer.from(payload).toString('base64') !== e.base64) throw bad(`entry ${i}: "base64" is not canonical`)
      kind = PAYLOAD_BINARY
    }
    const signature = e.signature === null || e.signature === undefined ? null : hexField(e.signature, 64, 'signature')
    return { timestamp: integerField(e.timestamp, 'timestamp'), links, kind, payload, signature }
  })
  return { segment: { space, author, firstSeq, firstPrev, entries }, statedIds }
}
