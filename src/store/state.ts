// The small in-memory summary of a store that ingest needs on every segment without a disk read: feed tips,
// DAG heads, fork markers, the next local seq, the last change number and the pending area's totals. It is
// loaded once at open, costs nothing per pending entry, and changes only after the batch that persists the
// same change has been written.
import { toHex } from '../entry/bytes.js'
import { readU64, type Layout } from './layout.js'
import { bodyEntryCount } from './page.js'
import { lastChange } from './changes.js'
import type { PendingCount } from './pending.js'

export interface ForkMarker {
  seq: number
  low: Uint8Array
  high: Uint8Array
}

export class StoreState {
  nextLocalSeq = 1
  /** The last change number written to the change log (changes.ts). */
  lastChange = 0
  /** author hex → (tip id hex → seq) */
  readonly tips = new Map<string, Map<string, number>>()
  readonly heads = new Set<string>()
  /** tip id hex → author hex, to find whose tip row changes when a link makes a tip stop being a head */
  private readonly tipAuthors = new Map<string, string>()
  readonly forks = new Map<string, ForkMarker>()
  /** Entries and bytes in the pending area, in total. */
  pending: PendingCount = { entries: 0, bytes: 0 }

  setTip (authorHex: string, idHex: string, seq: number): void {
    let tips = this.tips.get(authorHex)
    if (tips === undefined) { tips = new Map(); this.tips.set(authorHex, tips) }
    tips.set(idHex, seq)
    this.tipAuthors.set(idHex, authorHex)
  }

  deleteTip (authorHex: string, idHex: string): void {
    const tips = this.tips.get(authorHex)
    tips?.delete(idHex)
    if (tips?.size === 0) this.tips.delete(authorHex)
    this.tipAuthors.delete(idHex)
  }

  authorOfTip (idHex: string): string | undefined {
    return this.tipAuthors.get(idHex)
  }

  static async load (layout: Layout): Promise<StoreState> {
    const state = new StoreState()
    // The local order continues after the last page: its key is the local seq of its first entry.
    for await (const [key, value] of layout.pages.iterator({ reverse: true, limit: 1 })) {
      state.nextLocalSeq = readU64(key) + bodyEntryCount(value)
    }
    state.lastChange = await lastChange(layout)
    for await (const [key, value] of layout.tips.iterator()) {
      const authorHex = toHex(key.subarray(0, 32))
      const idHex = toHex(key.subarray(32, 64))
      state.setTip(authorHex, idHex, readU64(value))
      if (value[8] === 1) state.heads.add(idHex)
    }
    for await (const [key, value] of layout.forks.iterator()) {
      state.forks.set(toHex(key), { seq: readU64(value), low: value.slice(8, 40), high: value.slice(40, 72) })
    }
    const totals = await layout.meta.get('pending')
    if (totals !== undefined) {
      const [entries, bytes] = totals.split(' ').map(Number)
      state.pending = { entries, bytes }
    }
    return state
  }
}
