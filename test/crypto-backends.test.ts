// Both crypto backends pass one conformance suite in Node: sodium-native, and libsodium's WASM build
// (the browser backend). Same vectors, same public functions, so both give one verification rule.
import { describe, test } from 'node:test'
import { useCryptoBackend, type CryptoBackend } from '../src/crypto/index.js'
import { sodiumNodeBackend } from '../src/platform/node/sodium-node.js'
import { loadSodiumWasmBackend } from '../src/crypto/sodium-wasm.js'
import { cryptoConformance } from './helpers/crypto-conformance.js'
import { loadConformanceVectors } from './helpers/conformance-vectors.js'

const vectors = loadConformanceVectors()

const backends: CryptoBackend[] = [sodiumNodeBackend, await loadSodiumWasmBackend()]

for (const backend of backends) {
  const install = (): void => useCryptoBackend(backend)
  const restore = (): void => useCryptoBackend(sodiumNodeBackend)
  describe(`crypto conformance: ${backend.name}`, () => {
    for (const group of cryptoConformance({ name: backend.name, install, restore }, vectors)) {
      describe(group.name, () => {
        for (const c of group.cases) test(c.name, c.run)
      })
    }
  })
}
