// The page side of the browser conformance test: libsodium's WASM backend, installed the way a browser
// build installs it, running every case of the shared suite in the page. The Node side hands in the
// vector data (the page reads no files) and gets back one result per case, named, with the error text.
import { useCryptoBackend } from '../../src/crypto/index.js'
import { loadSodiumWasmBackend } from '../../src/crypto/sodium-wasm.js'
import { cryptoConformance, type ConformanceVectors } from '../helpers/crypto-conformance.js'

export interface CaseResult { group: string, name: string, ok: boolean, error: string }

async function runCryptoConformance (vectors: ConformanceVectors): Promise<CaseResult[]> {
  const wasm = await loadSodiumWasmBackend()
  // The page has no other backend: restoring means keeping the WASM one installed.
  const install = (): void => useCryptoBackend(wasm)
  const results: CaseResult[] = []
  for (const group of cryptoConformance({ name: wasm.name, install, restore: install }, vectors)) {
    for (const c of group.cases) {
      try {
        c.run()
        results.push({ group: group.name, name: c.name, ok: true, error: '' })
      } catch (error) {
        results.push({ group: group.name, name: c.name, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
      }
    }
  }
  return results
}

// What the Node side calls through page.evaluate.
Object.assign(globalThis, { runCryptoConformance })
