// Both crypto backends pass one conformance suite in Node: sodium-native, and libsodium's WASM build
// (the browser backend). Same vectors, same public functions, so both give one verification rule.
import { describe, test } from 'node:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { useCryptoBackend, type CryptoBackend } from '../src/crypto/index.js'
import { sodiumNodeBackend } from '../src/crypto/sodium-node.js'
import { loadSodiumWasmBackend } from '../src/crypto/sodium-wasm.js'
import { cryptoConformance, type ConformanceVectors } from './helpers/crypto-conformance.js'

function loadVectors<T> (name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../test/vectors/${name}.json`, import.meta.url)), 'utf8')) as T
}

const vectors: ConformanceVectors = {
  rfc8032: loadVectors<{ vectors: ConformanceVectors['rfc8032'] }>('ed25519-rfc8032').vectors,
  edgeCases: loadVectors<{ cases: ConformanceVectors['edgeCases'] }>('ed25519-edge-cases').cases,
  format: loadVectors<ConformanceVectors['format']>('format')
}

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
