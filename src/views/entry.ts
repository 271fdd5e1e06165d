// Ready entries as views read them. The log is read a page at a time through the store's reader
// (which waits for the log's write-behind); an entry is held as its page and slot, cheap to keep in a
// batch, and turned into a ViewEntry only when a view is given it: hex ids, parsed JSON, and nothing
// that differs between peers.
import { toHex } from '../entry/bytes.js'
import { PAYLOAD_JSON } from '../entry/types.js'
import { pageIdsHex, type DecodedPage } from '../store/page.js'
import type { StoreReader } from '../store/reader.js'
import type { ViewEntry } from './types.js'

const utf8 = new TextDecoder()

/** A page with the hex forms every entry of it needs, computed once. */
export interface ReadPage {
  page: DecodedPage
  author: string
  ids: string[]
  firstPrev: string | null
}

/** One ready entry: where it is, and its position in the order it is applied in. */
export interface ReadyEntry {
  source: ReadPage
  slot: number
  localSeq: number
}

export function readPage (page: DecodedPage): ReadPage {
  const { segment } = page
  return { page, author: toHex(segment.author), ids: pageIdsHex(page), firstPrev: segment.firstPrev === null ? null : toHex(segment.firstPrev) }
}

/** Ready entries in local order from local seq `from` on, a page at a time. */
export async function * readyPages (reader: StoreReader, from: number): AsyncGenerator<ReadyEntry[]> {
  for await (const page of reader.pages(from)) {
    const source = readPage(page)
    const entries: ReadyEntry[] = []
    for (let slot = Math.max(0, from - page.pageKey); slot < page.ids.length; slot++) {
      entries.push({ source, slot, localSeq: page.pageKey + slot })
    }
    if (entries.length > 0) yield entries
  }
}

/** Ready entries in local order from local seq `from` on. */
export async function * readyEntries (reader: StoreReader, from: number): AsyncGenerator<ReadyEntry> {
  for await (const entries of readyPages(reader, from)) yield * entries
}

export function entryId (entry: ReadyEntry): string {
  return entry.source.ids[entry.slot]
}

export function entryAuthor (entry: ReadyEntry): string {
  return entry.source.author
}

export function payloadBytes (entry: ReadyEntry): number {
  return entry.source.page.segment.entries[entry.slot].payload.byteLength
}

/** Ids (hex) the entry must come after: its prev and its links. */
export function entryDependencies (entry: ReadyEntry): string[] {
  const { source, slot } = entry
  const prev = slot === 0 ? source.firstPrev : source.ids[slot - 1]
  const links = source.page.segment.entries[slot].links.map(toHex)
  return prev === null ? links : [prev, ...links]
}

/** A fresh ViewEntry each call: views may mutate what they are given without affecting one another. */
export function toViewEntry (entry: ReadyEntry): ViewEntry {
  const { source, slot } = entry
  const body = source.page.segment.entries[slot]
  const json = body.kind === PAYLOAD_JSON
  return {
    id: source.ids[slot],
    author: source.author,
    seq: source.page.segment.firstSeq + slot,
    prev: slot === 0 ? source.firstPrev : source.ids[slot - 1],
    links: body.links.length === 0 ? [] : body.links.map(toHex),
    timestamp: body.timestamp,
    kind: json ? 'json' : 'binary',
    payload: json ? JSON.parse(utf8.decode(body.payload)) : body.payload.slice()
  }
}
