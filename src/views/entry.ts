// Ready entries as views read them. The log is read a page at a time through the book's LogReader; an
// entry is held as its page and slot, cheap to keep in a batch, and turned into a ViewEntry only when a
// view is given it: hex ids, parsed JSON, and nothing that differs between peers.
import { toHex } from '../entry/bytes.js'
import { PAYLOAD_JSON } from '../entry/types.js'
import type { LogPage, LogReader } from '../log-reader.js'
import type { ViewEntry } from './types.js'

const utf8 = new TextDecoder()

/** One ready entry: where it is, and its position in the order it is applied in. */
export interface ReadyEntry {
  source: LogPage
  slot: number
  localSeq: number
}

/** Ready entries in local order from local seq `from` on, a page at a time. */
export async function * readyPages (log: LogReader, from: number): AsyncGenerator<ReadyEntry[]> {
  for await (const source of log.pages(from)) {
    const entries: ReadyEntry[] = new Array(source.ids.length)
    for (let slot = 0; slot < source.ids.length; slot++) entries[slot] = { source, slot, localSeq: source.localSeq + slot }
    if (entries.length > 0) yield entries
  }
}

/** Ready entries in local order from local seq `from` on. */
export async function * readyEntries (log: LogReader, from: number): AsyncGenerator<ReadyEntry> {
  for await (const entries of readyPages(log, from)) yield * entries
}

/** The id (hex) of the ready entry at local seq `localSeq`, or undefined if there is none. */
export async function idAt (log: LogReader, localSeq: number): Promise<string | undefined> {
  for await (const page of log.pages(localSeq)) return page.ids[0]
  return undefined
}

export function entryId (entry: ReadyEntry): string {
  return entry.source.ids[entry.slot]
}

export function entryAuthor (entry: ReadyEntry): string {
  return entry.source.author
}

export function payloadBytes (entry: ReadyEntry): number {
  return entry.source.entries[entry.slot].payload.byteLength
}

/** Ids (hex) the entry must come after: its prev and its links. */
export function entryDependencies (entry: ReadyEntry): string[] {
  const { source, slot } = entry
  const prev = slot === 0 ? source.prev : source.ids[slot - 1]
  const links = source.entries[slot].links.map(toHex)
  return prev === null ? links : [prev, ...links]
}

/** A fresh ViewEntry each call: views may mutate what they are given without affecting one another. */
export function toViewEntry (entry: ReadyEntry): ViewEntry {
  const { source, slot } = entry
  const body = source.entries[slot]
  const json = body.kind === PAYLOAD_JSON
  return {
    id: source.ids[slot],
    author: source.author,
    seq: source.seq + slot,
    prev: slot === 0 ? source.prev : source.ids[slot - 1],
    links: body.links.length === 0 ? [] : body.links.map(toHex),
    timestamp: body.timestamp,
    kind: json ? 'json' : 'binary',
    payload: json ? JSON.parse(utf8.decode(body.payload)) : body.payload.slice()
  }
}
