// Reads the ingest path makes while it builds a commit: each sees the commit's own changes first, then
// the database (after the writer has applied every earlier batch).
import { Buffer } from 'buffer'
import { toHex } from '../entry/bytes.js'
import { decodeSegmentBody } from '../entry/segment.js'
import type { Commit } from './commit.js'
import { PAGE_ENTRIES, join, readIdLocation, readU64, u64, type Layout, under } from './layout.js'
import { pageBody } from './page.js'
import { byAuthorKey, decodePending, decodeWait, placed, type PendingEntry, type Wait } from './pending.js'
import type { Writer } from './writer.js'

/** Where an entry sits in its feed. */
export interface Place {
  author: Uint8Array
  seq: number
}

export class Lookups {
  constructor (private readonly layout: Layout, private readonly writer: Writer) {}

  /** Whether each id is a ready entry (in the database or made ready by the commit). */
  async areReady (ids: Uint8Array[], commit: Commit): Promise<boolean[]> {
    const out: boolean[] = new Array(ids.length).fill(false)
    const ask: number[] = []
    for (let i = 0; i < ids.length; i++) {
      if (commit.readiedPlace(toHex(ids[i])) !== undefined) out[i] = true
      else ask.push(i)
    }
    if (ask.length > 0) {
      await this.writer.drained()
      const found = await this.layout.ids.getMany(ask.map((i) => ids[i]))
      found.forEach((value, j) => { if (value !== undefined) out[ask[j]] = true })
    }
    return out
  }

  async isReady (id: Uint8Array, commit: Commit): Promise<boolean> {
    return (await this.areReady([id], commit))[0]
  }

  /** A ready entry's author and seq, or undefined when it is not ready. */
  async readyPlace (id: Uint8Array, commit: Commit): Promise<Place | undefined> {
    const made = commit.readiedPlace(toHex(id))
    if (made !== undefined) return { author: Buffer.from(made.author, 'hex'), seq: made.seq }
    await this.writer.drained()
    const location = await this.layout.ids.get(id)
    if (location === undefined) return undefined
    const { pageKey, slot } = readIdLocation(location)
    const value = await this.layout.pages.get(u64(pageKey))
    if (value === undefined) return undefined
    const page = decodeSegmentBody(pageBody(value), { trusted: true })
    return { author: page.author, seq: page.firstSeq + slot }
  }

  /** Pending entries by id, with their waits (as the commit leaves them; undefined when not pending). */
  async pendingMany (ids: Uint8Array[], commit: Commit): Promise<Array<{ entry: PendingEntry, wait: Wait } | undefined>> {
    const out: Array<{ entry: PendingEntry, wait: Wait } | undefined> = new Array(ids.length).fill(undefined)
    const ask: number[] = []
    for (let i = 0; i < ids.length; i++) {
      const overlay = commit.pendingOverlay(toHex(ids[i]))
      if (overlay === undefined) ask.push(i)
      else if (overlay.wait !== null) out[i] = { entry: overlay.entry, wait: overlay.wait }
    }
    if (ask.length === 0) return out
    await this.writer.drained()
    const bodies = await this.layout.pending.getMany(ask.map((i) => ids[i]))
    const found: Array<{ at: number, entry: PendingEntry }> = []
    bodies.forEach((body, j) => { if (body !== undefined) found.push({ at: ask[j], entry: decodePending(ids[ask[j]], body) }) })
    if (found.length === 0) return out
    const waits = await this.layout.pendingByAuthor.getMany(found.map(({ entry }) => byAuthorKey(entry.author, entry.seq, entry.id)))
    found.forEach(({ at, entry }, j) => {
      const wait = waits[j]
      if (wait !== undefined) out[at] = { entry, wait: decodeWait(wait) }
    })
    return out
  }

  async pending (id: Uint8Array, commit: Commit): Promise<{ entry: PendingEntry, wait: Wait } | undefined> {
    return (await this.pendingMany([id], commit))[0]
  }

  /** Ids of rows under `prefix` in `sublevel` (the part of each key after the prefix), at most `limit`. */
  async keysUnder (sublevel: Layout['successors'], prefix: Uint8Array, limit = Infinity): Promise<Uint8Array[]> {
    await this.writer.drained()
    const out: Uint8Array[] = []
    for await (const key of sublevel.keys({ ...under(prefix), limit: limit === Infinity ? -1 : limit })) {
      out.push(key.slice(prefix.byteLength))
    }
    return out
  }

  /**
   * Ready entries of `author` at `seq`, other than `except`, up to `limit` of them: the pages that hold
   * that seq end at most PAGE_ENTRIES - 1 seqs later, so the feed rows of that window are all to read.
   */
  async readyIdsAt (author: Uint8Array, seq: number, except: Uint8Array | null, limit: number, commit: Commit): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    const exceptHex = except === null ? null : toHex(except)
    for (const id of commit.readiedAt(toHex(author), seq)) if (toHex(id) !== exceptHex) out.push(id)
    if (out.length >= limit) return out.slice(0, limit)
    await this.writer.drained()
    const rows = this.layout.feeds.iterator({ gte: join(author, u64(seq)), lte: join(author, u64(Math.min(seq + PAGE_ENTRIES - 1, Number.MAX_SAFE_INTEGER)), u64(Number.MAX_SAFE_INTEGER)) })
    try {
      for await (const [key, value] of rows) {
        const lastSeq = readU64(key, 32)
        const firstSeq = readU64(value, 0)
        if (firstSeq > seq) continue
        let id: Uint8Array = value.subarray(8, 40)
        if (lastSeq !== seq) {
          const page = await this.layout.pages.get(key.subarray(40, 48))
          if (page === undefined) continue
          const count = lastSeq - firstSeq + 1
          const at = page.byteLength - 32 * (count - (seq - firstSeq))
          id = page.subarray(at, at + 32)
        }
        if (toHex(id) !== exceptHex) out.push(id.slice())
        if (out.length >= limit) break
      }
    } finally {
      await rows.close()
    }
    return out
  }

  /** Placed pending entries of `author` at `seq` (ids), other than `except`, up to `limit`. */
  async placedPendingAt (author: Uint8Array, seq: number, except: Uint8Array | null, limit: number, commit: Commit): Promise<Uint8Array[]> {
    const out: Uint8Array[] = []
    const exceptHex = except === null ? null : toHex(except)
    for (const overlay of commit.pendingAt(toHex(author), seq)) {
      if (overlay.wait !== null && placed(overlay.wait.kind) && toHex(overlay.entry.id) !== exceptHex) out.push(overlay.entry.id)
    }
    await this.writer.drained()
    const prefix = join(author, u64(seq))
    for await (const [key, value] of this.layout.pendingByAuthor.iterator(under(prefix))) {
      if (out.length >= limit) break
      const id = key.slice(40)
      const idHex = toHex(id)
      if (idHex === exceptHex || commit.pendingOverlay(idHex) !== undefined) continue
      if (placed(decodeWait(value).kind)) out.push(id)
    }
    return out.slice(0, limit)
  }
}
