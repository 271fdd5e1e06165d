// The vector files under test/vectors, read once for every runner of the crypto conformance suite
// (Node backends directly; the browser test hands the same data into the page).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ConformanceVectors } from './crypto-conformance.js'

function loadVectors<T> (name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test/vectors/${name}.json`, import.meta.url)), 'utf8')) as T
}

export function loadConformanceVectors (): ConformanceVectors {
  return {
    rfc8032: loadVectors<{ vectors: ConformanceVectors['rfc8032'] }>('ed25519-rfc8032').vectors,
    edgeCases: loadVectors<{ cases: ConformanceVectors['edgeCases'] }>('ed25519-edge-cases').cases,
    format: loadVectors<ConformanceVectors['format']>('format')
  }
}
