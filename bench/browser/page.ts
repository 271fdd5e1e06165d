// The page side of the browser benchmark: the library's browser entry and memory-level, bundled by esbuild.
// Each function opens a fresh store, times one import or one replication, closes the store and hands the
// timings back to Node as plain data. A store that did not receive everything is an error, not a figure.
import { Buffer } from 'buffer'
import { MemoryLevel } from 'memory-level'
import { Logbook, connectWebSocket } from '../../src/browser.js'
import type { BrowserTiming } from './types.js'

/** IndexedDB (the store a page keeps) or memory-level in the page (the same work without IndexedDB). */
export type PageStore = 'indexeddb' | 'memory'

async function freshStore (store: PageStore, name: string, spaceHex: string): Promise<Logbook> {
  const spaceKey = new Uint8Array(Buffer.from(spaceHex, 'hex'))
  if (store === 'indexeddb') return await Logbook.create({ dir: name, spaceKey })
  return await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey })
}

async function closeTimed (book: Logbook, expect: number, timing: Omit<BrowserTiming, 'entries' | 'closeSeconds'>): Promise<BrowserTiming> {
  const entries = book.status().entries
  const c0 = performance.now()
  await book.close()
  const closeSeconds = (performance.now() - c0) / 1000
  if (entries !== expect) throw new Error(`the page's store holds ${entries} entries; ${expect} were sent`)
  return { entries, closeSeconds, ...timing }
}

/** Fetches the export (not timed), then imports it as one Uint8Array into a fresh store. */
async function benchImport (store: PageStore, exportUrl: string, spaceHex: string, expect: number): Promise<BrowserTiming> {
  const bytes = new Uint8Array(await (await fetch(exportUrl)).arrayBuffer())
  const book = await freshStore(store, 'bench-import', spaceHex)
  const t0 = performance.now()
  const summary = await book.import(bytes)
  const workSeconds = (performance.now() - t0) / 1000
  if (summary.imported !== expect) throw new Error(`imported ${summary.imported} of ${expect} (duplicates ${summary.duplicates}, pending ${summary.pending}, rejected ${summary.rejectedCount})`)
  return await closeTimed(book, expect, { workSeconds })
}

/**
 * Connects a fresh store to a Node peer over the page's WebSocket and syncs: `once` as one sync (not live),
 * otherwise live until synced, then `session.end()` (the peer then never ends its side first).
 */
async function benchReplicate (store: PageStore, wsUrl: string, spaceHex: string, expect: number, once: boolean): Promise<BrowserTiming> {
  const book = await freshStore(store, 'bench-replicate', spaceHex)
  const t0 = performance.now()
  const stream = await connectWebSocket(book, wsUrl, { live: !once })
  await stream.session.synced
  const syncedSeconds = (performance.now() - t0) / 1000
  if (!once) await stream.session.end()
  await stream.session.done
  const workSeconds = (performance.now() - t0) / 1000
  return await closeTimed(book, expect, { workSeconds, syncedSeconds })
}

Object.assign(globalThis, { benchImport, benchReplicate })
