// Export framing. A binary export is a headerless sequence of self-delimiting frames, so two exports
// concatenated are one export. Frame: magic "LBK1", u32 body length, segment body, u32 CRC-32 of the body.
// A text export is one JSON segment per line. The reader tells the two apart frame by frame.
import { crc32 } from 'node:zlib'
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

/** What the reader yields: a decoded segment, or a segment that was framed well but is invalid. */
export type FrameItem =
  | { offset: number, segment: Segment, statedIds?: Array<Uint8Array | null> }
  | { offset: number, rejected: LogbookError }

function isSpace (byte: number): boolean {
  return byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09
}

/**
 * Reads frames from a byte stream. Yields each segment (or a per-segment rejection) with its byte offset;
 * throws CORRUPT_FRAME (with the offset) at the first frame that is damaged or cut short, after
 * everything before it was yielded.
 */
export async function * readFrames (source: AsyncIterable<Uint8Array>): AsyncGenerator<FrameItem> {
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
    if (first === FRAME_MAGIC[0]) {
      if (!(await fill(8))) throw corrupt(offset, 'the stream ends inside a frame header')
      for (let i = 1; i < 4; i++) if (buffer[start + i] !== FRAME_MAGIC[i]) throw corrupt(offset, 'not a frame (bad magic)')
      const length = new DataView(buffer.buffer, buffer.byteOffset + start + 4, 4).getUint32(0)
      if (length > MAX_SEGMENT_BYTES) throw corrupt(offset, `a frame claims ${length} bytes, more than a segment may have`)
      if (!(await fill(FRAME_OVERHEAD + length))) throw corrupt(offset, 'the stream ends inside a frame')
      const body = buffer.subarray(start + 8, start + 8 + length)
      const stored = new DataView(buffer.buffer, buffer.byteOffset + start + 8 + length, 4).getUint32(0)
      if (crc32(body) !== stored) throw corrupt(offset, 'checksum mismatch')
      start += FRAME_OVERHEAD + length
      try {
        yield { offset, segment: decodeSegmentBody(body) }
      } catch (err) {
        if (!(err instanceof LogbookError)) throw err
        yield { offset, rejected: err }
      }
    } else if (first === 0x7b /* { */) {
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
        throw corrupt(offset, 'a text line is not complete JSON')
      }
      start = Math.min(end + 1, buffer.byteLength)
      try {
        const { segment, statedIds } = segmentFromJson(value)
        // Through the binary codec and back: one set of canonical checks for both forms.
        if (segment.entries.length > MAX_SEGMENT_ENTRIES) throw new LogbookError('SEGMENT_TOO_LARGE', `a segment of ${segment.entries.length} entries exceeds ${MAX_SEGMENT_ENTRIES}`)
        if (segment.entries.some((entry) => entry.links.length > MAX_LINKS)) throw new LogbookError('TOO_MANY_LINKS', `an entry has more than ${MAX_LINKS} links`)
        yield { offset, segment: decodeSegmentBody(encodeSegmentBody(segment)), statedIds }
      } catch (err) {
        if (!(err instanceof LogbookError)) throw err
        yield { offset, rejected: err }
      }
    } else {
      throw corrupt(offset, `byte 0x${first.toString(16).padStart(2, '0')} starts neither a binary frame nor a text line`)
    }
  }
}
