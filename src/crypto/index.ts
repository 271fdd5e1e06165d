// The only door to cryptography: argument checks, then the backend. Every byte layout that is
// hashed or signed is defined here with its domain tag, so "what exactly is signed" has one answer.
import type { CryptoBackend } from './backend.js'
import { cryptoBackend } from '#platform/crypto'

export type { CryptoBackend } from './backend.js'

export const SEED_BYTES = 32
export const PUBLIC_KEY_BYTES = 32
export const SECRET_KEY_BYTES = 64
export const SIGNATURE_BYTES = 64
export const HASH_BYTES = 32
export const SPACE_KEY_BYTES = 32

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Prefix of the bytes hashed into an entry id: "logbook/entry/v1" and a zero byte. */
export const ENTRY_ID_TAG = ascii('logbook/entry/v1\0')
/** Prefix of the bytes hashed from a space key into its public space id. */
export const SPACE_ID_TAG = ascii('logbook/space/v1\0')
/** Prefix of the message signed for an entry: the tag, then the entry's 32-byte id. */
export const SIGNATURE_TAG = ascii('logbook/signature/v1\0')

/** Key of the proof that a peer holds the space key, derived from the space key with this tag. */
export const SPACE_PROOF_TAG = ascii('logbook/space-proof/v1\0')
/** Where peers of a space meet on the DHT: a hash of the space key, unrelated to the space id. */
export const SWARM_TOPIC_TAG = ascii('logbook/swarm-topic/v1\0')
/** Prefix of what a replication hello's signature covers: the store it speaks for, bound to one session. */
export const HELLO_TAG = ascii('logbook/hello/v1\0')
/** Key of one replication session's set-reconciliation digests, derived from its Noise handshake hash. */
export const RECONCILE_TAG = ascii('logbook/reconcile/v1\0')

let backend: CryptoBackend = cryptoBackend

/** Swaps the backend (the platform's is installed at start; tests run the others through here). */
export function useCryptoBackend (next: CryptoBackend): void {
  backend = next
}

export function cryptoBackendName (): string {
  return backend.name
}

function assertBytes (value: unknown, length: number, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`expected ${name} to be a Uint8Array`)
  if (value.byteLength !== length) throw new TypeError(`expected ${length}-byte ${name}, got ${value.byteLength}`)
}

export interface KeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

export function randomBytes (length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new TypeError('expected a non-negative integer length')
  return backend._randomBytes(length)
}

export function keyPairFromSeed (seed: Uint8Array): KeyPair {
  assertBytes(seed, SEED_BYTES, 'seed')
  return backend._seedKeyPair(seed)
}

export function generateKeyPair (): KeyPair {
  return keyPairFromSeed(randomBytes(SEED_BYTES))
}

export function sha256 (data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('expected data to be a Uint8Array')
  return backend._sha256(data)
}

export function signDetached (message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new TypeError('expected message to be a Uint8Array')
  assertBytes(secretKey, SECRET_KEY_BYTES, 'secret key')
  return backend._sign(message, secretKey)
}

export function verifyDetached (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(message instanceof Uint8Array)) throw new TypeError('expected message to be a Uint8Array')
  assertBytes(signature, SIGNATURE_BYTES, 'signature')
  assertBytes(publicKey, PUBLIC_KEY_BYTES, 'public key')
  return backend._verify(signature, message, publicKey)
}

function signatureMessage (entryId: Uint8Array): Uint8Array {
  assertBytes(entryId, HASH_BYTES, 'entry id')
  const message = new Uint8Array(SIGNATURE_TAG.length + HASH_BYTES)
  message.set(SIGNATURE_TAG, 0)
  message.set(entryId, SIGNATURE_TAG.length)
  return message
}

/** Sign an entry id; the signature authenticates that entry and, through prev links, its feed before it. */
export function signEntryId (entryId: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return signDetached(signatureMessage(entryId), secretKey)
}

export function verifyEntryId (signature: Uint8Array, entryId: Uint8Array, author: Uint8Array): boolean {
  return verifyDetached(signature, signatureMessage(entryId), author)
}

/** The public space id: SHA-256 of the space tag and the secret space key. */
export function spaceIdFromKey (spaceKey: Uint8Array): Uint8Array {
  assertBytes(spaceKey, SPACE_KEY_BYTES, 'space key')
  const input = new Uint8Array(SPACE_ID_TAG.length + SPACE_KEY_BYTES)
  input.set(SPACE_ID_TAG, 0)
  input.set(spaceKey, SPACE_ID_TAG.length)
  return sha256(input)
}

/** BLAKE2b keyed with a 32-byte `key`: `outLength` bytes (16 to 64) of `data`. */
export function keyedHash (key: Uint8Array, data: Uint8Array, outLength = HASH_BYTES): Uint8Array {
  assertBytes(key, HASH_BYTES, 'hash key')
  if (!(data instanceof Uint8Array)) throw new TypeError('expected data to be a Uint8Array')
  if (!Number.isInteger(outLength) || outLength < 16 || outLength > 64) throw new TypeError(`expected a hash length of 16 to 64 bytes, got ${outLength}`)
  return backend._keyedHash(key, data, outLength)
}

/** Whether `a` and `b` are equal, compared in constant time (for secrets and proofs). */
export function equalConstantTime (a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) throw new TypeError('expected two Uint8Arrays')
  return a.byteLength === b.byteLength && backend._equalConstantTime(a, b)
}

function tagged (tag: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(tag.length + parts.reduce((sum, part) => sum + part.byteLength, 0))
  out.set(tag, 0)
  let at = tag.length
  for (const part of parts) { out.set(part, at); at += part.byteLength }
  return out
}

/**
 * The proof that a peer holds the space key, bound to one Noise session: a keyed hash, under a key derived
 * from the space key, of the session's handshake hash and the prover's role. A relay between two peers
 * has a different handshake hash with each, so it can neither reuse a proof nor make one without the key.
 */
export function spaceProof (spaceKey: Uint8Array, handshakeHash: Uint8Array, initiator: boolean): Uint8Array {
  assertBytes(spaceKey, SPACE_KEY_BYTES, 'space key')
  if (!(handshakeHash instanceof Uint8Array) || handshakeHash.byteLength < 32) throw new TypeError('expected a handshake hash of at least 32 bytes')
  const proofKey = sha256(tagged(SPACE_PROOF_TAG, spaceKey))
  return keyedHash(proofKey, tagged(new Uint8Array([initiator ? 1 : 0]), handshakeHash))
}

/** The 32-byte DHT topic of a space: one-way from the space key, and distinct from the public space id. */
export function swarmTopic (spaceKey: Uint8Array): Uint8Array {
  assertBytes(spaceKey, SPACE_KEY_BYTES, 'space key')
  return sha256(tagged(SWARM_TOPIC_TAG, spaceKey))
}

/** The key of one session's reconciliation digests: known to both peers, unknown beforehand to either. */
export function reconcileKey (handshakeHash: Uint8Array): Uint8Array {
  if (!(handshakeHash instanceof Uint8Array) || handshakeHash.byteLength < 32) throw new TypeError('expected a handshake hash of at least 32 bytes')
  return sha256(tagged(RECONCILE_TAG, handshakeHash))
}

/** The bytes a hello's signature covers: the tag, the role, the Noise handshake hash and the store's instance id. */
function helloMessage (handshakeHash: Uint8Array, initiator: boolean, instance: Uint8Array): Uint8Array {
  if (!(handshakeHash instanceof Uint8Array) || handshakeHash.byteLength < 32) throw new TypeError('expected a handshake hash of at least 32 bytes')
  assertBytes(instance, 16, 'instance id')
  return tagged(HELLO_TAG, new Uint8Array([initiator ? 1 : 0]), handshakeHash, instance)
}

/**
 * A hello's signature by the store's identity: a peer keeps its cursor in this store's change log under the
 * instance id *and* the author that signed it, so nobody else can claim the instance (and move the cursor).
 */
export function signHello (handshakeHash: Uint8Array, initiator: boolean, instance: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return signDetached(helloMessage(handshakeHash, initiator, instance), secretKey)
}

export function verifyHello (signature: Uint8Array, handshakeHash: Uint8Array, initiator: boolean, instance: Uint8Array, author: Uint8Array): boolean {
  return verifyDetached(signature, helloMessage(handshakeHash, initiator, instance), author)
}
