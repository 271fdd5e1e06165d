// The keys a view has written since its keyspace was wiped, as a Bloom filter. A rebuild reads the
// current row of nearly every key it writes, and most of those reads are of keys it has not written
// yet: a key the filter has never seen is certainly absent, so that read never reaches the database.
// A false positive only costs the read it would have made anyway, so the filter is sized, not exact.
// The bits of one key all fall in one 64-byte block (a blocked Bloom filter): one cache miss per lookup.

const HASHES = 4
const BITS_PER_KEY = 16
const MIN_BITS = 1 << 16
/** 8 MiB at most: past about 4M keys the filter answers "maybe" more often, never wrongly "absent". */
const MAX_BITS = 1 << 26

const BLOCK_WORDS = 16

/** Two independent 32-bit hashes of the key's UTF-16 code units (FNV-1a, and a murmur-style mix). */
const hashed = new Uint32Array(2)

function hash (key: string): void {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ key.length
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  hashed[0] = a
  hashed[1] = b
}

export class WrittenKeys {
  private readonly bits: Uint32Array
  /** Blocks - 1 (a power of two). */
  private readonly blockMask: number
  private readonly words = new Uint32Array(HASHES)
  private readonly masks = new Int32Array(HASHES)

  /** `expected`: roughly how many keys will be written (the entries to replay). */
  constructor (expected: number) {
    let size = MIN_BITS
    while (size < expected * BITS_PER_KEY && size < MAX_BITS) size *= 2
    this.bits = new Uint32Array(size / 32)
    this.blockMask = size / 32 / BLOCK_WORDS - 1
  }

  add (key: string): void {
    this.locate(key)
    for (let i = 0; i < HASHES; i++) this.bits[this.words[i]] |= this.masks[i]
  }

  /** False only for a key that was never added. */
  mayHave (key: string): boolean {
    this.locate(key)
    for (let i = 0; i < HASHES; i++) if ((this.bits[this.words[i]] & this.masks[i]) === 0) return false
    return true
  }

  /** Where `key`'s bits are, into `words` and `masks` (no allocation per key). */
  private locate (key: string): void {
    hash(key)
    const a = hashed[0]
    const block = (a & this.blockMask) * BLOCK_WORDS
    // Each bit takes 9 bits of the second hash, mixed with the first: a position among the block's 512.
    for (let i = 0, b = hashed[1]; i < HASHES; i++, b >>>= 8) {
      const bit = (b ^ (a >>> (23 - i))) & 511
      this.words[i] = block + (bit >>> 5)
      this.masks[i] = 1 << (bit & 31)
    }
  }
}
