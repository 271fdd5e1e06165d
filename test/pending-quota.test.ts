// The pending area's quota: beyond it the largest pending entries are evicted, by a rule that reads only
// what is pending (per author: largest (seq, id) first; in total: largest (seq, author, id) first), so the
// same entries given in any order leave the same ones. An evicted entry is simply taken again later.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryLevel } from 'memory-level'
import { Logbook, LogbookError } from '../src/index.js'
import type { AuthenticatedSegment } from '../src/entry/types.js'
import { buildSignedSegments } from '../src/entry/segment.js'
import { SPACE, SPACE_KEY, filled, frameOf, identity, jsonBody, prng, toHex } from './helpers/fixtures.js'

const a = identity(71)
const b = identity(72)

/** One signed single-entry segment of `who` at `seq`, on a prev nobody has: an orphan, pending forever. */
function orphan (who: typeof a, seq: number, n: number): AuthenticatedSegment {
  return buildSignedSegments(SPACE, who.publicKey, who.secretKey, seq - 1, filled(0x40 + (n % 100)), [jsonBody({ n, pad: 'x'.repeat(40) }, n)])[0]
}

async function bookWith (perAuthor: number, total: number): Promise<Logbook> {
  return await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey: SPACE_KEY, identity: identity(1), pendingQuota: { perAuthor, total } })
}

/** The pending entries a store kept, as `author:seq:id` (sorted). */
async function kept (book: Logbook): Promise<string[]> {
  const out: string[] = []
  for (const run of await book.pending()) out.push(`${run.author.slice(0, 8)}:${run.fromSeq}:${run.waitsFor ?? ''}`)
  return out.sort()
}

function shuffled<T> (items: T[], seed: number): T[] {
  const random = prng(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

test('over the quota, the same pending entries are evicted whatever order they came in', async () => {
  const segments = [
    ...Array.from({ length: 12 }, (_, i) => orphan(a, 2 + (i % 5), i)),
    ...Array.from({ length: 8 }, (_, i) => orphan(b, 3 + i, 100 + i))
  ]
  const probe = await bookWith(1 << 30, 1 << 30)
  for (const segment of segments) await probe.import(frameOf(segment))
  const perEntry = Math.ceil(probe.status().pendingBytes / segments.length)
  assert.equal(probe.status().pendingEntries, 20)
  await probe.close()

  let expected: string[] | undefined
  for (let seed = 1; seed <= 6; seed++) {
    const book = await bookWith(perEntry * 7, perEntry * 11)
    let evicted = 0
    for (const segment of shuffled(segments, seed)) evicted += (await book.import(frameOf(segment))).evicted
    const status = book.status()
    assert.ok(status.pendingBytes <= perEntry * 11, `within the total quota (${status.pendingBytes})`)
    assert.equal(status.pendingEntries + evicted, 20, 'every entry was stored, then kept or evicted')
    const now = await kept(book)
    expected ??= now
    assert.deepEqual(now, expected, `order ${seed} keeps the same entries`)
    assert.deepEqual((await book.verify()).problems, [])
    await book.close()
  }
  // What the rule says: per author the smallest (seq, id), then in all the smallest (seq, author, id).
  const key = (s: AuthenticatedSegment): string => `${toHex(s.author).slice(0, 8)}:${s.firstSeq}:${toHex(s.firstPrev as Uint8Array)}`
  const order = (x: AuthenticatedSegment, y: AuthenticatedSegment): number => x.firstSeq - y.firstSeq || Buffer.compare(Buffer.from(x.ids[0]), Buffer.from(y.ids[0]))
  const perAuthor = [a, b].flatMap((who) => segments.filter((s) => toHex(s.author) === who.author).sort(order).slice(0, 7))
  const inAll = perAuthor.sort((x, y) => x.firstSeq - y.firstSeq || Buffer.compare(Buffer.from(x.author), Buffer.from(y.author)) || Buffer.compare(Buffer.from(x.ids[0]), Buffer.from(y.ids[0]))).slice(0, 11)
  assert.deepEqual(expected, inAll.map(key).sort())
})

test('an evicted entry is taken again when there is room', async () => {
  const first = orphan(a, 9, 1)
  const second = orphan(a, 3, 2)
  const probe = await bookWith(1 << 30, 1 << 30)
  await probe.import(frameOf(first))
  const size = probe.status().pendingBytes
  await probe.close()
  const book = await bookWith(size, 1 << 30)
  await book.import(frameOf(first))
  const summary = await book.import(frameOf(second))
  assert.equal(summary.evicted, 1, 'the larger seq made room for the smaller')
  assert.deepEqual((await book.pending()).map((run) => run.fromSeq), [3])
  await book.close()
})

test('a quota that is not a positive whole number of bytes is refused', async () => {
  await assert.rejects(bookWith(0, 10), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_ARGUMENT' && /pendingQuota.perAuthor/.test(err.message))
})
