// What each side of a reconciliation lacks, decided from the responder's tips in the buckets that differ
// (reconcile.ts). The initiator decides: which of the responder's tips it wants (those it does not hold on
// any branch), which of its own tips to push (those the responder has no tip at or above), and which to
// probe (the responder has a later tip of that feed: is this tip on its branch, or is the feed forked?).
// The responder answers the probes from its store: the probes it cannot place are the initiator's to push.
import { compareBytes, toHex } from '../entry/bytes.js'
import type { Store } from '../store/store.js'
import type { Item, Want } from './messages.js'
import type { TipSet, Tip } from './reconcile.js'
import type { Range } from './sender.js'

export type WantRef = Want['wants'][number]
export type Probe = Want['probes'][number]

/** The id at `seq` on the branch that ends at `tip` (at `tipSeq`); null when there is none. */
export async function idOnBranch (store: Store, tip: Uint8Array, tipSeq: number, seq: number): Promise<Uint8Array | null> {
  if (seq < 1 || seq > tipSeq) return null
  let location = await store.reader.locate(tip)
  while (location !== undefined) {
    const page = await store.reader.page(location.pageKey)
    if (page === undefined) return null
    const first = page.segment.firstSeq
    if (seq >= first) return page.ids[seq - first] ?? null
    if (page.segment.firstPrev === null) return null
    location = await store.reader.locate(page.segment.firstPrev)
  }
  return null
}

/** Whether the tip described by `item` is on the branch that ends at `tip` (so it is held here). */
async function onBranch (store: Store, tipSet: TipSet, tip: Tip, item: Item): Promise<boolean> {
  const id = await idOnBranch(store, tip.id, tip.seq, item.seq)
  return id !== null && compareBytes(tipSet.itemDigest(tip.author, item.seq, id), item.digest) === 0
}

/** The range that sends `tip`'s branch after the highest of the peer's tips (`theirs`) that lies on it. */
async function rangeAfter (store: Store, tipSet: TipSet, tip: Tip, theirs: Item[]): Promise<Range> {
  for (const item of [...theirs].filter((other) => other.seq < tip.seq).sort((a, b) => b.seq - a.seq)) {
    const id = await idOnBranch(store, tip.id, tip.seq, item.seq)
    if (id !== null && compareBytes(tipSet.itemDigest(tip.author, item.seq, id), item.digest) === 0) return { tip: tip.id, after: item.seq, afterId: id }
  }
  return { tip: tip.id, after: 0, afterId: null }
}

function groupBy<T> (items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list === undefined) out.set(k, [item])
    else list.push(item)
  }
  return out
}

export interface InitiatorPlan {
  wants: WantRef[]
  probes: Probe[]
  /** Ranges to push at once. */
  pushes: Range[]
  /** Per probe, the range to push if the responder cannot place it. */
  probed: Range[]
}

/** The initiator's decisions, from the responder's tips in each differing bucket. */
export async function initiatorPlan (store: Store, tipSet: TipSet, buckets: Array<{ bucket: number, items: Item[] }>): Promise<InitiatorPlan> {
  const plan: InitiatorPlan = { wants: [], probes: [], pushes: [], probed: [] }
  for (const { bucket, items } of buckets) {
    const mine = tipSet.tips(bucket)
    const myDigests = new Set(tipSet.items(bucket).map((item) => toHex(item.digest)))
    const theirDigests = new Set(items.map((item) => toHex(item.digest)))
    const myByAuthor = groupBy(mine, (tip) => toHex(tipSet.authorDigest(tip.author).digest))
    const theirByAuthor = groupBy(items, (item) => toHex(item.author))
    for (let index = 0; index < items.length; index++) {
      const item = items[index]
      if (myDigests.has(toHex(item.digest))) continue
      const myTips = myByAuthor.get(toHex(item.author)) ?? []
      let held = false
      for (const tip of myTips) {
        if (tip.seq > item.seq && await onBranch(store, tipSet, tip, item)) { held = true; break }
      }
      if (held) continue
      // From the highest tip of mine below theirs: the responder checks it is on its branch.
      const below = myTips.filter((tip) => tip.seq < item.seq).sort((a, b) => b.seq - a.seq)[0]
      plan.wants.push({ bucket, index, after: below?.seq ?? 0, afterId: below?.id ?? null })
    }
    for (const tip of mine) {
      if (theirDigests.has(toHex(tipSet.itemDigest(tip.author, tip.seq, tip.id)))) continue
      const theirs = theirByAuthor.get(toHex(tipSet.authorDigest(tip.author).digest)) ?? []
      const range = await rangeAfter(store, tipSet, tip, theirs)
      const later = theirs.map((item, i) => ({ item, i })).filter(({ item }) => item.seq > tip.seq)
      if (later.length === 0) { plan.pushes.push(range); continue }
      // The responder holds a later tip of this feed: it says whether this tip lies on its branch.
      const index = items.indexOf(later.sort((a, b) => b.item.seq - a.item.seq)[0].item)
      plan.probes.push({ bucket, index, seq: tip.seq, digest: tipSet.itemDigest(tip.author, tip.seq, tip.id) })
      plan.probed.push(range)
    }
  }
  return plan
}

/** The responder's answers: what to send for each want, and which probes it cannot place (the initiator sends those). */
export async function responderPlan (store: Store, tipSet: TipSet, wants: WantRef[], probes: Probe[], onBadRef: (what: string) => never): Promise<{ ranges: Range[], needs: number[] }> {
  const ranges: Range[] = []
  const seen = new Set<string>()
  for (const want of wants) {
    const tip = tipSet.tipAt(want.bucket, want.index)
    if (tip === undefined) onBadRef(`item ${want.index} of bucket ${want.bucket}, which was not listed`)
    // One range per listed tip, however often it is asked for.
    const key = `${want.bucket}:${want.index}`
    if (seen.has(key)) continue
    seen.add(key)
    ranges.push({ tip: tip.id, after: Math.min(want.after, tip.seq), afterId: want.afterId })
  }
  const needs: number[] = []
  for (let i = 0; i < probes.length; i++) {
    const probe = probes[i]
    const tip = tipSet.tipAt(probe.bucket, probe.index)
    if (tip === undefined) onBadRef(`a probe of item ${probe.index} of bucket ${probe.bucket}, which was not listed`)
    if (!await onBranch(store, tipSet, tip, { author: new Uint8Array(0), seq: probe.seq, digest: probe.digest })) needs.push(i)
  }
  return { ranges, needs }
}
