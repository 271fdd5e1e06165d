// Browser backend: libsodium's WebAssembly build (libsodium-wrappers-sumo), so ed25519 verification
// follows one rule everywhere, and SHA-256 comes from the same library (the sumo build has it).
// No Node built-ins here: this file goes into the browser bundle.
import sodium from 'libsodium-wrappers-sumo'
import type { CryptoBackend } from './backend.js'

const wasmBackend: CryptoBackend = {
  name: 'libsodium-wasm',
  _seedKeyPair (seed) {
    const { publicKey, privateKey } = sodium.crypto_sign_seed_keypair(seed)
    return { publicKey, secretKey: privateKey }
  },
  _sign (message, secretKey) {
    return sodium.crypto_sign_detached(message, secretKey)
  },
  _verify (signature, message, publicKey) {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey)
  },
  _sha256 (data) {
    return sodium.crypto_hash_sha256(data)
  },
  _randomBytes (length) {
    return sodium.randombytes_buf(length)
  },
  _keyedHash (key, data, outLength) {
    return sodium.crypto_generichash(outLength, data, key)
  },
  _equalConstantTime (a, b) {
    return sodium.memcmp(a, b)
  }
}

/** The WASM backend, once libsodium has compiled its module (install it with useCryptoBackend). */
export async function loadSodiumWasmBackend (): Promise<CryptoBackend> {
  await sodium.ready
  return wasmBackend
}
