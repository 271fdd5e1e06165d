// The store conformance suite and the view convergence suite on each database backend Node has:
// memory-level, classic-level (in a temporary directory), and memory-level reporting no explicit
// snapshots, as browser-level does, so the reads that must hold without them run here too. One subtest
// per case and backend.
import { after, describe, test } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { storeConformanceCases, type StoreBackend } from './helpers/store-conformance.js'
import { viewConvergenceCases } from './helpers/view-convergence.js'

const BINARY = { keyEncoding: 'view', valueEncoding: 'view' } as any

/** A MemoryLevel keeps its data when closed: the same instance is the same database again. */
function memoryBackend (name: string, make: () => MemoryLevel<Uint8Array, Uint8Array>): StoreBackend {
  const dbs = new Map<string, MemoryLevel<Uint8Array, Uint8Array>>()
  return {
    name,
    openDb: (db) => {
      let found = dbs.get(db)
      if (found === undefined) { found = make(); dbs.set(db, found) }
      return found
    }
  }
}

/** memory-level saying it has no explicit snapshots, as browser-level says: logbook must read without them. */
function withoutSnapshots (): MemoryLevel<Uint8Array, Uint8Array> {
  const db = new MemoryLevel<Uint8Array, Uint8Array>(BINARY)
  Object.assign(db.supports, { explicitSnapshots: false })
  return db
}

const root = mkdtempSync(join(tmpdir(), 'logbook-conformance-'))
after(() => rmSync(root, { recursive: true, force: true }))

const backends: StoreBackend[] = [
  memoryBackend('memory-level', () => new MemoryLevel<Uint8Array, Uint8Array>(BINARY)),
  memoryBackend('memory-level without explicit snapshots', withoutSnapshots),
  // A new ClassicLevel on the same directory opens the same data.
  { name: 'classic-level', openDb: (db) => new ClassicLevel<Uint8Array, Uint8Array>(join(root, db), BINARY) }
]

for (const backend of backends) {
  describe(`store conformance: ${backend.name}`, () => {
    for (const c of storeConformanceCases(backend)) test(c.name, c.run)
  })
  describe(`view convergence: ${backend.name}`, () => {
    for (const c of viewConvergenceCases(backend)) test(c.name, c.run)
  })
}
