// The only door to cryptography: argument checks, then the backend. Every byte layout that is
// hashed or signed is defined here with its domain tag, so "what exactly is signed" has one answer.
import type { CryptoBackend } from './backend.js'
import { sodiumNodeBackend } from './sodium-node.js'

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

let backend: CryptoBackend = sodiumNodeBackend

/** Swap the backend (the browser build installs libsodium's WASM build here). */
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
