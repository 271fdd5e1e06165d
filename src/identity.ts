// An identity is an ed25519 key pair; its public key is the author id. Its text form (for backup and
// restore) is one JSON line holding the 32-byte seed, from which the key pair is derived again.
import { keyPairFromSeed, generateKeyPair, SEED_BYTES, type KeyPair } from './crypto/index.js'
import { LogbookError } from './errors.js'
import { fromHex, toHex } from './entry/bytes.js'

/** The text form, as error messages show it. */
const SHAPE = '{"logbook":"identity","version":1,"author":"<64 hex digits>","seed":"<64 hex digits>"}'

export class Identity {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array

  private constructor (readonly seed: Uint8Array, keys: KeyPair) {
    this.publicKey = keys.publicKey
    this.secretKey = keys.secretKey
  }

  static generate (): Identity {
    const keys = generateKeyPair()
    return new Identity(keys.secretKey.slice(0, SEED_BYTES), keys)
  }

  static fromSeed (seed: Uint8Array): Identity {
    return new Identity(seed.slice(), keyPairFromSeed(seed))
  }

  get author (): string {
    return toHex(this.publicKey)
  }

  /** One line of JSON: the author id (to check against) and the secret seed. */
  toText (): string {
    return JSON.stringify({ logbook: 'identity', version: 1, author: this.author, seed: toHex(this.seed) })
  }

  static fromText (text: string): Identity {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw new LogbookError('INVALID_IDENTITY', `not an identity: not JSON (an identity is one line of JSON, ${SHAPE})`, { cause: err })
    }
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
    const seed = typeof obj.seed === 'string' ? fromHex(obj.seed, SEED_BYTES) : undefined
    if (obj.logbook !== 'identity' || obj.version !== 1 || seed === undefined) {
      throw new LogbookError('INVALID_IDENTITY', `not an identity (an identity is one line of JSON, ${SHAPE})`)
    }
    const identity = Identity.fromSeed(seed)
    if (obj.author !== identity.author) throw new LogbookError('INVALID_IDENTITY', 'the identity\'s author id does not match its seed')
    return identity
  }
}
