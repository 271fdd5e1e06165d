// Segments: one author's run of consecutive entries ending in a signed entry.
// Binary body layout (docs/FORMAT.md), its strict decoder, authentication, and building signed
// segments for append. Everything here is pure: bytes in, values or LogbookErrors out.
import { signEntryId, verifyEntryId } from '../crypto/index.js'
import { LogbookError } from '../errors.js'
import { compareBytes, readUint53, writeUint53, equalBytes, toHex } from './bytes.js'
import { computeChainIds } from './entry-id.js'
import { jsonValueTooDeep, mayNestDeeper } from './json-depth.js'
import { FORMAT_VERSION, MAX_JSON_DEPTH, MAX_LINKS, MAX_PAYLOAD_BYTES, MAX_SEGMENT_BYTES, MAX_SEGMENT_ENTRIES, MAX_SEQ, MAX_TIMESTAMP } from './limits.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type AuthenticatedSegment, type EntryBody, type Segment, type SegmentEntry } from './types.js'

const FLAG_JSON = 1
const FLAG_SIGNED = 2

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Checks one entry body against the limits; throws a coded LogbookError. */
export function checkEntryBody (body: EntryBody): void {
  if (!Number.isInteger(body.timestamp) || body.timestamp < 0 || body.timestamp > MAX_TIMESTAMP) {
    throw new LogbookError('NON_CANONICAL', `timestamp ${body.timestamp} is not an integer in 0..2^53-1`)
  }
  if (body.links.length > MAX_LINKS) {
    throw new LogbookError('TOO_MANY_LINKS', `an entry has ${body.links.length} links; at most ${MAX_LINKS} are allowed`)
  }
  for (let i = 0; i < body.links.length; i++) {
    if (body.links[i].byteLength !== 32) throw new LogbookError('NON_CANONICAL', 'a link is not 32 bytes')
    if (i > 0 && compareBytes(body.links[i - 1], body.links[i]) >= 0) {
      throw new LogbookError('NON_CANONICAL', 'links are not sorted ascending and unique')
    }
  }
  if (body.payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new LogbookError('PAYLOAD_TOO_LARGE', `a payload of ${body.payload.byteLength} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES}`)
  }
  if (body.kind === PAYLOAD_JSON) {
    let text: string
    let value: unknown
    try {
      text = utf8.decode(body.payload)
      value = JSON.parse(text)
    } catch (err) {
      throw new LogbookError('INVALID_PAYLOAD', 'a payload flagged JSON is not UTF-8 JSON text', { cause: err })
    }
    // Part of the format: every reader (output, export, views) can then walk any stored payload. When the
    // text alone cannot tell, the parsed value is walked: that costs per member, not per character.
    if (mayNestDeeper(text, MAX_JSON_DEPTH) && jsonValueTooDeep(value, MAX_JSON_DEPTH)) {
      throw new LogbookError('INVALID_PAYLOAD', `a JSON payload nests deeper than ${MAX_JSON_DEPTH} levels`)
    }
  } else if (body.kind !== PAYLOAD_BINARY) {
    throw new LogbookError('NON_CANONICAL', `unknown payload kind ${String(body.kind)}`)
  }
}

function entryEncodedLength (entry: EntryBody, signed: boolean): number {
  return 1 + 8 + 2 + 32 * entry.links.length + 4 + entry.payload.byteLength + (signed ? 64 : 0)
}

export function segmentHeaderLength (firstSeq: number): number {
  return 1 + 32 + 32 + 8 + (firstSeq > 1 ? 32 : 0) + 2
}

export function segmentBodyLength (segment: Segment): number {
  let length = segmentHeaderLength(segment.firstSeq)
  for (const entry of segment.entries) length += entryEncodedLength(entry, entry.signature !== null)
  return length
}

/** Writes a segment header (everything before the first entry) at the start of `out`; returns its length. */
function writeSegmentHeader (out: Uint8Array, space: Uint8Array, author: Uint8Array, firstSeq: number, firstPrev: Uint8Array | null, count: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  let at = 0
  out[at++] = FORMAT_VERSION
  out.set(space, at); at += 32
  out.set(author, at); at += 32
  writeUint53(view, at, firstSeq); at += 8
  if (firstSeq > 1) { out.set(firstPrev as Uint8Array, at); at += 32 }
  view.setUint16(at, count); at += 2
  return at
}

export function encodeSegmentBody (segment: Segment): Uint8Array {
  return encodeSegment(segment).body
}

/** The body bytes of a segment, reusing them when the segment still carries the bytes it came from. */
export function encodeSegment (segment: Segment): { body: Uint8Array, offsets: number[] } {
  if (segment.encoded !== undefined) return segment.encoded
  const out = new Uint8Array(segmentBodyLength(segment))
  const view = new DataView(out.buffer)
  let at = writeSegmentHeader(out, segment.space, segment.author, segment.firstSeq, segment.firstPrev, segment.entries.length)
  const offsets: number[] = new Array(segment.entries.length + 1)
  let index = 0
  for (const entry of segment.entries) {
    offsets[index++] = at
    out[at++] = (entry.kind === PAYLOAD_JSON ? FLAG_JSON : 0) | (entry.signature !== null ? FLAG_SIGNED : 0)
    writeUint53(view, at, entry.timestamp); at += 8
    view.setUint16(at, entry.links.length); at += 2
    for (const link of entry.links) { out.set(link, at); at += 32 }
    view.setUint32(at, entry.payload.byteLength); at += 4
    out.set(entry.payload, at); at += entry.payload.byteLength
    if (entry.signature !== null) { out.set(entry.signature, at); at += 64 }
  }
  offsets[index] = at
  // Cached: the store cuts several pages and a journal record out of one segment.
  segment.encoded = { body: out, offsets }
  return segment.encoded
}

/**
 * The body of the sub-run of entries [from, to) as a segment of its own (a page, or a segment cut for
 * export): a new header and the entries' bytes copied as they are. `reserve` bytes are left free at the
 * end, for a caller that stores more after the body.
 */
export function encodeSubSegment (segment: Segment, from: number, to: number, firstPrev: Uint8Array | null, reserve = 0): Uint8Array {
  const { body, offsets } = encodeSegment(segment)
  const firstSeq = segment.firstSeq + from
  const headerLength = segmentHeaderLength(firstSeq)
  const out = new Uint8Array(headerLength + offsets[to] - offsets[from] + reserve)
  writeSegmentHeader(out, segment.space, segment.author, firstSeq, firstPrev, to - from)
  out.set(body.subarray(offsets[from], offsets[to]), headerLength)
  return out
}

function nonCanonical (message: string): LogbookError {
  return new LogbookError('NON_CANONICAL', message)
}

/**
 * Decodes a segment body, rejecting anything that is not the one canonical encoding:
 * unknown flags, out-of-range integers, unsorted links, trailing bytes. Payloads are views into `body`.
 * `trusted` skips the per-entry payload checks, for bytes this store wrote itself after checking them.
 */
export function decodeSegmentBody (body: Uint8Array, options: { trusted?: boolean } = {}): Segment {
  if (body.byteLength > MAX_SEGMENT_BYTES) throw new LogbookError('SEGMENT_TOO_LARGE', `a segment of ${body.byteLength} bytes exceeds ${MAX_SEGMENT_BYTES}`)
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  let at = 0
  const need = (n: number): void => {
    if (at + n > body.byteLength) throw nonCanonical('a segment ends in the middle of a field')
  }
  need(1 + 32 + 32 + 8)
  const version = body[at++]
  if (version !== FORMAT_VERSION) throw nonCanonical(`unknown format version ${version}`)
  const space = body.subarray(at, at + 32); at += 32
  const author = body.subarray(at, at + 32); at += 32
  const firstSeq = readUint53(view, at); at += 8
  if (firstSeq < 1 || firstSeq > MAX_SEQ) throw nonCanonical('a segment starts at a seq outside 1..2^53-1')
  let firstPrev: Uint8Array | null = null
  if (firstSeq > 1) { need(32); firstPrev = body.subarray(at, at + 32); at += 32 }
  need(2)
  const count = view.getUint16(at); at += 2
  if (count < 1) throw nonCanonical('a segment has no entries')
  if (count > MAX_SEGMENT_ENTRIES) throw new LogbookError('SEGMENT_TOO_LARGE', `a segment of ${count} entries exceeds ${MAX_SEGMENT_ENTRIES}`)
  if (firstSeq + count - 1 > MAX_SEQ) throw nonCanonical('a segment runs past seq 2^53-1')
  const entries: SegmentEntry[] = new Array(count)
  const offsets: number[] = new Array(count + 1)
  for (let i = 0; i < count; i++) {
    offsets[i] = at
    need(1 + 8 + 2)
    const flags = body[at++]
    if ((flags & ~(FLAG_JSON | FLAG_SIGNED)) !== 0) throw nonCanonical(`unknown entry flags 0x${flags.toString(16)}`)
    const timestamp = readUint53(view, at); at += 8
    if (timestamp < 0) throw nonCanonical('a timestamp is not below 2^53')
    const linkCount = view.getUint16(at); at += 2
    if (linkCount > MAX_LINKS) throw new LogbookError('TOO_MANY_LINKS', `an entry has ${linkCount} links; at most ${MAX_LINKS} are allowed`)
    need(32 * linkCount + 4)
    const links: Uint8Array[] = new Array(linkCount)
    for (let l = 0; l < linkCount; l++) { links[l] = body.subarray(at, at + 32); at += 32 }
    const payloadLength = view.getUint32(at); at += 4
    if (payloadLength > MAX_PAYLOAD_BYTES) throw new LogbookError('PAYLOAD_TOO_LARGE', `a payload of ${payloadLength} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES}`)
    need(payloadLength)
    const payload = body.subarray(at, at + payloadLength); at += payloadLength
    let signature: Uint8Array | null = null
    if ((flags & FLAG_SIGNED) !== 0) { need(64); signature = body.subarray(at, at + 64); at += 64 }
    const entry: SegmentEntry = { timestamp, links, kind: (flags & FLAG_JSON) !== 0 ? PAYLOAD_JSON : PAYLOAD_BINARY, payload, signature }
    if (options.trusted !== true) checkEntryBody(entry)
    entries[i] = entry
  }
  if (at !== body.byteLength) throw nonCanonical(`${body.byteLength - at} trailing bytes after a segment's last entry`)
  offsets[count] = at
  return { space, author, firstSeq, firstPrev, entries, encoded: { body, offsets } }
}

/**
 * Authenticates a whole segment before any of it may be stored: it belongs to `space`, every id is
 * recomputed along the prev chain, and every signature it carries verifies (the last entry must have one;
 * it authenticates the run through the prev links). `statedIds` (a text line's, null where none is given)
 * are compared before any signature: an edited entry is then named as the first id that differs, not as
 * the signature further on that no longer verifies.
 */
export function authenticateSegment (segment: Segment, space: Uint8Array, statedIds?: ReadonlyArray<Uint8Array | null>): AuthenticatedSegment {
  const identified = identifySegment(segment, space, statedIds)
  verifySignatures(identified)
  return identified
}

/**
 * The part of authentication that needs no signature check: the space, the chain's shape, every id
 * recomputed (and compared with ids a text line states). A store that already holds every entry with these
 * very signatures need not verify them again; anything it would store must pass `verifySignatures` first.
 */
export function identifySegment (segment: Segment, space: Uint8Array, statedIds?: ReadonlyArray<Uint8Array | null>): AuthenticatedSegment {
  if (!equalBytes(segment.space, space)) throw new LogbookError('WRONG_SPACE', 'a segment belongs to another space')
  const last = segment.entries[segment.entries.length - 1]
  if (last === undefined) throw nonCanonical('a segment has no entries')
  if (last.signature === null) throw new LogbookError('MISSING_SIGNATURE', 'a segment does not end in a signed entry: unsigned entries are never stored')
  if ((segment.firstSeq > 1) !== (segment.firstPrev !== null)) throw new LogbookError('BAD_CHAIN', 'prev must be present exactly when seq > 1')
  const ids = computeChainIds(segment.space, segment.author, segment.firstSeq, segment.firstPrev, segment.entries)
  statedIds?.forEach((stated, i) => {
    if (stated !== null && !equalBytes(stated, ids[i])) {
      throw new LogbookError('ID_MISMATCH', `the entry at seq ${segment.firstSeq + i} states id ${toHex(stated)} but hashes to ${toHex(ids[i])}`)
    }
  })
  return { ...segment, ids }
}

/** Every signature the segment carries verifies for its author (BAD_SIGNATURE otherwise). */
export function verifySignatures (segment: AuthenticatedSegment): void {
  const { ids } = segment
  for (let i = 0; i < ids.length; i++) {
    const signature = segment.entries[i].signature
    if (signature !== null && !verifyEntryId(signature, ids[i], segment.author)) {
      throw new LogbookError('BAD_SIGNATURE', `the signature on seq ${segment.firstSeq + i} does not verify for its author`)
    }
  }
}

/** Splits bodies into runs that respect the segment limits (entries and encoded bytes). */
export function splitIntoRuns<T extends EntryBody> (bodies: T[], firstSeq: number): T[][] {
  const runs: T[][] = []
  let run: T[] = []
  let bytes = segmentHeaderLength(firstSeq)
  for (const body of bodies) {
    const size = entryEncodedLength(body, true)
    if (run.length > 0 && (run.length === MAX_SEGMENT_ENTRIES || bytes + size > MAX_SEGMENT_BYTES)) {
      runs.push(run)
      run = []
      bytes = segmentHeaderLength(2)
    }
    run.push(body)
    bytes += size
  }
  if (run.length > 0) runs.push(run)
  return runs
}

/** Builds the signed segments for appending `bodies` after (tipSeq, tipId) of this author's feed. */
export function buildSignedSegments (space: Uint8Array, author: Uint8Array, secretKey: Uint8Array, tipSeq: number, tipId: Uint8Array | null, bodies: EntryBody[]): AuthenticatedSegment[] {
  return [...signedSegments(space, author, secretKey, tipSeq, tipId, bodies)]
}

/** The signed segments of buildSignedSegments, one at a time: a large append holds one in memory. */
export function * signedSegments (space: Uint8Array, author: Uint8Array, secretKey: Uint8Array, tipSeq: number, tipId: Uint8Array | null, bodies: EntryBody[]): Generator<AuthenticatedSegment> {
  if (tipSeq + bodies.length > MAX_SEQ) throw new LogbookError('SEQ_OVERFLOW', 'this feed has reached seq 2^53-1')
  let seq = tipSeq + 1
  let prev = tipId
  for (const run of splitIntoRuns(bodies, seq)) {
    const ids = computeChainIds(space, author, seq, prev, run)
    const entries: SegmentEntry[] = new Array(run.length)
    for (let i = 0; i < run.length; i++) {
      const body = run[i]
      entries[i] = { timestamp: body.timestamp, links: body.links, kind: body.kind, payload: body.payload, signature: null }
    }
    entries[entries.length - 1].signature = signEntryId(ids[ids.length - 1], secretKey)
    yield { space, author, firstSeq: seq, firstPrev: prev, entries, ids }
    seq += run.length
    prev = ids[ids.length - 1]
  }
}
