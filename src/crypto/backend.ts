// The primitives logbook needs from a crypto library. Backends implement the underscored
// methods; src/crypto/index.ts checks every argument before a backend sees it.

export interface CryptoBackend {
  readonly name: string
  _seedKeyPair (seed: Uint8Array): { publicKey: Uint8Array, secretKey: Uint8Array }
  _sign (message: Uint8Array, secretKey: Uint8Array): Uint8Array
  /** Strict RFC 8032 verification: non-canonical encodings and small-order keys fail. */
  _verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
  _sha256 (data: Uint8Array): Uint8Array
  _randomBytes (length: number): Uint8Array
  /** BLAKE2b keyed with `key` (libsodium's crypto_generichash), `outLength` bytes (16 to 64). */
  _keyedHash (key: Uint8Array, data: Uint8Array, outLength: number): Uint8Array
  /** Whether two equal-length byte strings are equal, in time that does not depend on where they differ. */
  _equalConstantTime (a: Uint8Array, b: Uint8Array): boolean
}
