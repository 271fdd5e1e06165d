// Edge cases of the ingest path found in review, each pinned by the scenario that broke it:
// an export branching below an unsigned entry, a fork marker resting on a segment later found
// invalid, a journal replay meeting such a segment, signatures arriving on a copy of a pending segment.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signEntryId } from '../src/crypto/index.js'
import { toHex } from '../src/entry/bytes.js'
import { buildSignedSegments, decodeSegmentBody, encodeSegmentBody } from '../src/entry/segment.js'
import { pageBody, replacePageBody } from '../src/store/page.js'
import type { AuthenticatedSegment } from '../src/entry/types.js'
import { Logbook, LogbookError } from '../src/index.js'
import { SPACE, SPACE_KEY, collect, frameOf, identity, jsonBody, memoryBook, snapshot } from './helpers/fixtures.js'

const a = identity(41)
const b = identity(42)
const chain = (who: typeof a, afterSeq: number, afterId: Uint8Array | null, values: Array<{ v: string, links?: Uint8Array[] }>): AuthenticatedSegment =>
  buildSignedSegments(SPACE, who.publicKey, who.secretKey, afterSeq, afterId, values.map(({ v, links }) => jsonBody(v, 1, links ?? [])))[0]

test('an export keeps an unsigned entry that two waiting branches grow from', async () => {
  const l1 = chain(b, 0, null, [{ v: 'L1' }])
  const l2 = chain(b, 1, l1.ids[0], [{ v: 'L2' }])
  const xz = chain(a, 0, null, [{ v: 'X' }, { v: 'Z1', links: [l1.ids[0]] }]) // X unsigned, Z1 signed
  const y = chain(a, 1, xz.ids[0], [{ v: 'Y1' }, { v: 'Y2', links: [l2.ids[0]] }]) // a second branch from X
  const book = await memoryBook()
  for (const segment of [xz, y, l1]) await book.import(frameOf(segment))
  const copy = await memoryBook()
  await copy.import(await collect(book.export()))
  assert.deepEqual(await snapshot(copy), await snapshot(book))
  await book.import(frameOf(l2))
  await copy.import(frameOf(l2))
  assert.deepEqual(await snapshot(copy), await snapshot(book))
  assert.equal(copy.status().entries, 6)
})

test('a fork marker that rested on a segment later found invalid is the same in every order', async () => {
  const c1 = chain(a, 0, null, [{ v: '1' }])
  const rest = chain(a, 1, c1.ids[0], ['2', '3', '4', '5', '6'].map((v) => ({ v })))
  const invalid = chain(a, 5, c1.ids[0], [{ v: '99' }]) // seq 6 whose prev is seq 1
  const states = []
  for (const order of [[rest, invalid, c1], [c1, rest, invalid], [invalid, rest, c1]]) {
    const book = await memoryBook()
    for (const segment of order) await book.import(frameOf(segment))
    assert.deepEqual((await book.verify()).problems, [])
    states.push(await snapshot(book))
  }
  assert.deepEqual(states[1], states[0])
  assert.deepEqual(states[2], states[0])
  assert.deepEqual(states[0].forks, [])
})

test('a signature on the ready part of a pending segment is kept whichever copy came first', async () => {
  const link = chain(b, 0, null, [{ v: 'L' }])
  const plain = chain(a, 0, null, [{ v: 'a' }, { v: 'b', links: [link.ids[0]] }])
  const signed = { ...plain, encoded: undefined, entries: plain.entries.map((entry, i) => i === 0 ? { ...entry, signature: signEntryId(plain.ids[0], a.secretKey) } : entry) }
  for (const order of [[plain, signed], [signed, plain]]) {
    const book = await memoryBook()
    for (const segment of order) await book.import(frameOf(segment))
    const first = await book.get(toHex(plain.ids[0]))
    assert.equal(first?.signed, true)
  }
})

const role = process.env.LOGBOOK_EDGE_ROLE
if (role === 'crash-after-drop') {
  // Child: journal a segment that waits, then its prev proving it invalid; die before a checkpoint.
  const book = await Logbook.open({ dir: process.argv[2] })
  const p = chain(a, 0, null, [{ v: 'P' }])
  const s = chain(a, 5, p.ids[0], [{ v: 'S' }])
  await book.import(frameOf(s))
  await book.import(frameOf(p))
  process.kill(process.pid, 'SIGKILL')
} else {
  test('a journal replay that meets a segment dropped as invalid still opens the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'logbook-edge-'))
    try {
      const store = join(dir, 'store')
      await (await Logbook.create({ dir: store, spaceKey: SPACE_KEY })).close()
      const child = fork(new URL(import.meta.url).pathname, [store], { env: { ...process.env, LOGBOOK_EDGE_ROLE: 'crash-after-drop' }, stdio: 'ignore' })
      const signal = await new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)))
      assert.equal(signal, 'SIGKILL')
      const book = await Logbook.open({ dir: store })
      try {
        assert.equal(book.status().entries, 1)
        assert.equal(book.status().pendingEntries, 0)
        assert.deepEqual((await book.verify()).problems, [])
      } finally {
        await book.close()
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
}

test('verify finds a ready entry that no stored signature authenticates', async () => {
  const link = chain(b, 0, null, [{ v: 'L' }])
  const run = chain(a, 0, null, [{ v: 'a' }, { v: 'b', links: [link.ids[0]] }]) // a unsigned, b signed
  const book = await memoryBook()
  await book.import(frameOf(run))
  assert.equal(book.status().entries, 0, 'a waits with b: only b\'s signature, once b is ready, authenticates it')
  await book.import(frameOf(link))
  assert.equal(book.status().entries, 3)
  assert.deepEqual((await book.verify()).problems, [])
  // Damage the store: strip the signature from b's page, the only one over entry a.
  await book.internalStore.writer.drained()
  for await (const [key, value] of book.internalStore.layout.pages.iterator()) {
    const page = decodeSegmentBody(pageBody(value), { trusted: true })
    if (toHex(page.author) !== a.author) continue
    page.entries[page.entries.length - 1].signature = null
    page.encoded = undefined
    await book.internalStore.layout.pages.put(key, replacePageBody(value, encodeSegmentBody(page)))
  }
  const problems = (await book.verify()).problems
  assert.deepEqual(problems.map((problem) => problem.replace(/:.*/, '')).sort(), run.ids.map((id) => `entry ${toHex(id)}`).sort())
  assert.ok(problems.every((problem) => problem.endsWith('no stored signature authenticates it')), problems.join('\n'))
})

test('a fork proof is the same in every order when the forked entry has several successors', async () => {
  const base = chain(a, 0, null, ['1', '2', '3', '4'].map((v) => ({ v })))
  const first = chain(a, 4, base.ids[3], [{ v: 'L' }, { v: 'C1' }]) // L unsigned, C1 signed
  const second = chain(a, 4, base.ids[3], [{ v: 'L' }, { v: 'C2' }]) // the same L, another successor
  const other = chain(a, 4, base.ids[3], [{ v: 'H' }]) // the fork at seq 5
  const proofs: unknown[] = []
  for (const order of [[base, first, second, other], [base, second, first, other], [other, second, base, first]]) {
    const book = await memoryBook()
    for (const segment of order) await book.import(frameOf(segment))
    const forks = (await snapshot(book)).forks
    assert.equal(forks.length, 1)
    proofs.push(forks)
    await book.close()
  }
  assert.deepEqual(proofs[1], proofs[0])
  assert.deepEqual(proofs[2], proofs[0])
})

test('a fork proof takes the shortest run to a signature, pending or ready', async () => {
  const missing = chain(b, 0, null, [{ v: 'X' }]) // never imported
  const base = chain(a, 0, null, ['1', '2', '3', '4'].map((v) => ({ v })))
  const short = chain(a, 4, base.ids[3], [{ v: 'L' }, { v: 'C1', links: [missing.ids[0]] }]) // C1 signed, waits for X
  const other = chain(a, 4, base.ids[3], [{ v: 'H' }])
  // After L, a run signed only at its end: 1,025 entries from L, more than a segment may hold.
  const long = chain(a, 5, short.ids[0], Array.from({ length: 1024 }, (_, i) => ({ v: `z${i}` })))
  const book = await memoryBook()
  for (const segment of [base, short, other, long]) assert.equal((await book.import(frameOf(segment))).rejectedCount, 0)
  const forks = await book.forks()
  assert.equal(forks.length, 1)
  const lengths = forks[0].proof.map((segment) => segment.entries.length).sort()
  assert.deepEqual(lengths, [1, 2])
  assert.deepEqual((await book.verify()).problems, [])
  await book.close()
})

test('append links only to entries held in full: a made-up id that shares 16 bytes with a ready one is not found', async () => {
  const book = await memoryBook()
  try {
    const real = await book.append({ n: 1 })
    const twin = real.slice(0, 32) + (real.slice(32, 33) === '0' ? '1' : '0') + real.slice(33)
    await assert.rejects(book.append({ n: 2 }, { links: [twin] }), (err: unknown) => err instanceof LogbookError && err.code === 'LINK_NOT_FOUND' && err.message.includes(twin))
    await assert.rejects(book.append({ n: 2 }, { links: [real, twin] }), (err: unknown) => err instanceof LogbookError && err.code === 'LINK_NOT_FOUND')
    assert.equal(book.status().entries, 1, 'nothing was appended')
    assert.deepEqual((await book.get(await book.append({ n: 3 }, { links: [real] })))?.links, [real])
  } finally {
    await book.close()
  }
})

test('a copy of what is held is skipped unverified, but a copy carrying another signature is checked', async () => {
  const book = await memoryBook()
  try {
    const run = buildSignedSegments(SPACE, a.publicKey, a.secretKey, 0, null, Array.from({ length: 40 }, (_, i) => jsonBody(`e${i}`, i)))[0]
    assert.equal((await book.import(frameOf(run))).imported, 40)
    // The same bytes again: known by their hash, counted as duplicates without being decoded.
    assert.equal(await book.internalStore.ingestor.heldBody(encodeSegmentBody(run)), 40, 'the body is remembered')
    const again = await book.import(frameOf(run))
    assert.deepEqual([again.imported, again.duplicates, again.rejectedCount], [0, 40, 0])
    // The same entries with the last signature forged: it differs from the one held, so it is verified.
    const forged = { ...run, entries: run.entries.map((entry) => ({ ...entry })) }
    const signature = Uint8Array.from(forged.entries[39].signature as Uint8Array)
    signature[7] ^= 1
    forged.entries[39].signature = signature
    forged.encoded = undefined
    const refused = await book.import(frameOf(forged))
    assert.deepEqual(refused.rejected.map((problem) => problem.code), ['BAD_SIGNATURE'])
    assert.deepEqual((await book.verify()).problems, [])
  } finally {
    await book.close()
  }
})
