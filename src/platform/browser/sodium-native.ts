// The part of sodium-native's API that @hyperswarm/secret-stream and what it builds on (noise-handshake,
// noise-curve-ed, sodium-secretstream, hypercore-crypto's namespace) call, over libsodium's WebAssembly build
// (libsodium-wrappers-sumo), so the same Noise session runs in a page. A browser bundle aliases
// `sodium-universal` and `sodium-native` to this module. Only calling conventions are adapted here: sodium-native
// writes into output buffers the caller gives, the wrapper returns new arrays; every byte of cryptography is the
// wrapper's.
//
// Those packages read constants and hash at load time (`require('sodium-universal')`), and a module reached
// through require() cannot make its importer wait for a top-level await. The bundle's entry must therefore
// import this module before anything that loads secret-stream: the bundler then awaits it first.
// No Node built-ins here: this file goes into the browser bundle.
import sodium from 'libsodium-wrappers-sumo'

await sodium.ready

/** The raw Emscripten module under the wrapper: only for constants the wrapper does not export. */
const raw = (sodium as unknown as { libsodium: { _crypto_secretstream_xchacha20poly1305_statebytes: () => number, _free: (address: number) => void } }).libsodium

/** Writes a result into the caller's output buffer, which must have its exact size (as sodium-native asserts). */
function put (output: Uint8Array, result: Uint8Array, name: string): void {
  if (!(output instanceof Uint8Array)) throw new TypeError(`${name} must be a typed array`)
  if (output.byteLength !== result.byteLength) throw new RangeError(`${name} must be ${result.byteLength} bytes, got ${output.byteLength}`)
  output.set(result)
}

function expectLength (value: Uint8Array, length: number, name: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a typed array`)
  if (value.byteLength !== length) throw new RangeError(`${name} must be ${length} bytes, got ${value.byteLength}`)
}

// Constants (what the wrapper knows after `ready`).
export const crypto_aead_chacha20poly1305_ietf_ABYTES = sodium.crypto_aead_chacha20poly1305_ietf_ABYTES
export const crypto_aead_chacha20poly1305_ietf_NPUBBYTES = sodium.crypto_aead_chacha20poly1305_ietf_NPUBBYTES
export const crypto_kx_SEEDBYTES = sodium.crypto_kx_SEEDBYTES
export const crypto_scalarmult_BYTES = sodium.crypto_scalarmult_BYTES
export const crypto_scalarmult_SCALARBYTES = sodium.crypto_scalarmult_SCALARBYTES
export const crypto_scalarmult_ed25519_BYTES = sodium.crypto_scalarmult_ed25519_BYTES
export const crypto_secretbox_MACBYTES = sodium.crypto_secretbox_MACBYTES
export const crypto_secretbox_NONCEBYTES = sodium.crypto_secretbox_NONCEBYTES
export const crypto_secretstream_xchacha20poly1305_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
export const crypto_secretstream_xchacha20poly1305_HEADERBYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
export const crypto_secretstream_xchacha20poly1305_KEYBYTES = sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES
export const crypto_secretstream_xchacha20poly1305_STATEBYTES = raw._crypto_secretstream_xchacha20poly1305_statebytes()
export const crypto_secretstream_xchacha20poly1305_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
export const crypto_secretstream_xchacha20poly1305_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
export const crypto_sign_SECRETKEYBYTES = sodium.crypto_sign_SECRETKEYBYTES

// Memory and randomness.
export function sodium_memzero (buffer: Uint8Array): void {
  sodium.memzero(buffer)
}

export function sodium_increment (buffer: Uint8Array): void {
  sodium.increment(buffer)
}

export function randombytes_buf (buffer: Uint8Array): void {
  put(buffer, sodium.randombytes_buf(buffer.byteLength), 'buffer')
}

// Hashes. BLAKE2b's output length is the output buffer's. The wrapper hashes to any length and with any key
// length BLAKE2b takes; sodium-native holds both to crypto_generichash's bounds, and so does this.
function checkGenericHash (output: Uint8Array, key: Uint8Array | null | undefined): void {
  if (!(output instanceof Uint8Array)) throw new TypeError('output must be a typed array')
  if (output.byteLength < sodium.crypto_generichash_BYTES_MIN || output.byteLength > sodium.crypto_generichash_BYTES_MAX) {
    throw new RangeError('output must be between crypto_generichash_BYTES_MIN and crypto_generichash_BYTES_MAX bytes')
  }
  if (key !== undefined && key !== null && (key.byteLength < sodium.crypto_generichash_KEYBYTES_MIN || key.byteLength > sodium.crypto_generichash_KEYBYTES_MAX)) {
    throw new RangeError('key must be between crypto_generichash_KEYBYTES_MIN and crypto_generichash_KEYBYTES_MAX bytes')
  }
}

export function crypto_generichash (output: Uint8Array, input: Uint8Array, key?: Uint8Array | null): void {
  checkGenericHash(output, key)
  put(output, sodium.crypto_generichash(output.byteLength, input, key ?? null), 'output')
}

/** One BLAKE2b over the concatenation of `batch` (the output may be one of the inputs: it is written last). */
export function crypto_generichash_batch (output: Uint8Array, batch: Uint8Array[], key?: Uint8Array | null): void {
  checkGenericHash(output, key)
  const state = sodium.crypto_generichash_init(key ?? null, output.byteLength)
  for (const part of batch) sodium.crypto_generichash_update(state, part)
  put(output, sodium.crypto_generichash_final(state, output.byteLength), 'output')
}

export function crypto_hash_sha512 (output: Uint8Array, input: Uint8Array): void {
  put(output, sodium.crypto_hash_sha512(input), 'output')
}

// Key pairs.
function putPair (publicKey: Uint8Array, secretKey: Uint8Array, pair: { publicKey: Uint8Array, privateKey: Uint8Array }): void {
  put(publicKey, pair.publicKey, 'pk')
  put(secretKey, pair.privateKey, 'sk')
}

export function crypto_sign_keypair (publicKey: Uint8Array, secretKey: Uint8Array): void {
  putPair(publicKey, secretKey, sodium.crypto_sign_keypair())
}

export function crypto_sign_seed_keypair (publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void {
  putPair(publicKey, secretKey, sodium.crypto_sign_seed_keypair(seed))
}

export function crypto_kx_keypair (publicKey: Uint8Array, secretKey: Uint8Array): void {
  putPair(publicKey, secretKey, sodium.crypto_kx_keypair())
}

export function crypto_kx_seed_keypair (publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void {
  putPair(publicKey, secretKey, sodium.crypto_kx_seed_keypair(seed))
}

// Diffie-Hellman. The wrapper throws where sodium-native does (a weak public key, a point not on the curve).
export function crypto_scalarmult (output: Uint8Array, scalar: Uint8Array, point: Uint8Array): void {
  put(output, sodium.crypto_scalarmult(scalar, point), 'q')
}

export function crypto_scalarmult_base (output: Uint8Array, scalar: Uint8Array): void {
  put(output, sodium.crypto_scalarmult_base(scalar), 'q')
}

export function crypto_scalarmult_ed25519_noclamp (output: Uint8Array, scalar: Uint8Array, point: Uint8Array): void {
  put(output, sodium.crypto_scalarmult_ed25519_noclamp(scalar, point), 'q')
}

// Authenticated encryption.
export function crypto_secretbox_easy (ciphertext: Uint8Array, message: Uint8Array, nonce: Uint8Array, key: Uint8Array): void {
  put(ciphertext, sodium.crypto_secretbox_easy(message, nonce, key), 'c')
}

/**
 * What sodium-native asserts before opening a box: with the sizes right, the wrapper throwing can only mean the
 * ciphertext does not verify. Returns the wrapper's plaintext, or null for that.
 */
function openChecked (message: Uint8Array, ciphertext: Uint8Array, nonce: Uint8Array, key: Uint8Array, sizes: { mac: number, nonce: number, key: number }, open: () => Uint8Array): Uint8Array | null {
  if (ciphertext.byteLength < sizes.mac) throw new RangeError(`c must be at least ${sizes.mac} bytes`)
  expectLength(message, ciphertext.byteLength - sizes.mac, 'm')
  expectLength(nonce, sizes.nonce, 'nonce')
  expectLength(key, sizes.key, 'k')
  try {
    return open()
  } catch {
    return null
  }
}

/** False when the ciphertext does not verify (sodium-native's answer). */
export function crypto_secretbox_open_easy (message: Uint8Array, ciphertext: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean {
  const sizes = { mac: crypto_secretbox_MACBYTES, nonce: crypto_secretbox_NONCEBYTES, key: sodium.crypto_secretbox_KEYBYTES }
  const plain = openChecked(message, ciphertext, nonce, key, sizes, () => sodium.crypto_secretbox_open_easy(ciphertext, nonce, key))
  if (plain === null) return false
  put(message, plain, 'm')
  return true
}

/** Returns the ciphertext's length, as sodium-native does. `nsec` is always null. */
export function crypto_aead_chacha20poly1305_ietf_encrypt (ciphertext: Uint8Array, message: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, key: Uint8Array): number {
  put(ciphertext, sodium.crypto_aead_chacha20poly1305_ietf_encrypt(message, ad ?? null, nsec, npub, key), 'c')
  return ciphertext.byteLength
}

/** Returns the message's length; throws when the ciphertext does not verify, as sodium-native does. */
export function crypto_aead_chacha20poly1305_ietf_decrypt (message: Uint8Array, nsec: null, ciphertext: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, key: Uint8Array): number {
  const sizes = { mac: crypto_aead_chacha20poly1305_ietf_ABYTES, nonce: crypto_aead_chacha20poly1305_ietf_NPUBBYTES, key: sodium.crypto_aead_chacha20poly1305_ietf_KEYBYTES }
  const plain = openChecked(message, ciphertext, npub, key, sizes, () => sodium.crypto_aead_chacha20poly1305_ietf_decrypt(nsec, ciphertext, ad ?? null, npub, key))
  if (plain === null) throw new Error('could not verify data')
  put(message, plain, 'm')
  return message.byteLength
}

// Secretstream. sodium-native keeps the state in the caller's STATEBYTES buffer; the wrapper keeps it in its
// own memory and hands out an address. The caller's buffer is the key to that address here, and the wrapper's
// memory is given back once the buffer is collected.
type StreamState = ReturnType<typeof sodium.crypto_secretstream_xchacha20poly1305_init_pull>
const streamStates = new WeakMap<Uint8Array, StreamState>()
const releaseState = new FinalizationRegistry<StreamState>((state) => raw._free(addressOf(state)))

/** The wrapper's state is its memory address (typed as an object in its declarations, a number at run time). */
function addressOf (state: StreamState): number {
  return typeof state === 'number' ? state : (state as { address: number }).address
}

function keepState (buffer: Uint8Array, state: StreamState): void {
  expectLength(buffer, crypto_secretstream_xchacha20poly1305_STATEBYTES, 'state')
  const previous = streamStates.get(buffer)
  if (previous !== undefined) {
    releaseState.unregister(buffer)
    raw._free(addressOf(previous))
  }
  streamStates.set(buffer, state)
  releaseState.register(buffer, state, buffer)
}

function stateOf (buffer: Uint8Array): StreamState {
  const state = streamStates.get(buffer)
  if (state === undefined) throw new Error('state was not initialised with init_push or init_pull')
  return state
}

export function crypto_secretstream_xchacha20poly1305_keygen (key: Uint8Array): void {
  put(key, sodium.crypto_secretstream_xchacha20poly1305_keygen(), 'k')
}

export function crypto_secretstream_xchacha20poly1305_init_push (state: Uint8Array, header: Uint8Array, key: Uint8Array): void {
  expectLength(header, crypto_secretstream_xchacha20poly1305_HEADERBYTES, 'header')
  const pushed = sodium.crypto_secretstream_xchacha20poly1305_init_push(key)
  keepState(state, pushed.state)
  put(header, pushed.header, 'header')
}

export function crypto_secretstream_xchacha20poly1305_init_pull (state: Uint8Array, header: Uint8Array, key: Uint8Array): void {
  keepState(state, sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key))
}

/** Returns the ciphertext's length, as sodium-native does. */
export function crypto_secretstream_xchacha20poly1305_push (state: Uint8Array, ciphertext: Uint8Array, message: Uint8Array, ad: Uint8Array | null, tag: number): number {
  expectLength(ciphertext, message.byteLength + crypto_secretstream_xchacha20poly1305_ABYTES, 'c')
  put(ciphertext, sodium.crypto_secretstream_xchacha20poly1305_push(stateOf(state), message, ad ?? null, tag), 'c')
  return ciphertext.byteLength
}

/** Writes the message and its tag (a 1-byte buffer); returns the message's length; throws if it does not verify. */
export function crypto_secretstream_xchacha20poly1305_pull (state: Uint8Array, message: Uint8Array, tag: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array | null): number {
  expectLength(tag, 1, 'tag')
  if (ciphertext.byteLength < crypto_secretstream_xchacha20poly1305_ABYTES) throw new RangeError('c must be at least crypto_secretstream_xchacha20poly1305_ABYTES bytes')
  expectLength(message, ciphertext.byteLength - crypto_secretstream_xchacha20poly1305_ABYTES, 'm')
  const pulled = sodium.crypto_secretstream_xchacha20poly1305_pull(stateOf(state), ciphertext, ad ?? null)
  if (pulled === false) throw new Error('pull failed')
  put(message, pulled.message, 'm')
  tag[0] = pulled.tag
  return message.byteLength
}

/** What `require('sodium-native')` gives: the same functions and constants as one object. */
export default {
  crypto_aead_chacha20poly1305_ietf_ABYTES,
  crypto_aead_chacha20poly1305_ietf_NPUBBYTES,
  crypto_kx_SEEDBYTES,
  crypto_scalarmult_BYTES,
  crypto_scalarmult_SCALARBYTES,
  crypto_scalarmult_ed25519_BYTES,
  crypto_secretbox_MACBYTES,
  crypto_secretbox_NONCEBYTES,
  crypto_secretstream_xchacha20poly1305_ABYTES,
  crypto_secretstream_xchacha20poly1305_HEADERBYTES,
  crypto_secretstream_xchacha20poly1305_KEYBYTES,
  crypto_secretstream_xchacha20poly1305_STATEBYTES,
  crypto_secretstream_xchacha20poly1305_TAG_FINAL,
  crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
  crypto_sign_SECRETKEYBYTES,
  sodium_memzero,
  sodium_increment,
  randombytes_buf,
  crypto_generichash,
  crypto_generichash_batch,
  crypto_hash_sha512,
  crypto_sign_keypair,
  crypto_sign_seed_keypair,
  crypto_kx_keypair,
  crypto_kx_seed_keypair,
  crypto_scalarmult,
  crypto_scalarmult_base,
  crypto_scalarmult_ed25519_noclamp,
  crypto_secretbox_easy,
  crypto_secretbox_open_easy,
  crypto_aead_chacha20poly1305_ietf_encrypt,
  crypto_aead_chacha20poly1305_ietf_decrypt,
  crypto_secretstream_xchacha20poly1305_keygen,
  crypto_secretstream_xchacha20poly1305_init_push,
  crypto_secretstream_xchacha20poly1305_init_pull,
  crypto_secretstream_xchacha20poly1305_push,
  crypto_secretstream_xchacha20poly1305_pull
}
