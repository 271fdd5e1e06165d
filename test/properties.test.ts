// Property tests of import: the state a store reaches depends only on WHAT it was given, never on the
// order, duplication or cutting of it. A small world of feeds (links across authors, forks written by the
// same identity on two devices, random signature placement) is cut into segments; any permutation,
// duplication and re-cutting of them, as binary frames or JSON lines, in several import calls and
// arbitrary chunk sizes, must reach the state of a reference import and the state the world implies.
// fast-check runs with a fixed seed (FC_SEED overrides it); a failure reports seed and path to replay.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Logbook } from '../src/logbook.js'
import type { Identity } from '../src/identity.js'
import { signEntryId } from '../src/crypto/index.js'
import { compareBytes } from '../src/entry/bytes.js'
import { computeEntryId } from '../src/entry/entry-id.js'
import { segmentToJson } from '../src/io/json-segment.js'
import type { ImportSummary } from '../src/io/import.js'
import {
  SPACE, chunked, collect, concatBytes, frameOf, identity, jsonBody, jsonLineOf, memoryBook, prng, segmentOf, snapshot, toHex,
  type BuiltEntry, type Snapshot
} from './helpers/fixtures.js'

const SEED = Number(process.env.FC_SEED ?? 0x10b600c)
const RUNS = Number(process.env.FC_RUNS ?? 100)
/** The budget of ~100 runs is shared: most for the main property, the rest for varied signature placement. */
const MAIN_RUNS = Math.ceil(RUNS * 0.7)
const STRIPPED_RUNS = RUNS - MAIN_RUNS

// ---- the world ----

interface Step { who: number, branch: number, forkAt: number, sign: boolean, links: number[] }
interface Plan { authors: number, steps: Step[], schedule: number }

interface WorldEntry extends BuiltEntry { t: number, authorIndex: number }
interface AuthorFeeds {
  who: Identity
  main: WorldEntry[]
  /** The second branch, written by the same identity on another device: entries from seq forkSeq on. */
  fork: WorldEntry[]
  forkSeq: number
}
interface World {
  feeds: AuthorFeeds[]
  all: WorldEntry[]
  /** Every branch as a whole chain from seq 1 (a fork branch shares the main branch before forkSeq). */
  chains: WorldEntry[][]
}

const MAX_FEED = 12
/** How many runs exercised the interesting paths (checked after the property, so it cannot pass vacuously). */
const coverage = { runs: 0, pendingOnTheWay: 0, forked: 0 }

function buildWorld (plan: Plan): World {
  const feeds: AuthorFeeds[] = []
  for (let a = 0; a < plan.authors; a++) feeds.push({ who: identity(10 + a), main: [], fork: [], forkSeq: 0 })
  const all: WorldEntry[] = []
  let t = 0
  const add = (a: number, branch: 'main' | 'fork', step: Step): void => {
    const feed = feeds[a]
    const chain = branch === 'main' ? feed.main : [...feed.main.slice(0, feed.forkSeq - 1), ...feed.fork]
    const prev = chain.length === 0 ? null : chain[chain.length - 1]
    // Links name entries that are ready where the linker saw them: ready needs a signature at or after the
    // entry on its chain (an entry becomes ready with the signature that authenticates it).
    const others = all.filter((e) => e.authorIndex !== a && covered(e))
    const links = others.length === 0 ? [] : [...new Map(step.links.map((p) => { const id = others[p % others.length].id; return [toHex(id), id] })).values()]
    const body = jsonBody({ a, branch, t }, 1_700_000_000_000 + t, links)
    const seq = chain.length + 1
    const id = computeEntryId(SPACE, feed.who.publicKey, seq, prev?.id ?? null, body)
    const entry: WorldEntry = { ...body, id, seq, prev: prev?.id ?? null, author: feed.who.publicKey, signature: null, t: t++, authorIndex: a }
    entry.signature = step.sign ? signEntryId(id, feed.who.secretKey) : null
    if (branch === 'main') feed.main.push(entry); else feed.fork.push(entry)
    all.push(entry)
  }
  function covered (e: WorldEntry): boolean {
    const feed = feeds[e.authorIndex]
    const branches = [feed.main, [...feed.main.slice(0, Math.max(0, feed.forkSeq - 1)), ...feed.fork]]
    return branches.some((chain) => {
      const at = chain.indexOf(e)
      return at >= 0 && chain.slice(at).some((later) => later.signature !== null)
    })
  }
  for (const step of plan.steps) {
    const a = step.who % plan.authors
    const feed = feeds[a]
    if (step.branch === 0 && feed.forkSeq === 0 && feed.main.length > 0) {
      feed.forkSeq = 1 + (step.forkAt % feed.main.length) // a second entry at a seq the main branch has
      add(a, 'fork', step)
    } else if (feed.forkSeq > 0 && step.branch % 2 === 1 && feed.forkSeq - 1 + feed.fork.length < MAX_FEED) {
      add(a, 'fork', step)
    } else if (feed.main.length < MAX_FEED) {
      add(a, 'main', step)
    }
  }
  for (let a = 0; a < plan.authors; a++) if (feeds[a].main.length === 0) add(a, 'main', { who: a, branch: 1, forkAt: 0, sign: true, links: [] })
  // The last entry of every branch is signed: nothing would authenticate it otherwise.
  const chains: WorldEntry[][] = []
  for (const feed of feeds) {
    chains.push(feed.main)
    if (feed.forkSeq > 0) chains.push([...feed.main.slice(0, feed.forkSeq - 1), ...feed.fork])
  }
  for (const chain of chains) {
    const last = chain[chain.length - 1]
    if (last.signature === null) last.signature = signEntryId(last.id, feeds[last.authorIndex].who.secretKey)
  }
  return { feeds, all, chains }
}

/** Cuts a chain into segments at signed entries: each signed index is a cut with probability `p`. */
function cut (chain: WorldEntry[], random: () => number, p: number, from = 0): WorldEntry[][] {
  const out: WorldEntry[][] = []
  let start = from
  for (let i = from; i < chain.length; i++) {
    if (chain[i].signature !== null && (i === chain.length - 1 || random() < p)) {
      out.push(chain.slice(start, i + 1))
      start = i + 1
    }
  }
  return out
}

/** What the world implies a store holding all of it must show. */
function expectedState (world: World): Omit<Snapshot, 'signed'> & { signed: string[] } {
  const referenced = new Set<string>()
  for (const e of world.all) {
    if (e.prev !== null) referenced.add(toHex(e.prev))
    for (const link of e.links) referenced.add(toHex(link))
  }
  const ids = world.all.map((e) => toHex(e.id))
  const feedHeads: Snapshot['feedHeads'] = []
  const forks: Snapshot['forks'] = []
  for (const feed of world.feeds) {
    const author = toHex(feed.who.publicKey)
    const tip = feed.main[feed.main.length - 1]
    feedHeads.push({ author, id: toHex(tip.id), seq: tip.seq })
    if (feed.forkSeq > 0) {
      const forkTip = feed.fork[feed.fork.length - 1]
      feedHeads.push({ author, id: toHex(forkTip.id), seq: forkTip.seq })
      // The canonical proof: the two entries at the fork seq, lower id first, each with its run to a signature.
      const runs = [feed.main.slice(feed.forkSeq - 1), feed.fork]
        .map((branch) => branch.slice(0, branch.findIndex((e) => e.signature !== null) + 1))
        .sort((x, y) => compareBytes(x[0].id, y[0].id))
      forks.push({
        author,
        seq: feed.forkSeq,
        ids: [toHex(runs[0][0].id), toHex(runs[1][0].id)],
        proof: JSON.stringify(runs.map((run) => segmentToJson(segmentOf(SPACE, run), run.map((e) => e.id))))
      })
    }
  }
  feedHeads.sort((a, b) => a.author.localeCompare(b.author) || a.seq - b.seq || a.id.localeCompare(b.id))
  forks.sort((a, b) => a.author.localeCompare(b.author))
  return {
    ready: [...ids].sort(),
    heads: ids.filter((id) => !referenced.has(id)).sort(),
    feedHeads,
    forks,
    signed: world.all.filter((e) => e.signature !== null).map((e) => toHex(e.id)).sort()
  }
}

// ---- importing ----

function assertClean (summary: ImportSummary, what: string): void {
  assert.equal(summary.corrupt, null, `${what}: unexpected corrupt frame ${JSON.stringify(summary.corrupt)}`)
  assert.equal(summary.rejectedCount, 0, `${what}: unexpected rejections ${JSON.stringify(summary.rejected)}`)
}

async function importAll (book: Logbook, calls: Array<{ bytes: Uint8Array, chunks: number[] }>, what: string): Promise<ImportSummary[]> {
  const out: ImportSummary[] = []
  for (const call of calls) {
    const summary = await book.import(call.chunks.length === 0 ? call.bytes : chunked(call.bytes, call.chunks))
    assertClean(summary, what)
    out.push(summary)
  }
  return out
}

async function assertSameState (book: Logbook, expected: Snapshot, what: string): Promise<void> {
  const actual = await snapshot(book)
  assert.deepEqual(actual.ready, expected.ready, `${what}: ready ids differ`)
  assert.deepEqual(actual.heads, expected.heads, `${what}: heads differ`)
  assert.deepEqual(actual.feedHeads, expected.feedHeads, `${what}: feed heads differ`)
  assert.deepEqual(actual.signed, expected.signed, `${what}: signed entries differ`)
  assert.deepEqual(actual.forks, expected.forks, `${what}: fork proofs differ`)
  assert.equal(book.status().pendingEntries, 0, `${what}: entries left pending`)
  const verified = await book.verify()
  assert.deepEqual(verified.problems, [], `${what}: verify() found problems`)
  assert.equal(verified.ok, true)
}

const stepArb = fc.record({
  who: fc.nat(3),
  branch: fc.nat(7),
  forkAt: fc.nat(11),
  sign: fc.boolean(),
  links: fc.array(fc.nat(1000), { maxLength: 2 })
})
const planArb: fc.Arbitrary<Plan> = fc.record({
  authors: fc.integer({ min: 2, max: 4 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  schedule: fc.integer()
})

async function checkWorld (plan: Plan, options: { strippedCopies: boolean }): Promise<void> {
  const world = buildWorld(plan)
  const expected = expectedState(world)
  coverage.runs++
  const random = prng(plan.schedule)
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]

  // Reference: every run between signatures as its own segment (fork branches from their fork seq on),
  // in the order the world wrote their last entries, one import call, one chunk.
  const reference: WorldEntry[][] = []
  for (const feed of world.feeds) {
    reference.push(...cut(feed.main, () => 1, 1))
    if (feed.forkSeq > 0) reference.push(...cut([...feed.main.slice(0, feed.forkSeq - 1), ...feed.fork], () => 1, 1, feed.forkSeq - 1))
  }
  reference.sort((x, y) => x[x.length - 1].t - y[y.length - 1].t)
  const referenceBook = await memoryBook()
  await importAll(referenceBook, [{ bytes: concatBytes(reference.map((run) => frameOf(segmentOf(SPACE, run)))), chunks: [] }], 'reference import')
  const referenceState = await snapshot(referenceBook)
  assert.deepEqual(referenceState, { ...expected }, 'the reference import does not show what the world implies')
  await assertSameState(referenceBook, expected, 'reference import')

  // The same world, cut differently per chain (whole fork chains too, re-sending the shared prefix), plus
  // overlapping runs that start anywhere, plus duplicates, shuffled.
  const runs: WorldEntry[][] = []
  for (const chain of world.chains) runs.push(...cut(chain, random, random()))
  const extras = Math.floor(random() * 4)
  for (let i = 0; i < extras; i++) {
    const chain = pick(world.chains)
    const start = Math.floor(random() * chain.length)
    const ends = chain.map((e, j) => j).filter((j) => j >= start && chain[j].signature !== null)
    runs.push(chain.slice(start, pick(ends) + 1))
  }
  const dups = Math.floor(random() * 3)
  for (let i = 0; i < dups; i++) runs.push(pick(runs))
  // Signature placement varies between copies too: a copy of a run may carry only its last signature
  // (another copy carries the rest; the store must keep every signature it was given).
  const stripped = options.strippedCopies ? 1 + Math.floor(random() * 3) : 0
  for (let i = 0; i < stripped; i++) {
    const run = pick(runs)
    runs.push(run.map((e, j) => j === run.length - 1 ? e : { ...e, signature: null }))
  }
  for (let i = runs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[runs[i], runs[j]] = [runs[j], runs[i]]
  }
  // Each segment as a binary frame or a JSON line (with or without stated ids); then split into
  // import calls at frame boundaries, each call delivered in arbitrary chunk sizes.
  const encoded = runs.map((run) => {
    const segment = segmentOf(SPACE, run)
    const form = random()
    return form < 0.6 ? frameOf(segment) : jsonLineOf(segment, form < 0.8 ? run.map((e) => e.id) : undefined)
  })
  const calls: Array<{ bytes: Uint8Array, chunks: number[] }> = []
  for (let i = 0; i < encoded.length;) {
    const take = 1 + Math.floor(random() * 4)
    const bytes = concatBytes(encoded.slice(i, i + take))
    const chunks = random() < 0.3 ? [] : Array.from({ length: 1 + Math.floor(random() * 4) }, () => 1 + Math.floor(random() * (random() < 0.5 ? 8 : 300)))
    calls.push({ bytes, chunks })
    i += take
  }
  const book = await memoryBook()
  const summaries = await importAll(book, calls, 'shuffled import')
  if (summaries.some((s) => s.pending > 0)) coverage.pendingOnTheWay++
  if (world.feeds.some((f) => f.forkSeq > 0)) coverage.forked++
  await assertSameState(book, referenceState, 'shuffled import')

  // Everything a second time: nothing changes, nothing new is stored.
  const again = await importAll(book, [...calls].reverse(), 'second import')
  assert.equal(again.reduce((sum, s) => sum + s.imported, 0), 0, 'a second import stored entries again')
  assert.equal(again.reduce((sum, s) => sum + s.signaturesAdded, 0), 0, 'a second import added signatures')
  await assertSameState(book, referenceState, 'second import')

  // Export round trips, binary and JSON, into fresh stores (in small chunks for good measure).
  for (const format of ['binary', 'json'] as const) {
    const exported = await collect(book.export({ format }))
    const copy = await memoryBook()
    await importAll(copy, [{ bytes: exported, chunks: [1 + Math.floor(random() * 97)] }], `${format} export round trip`)
    await assertSameState(copy, referenceState, `${format} export round trip`)
    await copy.close()
  }
  await book.close()
  await referenceBook.close()
}

async function runProperty (numRuns: number, options: { strippedCopies: boolean }): Promise<void> {
  coverage.runs = coverage.pendingOnTheWay = coverage.forked = 0
  try {
    await fc.assert(fc.asyncProperty(planArb, async (plan) => await checkWorld(plan, options)), { seed: SEED, numRuns })
  } catch (err) {
    // fast-check's message holds the seed and path; say how to replay it, and what failed.
    const cause = (err as { cause?: unknown }).cause
    ;(err as Error).message = `replay with FC_SEED=${SEED} (fast-check seed/path below)\n${(err as Error).message}` +
      (cause instanceof Error ? `\nCaused by: ${cause.message}` : '')
    throw err
  }
  assert.ok(coverage.pendingOnTheWay >= coverage.runs / 4, `only ${coverage.pendingOnTheWay} of ${coverage.runs} shuffled imports had entries waiting on the way`)
  assert.ok(coverage.forked >= coverage.runs / 5, `only ${coverage.forked} of ${coverage.runs} worlds had a fork`)
}

const started = Date.now()

test('any permutation, duplication and split of the segments reaches the same state', { timeout: 120_000 }, async () => {
  await runProperty(MAIN_RUNS, { strippedCopies: false })
})

test('... also when some copies of a run carry only their last signature (no signature is ever lost)', { timeout: 120_000 }, async () => {
  await runProperty(STRIPPED_RUNS, { strippedCopies: true })
})

test('how long the properties took (reported, never asserted: machines differ)', (t) => {
  t.diagnostic(`${RUNS} runs took ${Date.now() - started} ms`)
})

test('the generator makes forks, links and interior signatures (the property is not vacuous)', () => {
  const samples = fc.sample(planArb, { seed: SEED, numRuns: RUNS })
  let forked = 0
  let linked = 0
  let interior = 0
  for (const plan of samples) {
    const world = buildWorld(plan)
    if (world.feeds.some((f) => f.forkSeq > 0)) forked++
    if (world.all.some((e) => e.links.length > 0)) linked++
    if (world.chains.some((chain) => chain.slice(0, -1).some((e) => e.signature !== null))) interior++
  }
  assert.ok(forked >= RUNS / 5, `only ${forked} of ${RUNS} worlds have a fork`)
  assert.ok(linked >= RUNS / 2, `only ${linked} of ${RUNS} worlds have links`)
  assert.ok(interior >= RUNS / 2, `only ${interior} of ${RUNS} worlds have interior signatures`)
})
