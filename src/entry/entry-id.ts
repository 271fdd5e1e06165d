// The canonical byte layout of an entry and its id: SHA-256 over ENTRY_ID_TAG and these bytes.
// docs/FORMAT.md specifies the layout byte by byte; this is the one place that writes it.
import { ENTRY_ID_TAG, sha256 } from '../crypto/index.js'
import { writeUint53 } from './bytes.js'
import { FORMAT_VERSION } from './limits.js'
import type { EntryBody } from './types.js'

export function canonicalEntryLength (seq: number, body: EntryBody): number {
  return 1 + 32 + 32 + 8 + (seq > 1 ? 32 : 0) + 1 + 8 + 2 + 32 * body.links.length + 4 + body.payload.byteLength
}

/** Writes tag + canonical encoding into `out` (which must be large enough); returns the length written. */
export function writeIdInput (out: Uint8Array, space: Uint8Array, author: Uint8Array, seq: number, prev: Uint8Array | null, body: EntryBody, view = new DataView(out.buffer, out.byteOffset, out.byteLength)): number {
  out.set(ENTRY_ID_TAG, 0)
  let at = ENTRY_ID_TAG.length
  out[at++] = FORMAT_VERSION
  out.set(space, at); at += 32
  out.set(author, at); at += 32
  writeUint53(view, at, seq); at += 8
  if (seq > 1) { out.set(prev as Uint8Array, at); at += 32 }
  out[at++] = body.kind
  writeUint53(view, at, body.timestamp); at += 8
  view.setUint16(at, body.links.length); at += 2
  for (const link of body.links) { out.set(link, at); at += 32 }
  view.setUint32(at, body.payload.byteLength); at += 4
  out.set(body.payload, at); at += body.payload.byteLength
  return at
}

/** The bytes an entry id is the SHA-256 of (tag included). */
export function entryIdInput (space: Uint8Array, author: Uint8Array, seq: number, prev: Uint8Array | null, body: EntryBody): Uint8Array {
  const out = new Uint8Array(ENTRY_ID_TAG.length + canonicalEntryLength(seq, body))
  writeIdInput(out, space, author, seq, prev, body)
  return out
}

export function computeEntryId (space: Uint8Array, author: Uint8Array, seq: number, prev: Uint8Array | null, body: EntryBody): Uint8Array {
  return sha256(entryIdInput(space, author, seq, prev, body))
}

/**
 * Ids of a run of consecutive entries, each one's prev being the id before it.
 * Reuses one scratch buffer: this is the hot path of ingest and append.
 */
export function computeChainIds (space: Uint8Array, author: Uint8Array, firstSeq: number, firstPrev: Uint8Array | null, bodies: EntryBody[]): Uint8Array[] {
  let scratch = new Uint8Array(1024)
  let view = new DataView(scratch.buffer)
  const ids: Uint8Array[] = new Array(bodies.length)
  let prev = firstPrev
  for (let i = 0; i < bodies.length; i++) {
    const seq = firstSeq + i
    const needed = ENTRY_ID_TAG.length + canonicalEntryLength(seq, bodies[i])
    if (needed > scratch.byteLength) {
      scratch = new Uint8Array(Math.max(needed, scratch.byteLength * 2))
      view = new DataView(scratch.buffer)
    }
    const length = writeIdInput(scratch, space, author, seq, prev, bodies[i], view)
    const id = sha256(scratch.subarray(0, length))
    ids[i] = id
    prev = id
  }
  return ids
}
