// Hex text and bytes, through the `buffer` package the library's browser build carries anyway (Node's own
// Buffer when run in Node): ids in the log are hex, the space key in the address is hex.
import { Buffer } from 'buffer'

export function bytesToHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Bytes of hex text already checked to be hex of an even length. */
export function hexToBytes (hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}
