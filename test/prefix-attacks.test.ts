// An id is compared in full wherever it decides something. A stranger can make up an id that shares any
// number of leading bytes with a real one without hashing anything; a link to it, or a prev naming it, must
// never count as the real entry: in any arrival order, and across restarts, such an entry waits forever.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryLevel } from 'memory-level'
import { toHex } from '../src/entry/bytes.js'
import { buildSignedSegments } from '../src/entry/segment.js'
import type { AuthenticatedSegment } from '../src/entry/types.js'
import { Logbook } from '../src/index.js'
import { SPACE, SPACE_KEY, frameOf, identity, jsonBody, snapshot, twinOf } from './helpers/fixtures.js'

const a = identity(51)
const b = identity(52)
const chain = (who: typeof a, afterSeq: number, afterId: Uint8Array | null, values: Array<{ v: string, links?: Uint8Array[] }>): AuthenticatedSegment =>
  buildSignedSegments(SPACE, who.publicKey, who.secretKey, afterSeq, afterId, values.map(({ v, links }) => jsonBody(v, 1, links ?? [])))[0]

const real = chain(b, 0, null, [{ v: 'real' }])
const first = chain(a, 0, null, [{ v: 'a1' }])
const linksTwin = chain(a, 1, first.ids[0], [{ v: 'links a twin', links: [twinOf(real.ids[0])] }])
// Author a's seq 2 again, on a made-up prev: its ids are honest hashes of a chain nobody holds the start of.
const prevTwin = chain(a, 1, twinOf(first.ids[0]), [{ v: 'prev is a twin' }, { v: 'and after it' }])
const honest = [real, first]
const hostile = [linksTwin, prevTwin]

/** Every order of the four segments, each imported into a store on disk that is reopened halfway. */
function orders (items: AuthenticatedSegment[]): AuthenticatedSegment[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

test('a link to or a prev of a made-up id sharing 31 bytes with a real one waits forever, in every order and across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logbook-prefix-'))
  try {
    let expected: string | undefined
    let n = 0
    for (const order of orders([...honest, ...hostile])) {
      const path = join(dir, String(n++))
      let book = await Logbook.create({ dir: path, spaceKey: SPACE_KEY, identity: identity(1) })
      for (const [i, segment] of order.entries()) {
        await book.import(frameOf(segment))
        if (i === 1) { await book.close(); book = await Logbook.open({ dir: path }) }
      }
      await book.close()
      book = await Logbook.open({ dir: path })
      const status = book.status()
      assert.equal(status.entries, 2, `only the honest entries are ready (order ${n})`)
      assert.deepEqual(book.feedHeads().map((head) => head.id).sort(), [toHex(first.ids[0]), toHex(real.ids[0])].sort())
      // The seq 2 on a made-up prev has no history here, so it is no fork: it can never be placed.
      assert.deepEqual(await book.forks(), [])
      const waits = (await book.pending()).map((p) => `${p.fromSeq}-${p.toSeq} ${p.reason} ${p.waitsFor}`).sort()
      assert.deepEqual(waits, [`2-2 link ${toHex(twinOf(real.ids[0]))}`, `2-3 prev ${toHex(twinOf(first.ids[0]))}`])
      assert.deepEqual((await book.verify()).problems, [])
      const state = JSON.stringify({ state: await snapshot(book), waits })
      expected ??= state
      assert.equal(state, expected, `order ${n} reaches the same state`)
      await book.close()
    }
    assert.equal(n, 24)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('verify names a stored entry whose link is not stored in full', async () => {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
  const book = await Logbook.create({ db, spaceKey: SPACE_KEY, identity: identity(1) })
  try {
    await book.import(frameOf(real))
    await book.import(frameOf(chain(a, 0, null, [{ v: 'links the real one', links: [real.ids[0]] }])))
    assert.deepEqual((await book.verify()).problems, [])
    // Damage the database under the store: the id index loses the linked entry.
    await db.sublevel<Uint8Array, Uint8Array>('d', { keyEncoding: 'view', valueEncoding: 'view' }).del(real.ids[0])
    const { problems } = await book.verify()
    assert.ok(problems.some((problem) => problem.includes(`depends on ${toHex(real.ids[0])}, which is not stored`)), problems.join('\n'))
  } finally {
    await book.close()
  }
})
