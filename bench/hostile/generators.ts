// The hostile inputs: what a stranger can send to make a store do more than linear work, or hold more
// than it should. Each generator is deterministic and returns binary export frames built with the test
// fixtures. The drill (bench/hostile/) times them at growing sizes; test/hostile-small.test.ts checks, at
// small sizes, that each ends in the right state.
import { buildChain, frameOf, identity, jsonBody, jsonTextBody, numberedIdentity, segmentOf, SPACE, type BuiltEntry } from '../../test/helpers/fixtures.js'
import { cutFrame, feed, firstEntry, missingId, singleFrames, T0 } from './inputs.js'
import { MAX_LINKS, MAX_SEGMENT_ENTRIES, type Identity } from '../../src/index.js'

export interface HostileInput {
  /** Frames the store holds before the stranger sends anything (imported first, not timed). */
  before: Uint8Array[]
  /** What the stranger sends, in the order sent. */
  input: Uint8Array[]
  /** Frames held back (a missing prev): sent after `input`, everything becomes ready. */
  withheld: Uint8Array[]
  /**
   * The entries of `before`, `input` and `withheld` in an order that stores them plainly (causes first,
   * or simply another order): the state the hostile order must end in too.
   */
  canonical: Uint8Array[]
  /** What the time per unit divides by (usually N itself). */
  units: number
  /** Distinct entries in `input` (cuts and windows send some more than once). */
  distinct: number
}

const FEED = identity(1)
const OTHER = identity(2)

function input (parts: Partial<HostileInput> & Pick<HostileInput, 'input' | 'canonical' | 'units' | 'distinct'>): HostileInput {
  return { before: [], withheld: [], ...parts }
}

/**
 * 0. The control: N authors with one signed entry each, at seq 1. Nothing forks, waits or links; it shows
 * what an input with a signature every entry ingests at when the work is linear.
 */
export function singleEntries (n: number): HostileInput {
  const frames = Array.from({ length: n }, (_, i) => frameOf(segmentOf(SPACE, [firstEntry(numberedIdentity(i), jsonBody({ single: i }, T0))])))
  return input({ input: frames, canonical: [...frames].reverse(), units: n, distinct: n })
}

/** 1. B signed branches of one author at seq 1: B single-entry segments with distinct payloads. */
export function branches (b: number): HostileInput {
  const frames = Array.from({ length: b }, (_, i) => frameOf(segmentOf(SPACE, [firstEntry(FEED, jsonBody({ branch: i }, T0))])))
  return input({ input: frames, canonical: [...frames].reverse(), units: b, distinct: b })
}

/** Two signed entries at seq 1 of `who`, with distinct payloads (links given, if any). */
function forkedPair (who: Identity, i: number, links: [Uint8Array[], Uint8Array[]] = [[], []]): Uint8Array[] {
  return [0, 1].map((side) => frameOf(segmentOf(SPACE, [firstEntry(who, jsonBody({ author: i, side }, T0, links[side]))])))
}

/**
 * 2. N throwaway authors, each forked at seq 1 (two ready entries), sent to a store that already holds an
 * honest feed of N entries (which a view excluding forked authors replays at every rebuild).
 */
export function forkedAuthorsViews (n: number): HostileInput {
  const honest = feed(OTHER, n).frames
  const forked = Array.from({ length: n }, (_, i) => forkedPair(numberedIdentity(i), i)).flat()
  return input({ before: honest, input: forked, canonical: [...forked, ...honest], units: n, distinct: 2 * n })
}

/** A chain of `count` entries of FEED after a withheld seq-1 entry: its frame, and the chain (signed where `signed` says). */
function chainAfterWithheld (count: number, signed: (i: number) => boolean): { withheld: Uint8Array, chain: BuiltEntry[] } {
  const first = firstEntry(FEED, jsonBody({ withheld: true }, T0))
  const bodies = Array.from({ length: count }, (_, i) => jsonBody({ n: i }, T0 + i))
  return { withheld: frameOf(segmentOf(SPACE, [first])), chain: buildChain(SPACE, FEED, 1, first.id, bodies, signed) }
}

/**
 * 3. S segments of 1,024 entries of one author, windows of one chain shifted by one entry, each signed at
 * its end; the chain's first prev is withheld, so all of them wait.
 */
export function overlappingPending (s: number): HostileInput {
  const { withheld, chain } = chainAfterWithheld(s + MAX_SEGMENT_ENTRIES - 1, (i) => i >= MAX_SEGMENT_ENTRIES - 1)
  const windows = Array.from({ length: s }, (_, i) => cutFrame(chain, i, i + MAX_SEGMENT_ENTRIES))
  return input({ input: windows, withheld: [withheld], canonical: [withheld, ...windows], units: s, distinct: chain.length })
}

/**
 * 4. One author's segment of n entries (several if n > 1,024) whose entry i links entry i of another
 * author, then that author's entries one at a time: n wake-ups of the waiting segment.
 */
export function pendingWokenOneAtATime (n: number): HostileInput {
  const others = buildChain(SPACE, OTHER, 0, null, Array.from({ length: n }, (_, i) => jsonBody({ x: i }, T0 + i)))
  const waiting = feed(FEED, n, { body: (i) => jsonBody({ y: i }, T0 + i, [others[i].id]) }).frames
  const wakers = singleFrames(others)
  return input({ input: [...waiting, ...wakers], canonical: [...wakers, ...waiting], units: n, distinct: 2 * n })
}

/** 5. H single-entry authors (H DAG heads), then one author's entries linking all of them, 256 per entry. */
export function manyHeadsLink (h: number): HostileInput {
  const heads = Array.from({ length: h }, (_, i) => firstEntry(numberedIdentity(i), jsonBody({ head: i }, T0)))
  const headFrames = heads.map((entry) => frameOf(segmentOf(SPACE, [entry])))
  const linking = feed(FEED, Math.ceil(h / MAX_LINKS), { body: (j) => jsonBody({ joins: j }, T0, heads.slice(j * MAX_LINKS, (j + 1) * MAX_LINKS).map((e) => e.id)) }).frames
  return input({ input: [...headFrames, ...linking], canonical: [...linking, ...[...headFrames].reverse()], units: h, distinct: h + Math.ceil(h / MAX_LINKS) })
}

/** 6. One feed of n entries as single-entry signed segments, newest first. */
export function reversedFeed (n: number): HostileInput {
  const frames = singleFrames(buildChain(SPACE, FEED, 0, null, Array.from({ length: n }, (_, i) => jsonBody({ n: i }, T0 + i))))
  return input({ input: [...frames].reverse(), canonical: frames, units: n, distinct: n })
}

/** 7. N authors, each forked by two waiting seq-1 entries (each links an id nobody has). */
export function forkedAuthorsProofs (n: number): HostileInput {
  const frames = Array.from({ length: n }, (_, i) => forkedPair(numberedIdentity(i), i, [[missingId(2 * i)], [missingId(2 * i + 1)]])).flat()
  return input({ input: frames, canonical: [...frames].reverse(), units: n, distinct: 2 * n })
}

/**
 * 8. A store holding one author's feed of n entries; then a segment of that author at seq 2 whose prev is
 * another author's entry, which arrives right after it: the segment waits (forking the feed), then proves
 * invalid and is dropped, and the author's fork marker is found again without it.
 */
export function allPairsConflict (n: number): HostileInput {
  const longFeed = feed(FEED, n).frames
  const foreign = firstEntry(OTHER, jsonBody({ foreign: true }, T0))
  const invalid = frameOf(segmentOf(SPACE, buildChain(SPACE, FEED, 1, foreign.id, [jsonBody({ invalid: true }, T0)])))
  const foreignFrame = frameOf(segmentOf(SPACE, [foreign]))
  return input({ before: longFeed, input: [invalid, foreignFrame], canonical: [foreignFrame, ...longFeed, invalid], units: n, distinct: 2 })
}

/** 9. A main chain of N entries and N side branches of one entry, branch i at seq i (off the main entry at seq i − 1). */
export function comb (n: number): HostileInput {
  const main = buildChain(SPACE, FEED, 0, null, Array.from({ length: n }, (_, i) => jsonBody({ main: i }, T0 + i)), (i) => (i + 1) % MAX_SEGMENT_ENTRIES === 0)
  const mainFrames: Uint8Array[] = []
  for (let at = 0; at < n; at += MAX_SEGMENT_ENTRIES) mainFrames.push(cutFrame(main, at, Math.min(n, at + MAX_SEGMENT_ENTRIES)))
  const sides = Array.from({ length: n }, (_, i) => frameOf(segmentOf(SPACE, buildChain(SPACE, FEED, i, i === 0 ? null : main[i - 1].id, [jsonBody({ branch: i + 1 }, T0)]))))
  return input({ input: [...mainFrames, ...sides], canonical: [...mainFrames, ...[...sides].reverse()], units: n, distinct: 2 * n })
}

/** 10. P waiting single-entry segments, each a throwaway author's seq 2 (its seq 1 withheld); the drill reopens the store holding them. */
export function pendingOpen (p: number): HostileInput {
  const withheld: Uint8Array[] = []
  const waiting: Uint8Array[] = []
  for (let i = 0; i < p; i++) {
    const who = numberedIdentity(i)
    const first = firstEntry(who, jsonBody({ withheld: i }, T0))
    withheld.push(frameOf(segmentOf(SPACE, [first])))
    waiting.push(frameOf(segmentOf(SPACE, buildChain(SPACE, who, 1, first.id, [jsonBody({ waiting: i }, T0)]))))
  }
  return input({ input: waiting, withheld, canonical: [...withheld, ...waiting], units: p, distinct: p })
}

/** Containers the payload of deep-payload's entry i nests: half at the format's limit (256), half beyond. */
export const DEEP_PAYLOAD_DEPTHS = [256, 256, 257, 1024]

export function deepPayloadDepth (i: number): number {
  return DEEP_PAYLOAD_DEPTHS[i % DEEP_PAYLOAD_DEPTHS.length]
}

/** JSON text of `depth` nested arrays around a number. */
export function nestedJson (depth: number, inner = 0): string {
  return '['.repeat(depth) + String(inner) + ']'.repeat(depth)
}

/** 11. n entries (each a throwaway author's seq 1) whose JSON payloads nest deeply: at the limit and beyond. */
export function deepPayload (n: number): HostileInput {
  const frames = Array.from({ length: n }, (_, i) => frameOf(segmentOf(SPACE, [firstEntry(numberedIdentity(i), jsonTextBody(nestedJson(deepPayloadDepth(i), i), T0))])))
  return input({ input: frames, canonical: [...frames].reverse(), units: n, distinct: n })
}

/** 12. An export of n normal entries (1,024 a segment); the drill imports it twice. */
export function reimport (n: number): HostileInput {
  const frames = feed(FEED, n).frames
  return input({ input: frames, canonical: frames, units: n, distinct: n })
}

/**
 * 13. n distinct entries (after a withheld seq 1) sent as n prefix cuts, [1..k] for k = 1..n, each signed
 * at its end. The input holds n(n+1)/2 entries: the time per unit divides by those.
 */
export function prefixCuts (n: number): HostileInput {
  const { withheld, chain } = chainAfterWithheld(n, () => true)
  const cuts = Array.from({ length: n }, (_, k) => cutFrame(chain, 0, k + 1))
  return input({ input: cuts, withheld: [withheld], canonical: [withheld, ...[...cuts].reverse()], units: n * (n + 1) / 2, distinct: n })
}
