// Set reconciliation over feed tips, for two peers that have not met before (docs/PROTOCOL.md). Each feed
// tip (author, seq, id), with the count of its author's entries held signed, is an item; items fall into buckets by their author, and a bucket's fingerprint is
// the XOR of its items' digests. The initiator sends every bucket's fingerprint; the responder answers
// with its items in each bucket that differs; the initiator then knows exactly which tips each side lacks.
// Digests are keyed per session (from the Noise handshake hash), so nobody can choose entries whose
// digests collide with another's ahead of time, and 8 bytes suffice.
import { keyedHash } from '../crypto/index.js'
import { compareBytes, toHex } from '../entry/bytes.js'
import { u64 } from '../store/layout.js'
import { DIGEST_BYTES, type Item } from './messages.js'

/** Items per bucket the bucket count aims at: few enough that a differing bucket costs little to list. */
const ITEMS_PER_BUCKET = 4
/** The most buckets a fingerprint message may have (8 bytes each: 512 KiB). */
export const MAX_BUCKETS = 65536

/** The bucket count both sides use, from both sides' item counts (a power of two). */
export function bucketCount (localItems: number, remoteItems: number): number {
  const wanted = Math.ceil(Math.max(localItems, remoteItems, 1) / ITEMS_PER_BUCKET)
  let buckets = 1
  while (buckets < wanted && buckets < MAX_BUCKETS) buckets *= 2
  return buckets
}

/**
 * The peer's tips a tip being sent tries, highest first, as where the peer's copy of its branch may end
 * (each costs a walk down the branch); when none is, the whole branch is sent. An honest peer has few
 * tips per feed; a hostile one could list as many as a message holds.
 */
export const PUSH_CANDIDATES = 8

/** Of `sorted` (by seq, highest first), the first `count` whose seq is below `seq`. */
export function highestBelow<T extends { seq: number }> (sorted: T[], seq: number, count: number): T[] {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle].seq >= seq) low = middle + 1
    else high = middle
  }
  return sorted.slice(low, low + count)
}

/** One of this side's feed tips, with how many of its author's ready entries this side holds signed. */
export interface Tip {
  author: Uint8Array
  seq: number
  id: Uint8Array
  signed: number
}

interface Entry { tip: Tip, item: Item }

function xorInto (target: Uint8Array, at: number, digest: Uint8Array): void {
  for (let i = 0; i < digest.byteLength; i++) target[at + i] ^= digest[i]
}

export class TipSet {
  /** Per bucket, its items sorted by (author digest, digest): the order both sides list them in. */
  private readonly buckets: Entry[][]
  readonly fingerprints: Uint8Array
  private readonly authorDigests = new Map<string, Uint8Array>()

  constructor (private readonly key: Uint8Array, tips: Tip[], readonly count: number) {
    this.buckets = Array.from({ length: count }, () => [])
    this.fingerprints = new Uint8Array(count * DIGEST_BYTES)
    for (const tip of tips) {
      const { bucket, digest: author } = this.authorDigest(tip.author)
      const item: Item = { author, seq: tip.seq, digest: this.itemDigest(tip.author, tip.seq, tip.id), signed: tip.signed }
      this.buckets[bucket].push({ tip, item })
      // The fingerprint covers the signature count too: the same tips with different signatures held differ.
      xorInto(this.fingerprints, bucket * DIGEST_BYTES, this.signedDigest(item))
    }
    for (const bucket of this.buckets) bucket.sort((a, b) => compareBytes(a.item.author, b.item.author) || compareBytes(a.item.digest, b.item.digest))
  }

  /** An author's digest, and the bucket its tips fall in. */
  authorDigest (author: Uint8Array): { bucket: number, digest: Uint8Array } {
    const hex = toHex(author)
    let hash = this.authorDigests.get(hex)
    if (hash === undefined) { hash = keyedHash(this.key, author, 16); this.authorDigests.set(hex, hash) }
    const bucket = new DataView(hash.buffer, hash.byteOffset + DIGEST_BYTES, 4).getUint32(0) % this.count
    return { bucket, digest: hash.subarray(0, DIGEST_BYTES) }
  }

  /** The digest of the tip (author, seq, id): equal digests mean the same tip. */
  itemDigest (author: Uint8Array, seq: number, id: Uint8Array): Uint8Array {
    const input = new Uint8Array(72)
    input.set(author, 0)
    input.set(u64(seq), 32)
    input.set(id, 40)
    return keyedHash(this.key, input, 16).subarray(0, DIGEST_BYTES)
  }

  /** A tip's digest together with its signature count (what the fingerprints are made of). */
  private signedDigest (item: Item): Uint8Array {
    const input = new Uint8Array(DIGEST_BYTES + 8)
    input.set(item.digest, 0)
    input.set(u64(item.signed), DIGEST_BYTES)
    return keyedHash(this.key, input, 16).subarray(0, DIGEST_BYTES)
  }

  /** Buckets whose fingerprint differs from the peer's. */
  differing (remote: Uint8Array): number[] {
    const out: number[] = []
    for (let bucket = 0; bucket < this.count; bucket++) {
      const at = bucket * DIGEST_BYTES
      for (let i = 0; i < DIGEST_BYTES; i++) {
        if (this.fingerprints[at + i] !== remote[at + i]) { out.push(bucket); break }
      }
    }
    return out
  }

  /** This side's items in `bucket`, in the order both sides list them. */
  items (bucket: number): Item[] {
    return this.buckets[bucket].map((entry) => entry.item)
  }

  /** This side's tip listed at `index` of `bucket`. */
  tipAt (bucket: number, index: number): Tip | undefined {
    return this.buckets[bucket]?.[index]?.tip
  }

  /** This side's tips in `bucket`. */
  tips (bucket: number): Tip[] {
    return this.buckets[bucket].map((entry) => entry.tip)
  }
}
