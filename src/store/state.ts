// The small in-memory summary of a store that ingest needs on every segment without a disk read:
// feed tips, DAG heads, fork markers, the pending index and what it waits for. It is loaded once at open
// and changed only after the batch that persists the same change has been written.
import { toHex } from '../entry/bytes.js'
import { readU64, TIP_RECORD_BYTES, type Layout } from './layout.js'
import { bodyEntryCount } from './page.js'
import { lastChange } from './changes.js'

export interface ForkMarker {
  seq: number
  low: Uint8Array
  high: Uint8Array
}

export interface PendingInfo {
  key: Uint8Array
  author: Uint8Array
  firstSeq: number
  lastSeq: number
  blocker: Uint8Array
  blockerIsPrev: boolean
  /** Seq of the segment's first entry that is not ready yet. */
  blockedSeq: number
}

export class StoreState {
  nextLocalSeq = 1
  /** The last change number written to the change log (changes.ts). */
  lastChange = 0
  /** author hex → (tip id hex → seq) */
  readonly tips = new Map<string, Map<string, number>>()
  readonly heads = new Set<string>()
  /** tip id hex → author hex, to find whose tips row changes when a link makes a tip stop being a head */
  private readonly tipAuthors = new Map<string, string>()
  readonly forks = new Map<string, ForkMarker>()
  /** pending key hex → summary */
  readonly pending = new Map<string, PendingInfo>()
  /** author hex → pending key hex → summary: ingest looks only at its own author's pending segments */
  private readonly pendingByAuthor = new Map<string, Map<string, PendingInfo>>()
  /** awaited id hex → pending keys hex waiting for it */
  readonly waiting = new Map<string, Set<string>>()

  feedTips (authorHex: string): Map<string, number> {
    let tips = this.tips.get(authorHex)
    if (tips === undefined) { tips = new Map(); this.tips.set(authorHex, tips) }
    return tips
  }

  setTip (authorHex: string, idHex: string, seq: number): void {
    this.feedTips(authorHex).set(idHex, seq)
    this.tipAuthors.set(idHex, authorHex)
  }

  deleteTip (authorHex: string, idHex: string): void {
    this.feedTips(authorHex).delete(idHex)
    this.tipAuthors.delete(idHex)
  }

  authorOfTip (idHex: string): string | undefined {
    return this.tipAuthors.get(idHex)
  }

  maxReadySeq (authorHex: string): number {
    let max = 0
    for (const seq of this.tips.get(authorHex)?.values() ?? []) if (seq > max) max = seq
    return max
  }

  /** Authors (hex) this store has entries of: ready ones, or pending ones. Unsorted. */
  knownAuthors (): string[] {
    const authors = new Set<string>(this.pendingByAuthor.keys())
    for (const [author, tips] of this.tips) if (tips.size > 0) authors.add(author)
    return [...authors]
  }

  pendingOf (authorHex: string): PendingInfo[] {
    return [...(this.pendingByAuthor.get(authorHex)?.values() ?? [])]
  }

  addPending (info: PendingInfo): void {
    const keyHex = toHex(info.key)
    this.pending.set(keyHex, info)
    const authorHex = toHex(info.author)
    let mine = this.pendingByAuthor.get(authorHex)
    if (mine === undefined) { mine = new Map(); this.pendingByAuthor.set(authorHex, mine) }
    mine.set(keyHex, info)
    const blockerHex = toHex(info.blocker)
    let set = this.waiting.get(blockerHex)
    if (set === undefined) { set = new Set(); this.waiting.set(blockerHex, set) }
    set.add(keyHex)
  }

  removePending (keyHex: string): void {
    const info = this.pending.get(keyHex)
    if (info === undefined) return
    this.pending.delete(keyHex)
    const authorHex = toHex(info.author)
    const mine = this.pendingByAuthor.get(authorHex)
    mine?.delete(keyHex)
    if (mine?.size === 0) this.pendingByAuthor.delete(authorHex)
    const blockerHex = toHex(info.blocker)
    const set = this.waiting.get(blockerHex)
    set?.delete(keyHex)
    if (set?.size === 0) this.waiting.delete(blockerHex)
  }

  static async load (layout: Layout): Promise<StoreState> {
    const state = new StoreState()
    // The local order continues after the last page: its key is the local seq of its first entry.
    for await (const [key, value] of layout.pages.iterator({ reverse: true, limit: 1 })) {
      state.nextLocalSeq = readU64(key) + bodyEntryCount(value)
    }
    state.lastChange = await lastChange(layout)
    for await (const [key, value] of layout.tips.iterator()) {
      const authorHex = toHex(key)
      for (let at = 0; at < value.byteLength; at += TIP_RECORD_BYTES) {
        const idHex = toHex(value.subarray(at, at + 32))
        state.setTip(authorHex, idHex, readU64(value, at + 32))
        if (value[at + 40] === 1) state.heads.add(idHex)
      }
    }
    for await (const [key, value] of layout.forks.iterator()) {
      state.forks.set(toHex(key), { seq: readU64(value), low: value.slice(8, 40), high: value.slice(40, 72) })
    }
    const blockers = new Map<string, { blocker: Uint8Array, isPrev: boolean, blockedSeq: number }>()
    for await (const [key, value] of layout.waits.iterator()) {
      blockers.set(toHex(key.subarray(32)), { blocker: key.slice(0, 32), isPrev: value[0] === 0, blockedSeq: readU64(value, 1) })
    }
    for await (const [key, body] of layout.pending.iterator()) {
      const keyHex = toHex(key)
      const waits = blockers.get(keyHex)
      if (waits === undefined) continue
      const firstSeq = readU64(key, 32)
      const count = bodyEntryCount(body)
      state.addPending({ key: key.slice(), author: key.slice(0, 32), firstSeq, lastSeq: firstSeq + count - 1, blocker: waits.blocker, blockerIsPrev: waits.isPrev, blockedSeq: waits.blockedSeq })
    }
    return state
  }
}
