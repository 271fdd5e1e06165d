// Store format 1 → 2. Format 1 (whose `format` row reads `2`: it followed an unreleased layout) keyed the
// id index by an id's first 16 bytes and had no change log. Format 2 keys it by the whole id. The new
// index is built beside the old one from the pages (the entries' own ids), then one batch switches the
// store to format 2 and gives it an instance id: a crash before that batch leaves a format-1 store whose
// half-built index the next attempt starts over; after it, only the old index's rows are left to clear.
import { readU64, idLocations, type Layout } from './layout.js'
import { decodePage } from './page.js'
import { newInstanceId } from './changes.js'

/** The `format` row of each store format. */
export const FORMAT_ROW = { 1: '2', 2: '3' } as const

/** Operations per batch while the new index is built (bounds memory, whatever the store's size). */
const CHUNK_OPS = 8192

export async function migrateFormat1 (layout: Layout): Promise<void> {
  await layout.ids.clear()
  let ops: Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> = []
  for await (const [key, value] of layout.pages.iterator()) {
    const page = decodePage(readU64(key), value)
    const locations = idLocations(page.pageKey, page.ids.length)
    page.ids.forEach((id, slot) => ops.push({ type: 'put', key: id.slice(), value: locations[slot] }))
    if (ops.length >= CHUNK_OPS) { await layout.ids.batch(ops); ops = [] }
  }
  if (ops.length > 0) await layout.ids.batch(ops)
  await layout.meta.batch([
    { type: 'put', key: 'format', value: FORMAT_ROW[2] },
    { type: 'put', key: 'instance', value: newInstanceId() }
  ], { sync: true } as any)
  await clearFormat1Index(layout)
}

/** The format-1 id index, sublevel `i`: emptied once the store is format 2 (again at open, if a crash cut it short). */
export async function clearFormat1Index (layout: Layout): Promise<void> {
  await layout.db.sublevel('i', { keyEncoding: 'view', valueEncoding: 'view' }).clear()
}
