// What each side of a reconciliation lacks, decided from the responder's tips in the buckets that differ
// (reconcile.ts). The initiator decides: which of the responder's tips it wants (those it does not hold),
// which of its own tips to push (those the responder has no tip at or above), and which to probe (the
// responder has a later tip of that feed: does it hold this one, or is the feed forked?). The responder
// answers the probes from its store: the probes it cannot place are the initiator's to push. Every check
// is one lookup in the feed index; none walks a branch, so what a peer lists costs this side linear work.
import { compareBytes, toHex } from '../entry/bytes.js'
import type { Store } from '../store/store.js'
import type { Item, Want } from './messages.js'
import { highestBelow, PUSH_CANDIDATES, type TipSet, type Tip } from './reconcile.js'
import type { Range } from './sender.js'

export type WantRef = Want['wants'][number]
export type Probe = Want['probes'][number]

/**
 * Whether `author`'s feed is one branch here. Only then is "the entry at seq s" one entry, found through the
 * feed index without a walk. For a forked feed the checks below answer "not known", and more is sent: what
 * is sent is deduplicated page by page (sender.ts), so that costs the union of the branches, never a walk
 * per branch that a stranger could multiply by listing many tips.
 */
function singleBranch (store: Store, author: Uint8Array): boolean {
  const hex = toHex(author)
  return !store.state.forks.has(hex) && (store.state.tips.get(hex)?.size ?? 0) <= 1
}

/** The id of `author`'s ready entry at `seq`, for a feed that is one branch here (feed index: no walk). */
async function idAtSeq (store: Store, author: Uint8Array, seq: number): Promise<Uint8Array | null> {
  for await (const row of store.reader.authorPages(author, seq)) {
    if (row.firstSeq > seq) return null
    const page = await store.reader.page(row.pageKey)
    return page?.ids[seq - page.segment.firstSeq] ?? null
  }
  return null
}

/** The id of the tip described by `item` (of `author`), if this side holds it on the one branch of that feed. */
async function holds (store: Store, tipSet: TipSet, author: Uint8Array, item: { seq: number, digest: Uint8Array }): Promise<Uint8Array | null> {
  if (!singleBranch(store, author)) return null
  const id = await idAtSeq(store, author, item.seq)
  return id !== null && compareBytes(tipSet.itemDigest(author, item.seq, id), item.digest) === 0 ? id : null
}

/** The range that sends `tip`'s branch after the highest of the peer's tips (`theirs`, highest first) held on it. */
async function rangeAfter (store: Store, tipSet: TipSet, tip: Tip, theirs: Item[]): Promise<Range> {
  for (const item of highestBelow(theirs, tip.seq, PUSH_CANDIDATES)) {
    const id = await holds(store, tipSet, tip.author, item)
    if (id !== null) return { tip: tip.id, after: item.seq, afterId: id }
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
    // Sorted once, highest seq first: a peer may list as many items as a message holds.
    const bySeq = (x: { seq: number }, y: { seq: number }): number => y.seq - x.seq
    const myByAuthor = groupBy(mine, (tip) => toHex(tipSet.authorDigest(tip.author).digest))
    const theirByAuthor = groupBy(items, (item) => toHex(item.author))
    for (const list of myByAuthor.values()) list.sort(bySeq)
    for (const list of theirByAuthor.values()) list.sort(bySeq)
    const myByDigest = new Map(mine.map((tip) => [toHex(tipSet.itemDigest(tip.author, tip.seq, tip.id)), tip]))
    const theirByDigest = new Map(items.map((item) => [toHex(item.digest), item]))
    for (let index = 0; index < items.length; index++) {
      const item = items[index]
      const same = myByDigest.get(toHex(item.digest))
      if (same !== undefined) {
        // The same tip, more signatures there: the whole branch brings them (rare: entries that came by other routes).
        if (item.signed > same.signed) plan.wants.push({ bucket, index, after: 0, afterId: null })
        continue
      }
      const myTips = myByAuthor.get(toHex(item.author)) ?? []
      // Held already, on the one branch of a feed this side is further along?
      if (myTips.length > 0 && myTips[0].seq > item.seq && await holds(store, tipSet, myTips[0].author, item) !== null) continue
      // From the highest tip of mine below theirs: the responder checks it is on its branch.
      const [below] = highestBelow(myTips, item.seq, 1)
      plan.wants.push({ bucket, index, after: below?.seq ?? 0, afterId: below?.id ?? null })
    }
    for (const tip of mine) {
      const same = theirByDigest.get(toHex(tipSet.itemDigest(tip.author, tip.seq, tip.id)))
      if (same !== undefined) {
        if (tip.signed > same.signed) plan.pushes.push({ tip: tip.id, after: 0, afterId: null })
        continue
      }
      const theirs = theirByAuthor.get(toHex(tipSet.authorDigest(tip.author).digest)) ?? []
      const range = await rangeAfter(store, tipSet, tip, theirs)
      if (theirs.length === 0 || theirs[0].seq <= tip.seq) { plan.pushes.push(range); continue }
      // The responder holds a later tip of this feed: it says whether this tip lies on its branch.
      plan.probes.push({ bucket, index: items.indexOf(theirs[0]), seq: tip.seq, digest: tipSet.itemDigest(tip.author, tip.seq, tip.id) })
      plan.probed.push(range)
    }
  }
  return plan
}

/** The responder's answers: what to send for each want, and which probes it cannot place (the initiator sends those). */
export async function responderPlan (store: Store, tipSet: TipSet, wants: WantRef[], probes: Probe[], onBadRef: (what: string) => never): Promise<{ ranges: Range[], needs: number[] }> {
  const ranges: Range[] = []
  const named = new Set<string>()
  for (const want of wants) {
    const tip = tipSet.tipAt(want.bucket, want.index)
    if (tip === undefined) onBadRef(`item ${want.index} of bucket ${want.bucket}, which was not listed`)
    // Each item once, or one message could make this side walk the same feed again and again.
    const key = `${want.bucket}:${want.index}`
    if (named.has(key)) onBadRef(`item ${want.index} of bucket ${want.bucket} twice`)
    named.add(key)
    ranges.push({ tip: tip.id, after: Math.min(want.after, tip.seq), afterId: want.afterId })
  }
  const needs: number[] = []
  const probed = new Set<string>()
  for (let i = 0; i < probes.length; i++) {
    const probe = probes[i]
    const tip = tipSet.tipAt(probe.bucket, probe.index)
    if (tip === undefined) onBadRef(`a probe of item ${probe.index} of bucket ${probe.bucket}, which was not listed`)
    const key = `${probe.bucket}:${probe.index}:${probe.seq}:${toHex(probe.digest)}`
    if (probed.has(key)) onBadRef(`the same probe of item ${probe.index} of bucket ${probe.bucket} twice`)
    probed.add(key)
    // One feed index lookup per probe; a forked feed here is "cannot place" (the initiator sends it).
    if (probe.seq >= tip.seq || await holds(store, tipSet, tip.author, probe) === null) needs.push(i)
  }
  return { ranges, needs }
}
