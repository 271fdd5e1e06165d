// The shapes of the data model. Pure data: no I/O anywhere under src/entry/.

/** Payload kinds: raw bytes, or UTF-8 JSON text. */
export const PAYLOAD_BINARY = 0
export const PAYLOAD_JSON = 1
export type PayloadKind = typeof PAYLOAD_BINARY | typeof PAYLOAD_JSON

/** The part of an entry its author chooses; the rest follows from its place in a feed. */
export interface EntryBody {
  timestamp: number
  links: Uint8Array[] // sorted ascending, unique, each 32 bytes
  kind: PayloadKind
  payload: Uint8Array
}

/** One entry of a segment, with its detached signature when it has one. */
export interface SegmentEntry extends EntryBody {
  signature: Uint8Array | null
}

/** One author's run of consecutive entries, ending in a signed entry: the unit of export and import. */
export interface Segment {
  space: Uint8Array
  author: Uint8Array
  firstSeq: number
  firstPrev: Uint8Array | null // present exactly when firstSeq > 1
  entries: SegmentEntry[]
  /** The segment's body bytes, when known, with where each entry starts (and the end): lets the store
   *  cut pages and journal records out of received bytes instead of encoding them again. */
  encoded?: EncodedSegment
}

export interface EncodedSegment {
  body: Uint8Array
  /** offsets[i] is where entry i starts in body; offsets[entries.length] is the end. */
  offsets: number[]
}

/** A segment whose ids were recomputed, chain checked and signature verified. */
export interface AuthenticatedSegment extends Segment {
  ids: Uint8Array[]
}

/** A full entry with its place in the feed, as stored and as read back. */
export interface Entry extends SegmentEntry {
  id: Uint8Array
  space: Uint8Array
  author: Uint8Array
  seq: number
  prev: Uint8Array | null
}
