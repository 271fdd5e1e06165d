// CRC-32 (the zlib polynomial) of a frame body, as an unsigned 32-bit number: the crc-32 package, the
// same in Node and in browsers (node:zlib's is faster on large inputs, but frames are small).
import CRC32 from 'crc-32'

export function crc32 (bytes: Uint8Array): number {
  return CRC32.buf(bytes) >>> 0
}
