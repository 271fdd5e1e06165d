// Export framing. A binary export is a headerless sequence of self-delimiting frames, so two exports
// concatenated are one export. Frame: magic "LBK1", u32 body length, segment body, u32 CRC-32 of the body.
// A text export is one JSON segment per line. The reader tells the two apart frame by frame, and says
// what bytes that are neither look like (describeBytes).
import { Buffer } from 'buffer'
import { crc32 } from './crc32.js'
import { LogbookError } from '../errors.js'
import { decodeSegmentBody, encodeSegmentBody } from '../entry/segment.js'
import { MAX_LINKS, MAX_SEGMENT_BYTES, MAX_SEGMENT_ENTRIES } from '../entry/limits.js'
import type { Segment } from '../entry/types.js'
import { segmentFromJson } from './json-segment.js'

export const FRAME_MAGIC = new Uint8Array([0x4c, 0x42, 0x4b, 0x31]) // "LBK1"
const FRAME_OVERHEAD = 4 + 4 + 4
/** Longest text line accepted: a 4 MiB segment as base64, with room for hex fields. */
const MAX_LINE_BYTES = 16 * 1024 * 1024

export function encodeFrame (body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_OVERHEAD + body.byteLength)
  const view = new DataView(out.buffer)
  out.set(FRAME_MAGIC, 0)
  view.setUint32(4, body.byteLength)
  out.set(body, 8)
  view.setUint32(8 + body.byteLength, crc32(body))
  return out
}

/**
 * What the reader yields: a decoded segment, a segment that was framed well but is invalid, or one the
 * reader was told is held already (`known`: its entry count), which it does not decode at all.
 */
export type FrameItem =
  | { offset: number, segment: Segment, statedIds?: Array<Uint8Array | null> }
  | { offset: number, rejected: LogbookError }
  | { offset: number, known: number }

export interface ReadOptions {
  /** Says whether a segment body (exactly these bytes) is held already: its entry count, or null. */
  known?: (body: Uint8Array) => Promise<number | null>
}

function isSpace (byte: number): boolean {
  return byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09
}

/** Leading bytes of common formats (at offset 0 unless stated). */
const SIGNATURES: Array<{ bytes: number[], at?: number, what: string }> = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed data' },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed data' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed data' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive' },
  { bytes: [0x75, 0x73, 0x74, 0x61, 0x72], at: 257, what: 'a tar archive' }, // "ustar"
  { bytes: [...Buffer.from('SQLite format 3\0')], what: 'an SQLite database' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an executable (ELF)' },
  { bytes: [...Buffer.from('%PDF-')], what: 'a PDF document' },
  { bytes: [...Buffer.from('MANIFEST-')], what: 'the CURRENT file of a LevelDB database' }
]

/** A LevelDB table file (.ldb, .sst) ends in this magic number, little-endian (LevelDB's table_format.md). */
const LEVELDB_TABLE_MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]

/** Bytes worth reading for describeBytes: enough to reach a tar header's magic. */
export const SNIFF_BYTES = 512

function hasAt (data: Uint8Array, bytes: ArrayLike<number>, at: number): boolean {
  if (at < 0 || data.byteLength < at + bytes.length) return false
  for (let i = 0; i < bytes.length; i++) if (data[at + i] !== bytes[i]) return false
  return true
}

/** Whether `head` is UTF-8 text without control characters other than white space (its last character may be cut). */
function isText (head: Uint8Array): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (let cut = 0; cut <= 3 && cut < head.byteLength; cut++) {
    try {
      return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(decoder.decode(head.subarray(0, head.byteLength - cut)))
    } catch {}
  }
  return false
}

/**
 * What bytes that do not start a logbook export look like: 'gzip-compressed data', 'JSON text', 'text',
 * 'binary data'... `head` is their first bytes (SNIFF_BYTES are enough), `tail` a file's last 8 bytes
 * when known. Null when they may start an export: nothing, white space, a frame's magic or a `{` (a
 * JSON line is judged by the reader once it is whole).
 */
export function describeBytes (head: Uint8Array, tail?: Uint8Array): string | null {
  for (const { bytes, at, what } of SIGNATURES) if (hasAt(head, bytes, at ?? 0)) return what
  if (tail !== undefined && hasAt(tail, LEVELDB_TABLE_MAGIC, tail.byteLength - LEVELDB_TABLE_MAGIC.length)) return 'a LevelDB table file'
  let start = 0
  while (start < head.byteLength && isSpace(head[start])) start++
  const rest = head.subarray(start, start + FRAME_MAGIC.byteLength)
  if (rest.byteLength === 0 || rest[0] === 0x7b /* { */ || hasAt(FRAME_MAGIC, rest, 0)) return null
  if (!isText(head.subarray(start))) return 'binary data'
  return rest[0] === 0x5b /* [ */ ? 'JSON text' : 'text'
}

function notAnExport (offset: number, what: string): LogbookError {
  return new LogbookError('CORRUPT_FRAME', `the input at byte ${offset} is not a logbook export: it looks like ${what}`, { offset })
}

/** A JSON line of a text export is an object with a "logbook" member (segmentFromJson checks the rest). */
function isExportLine (value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'logbook' in value
}

/**
 * Reads frames from a byte stream. Yields each segment (or a per-segment rejection) with its byte offset;
 * throws CORRUPT_FRAME (with the offset) at the first frame that is damaged or cut short, after
 * everything before it was yielded.
 */
export async function * readFrames (source: AsyncIterable<Uint8Array>, options: ReadOptions = {}): AsyncGenerator<FrameItem> {
  const known = options.known
  let buffer = new Uint8Array(0)
  let start = 0 // read position in buffer
  let base = 0 // stream offset of buffer[0]
  let ended = false
  const iterator = source[Symbol.asyncIterator]()

  const corrupt = (offset: number, why: string): LogbookError =>
    new LogbookError('CORRUPT_FRAME', `corrupt or truncated input at byte ${offset}: ${why}`, { offset })

  // Ensures at least `n` unread bytes in `buffer`, unless the stream ends first; returns whether they are
  // there. Chunks are gathered first and joined once, so a large frame arriving in small chunks is
  // copied once, not once per chunk.
  const fill = async (n: number): Promise<boolean> => {
    let available = buffer.byteLength - start
    if (available >= n) return true
    const gathered: Uint8Array[] = [buffer.subarray(start)]
    while (available < n && !ended) {
      const next = await iterator.next()
      if (next.done === true) { ended = true; break }
      gathered.push(next.value)
      available += next.value.byteLength
    }
    if (gathered.length > 1) {
      base += start
      buffer = Buffer.concat(gathered)
      start = 0
    }
    return available >= n
  }

  while (true) {
    if (!(await fill(1))) return
    const first = buffer[start]
    if (isSpace(first)) { start++; continue }
    const offset = base + start
    if (first !== FRAME_MAGIC[0] && first !== 0x7b /* { */) {
      await fill(SNIFF_BYTES)
      const what = describeBytes(buffer.subarray(start, start + SNIFF_BYTES)) ?? 'binary data'
      throw notAnExport(offset, what)
    }
    if (first === FRAME_MAGIC[0]) {
      if (!(await fill(8))) throw corrupt(offset, 'the stream ends inside a frame header')
      if (!hasAt(buffer, FRAME_MAGIC, start)) {
        await fill(SNIFF_BYTES)
        const what = describeBytes(buffer.subarray(start, start + SNIFF_BYTES))
        // A damaged frame among others looks like binary data too: only a known format or text is named.
        throw what === null || what === 'binary data' ? corrupt(offset, 'not a frame (bad magic)') : notAnExport(offset, what)
      }
      const length = new DataView(buffer.buffer, buffer.byteOffset + start + 4, 4).getUint32(0)
      if (length > MAX_SEGMENT_BYTES) throw corrupt(offset, `a frame claims ${length} bytes, more than a segment may have`)
      if (!(await fill(FRAME_OVERHEAD + length))) throw corrupt(offset, 'the stream ends inside a frame')
      const body = buffer.subarray(start + 8, start + 8 + length)
      const stored = new DataView(buffer.buffer, buffer.byteOffset + start + 8 + length, 4).getUint32(0)
      if (crc32(body) !== stored) throw corrupt(offset, 'checksum mismatch')
      start += FRAME_OVERHEAD + length
      const held = known === undefined ? null : await known(body)
      if (held !== null) { yield { offset, known: held }; continue }
      try {
        yield { offset, segment: decodeSegmentBody(body) }
      } catch (err) {
        if (!(err instanceof LogbookError)) throw err
        yield { offset, rejected: err }
      }
    } else { // a text line: `first` is "{"
      let end = -1
      let scanned = 0 // bytes after `start` already searched for the newline
      while (end < 0) {
        const at = buffer.indexOf(0x0a, start + scanned)
        if (at >= 0) { end = at; break }
        scanned = buffer.byteLength - start
        if (scanned > MAX_LINE_BYTES) throw corrupt(offset, 'a text line is longer than any segment')
        if (!(await fill(scanned + 1))) { end = buffer.byteLength; break }
      }
      const line = buffer.subarray(start, end)
      let value: unknown
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(line))
      } catch {
        // A line cut short still shows it began as a segment; anything else is other JSON (or text).
        if (/^\{\s*"logbook"/.test(Buffer.from(line.subarray(0, 64)).toString('latin1'))) throw corrupt(offset, 'a text line is not complete JSON')
        throw notAnExport(offset, isText(line.subarray(0, SNIFF_BYTES)) ? 'JSON text' : 'binary data')
      }
      if (!isExportLine(value)) throw notAnExport(offset, 'JSON text')
      start = Math.min(end + 1, buffer.byteLength)
      try {
        const { segment, statedIds } = segmentFromJson(value)
        // Through the binary codec and back: one set of canonical checks for both forms.
        if (segment.entries.length > MAX_SEGMENT_ENTRIES) throw new LogbookError('SEGMENT_TOO_LARGE', `a segment of ${segment.entries.length} entries exceeds ${MAX_SEGMENT_ENTRIES}`)
        if (segment.entries.some((entry) => entry.links.length > MAX_LINKS)) throw new LogbookError('TOO_MANY_LINKS', `an entry has more than ${MAX_LINKS} links`)
        const body = encodeSegmentBody(segment)
        const held = known === undefined || statedIds?.some((id) => id !== null) === true ? null : await known(body)
        if (held !== null) { yield { offset, known: held }; continue }
        yield { offset, segment: decodeSegmentBody(body), statedIds }
      } catch (err) {
        if (!(err instanceof LogbookError)) throw err
        yield { offset, rejected: err }
      }
    }
  }
}
