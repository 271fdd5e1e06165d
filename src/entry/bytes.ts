// Small byte helpers shared by the pure entry code: hex, comparison, fixed-width integers.
import { Buffer } from 'buffer'

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

const HEX = /^[0-9a-f]*$/

/** Lowercase hex of exactly `length` bytes, or undefined. */
export function fromHex (text: string, length: number): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length !== length * 2 || !HEX.test(text)) return undefined
  return new Uint8Array(Buffer.from(text, 'hex'))
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b)
}

/** Writes an integer below 2^53 as 8 bytes big-endian. */
export function writeUint53 (view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / 0x100000000))
  view.setUint32(offset + 4, value >>> 0)
}

/** Reads 8 bytes big-endian; returns -1 when the value does not fit below 2^53. */
export function readUint53 (view: DataView, offset: number): number {
  const high = view.getUint32(offset)
  if (high >= 0x200000) return -1
  return high * 0x100000000 + view.getUint32(offset + 4)
}

export function concatBytes (parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.byteLength
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) { out.set(part, offset); offset += part.byteLength }
  return out
}
