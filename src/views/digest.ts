// The digest of a view's whole keyspace, and the first place two keyspaces differ. Two stores whose
// views hold the same rows and the same failing entries have the same digest; the digest is what the
// determinism and convergence checks compare.
//
// Layout: records in key order, each `tag ‖ u32 length ‖ bytes ‖ …` (a row: 'r', key, value; then a
// failing entry: 'x', id), hashed in chunks of about 64 KiB along a chain: h = SHA-256(h ‖ chunk), starting
// from SHA-256 of the tag "logbook/view-digest/v1\0". Chunk boundaries follow the records, so the same
// rows always give the same chunks.
import { Buffer } from 'buffer'
import { sha256 } from '../crypto/index.js'
import { concatBytes, toHex } from '../entry/bytes.js'
import type { ViewKeyspace } from './keyspace.js'

const TAG = new TextEncoder().encode('logbook/view-digest/v1\0')
const CHUNK_BYTES = 64 * 1024
const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as const

class ChainHash {
  private state = sha256(TAG)
  private parts: Uint8Array[] = []
  private size = 0

  record (tag: number, ...fields: Uint8Array[]): void {
    const header = new Uint8Array(1 + 4 * fields.length)
    const view = new DataView(header.buffer)
    header[0] = tag
    fields.forEach((field, i) => view.setUint32(1 + 4 * i, field.byteLength))
    this.push(header)
    for (const field of fields) this.push(field)
    if (this.size >= CHUNK_BYTES) this.flush()
  }

  private push (bytes: Uint8Array): void {
    this.parts.push(bytes)
    this.size += bytes.byteLength
  }

  private flush (): void {
    this.state = sha256(concatBytes([this.state, ...this.parts]))
    this.parts = []
    this.size = 0
  }

  final (): string {
    this.flush()
    return toHex(this.state)
  }
}

const encoder = new TextEncoder()

export async function viewDigest (keyspace: ViewKeyspace): Promise<string> {
  const hash = new ChainHash()
  for await (const [key, value] of keyspace.data.iterator(BINARY as any) as AsyncIterable<[Uint8Array, Uint8Array]>) {
    hash.record(0x72, key, value)
  }
  for (const id of await keyspace.failureIds()) hash.record(0x78, encoder.encode(id))
  return hash.final()
}

export interface KeyDifference {
  /** The first key (in key order) whose row differs, or, when every row agrees, the first failing entry id that differs. */
  key: string
  where: 'row' | 'failure'
  /** The two values (JSON text) or, for failures, whether each side recorded one; undefined when absent. */
  a: string | undefined
  b: string | undefined
}

/** The first difference between two views' keyspaces, or null when they hold the same state. */
export async function firstDifference (a: ViewKeyspace, b: ViewKeyspace): Promise<KeyDifference | null> {
  const left = a.data.iterator()
  const right = b.data.iterator()
  try {
    let x = await left.next()
    let y = await right.next()
    while (x !== undefined || y !== undefined) {
      if (x !== undefined && y !== undefined && x[0] === y[0]) {
        if (x[1] !== y[1]) return { key: x[0], where: 'row', a: x[1], b: y[1] }
        x = await left.next()
        y = await right.next()
        continue
      }
      // The smaller key is missing on the other side (keys compare as their UTF-8 bytes).
      const leftFirst = y === undefined || (x !== undefined && Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0])) < 0)
      return leftFirst
        ? { key: (x as [string, string])[0], where: 'row', a: (x as [string, string])[1], b: undefined }
        : { key: (y as [string, string])[0], where: 'row', a: undefined, b: (y as [string, string])[1] }
    }
  } finally {
    await left.close()
    await right.close()
  }
  const failuresA = await a.failureIds()
  const failuresB = new Set(await b.failureIds())
  const setA = new Set(failuresA)
  const differing = [...failuresA.filter((id) => !failuresB.has(id)), ...[...failuresB].filter((id) => !setA.has(id))].sort()
  if (differing.length === 0) return null
  const id = differing[0]
  return { key: id, where: 'failure', a: setA.has(id) ? 'failed' : undefined, b: failuresB.has(id) ? 'failed' : undefined }
}
