// Store format 1 → 2. Format 1 (whose `format` row reads `2`: it followed an unreleased layout) keyed the id
// index by an id's first 16 bytes, kept all of an author's feed heads in one row, kept pending segments whole
// and had no change log. The migration builds format 2's id index, feed-head rows and fork notes beside the
// old rows, from the pages; then one batch switches the store to format 2 and gives it an instance id. A
// crash before that batch leaves a format-1 store whose half-built rows the next attempt overwrites. After
// it, the old pending segments are handed to the ingest path (which stores each entry once) and the old rows
// cleared; a crash in that part is finished at the next open, since ingesting a segment twice changes nothing.
import { compareBytes, toHex } from '../entry/bytes.js'
import { authenticateSegment, decodeSegmentBody } from '../entry/segment.js'
import { newInstanceId } from './changes.js'
import { emptyCounts, type Ingestor } from './ingest.js'
import { FORMAT1_SUBLEVELS, idLocations, join, readU64, tipValue, u64, type Layout, type Sub, under } from './layout.js'
import { decodePage } from './page.js'

/** The `format` row of each store format. */
export const FORMAT_ROW = { 1: '2', 2: '3' } as const

/** Operations per batch while the new rows are built (bounds memory, whatever the store's size). */
const CHUNK_OPS = 8192

function format1 (layout: Layout, name: string): Sub {
  return layout.db.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: 'view', valueEncoding: 'view' })
}

/** Builds format 2's rows from a format-1 store's pages, then switches its format (one batch). */
export async function migrateFormat1 (layout: Layout): Promise<void> {
  for (const sub of [layout.ids, layout.tips, layout.forkSeqs]) await sub.clear()
  let ops: Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> = []
  const flush = async (sub: Sub): Promise<void> => {
    if (ops.length > 0) await sub.batch(ops)
    ops = []
  }
  for await (const [key, value] of layout.pages.iterator()) {
    const page = decodePage(readU64(key), value)
    const locations = idLocations(page.pageKey, page.ids.length)
    page.ids.forEach((id, slot) => ops.push({ type: 'put', key: id.slice(), value: locations[slot] }))
    if (ops.length >= CHUNK_OPS) await flush(layout.ids)
  }
  await flush(layout.ids)
  // Format 1's tips row: per feed head, id ‖ seq (u64) ‖ head flag (u8).
  for await (const [author, value] of format1(layout, 't').iterator()) {
    for (let at = 0; at + 41 <= value.byteLength; at += 41) {
      ops.push({ type: 'put', key: join(author, value.subarray(at, at + 32)), value: tipValue(readU64(value, at + 32), value[at + 40] === 1) })
    }
    if (ops.length >= CHUNK_OPS) await flush(layout.tips)
  }
  await flush(layout.tips)
  for await (const author of layout.forks.keys()) {
    for (const seq of await readyForkSeqs(layout, author)) ops.push({ type: 'put', key: join(author, u64(seq)), value: new Uint8Array(0) })
    await flush(layout.forkSeqs)
  }
  await layout.meta.batch([
    { type: 'put', key: 'format', value: FORMAT_ROW[2] },
    { type: 'put', key: 'instance', value: newInstanceId() }
  ], { sync: true } as any)
}

/** Seqs at which a forked author has two different ready entries (read from its pages). */
async function readyForkSeqs (layout: Layout, author: Uint8Array): Promise<number[]> {
  const bySeq = new Map<number, Set<string>>()
  for await (const key of layout.feeds.keys(under(author))) {
    const value = await layout.pages.get(key.subarray(40, 48))
    if (value === undefined) continue
    const page = decodePage(readU64(key, 40), value)
    page.ids.forEach((id, slot) => {
      const seq = page.segment.firstSeq + slot
      const ids = bySeq.get(seq) ?? new Set<string>()
      ids.add(toHex(id))
      bySeq.set(seq, ids)
    })
  }
  return [...bySeq].filter(([, ids]) => ids.size > 1).map(([seq]) => seq).sort((a, b) => a - b)
}

/** Whether a format-2 store still holds rows of format 1 (a migration to finish). */
export async function hasFormat1Rows (layout: Layout): Promise<boolean> {
  for (const name of FORMAT1_SUBLEVELS) {
    for await (const _ of format1(layout, name).keys({ limit: 1 })) return true
  }
  return false
}

/** Hands format 1's pending segments to the ingest path, then clears format 1's rows. */
export async function finishFormat1 (layout: Layout, ingestor: Ingestor, space: Uint8Array): Promise<void> {
  const pending = format1(layout, 'q')
  const counts = emptyCounts()
  const bodies: Array<[Uint8Array, Uint8Array]> = []
  for await (const entry of pending.iterator()) bodies.push(entry)
  // Oldest feed positions first: what follows finds what it follows already stored.
  bodies.sort(([a], [b]) => compareBytes(a, b))
  for (const [key, body] of bodies) {
    await ingestor.exclusive(async () => {
      try {
        await ingestor.ingest(authenticateSegment(decodeSegmentBody(body, { trusted: true }), space), counts)
      } catch (err) {
        // Format 1 kept a segment whose prev was found invalid only when it was woken; it is dropped.
        if ((err as { code?: string }).code !== 'BAD_CHAIN') throw err
      }
    })
    await pending.del(key)
  }
  for (const name of FORMAT1_SUBLEVELS) await format1(layout, name).clear()
}
