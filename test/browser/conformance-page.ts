// The page side of the browser conformance test: the store suite and the view convergence suite on
// browser-level (IndexedDB), the backend an application in a page stores on. Each case's result goes back
// to Node by name, with its error's text.
// libsodium for the Noise packages first, as the library's browser entry loads it (src/browser.ts).
import '../../src/platform/browser/sodium-native.js'
import { database } from '../../src/platform/browser/storage.js'
import { storeConformanceCases, type StoreBackend } from '../helpers/store-conformance.js'
import { viewConvergenceCases } from '../helpers/view-convergence.js'

export interface CaseResult { suite: string, name: string, ok: boolean, error: string }

const backend: StoreBackend = {
  name: 'browser-level',
  // The database a browser store opens (browser-level, its batches pipelined); a new one of the same name
  // opens the same IndexedDB database.
  openDb: (name) => database(name)
}

async function runStoreConformance (): Promise<CaseResult[]> {
  const results: CaseResult[] = []
  for (const [suite, cases] of [['store', storeConformanceCases(backend)], ['views', viewConvergenceCases(backend)]] as const) {
    for (const c of cases) {
      try {
        await c.run()
        results.push({ suite, name: c.name, ok: true, error: '' })
      } catch (error) {
        results.push({ suite, name: c.name, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
      }
    }
  }
  return results
}

Object.assign(globalThis, { runStoreConformance })
