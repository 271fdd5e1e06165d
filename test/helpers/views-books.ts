// Shared by the view tests: stores on memory-level databases that can be closed and reopened, exports
// moved between stores, and small views built to be observed (counting, recording, failing on cue).
import { MemoryLevel } from 'memory-level'
import { Logbook } from '../../src/logbook.js'
import type { Identity } from '../../src/identity.js'
import type { ViewDefinition, ViewEntry } from '../../src/views/types.js'
import { collect, identity, SPACE_KEY } from './fixtures.js'

export function memoryDb (): MemoryLevel<Uint8Array, Uint8Array> {
  return new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
}

/** A store on `db` (created on first use, reopened after): a MemoryLevel keeps its data when closed. */
export async function bookOn (db: MemoryLevel<Uint8Array, Uint8Array>, who: Identity = identity(200)): Promise<Logbook> {
  return await Logbook.open({ db, spaceKey: SPACE_KEY, identity: who })
}

export async function exportOf (book: Logbook): Promise<Uint8Array> {
  return await collect(book.export())
}

/** Imports every export into `book`, in the order given, as one concatenated stream. */
export async function importAll (book: Logbook, exports: Uint8Array[]): Promise<void> {
  const summary = await book.import(Buffer.concat(exports))
  if (summary.rejectedCount > 0 || summary.corrupt !== null) throw new Error(`import failed: ${JSON.stringify(summary.rejected)} ${JSON.stringify(summary.corrupt)}`)
}

/**
 * Counts entries in one row by reading and rewriting it: not idempotent, so applying a batch twice (or
 * losing one) shows in the count. `calls` counts the entries this process handed to it.
 */
export function countingView (version: number | string = 1): ViewDefinition<{ count: () => Promise<number> }> & { calls: { entries: number } } {
  const calls = { entries: 0 }
  return {
    version,
    calls,
    apply: async (entries, tx) => {
      calls.entries += entries.length
      const count = (await tx.get('count') as number | undefined) ?? 0
      tx.put('count', count + entries.length)
    },
    api: (context) => ({
      count: async () => {
        await context.ready()
        return (await context.get('count') as number | undefined) ?? 0
      }
    })
  }
}

/** Records each entry it sees under its id, with what a view may and may not know about it. */
export function recordingView (): ViewDefinition<{ seen: () => Promise<Array<[string, unknown]>> }> {
  return {
    apply: (entries: ViewEntry[], tx) => {
      for (const entry of entries) tx.put(entry.id, { keys: Object.keys(entry).sort(), payload: entry.payload })
    },
    api: (context) => ({
      seen: async () => {
        await context.ready()
        const out: Array<[string, unknown]> = []
        for await (const row of context.rows()) out.push(row)
        return out
      }
    })
  }
}

/** Order of the kv values' ids, as `kv get --json` would show them, without the per-store `forked` flag. */
export function valuesOf (result: { values: Array<{ id: string, value: unknown }> } | undefined): Array<[string, unknown]> {
  return (result?.values ?? []).map((value) => [value.id, value.value])
}
