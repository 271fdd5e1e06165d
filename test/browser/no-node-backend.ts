// Stands in for src/crypto/sodium-node.ts in the browser test bundle: sodium-native and node:crypto do not
// exist in a page. Any use before the WASM backend is installed fails loudly instead of passing silently.
import type { CryptoBackend } from '../../src/crypto/backend.js'

function missing (): never {
  throw new Error('no crypto backend installed in this page (install the WASM backend first)')
}

export const sodiumNodeBackend: CryptoBackend = {
  name: 'none',
  _seedKeyPair: missing,
  _sign: missing,
  _verify: missing,
  _sha256: missing,
  _randomBytes: missing,
  _keyedHash: missing,
  _equalConstantTime: missing
}
