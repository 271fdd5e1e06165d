// Reads over the stored layout: entries by id, pages in local order, an author's pages, pending entries.
// Only ready entries are visible here, except through the pending* reads, which status, export and proofs use.
import { Buffer } from 'buffer'
import { toHex } from '../entry/bytes.js'
import { ID_BYTES } from '../entry/limits.js'
import { join, readIdLocation, readU64, u64, type Layout, under } from './layout.js'
import { decodePage, pageEntry, type DecodedPage, type StoredEntry } from './page.js'
import type { Writer } from './writer.js'
import { changesAfter, lastChange, type Change } from './changes.js'
import { byAuthorKey, decodePending, decodeWait, type PendingEntry, type Wait } from './pending.js'

/** Pages per read of the page iterator: about 4,000 entries (larger reads measured no faster and held more memory). */
const PAGES_PER_READ = 256

export class StoreReader {
  /** classic-level and memory-level read synchronously ~10× faster than through a promise. */
  private readonly syncReads: boolean

  constructor (private readonly layout: Layout, private readonly writer: Writer) {
    this.syncReads = (layout.db.supports as { getSync?: boolean }).getSync === true
  }

  private async read (sublevel: Layout['ids'], key: Uint8Array): Promise<Uint8Array | undefined> {
    await this.writer.drained()
    return this.syncReads ? sublevel.getSync(key) : await sublevel.get(key)
  }

  async locate (id: Uint8Array): Promise<{ pageKey: number, slot: number } | undefined> {
    const location = await this.read(this.layout.ids, id)
    return location === undefined ? undefined : readIdLocation(location)
  }

  async page (pageKey: number, snapshot?: unknown): Promise<DecodedPage | undefined> {
    const value = snapshot === undefined
      ? await this.read(this.layout.pages, u64(pageKey))
      : await this.layout.pages.get(u64(pageKey), { snapshot } as any)
    return value === undefined ? undefined : decodePage(pageKey, value)
  }

  /** The last change number (as of `snapshot`, when given). */
  async lastChange (snapshot?: unknown): Promise<number> {
    await this.writer.drained()
    return await lastChange(this.layout, snapshot)
  }

  /** The changes after change number `after`, in order. */
  async * changesAfter (after: number, snapshot?: unknown): AsyncGenerator<{ number: number, change: Change }> {
    await this.writer.drained()
    yield * changesAfter(this.layout, after, snapshot)
  }

  /** One pending entry by id, with what it waits for; undefined when it is not pending. */
  async pendingEntry (id: Uint8Array, snapshot?: unknown): Promise<(PendingEntry & { wait: Wait }) | undefined> {
    await this.writer.drained()
    const body = await this.layout.pending.get(id, { snapshot } as any)
    if (body === undefined) return undefined
    const entry = decodePending(id, body)
    const wait = await this.layout.pendingByAuthor.get(byAuthorKey(entry.author, entry.seq, id), { snapshot } as any)
    return wait === undefined ? undefined : { ...entry, wait: decodeWait(wait) }
  }

  /** The position in `ids` of the first one that is not a ready entry; -1 when all are ready. */
  async firstNotReady (ids: Uint8Array[]): Promise<number> {
    await this.writer.drained()
    const locations = await this.layout.ids.getMany(ids)
    return locations.findIndex((location) => location === undefined)
  }

  /** A ready entry by its id; undefined when absent. */
  async get (id: Uint8Array): Promise<StoredEntry | undefined> {
    const location = await this.locate(id)
    if (location === undefined) return undefined
    const page = await this.page(location.pageKey)
    return page === undefined ? undefined : pageEntry(page, location.slot)
  }

  /**
   * One consistent view for reads that span several iterators (export reads pages, then pending
   * segments: an entry woken in between must be in one or the other). Backends without explicit
   * snapshots read live.
   */
  async snapshot (): Promise<{ snapshot: unknown, close: () => Promise<void> }> {
    await this.writer.drained()
    if ((this.layout.db.supports as { explicitSnapshots?: boolean }).explicitSnapshots !== true) {
      return { snapshot: undefined, close: async () => {} }
    }
    const snapshot = this.layout.db.snapshot()
    return { snapshot, close: async () => await snapshot.close() }
  }

  /** The local seq the next page will start at. */
  async nextLocalSeq (): Promise<number> {
    for await (const page of this.pagesReverse()) return page.pageKey + page.ids.length
    return 1
  }

  /** Pages in local order, starting with the one that holds local seq `from`. */
  async * pages (from = 1, snapshot?: unknown): AsyncGenerator<DecodedPage> {
    await this.writer.drained()
    let start = from
    if (from > 1) {
      for await (const key of this.layout.pages.keys({ lte: u64(from), reverse: true, limit: 1, snapshot } as any)) start = readU64(key)
    }
    const iterator = this.layout.pages.iterator({ gte: u64(start), highWaterMarkBytes: 4 * 1024 * 1024, snapshot } as any)
    // The next chunk is read (on LevelDB's thread) while this one is decoded and used.
    let ahead: Promise<Array<[Uint8Array, Uint8Array]>> | null = iterator.nextv(PAGES_PER_READ)
    try {
      for (;;) {
        const chunk: Array<[Uint8Array, Uint8Array]> = await ahead
        ahead = null
        if (chunk.length === 0) return
        ahead = iterator.nextv(PAGES_PER_READ)
        for (const [key, value] of chunk) yield decodePage(readU64(key), value)
      }
    } finally {
      if (ahead !== null) await ahead.catch(() => {})
      await iterator.close()
    }
  }

  /** The id (hex) of the ready entry at local seq `localSeq`, or undefined if there is none. */
  async idAt (localSeq: number): Promise<string | undefined> {
    for await (const page of this.pages(localSeq)) {
      const slot = localSeq - page.pageKey
      return slot >= 0 && slot < page.ids.length ? toHex(page.ids[slot]) : undefined
    }
    return undefined
  }

  /**
   * Pages in reverse local order, starting with the last one. Reads a few pages first and more as the
   * reader keeps going: the last few entries (`log --tail`) cost a read or two, whatever the store's size.
   */
  async * pagesReverse (): AsyncGenerator<DecodedPage> {
    await this.writer.drained()
    const iterator = this.layout.pages.iterator({ reverse: true })
    let size = 4
    try {
      for (;;) {
        const chunk: Array<[Uint8Array, Uint8Array]> = await iterator.nextv(size)
        if (chunk.length === 0) return
        size = Math.min(size * 2, PAGES_PER_READ)
        for (const [key, value] of chunk) yield decodePage(readU64(key), value)
      }
    } finally {
      await iterator.close()
    }
  }

  /** Ready entries in local order. */
  async * entries (options: { from?: number, author?: Uint8Array } = {}): AsyncGenerator<StoredEntry> {
    const from = options.from ?? 1
    const authorHex = options.author === undefined ? null : toHex(options.author)
    for await (const page of this.pages(from)) {
      if (authorHex !== null && toHex(page.segment.author) !== authorHex) continue
      for (let slot = 0; slot < page.ids.length; slot++) {
        if (page.pageKey + slot >= from) yield pageEntry(page, slot)
      }
    }
  }

  /** Ready entries in reverse local order, down to local seq `from`. */
  async * entriesReverse (options: { from?: number, author?: Uint8Array } = {}): AsyncGenerator<StoredEntry> {
    const from = options.from ?? 1
    const authorHex = options.author === undefined ? null : toHex(options.author)
    for await (const page of this.pagesReverse()) {
      if (page.pageKey + page.ids.length - 1 < from) return
      if (authorHex !== null && toHex(page.segment.author) !== authorHex) continue
      for (let slot = page.ids.length - 1; slot >= 0; slot--) {
        if (page.pageKey + slot >= from) yield pageEntry(page, slot)
      }
    }
  }

  /**
   * Ready entries whose id (hex) starts with `prefix` (lowercase hex, 1 to 64 digits): how many there are,
   * and the first `max` of them in id order. A range scan of the id index, which is keyed by the full id.
   */
  async idsWithPrefix (prefix: string, max: number): Promise<{ count: number, ids: string[] }> {
    await this.writer.drained()
    const digits = 2 * ID_BYTES
    // Every id that starts with the prefix (an odd count of digits included).
    const range = { gte: Buffer.from(prefix.padEnd(digits, '0'), 'hex'), lte: Buffer.from(prefix.padEnd(digits, 'f'), 'hex') }
    let count = 0
    const ids: string[] = []
    for await (const key of this.layout.ids.keys(range)) {
      if (count++ < max) ids.push(toHex(key))
    }
    return { count, ids }
  }

  /** Pages of one author whose seq range reaches `fromSeq`, in feed-index order (by last seq). */
  async * authorPages (author: Uint8Array, fromSeq: number, toSeq = Number.MAX_SAFE_INTEGER): AsyncGenerator<{ firstSeq: number, lastSeq: number, pageKey: number }> {
    await this.writer.drained()
    const rows = this.layout.feeds.iterator({ gte: join(author, u64(fromSeq)), lte: join(author, u64(toSeq), u64(Number.MAX_SAFE_INTEGER)) })
    for await (const [key, value] of rows) {
      yield { firstSeq: readU64(value, 0), lastSeq: readU64(key, 32), pageKey: readU64(key, 40) }
    }
  }

  /**
   * Pending entries in (author, seq, id) order, each author's after the entries they follow; with `author`,
   * that author's only. Rows are read in chunks, the entries' bodies a chunk at a time.
   */
  async * pendingEntries (options: { author?: Uint8Array, snapshot?: unknown } = {}): AsyncGenerator<PendingEntry & { wait: Wait }> {
    await this.writer.drained()
    const range = options.author === undefined ? {} : under(options.author)
    const iterator = this.layout.pendingByAuthor.iterator({ ...range, snapshot: options.snapshot } as any)
    try {
      for (;;) {
        const chunk: Array<[Uint8Array, Uint8Array]> = await iterator.nextv(PAGES_PER_READ)
        if (chunk.length === 0) return
        const ids = chunk.map(([key]) => key.slice(40))
        const bodies = await this.layout.pending.getMany(ids, { snapshot: options.snapshot } as any)
        for (let i = 0; i < chunk.length; i++) {
          const body = bodies[i]
          if (body !== undefined) yield { ...decodePending(ids[i], body), wait: decodeWait(chunk[i][1]) }
        }
      }
    } finally {
      await iterator.close()
    }
  }

  /** Pending entries whose prev is `id`. */
  async pendingSuccessors (id: Uint8Array): Promise<PendingEntry[]> {
    await this.writer.drained()
    const ids: Uint8Array[] = []
    for await (const key of this.layout.successors.keys(under(id))) ids.push(key.slice(32))
    const bodies = await this.layout.pending.getMany(ids)
    const out: PendingEntry[] = []
    bodies.forEach((body, i) => { if (body !== undefined) out.push(decodePending(ids[i], body)) })
    return out
  }

  /** The highest seq of `author`'s pending entries above `seq`, or 0 when there is none. */
  async pendingAbove (author: Uint8Array, seq: number): Promise<number> {
    await this.writer.drained()
    for await (const key of this.layout.pendingByAuthor.keys({ gte: join(author, u64(seq + 1)), lt: under(author).lt, reverse: true, limit: 1 })) {
      return readU64(key, 32)
    }
    return 0
  }

  /** Authors (hex) with pending entries whose id starts with `prefix` (lowercase hex), sorted. */
  async pendingAuthors (prefix: string): Promise<string[]> {
    await this.writer.drained()
    const range = { gte: Buffer.from(prefix.padEnd(64, '0'), 'hex'), lte: Buffer.from(prefix.padEnd(64, 'f'), 'hex') }
    const out: string[] = []
    for await (const key of this.layout.pendingCounts.keys(range)) out.push(toHex(key))
    return out
  }
}
