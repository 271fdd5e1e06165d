// A session limited to some authors still sends what their entries link to: the linked entry's feed up
// to it (and on to the next signature, since only a signed run can be sent), before the entry that links
// to it. Otherwise a chosen entry would wait in the peer's pending area for an entry it is never sent.
import { Buffer } from 'buffer'
import { toHex } from '../entry/bytes.js'
import type { Segment } from '../entry/types.js'
import type { Store } from '../store/store.js'
import { rangeSegments } from './sender.js'

/** The first signed entry at or after the ready entry `id` on its branch (ready entries always have one). */
async function signedFrom (store: Store, id: Uint8Array): Promise<{ id: Uint8Array, seq: number } | null> {
  let location = await store.reader.locate(id)
  let previous: Uint8Array | null = null
  while (location !== undefined) {
    const page = await store.reader.page(location.pageKey)
    if (page === undefined) return null
    for (let slot = location.slot; slot < page.ids.length; slot++) {
      if (page.segment.entries[slot].signature !== null) return { id: page.ids[slot], seq: page.segment.firstSeq + slot }
    }
    previous = page.ids[page.ids.length - 1]
    // The next page of this branch: the one whose first entry follows this page's last.
    location = undefined
    const nextSeq = page.segment.firstSeq + page.ids.length
    for await (const next of store.reader.authorPages(page.segment.author, nextSeq, nextSeq)) {
      const candidate = await store.reader.page(next.pageKey)
      if (candidate !== undefined && candidate.segment.firstSeq === nextSeq && candidate.segment.firstPrev !== null && Buffer.compare(candidate.segment.firstPrev, previous) === 0) {
        location = { pageKey: next.pageKey, slot: 0 }
        break
      }
    }
  }
  return null
}

export class LinkedPrefixes {
  /** Ids of the entries of other feeds sent in this session. */
  private readonly sentIds = new Set<string>()
  /** Per author outside the filter: the last entry of its feed sent (its seq and id). */
  private readonly sentTo = new Map<string, { seq: number, id: Uint8Array }>()

  constructor (private readonly store: Store, private readonly chosen: (author: Uint8Array) => boolean) {}

  /** The segments of other feeds to send before `segment`: what its entries link to, not sent yet. */
  async * before (segment: Segment): AsyncGenerator<Segment> {
    for (const entry of segment.entries) {
      for (const link of entry.links) {
        if (this.sentIds.has(toHex(link))) continue
        const linked = await this.store.reader.get(link)
        if (linked === undefined || this.chosen(linked.author)) continue
        const end = await signedFrom(this.store, link)
        if (end === null) continue
        const author = toHex(linked.author)
        // From the last entry of this feed sent, when the linked one follows it on its branch; else its whole
        // branch (a forked feed), as collect() decides from the id.
        const last = this.sentTo.get(author)
        const range = last !== undefined && last.seq < end.seq ? { tip: end.id, after: last.seq, afterId: last.id } : { tip: end.id, after: 0, afterId: null }
        this.sentTo.set(author, end)
        for await (const { segment: foreign, ids } of rangeSegments(this.store, [range])) {
          // What the foreign entries link to comes first again.
          yield * this.before(foreign)
          for (const id of ids) this.sentIds.add(toHex(id))
          yield foreign
        }
      }
    }
  }
}
