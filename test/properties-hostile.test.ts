// Property tests of the ingest path under hostile input: forks with many branches, overlapping runs of one
// chain, prefix twins (prevs and links naming made-up ids that share all but one byte with real ones) and
// duplicates, given in any order, reach one state; with a pending quota that forces evictions, the same
// entries are kept whatever the order. fast-check runs with a fixed seed (FC_SEED overrides it).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MemoryLevel } from 'memory-level'
import { Logbook } from '../src/index.js'
import type { AuthenticatedSegment } from '../src/entry/types.js'
import { buildSignedSegments } from '../src/entry/segment.js'
import { SPACE, SPACE_KEY, frameOf, identity, jsonBody, prng, snapshot } from './helpers/fixtures.js'

const SEED = Number(process.env.FC_SEED ?? 0x5eed)
const RUNS = Number(process.env.FC_RUNS ?? 25)

const A = identity(81)
const C = identity(82)

interface Plan { length: number, branchSeq: number, branches: number, cuts: Array<[number, number]>, twins: number[], withholdFirst: boolean, schedule: number }

function twin (id: Uint8Array): Uint8Array {
  const out = Uint8Array.from(id)
  out[31] ^= 1
  return out
}

/** The segments a plan makes: a chain cut in overlapping runs, branches at one seq, twins, and a linker. */
function segmentsOf (plan: Plan): { segments: AuthenticatedSegment[], first: AuthenticatedSegment } {
  const bodies = Array.from({ length: plan.length }, (_, i) => jsonBody({ i }, i + 1))
  const chain = buildSignedSegments(SPACE, A.publicKey, A.secretKey, 0, null, bodies)[0] // signed at its last entry only
  const ids = chain.ids
  const runOf = (from: number, to: number): AuthenticatedSegment =>
    buildSignedSegments(SPACE, A.publicKey, A.secretKey, from, from === 0 ? null : ids[from - 1], bodies.slice(from, to + 1))[0]
  const first = runOf(0, 0)
  const segments: AuthenticatedSegment[] = [runOf(1, plan.length - 1)]
  for (const [x, y] of plan.cuts) {
    const from = Math.min(x, y) % plan.length
    const to = Math.max(x, y) % plan.length
    if (from > 0 && to >= from) segments.push(runOf(from, to))
  }
  const at = Math.max(1, plan.branchSeq % plan.length) // a seq whose prev the chain has
  for (let b = 0; b < plan.branches; b++) {
    segments.push(buildSignedSegments(SPACE, A.publicKey, A.secretKey, at - 1, at === 1 ? null : ids[at - 2], [jsonBody({ branch: b }, 1000 + b)])[0])
  }
  for (const k of plan.twins) {
    const seq = 2 + (k % (plan.length - 1))
    segments.push(buildSignedSegments(SPACE, A.publicKey, A.secretKey, seq - 1, twin(ids[seq - 2]), [jsonBody({ twin: k }, 2000 + k)])[0])
    segments.push(buildSignedSegments(SPACE, C.publicKey, C.secretKey, 0, null, [jsonBody({ linksTwin: k }, 3000 + k, [twin(ids[seq - 1])])])[0])
  }
  return { segments, first }
}

function shuffled<T> (items: T[], seed: number): T[] {
  const random = prng(seed)
  const out = [...items, ...items.filter(() => random() < 0.2)] // some duplicates too
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

async function stateAfter (segments: AuthenticatedSegment[], quota?: { perAuthor: number, total: number }): Promise<string> {
  const book = await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey: SPACE_KEY, identity: identity(1), pendingQuota: quota })
  try {
    for (const segment of segments) await book.import(frameOf(segment))
    const { entries, pendingEntries, pendingBytes, forks, heads, feeds } = book.status()
    assert.deepEqual((await book.verify()).problems, [])
    return JSON.stringify({ state: await snapshot(book), pending: await book.pending(), entries, pendingEntries, pendingBytes, forks, heads, feeds })
  } finally {
    await book.close()
  }
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  length: fc.integer({ min: 3, max: 24 }),
  branchSeq: fc.nat(30),
  branches: fc.integer({ min: 0, max: 12 }),
  cuts: fc.array(fc.tuple(fc.nat(40), fc.nat(40)), { maxLength: 8 }),
  twins: fc.array(fc.nat(40), { maxLength: 3 }),
  withholdFirst: fc.boolean(),
  schedule: fc.integer()
})

test('hostile segments (many branches, overlapping runs, prefix twins, duplicates) in any order reach one state', async () => {
  await fc.assert(fc.asyncProperty(planArb, async (plan) => {
    const { segments, first } = segmentsOf(plan)
    const all = plan.withholdFirst ? segments : [first, ...segments]
    const reference = await stateAfter(all)
    for (const seed of [plan.schedule, plan.schedule + 1]) assert.equal(await stateAfter(shuffled(all, seed)), reference)
  }), { seed: SEED, numRuns: RUNS })
})

test('with a quota that forces evictions, the same pending entries are kept in any order', async () => {
  await fc.assert(fc.asyncProperty(planArb, async (plan) => {
    // Seq 1 withheld: everything of the author stays pending, so what is kept depends on the quota alone.
    const { segments } = segmentsOf(plan)
    const quota = { perAuthor: 2500, total: 4000 }
    const reference = await stateAfter(segments, quota)
    for (const seed of [plan.schedule, plan.schedule + 1]) assert.equal(await stateAfter(shuffled(segments, seed), quota), reference)
  }), { seed: SEED, numRuns: RUNS })
})
