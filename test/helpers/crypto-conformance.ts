// One conformance suite for every crypto backend: the published Ed25519 vectors (RFC 8032 section 7.1),
// the edge cases a strict verifier must reject, SHA-256 and keyed BLAKE2b known answers, and the entry
// format's vectors, all through the public functions of src/crypto/index.ts with the backend installed.
// It imports nothing from Node and reads no files, so a browser runner can run the same cases: it is
// handed the vector data and returns named cases that throw on failure, for any test runner to register.
import {
  cryptoBackendName,
  equalConstantTime,
  generateKeyPair,
  keyPairFromSeed,
  keyedHash,
  randomBytes,
  sha256,
  signDetached,
  signEntryId,
  spaceIdFromKey,
  verifyDetached,
  verifyEntryId
} from '../../src/crypto/index.js'
import { fromHex, toHex } from '../../src/entry/bytes.js'
import { authenticateSegment, decodeSegmentBody } from '../../src/entry/segment.js'
import { entryIdInput } from '../../src/entry/entry-id.js'
import { LogbookError } from '../../src/errors.js'

export interface RfcVector { name: string, secretKey: string, publicKey: string, message: string, signature: string }
export interface EdgeCase { name: string, expect: 'accept' | 'reject', reason: string, publicKey: string, message: string, signature: string }
export interface FormatVectors {
  spaceKey: string
  spaceId: string
  seed: string
  author: string
  segments: Array<{ entries: Array<{ seq: number, idInput: string, id: string, signature: string | null }>, body: string }>
}

/** The contents of test/vectors: ed25519-rfc8032.json's vectors, ed25519-edge-cases.json's cases, format.json. */
export interface ConformanceVectors {
  rfc8032: RfcVector[]
  edgeCases: EdgeCase[]
  format: FormatVectors
}

export interface ConformanceBackend {
  /** What cryptoBackendName() says once it is installed: proves each case ran on this backend. */
  name: string
  install: () => void
  /** Puts back the backend the rest of the process uses. */
  restore: () => void
}

export interface ConformanceCase { name: string, run: () => void }
export interface ConformanceGroup { name: string, cases: ConformanceCase[] }

function fail (message: string): never {
  throw new Error(message)
}

function expectEqual<T> (actual: T, expected: T, what: string): void {
  if (actual !== expected) fail(`${what}: expected ${String(expected)}, got ${String(actual)}`)
}

function expectThrows (run: () => unknown, code: string, what: string): void {
  try {
    run()
  } catch (error) {
    if (error instanceof LogbookError && error.code === code) return
    fail(`${what}: expected LogbookError ${code}, got ${String(error)}`)
  }
  fail(`${what}: expected LogbookError ${code}, nothing was thrown`)
}

const bytes = (hex: string): Uint8Array => fromHex(hex, hex.length / 2) ?? fail(`not lowercase hex: ${hex}`)
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

function flipBit (data: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(data)
  copy[bit >> 3] ^= 1 << (bit & 7)
  return copy
}

function rfc8032Cases (vectors: RfcVector[]): ConformanceCase[] {
  const cases: ConformanceCase[] = [{
    name: 'the vector set is RFC 8032 TEST 1, 2, 3, 1024 and SHA(abc)',
    run: () => expectEqual(vectors.map((v) => v.name).join(', '), 'TEST 1, TEST 2, TEST 3, TEST 1024, TEST SHA(abc)', 'vector names')
  }]
  for (const v of vectors) {
    const seed = bytes(v.secretKey)
    const message = bytes(v.message)
    const signature = bytes(v.signature)
    const publicKey = bytes(v.publicKey)
    cases.push({
      name: `${v.name}: keyPairFromSeed gives the public key, and the secret key is seed || public key`,
      run: () => {
        const pair = keyPairFromSeed(seed)
        expectEqual(toHex(pair.publicKey), v.publicKey, 'public key')
        expectEqual(toHex(pair.secretKey), v.secretKey + v.publicKey, 'secret key')
      }
    }, {
      name: `${v.name}: signDetached gives exactly the signature, and verifyDetached accepts it`,
      run: () => {
        expectEqual(toHex(signDetached(message, keyPairFromSeed(seed).secretKey)), v.signature, 'signature')
        expectEqual(verifyDetached(signature, message, publicKey), true, 'verify')
      }
    }, {
      name: `${v.name}: one flipped bit of signature, message or public key fails verification`,
      run: () => {
        // R's first bit, a middle bit, R's sign bit (255), S's low bit, S's top bit (S >= 2^255 > L).
        for (const bit of [0, 7, 100, 254, 255, 256, 300, 447, 504, 511]) {
          expectEqual(verifyDetached(flipBit(signature, bit), message, publicKey), false, `signature bit ${bit}`)
        }
        const bits = message.length * 8
        const messages = bits === 0 ? [new Uint8Array(1)] : [...new Set([0, 7, bits >> 1, bits - 1])].map((bit) => flipBit(message, bit))
        for (const bad of messages) expectEqual(verifyDetached(signature, bad, publicKey), false, `message ${toHex(bad).slice(0, 16)}`)
        for (const bit of [0, 128, 254]) {
          expectEqual(verifyDetached(signature, message, flipBit(publicKey, bit)), false, `public key bit ${bit}`)
        }
      }
    })
  }
  return cases
}

function edgeCases (cases: EdgeCase[]): ConformanceCase[] {
  return [{
    name: 'the edge-case set has controls and at least 20 cases',
    run: () => {
      if (cases.length < 20) fail(`only ${cases.length} edge cases`)
      if (!cases.some((c) => c.expect === 'accept')) fail('no accept control')
    }
  }, ...cases.map((c) => ({
    name: `${c.expect}: ${c.name}`,
    run: () => {
      const got = verifyDetached(bytes(c.signature), bytes(c.message), bytes(c.publicKey))
      if (got !== (c.expect === 'accept')) {
        fail(`${cryptoBackendName()} ${got ? 'ACCEPTED' : 'rejected'} a case it must ${c.expect}: ${c.name}\n` +
          `  publicKey ${c.publicKey}\n  message   ${c.message}\n  signature ${c.signature}\n  reason    ${c.reason}`)
      }
    }
  }))]
}

// Keyed BLAKE2b answers computed with Python's hashlib.blake2b(data, key=key, digest_size=n), an
// implementation independent of libsodium: key is the bytes 0..31, data the bytes 0..99 (or empty).
const BLAKE2B_KEY = Uint8Array.from({ length: 32 }, (_, i) => i)
const BLAKE2B_DATA = Uint8Array.from({ length: 100 }, (_, i) => i)
const BLAKE2B_KEYED: Array<[Uint8Array, number, string]> = [
  [BLAKE2B_DATA, 16, '2b0bf0188a28496b664870cb481bf849'],
  [BLAKE2B_DATA, 32, '5c0ab21018b1328b7612b997a8899146f97aab2dc0a3d8f7113717558bf25e5a'],
  [BLAKE2B_DATA, 64, '23d62cb5195c863c5bc57e87630ff3b4db8bfbd674cb1b764888114b53f352021ac800fdffeb9f8afe8be2a3313a871d7fe18c07b80c6ccfd0e2e4f5433c5e85'],
  [new Uint8Array(0), 32, '4e51e7a913fc80137da52880fecca175bf81e117d5c68126dc2774033517ea0d']
]

function primitiveCases (): ConformanceCase[] {
  return [{
    name: 'sha256: FIPS 180-2 examples, and exactly the bytes of a view',
    run: () => {
      expectEqual(toHex(sha256(ascii('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'sha256("abc")')
      expectEqual(toHex(sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1', 'sha256 of the two-block example')
      expectEqual(toHex(sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256 of nothing')
      const backing = new Uint8Array(64)
      backing.set(ascii('abc'), 20)
      expectEqual(toHex(sha256(backing.subarray(20, 23))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'sha256 of a view')
    }
  }, {
    name: 'keyedHash: keyed BLAKE2b known answers at 16, 32 and 64 bytes, and of a view',
    run: () => {
      for (const [data, length, expected] of BLAKE2B_KEYED) expectEqual(toHex(keyedHash(BLAKE2B_KEY, data, length)), expected, `${length}-byte hash of ${data.length} bytes`)
      const backing = new Uint8Array(200)
      backing.set(BLAKE2B_DATA, 50)
      expectEqual(toHex(keyedHash(BLAKE2B_KEY, backing.subarray(50, 150))), BLAKE2B_KEYED[1][2], 'hash of a view')
    }
  }, {
    name: 'equalConstantTime: equal, one bit apart at either end, different lengths',
    run: () => {
      const a = sha256(ascii('a'))
      expectEqual(equalConstantTime(a, Uint8Array.from(a)), true, 'equal copies')
      expectEqual(equalConstantTime(a, flipBit(a, 0)), false, 'first bit differs')
      expectEqual(equalConstantTime(a, flipBit(a, 255)), false, 'last bit differs')
      expectEqual(equalConstantTime(a, a.subarray(0, 31)), false, 'shorter')
      expectEqual(equalConstantTime(new Uint8Array(0), new Uint8Array(0)), true, 'both empty')
    }
  }, {
    name: 'randomBytes and generateKeyPair: the asked length, fresh each time, keys that sign and verify',
    run: () => {
      expectEqual(randomBytes(0).length, 0, 'zero bytes')
      expectEqual(randomBytes(33).length, 33, '33 bytes')
      if (toHex(randomBytes(32)) === toHex(randomBytes(32))) fail('two 32-byte random strings are equal')
      const a = generateKeyPair()
      const b = generateKeyPair()
      if (toHex(a.publicKey) === toHex(b.publicKey)) fail('two generated key pairs are equal')
      const message = ascii('fresh keys')
      expectEqual(verifyDetached(signDetached(message, a.secretKey), message, a.publicKey), true, 'own signature')
      expectEqual(verifyDetached(signDetached(message, a.secretKey), message, b.publicKey), false, 'another key')
    }
  }]
}

function formatCases (vectors: FormatVectors): ConformanceCase[] {
  const space = bytes(vectors.spaceId)
  const signed = vectors.segments.flatMap((segment) => segment.entries).filter((entry) => entry.signature !== null)
  return [{
    name: 'the space id is the tagged hash of the space key, and the seed gives the author',
    run: () => {
      expectEqual(toHex(spaceIdFromKey(bytes(vectors.spaceKey))), vectors.spaceId, 'space id')
      expectEqual(toHex(keyPairFromSeed(bytes(vectors.seed)).publicKey), vectors.author, 'author')
    }
  }, {
    name: 'every entry id is the SHA-256 of its id input, and the id input is what the code lays out',
    run: () => {
      if (vectors.segments.length === 0) fail('no segments')
      for (const vector of vectors.segments) {
        const segment = decodeSegmentBody(bytes(vector.body))
        vector.entries.forEach((entry, i) => {
          expectEqual(toHex(sha256(bytes(entry.idInput))), entry.id, `id of seq ${entry.seq}`)
          const prev = i === 0 ? segment.firstPrev : bytes(vector.entries[i - 1].id)
          expectEqual(toHex(entryIdInput(space, segment.author, segment.firstSeq + i, prev, segment.entries[i])), entry.idInput, `id input of seq ${entry.seq}`)
        })
      }
    }
  }, {
    name: 'every entry signature is exactly what signEntryId makes, and verifies; one flipped bit does not',
    run: () => {
      if (signed.length === 0) fail('no signed entries')
      const { secretKey, publicKey } = keyPairFromSeed(bytes(vectors.seed))
      for (const entry of signed) {
        const signature = bytes(entry.signature as string)
        expectEqual(toHex(signEntryId(bytes(entry.id), secretKey)), entry.signature, `signature of seq ${entry.seq}`)
        expectEqual(verifyEntryId(signature, bytes(entry.id), publicKey), true, `verify seq ${entry.seq}`)
        expectEqual(verifyEntryId(flipBit(signature, 3), bytes(entry.id), publicKey), false, `flipped signature of seq ${entry.seq}`)
      }
    }
  }, {
    name: 'each segment body authenticates to the stated ids; a body with a flipped signature bit does not',
    run: () => {
      for (const vector of vectors.segments) {
        const segment = authenticateSegment(decodeSegmentBody(bytes(vector.body)), space)
        expectEqual(segment.ids.map(toHex).join(','), vector.entries.map((entry) => entry.id).join(','), 'ids')
        const last = vector.entries[vector.entries.length - 1].signature ?? fail('a segment ends unsigned')
        const flipped = toHex(flipBit(bytes(last), 0))
        expectThrows(() => authenticateSegment(decodeSegmentBody(bytes(vector.body.replace(last, flipped))), space), 'BAD_SIGNATURE', 'tampered body')
      }
    }
  }]
}

/**
 * The suite for one backend. Each case installs the backend, checks that it is the one in use, runs,
 * and restores the process's backend even when it fails, so no other test ever sees this backend.
 */
export function cryptoConformance (backend: ConformanceBackend, vectors: ConformanceVectors): ConformanceGroup[] {
  const onBackend = (cases: ConformanceCase[]): ConformanceCase[] => cases.map((c) => ({
    name: c.name,
    run: () => {
      backend.install()
      try {
        expectEqual(cryptoBackendName(), backend.name, 'installed backend')
        c.run()
      } finally {
        backend.restore()
      }
    }
  }))
  return [
    { name: 'Ed25519: RFC 8032 section 7.1 vectors', cases: onBackend(rfc8032Cases(vectors.rfc8032)) },
    { name: 'Ed25519: edge cases a strict verifier must reject', cases: onBackend(edgeCases(vectors.edgeCases)) },
    { name: 'SHA-256, keyed BLAKE2b, comparison and randomness', cases: onBackend(primitiveCases()) },
    { name: 'entry format vectors: ids, signatures, segment bodies', cases: onBackend(formatCases(vectors.format)) }
  ]
}
