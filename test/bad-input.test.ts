// Bad input to import. Every case starts from a valid export (two authors, five segments) and damages,
// forges or replaces one frame. For each: import never throws and reports a clear result (a rejection
// with a stable code at the frame's offset, or `corrupt` with the damaged frame's offset); every valid
// frame before the bad one is stored; nothing of the bad frame is visible; verify() passes afterwards.
// Each case is imported twice: in one piece, and in 7-byte chunks (offsets are stream offsets).
import { describe, test, before } from 'node:test'
import assert from 'node:assert/strict'
import { signEntryId } from '../src/crypto/index.js'
import { compareBytes } from '../src/entry/bytes.js'
import { computeChainIds } from '../src/entry/entry-id.js'
import { decodeSegmentBody, encodeSegmentBody, segmentHeaderLength } from '../src/entry/segment.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type EntryBody, type Segment } from '../src/entry/types.js'
import { MAX_JSON_DEPTH, MAX_LINKS, MAX_PAYLOAD_BYTES } from '../src/entry/limits.js'
import type { ImportSummary } from '../src/io/import.js'
import { segmentToJson } from '../src/io/json-segment.js'
import type { Logbook } from '../src/logbook.js'
import {
  OTHER_SPACE_KEY, SPACE, binaryBody, buildChain, chunked, collect, concatBytes, frameBody, frameBounds, frameOf, identity, idsOf,
  jsonBody, memoryBook, prng, reframe, segmentOf, toHex
} from './helpers/fixtures.js'

const A = identity(1)
const B = identity(2)
const encoder = new TextEncoder()

interface Valid {
  bytes: Uint8Array
  frames: Uint8Array[]
  bounds: Array<{ start: number, end: number }>
  segments: Segment[]
  ids: string[][]
  json: Uint8Array
  lines: Uint8Array[]
  lineStarts: number[]
}

let valid: Valid

before(async () => {
  const a = await memoryBook({ identity: A })
  await a.append({ n: 'a1' }, { timestamp: 1 })
  await a.append([{ n: 'a2' }, { n: 'a3' }], { timestamp: 2 })
  await a.append({ n: 'a4' }, { timestamp: 3 })
  const b = await memoryBook({ identity: B })
  await b.import(await collect(a.export()))
  const a4 = (await b.feedHeads()).find((h) => h.author === A.author)?.id as string
  await b.append({ n: 'b1' }, { timestamp: 4, links: [a4] })
  await b.append([{ n: 'b2' }, { n: 'b3' }], { timestamp: 5 })
  const bytes = await collect(b.export())
  const bounds = frameBounds(bytes)
  const frames = bounds.map(({ start, end }) => bytes.slice(start, end))
  const segments = frames.map((frame) => decodeSegmentBody(frameBody(frame)))
  const json = await collect(b.export({ format: 'json' }))
  const lines: Uint8Array[] = []
  const lineStarts: number[] = []
  for (let at = 0; at < json.byteLength;) {
    const end = json.indexOf(0x0a, at) + 1
    lines.push(json.slice(at, end))
    lineStarts.push(at)
    at = end
  }
  valid = { bytes, frames, bounds, segments, ids: segments.map((s) => idsOf(s).map(toHex)), json, lines, lineStarts }
  assert.equal(frames.length, 5, 'the valid export has five segments')
  assert.deepEqual(segments.map((s) => s.entries.length), [1, 2, 1, 1, 2])
  assert.equal(lines.length, 5)
  await a.close()
  await b.close()
})

/** Imports without ever letting an exception escape the test as anything but a failure. */
async function safeImport (book: Logbook, source: Uint8Array | AsyncIterable<Uint8Array>): Promise<ImportSummary> {
  try {
    return await book.import(source)
  } catch (err) {
    assert.fail(`import threw instead of reporting: ${(err as Error).stack ?? String(err)}`)
  }
}

interface Expect {
  /** Ids that must be ready afterwards (the valid frames before the bad one, and any valid after it). */
  stored: string[]
  /** Ids that must not be visible (the bad frame's entries). */
  absent: string[]
  corrupt?: number
  rejected?: Array<{ code: string, offset: number }>
}

async function check (name: string, bytes: Uint8Array, expect: Expect): Promise<void> {
  for (const delivery of ['whole', 'chunks'] as const) {
    const book = await memoryBook({ identity: identity(99) })
    const what = `${name} (${delivery})`
    const summary = await safeImport(book, delivery === 'whole' ? bytes : chunked(bytes, [7]))
    if (expect.corrupt === undefined) {
      assert.equal(summary.corrupt, null, `${what}: unexpected corrupt ${JSON.stringify(summary.corrupt)}`)
    } else {
      assert.ok(summary.corrupt !== null, `${what}: expected a corrupt frame at ${expect.corrupt}`)
      assert.equal(summary.corrupt.code, 'CORRUPT_FRAME', what)
      assert.equal(summary.corrupt.offset, expect.corrupt, `${what}: corrupt offset (${summary.corrupt.message})`)
    }
    assert.deepEqual(summary.rejected.map(({ code, offset }) => ({ code, offset })), expect.rejected ?? [], `${what}: rejections ${JSON.stringify(summary.rejected)}`)
    assert.equal(summary.rejectedCount, (expect.rejected ?? []).length, what)
    for (const id of expect.stored) assert.ok(await book.get(id) !== undefined, `${what}: valid entry ${id.slice(0, 12)} is not stored`)
    for (const id of expect.absent) assert.equal(await book.get(id), undefined, `${what}: entry ${id.slice(0, 12)} of the bad frame is visible`)
    let visible = 0
    for await (const entry of book.log()) { assert.ok(!expect.absent.includes(entry.id), `${what}: log() shows a bad entry`); visible++ }
    assert.equal(visible, expect.stored.length, `${what}: log() shows ${visible} entries, expected ${expect.stored.length}`)
    const verified = await book.verify()
    assert.deepEqual(verified.problems, [], `${what}: verify() problems`)
    await book.close()
  }
}

const upTo = (i: number): string[] => valid.ids.slice(0, i).flat()
/** The valid export with frame `i` replaced by `bytes`. */
const replaced = (i: number, bytes: Uint8Array): Uint8Array => concatBytes([...valid.frames.slice(0, i), bytes, ...valid.frames.slice(i + 1)])
/** The valid export with `bytes` inserted before frame `i`. */
const inserted = (i: number, bytes: Uint8Array): Uint8Array => concatBytes([...valid.frames.slice(0, i), bytes, ...valid.frames.slice(i)])
const flip = (bytes: Uint8Array, at: number, mask: number): Uint8Array => { const out = bytes.slice(); out[at] ^= mask; return out }

describe('damaged frames end the import at their offset', () => {
  // Frame 2 is A's seq 4; frames 3 and 4 (B's, which link to it) are never read.
  const target = 2
  const cases: Array<[string, (frame: Uint8Array) => Uint8Array]> = [
    ['magic, first byte', (f) => flip(f, 0, 0x01)],
    ['magic, second byte', (f) => flip(f, 1, 0x10)],
    ['length, high bit (claims > 4 MiB)', (f) => flip(f, 4, 0x80)],
    ['length, low bit', (f) => flip(f, 7, 0x01)],
    ['length, shorter', (f) => flip(f, 7, 0x04)],
    ['body, version byte', (f) => flip(f, 8, 0x01)],
    ['body, author', (f) => flip(f, 8 + 40, 0x20)],
    ['body, payload', (f) => flip(f, f.byteLength - 4 - 64 - 3, 0x01)],
    ['body, signature', (f) => flip(f, f.byteLength - 10, 0x80)],
    ['CRC, first byte', (f) => flip(f, f.byteLength - 4, 0x01)],
    ['CRC, last byte', (f) => flip(f, f.byteLength - 1, 0x40)]
  ]
  for (const [name, damage] of cases) {
    test(`flipped bit: ${name}`, async () => {
      await check(name, replaced(target, damage(valid.frames[target])), {
        stored: upTo(target), absent: valid.ids.slice(target).flat(), corrupt: valid.bounds[target].start
      })
    })
  }

  test('truncation at several lengths inside a frame', async () => {
    const { start, end } = valid.bounds[target]
    for (const cutAt of [start + 1, start + 4, start + 7, start + 8, start + 20, end - 64, end - 4, end - 1]) {
      await check(`truncated at ${cutAt}`, valid.bytes.slice(0, cutAt), {
        stored: upTo(target), absent: valid.ids.slice(target).flat(), corrupt: start
      })
    }
  })

  test('truncation at a frame boundary is a shorter valid export', async () => {
    await check('cut at a boundary', valid.bytes.slice(0, valid.bounds[target].start), { stored: upTo(target), absent: valid.ids.slice(target).flat() })
  })

  test('truncated JSON export: the cut line is corrupt at its start', async () => {
    const start = valid.lineStarts[target]
    for (const cutAt of [start + 1, start + 30, start + valid.lines[target].byteLength - 2]) {
      await check(`JSON truncated at ${cutAt}`, valid.json.slice(0, cutAt), { stored: upTo(target), absent: valid.ids.slice(target).flat(), corrupt: start })
    }
  })

  test('random bytes: alone, after a valid export, and in the middle of one', async () => {
    const random = prng(7)
    const noise = new Uint8Array(4096).map(() => Math.floor(random() * 256))
    noise[0] = 0x00 // neither "L", "{" nor white space: the first byte already cannot start anything
    await check('random bytes alone', noise, { stored: [], absent: [], corrupt: 0 })
    await check('random bytes after an export', concatBytes([valid.bytes, noise]), { stored: upTo(5), absent: [], corrupt: valid.bytes.byteLength })
    const framed = concatBytes([new Uint8Array([0x4c, 0x42, 0x4b, 0x31, 0, 0, 1, 0]), noise]) // a frame header, then noise
    await check('random bytes in the middle', inserted(3, framed), { stored: upTo(3), absent: valid.ids.slice(3).flat(), corrupt: valid.bounds[3].start })
  })
})

/** Decodes a frame, lets `change` alter the segment, and re-frames it (fresh, correct CRC). */
function altered (i: number, change: (segment: Segment) => void): Uint8Array {
  const segment = decodeSegmentBody(frameBody(valid.frames[i]))
  segment.encoded = undefined
  segment.entries = segment.entries.map((e) => ({ ...e }))
  change(segment)
  return frameOf(segment)
}

describe('well-framed but invalid segments are rejected with a stable code; the import goes on', () => {
  // The bad frame replaces frame 2 (A's seq 4): B's frames after it wait for it and stay invisible.
  const target = 2
  const rejectAt = (code: string, i = target): Array<{ code: string, offset: number }> => [{ code, offset: valid.bounds[i].start }]

  test('forged signature (valid framing, re-CRC\'d): BAD_SIGNATURE', async () => {
    const forged = altered(target, (s) => { const sig = (s.entries[0].signature as Uint8Array).slice(); sig[5] ^= 0x01; s.entries[0].signature = sig })
    await check('forged signature', replaced(target, forged), { stored: upTo(target), absent: valid.ids.slice(target).flat(), rejected: rejectAt('BAD_SIGNATURE') })
    // A signature by someone else (B signs A's entry) is just as forged.
    const byB = altered(target, (s) => { s.entries[0].signature = signEntryId(idsOf(s)[0], B.secretKey) })
    await check('signature by another key', replaced(target, byB), { stored: upTo(target), absent: valid.ids.slice(target).flat(), rejected: rejectAt('BAD_SIGNATURE') })
  })

  test('stripped signature (flag cleared, signature removed, re-framed): MISSING_SIGNATURE', async () => {
    const stripped = altered(1, (s) => { s.entries[1].signature = null })
    assert.equal(stripped.byteLength, valid.frames[1].byteLength - 64)
    await check('stripped signature', replaced(1, stripped), { stored: upTo(1), absent: valid.ids.slice(1).flat(), rejected: rejectAt('MISSING_SIGNATURE', 1) })
  })

  test('non-canonical binary: unknown flag bits, trailing bytes, seq 0', async () => {
    const flags = frameBody(valid.frames[target])
    flags[segmentHeaderLength(4)] |= 0x04
    await check('unknown flag bit', replaced(target, reframe(flags)), { stored: upTo(target), absent: valid.ids.slice(target).flat(), rejected: rejectAt('NON_CANONICAL') })
    const high = frameBody(valid.frames[target])
    high[segmentHeaderLength(4)] |= 0x80
    await check('high flag bit', replaced(target, reframe(high)), { stored: upTo(target), absent: valid.ids.slice(target).flat(), rejected: rejectAt('NON_CANONICAL') })
    const trailing = concatBytes([frameBody(valid.frames[target]), new Uint8Array([0])])
    await check('trailing byte', replaced(target, reframe(trailing)), { stored: upTo(target), absent: valid.ids.slice(target).flat(), rejected: rejectAt('NON_CANONICAL') })
    // Frame 0 is A's seq 1 (no prev): set its seq field (bytes 65..72 of the body) to 0.
    const seq0 = frameBody(valid.frames[0])
    seq0[72] = 0
    await check('seq 0', replaced(0, reframe(seq0)), { stored: [], absent: valid.ids.flat(), rejected: rejectAt('NON_CANONICAL', 0) })
  })

  /** A validly signed segment by A after seq 4 with `body`, its ids, as a frame and as a JSON line. */
  function craftedAfterA4 (body: EntryBody): { frame: Uint8Array, line: Uint8Array, ids: string[] } {
    const a4 = valid.segments[2]
    const a4id = idsOf(a4)[0]
    const ids = computeChainIds(SPACE, A.publicKey, 5, a4id, [body])
    const segment: Segment = { space: SPACE, author: A.publicKey, firstSeq: 5, firstPrev: a4id, entries: [{ ...body, signature: signEntryId(ids[0], A.secretKey) }] }
    let json: ReturnType<typeof segmentToJson>
    try {
      json = segmentToJson(segment, ids)
    } catch {
      // A JSON-flagged payload that is not JSON: the text form keeps such text verbatim in "text".
      json = segmentToJson({ ...segment, entries: [{ ...segment.entries[0], kind: PAYLOAD_BINARY }] }, ids)
      delete json.entries[0].base64
      json.entries[0].text = new TextDecoder().decode(body.payload)
    }
    return { frame: frameOf(segment), line: encoder.encode(JSON.stringify(json) + '\n'), ids: ids.map(toHex) }
  }

  const links = (n: number): Uint8Array[] => {
    const random = prng(n)
    return Array.from({ length: n }, () => new Uint8Array(32).map(() => Math.floor(random() * 256))).sort(compareBytes)
  }

  const badBodies: Array<[string, string, () => EntryBody]> = [
    ['unsorted links', 'NON_CANONICAL', () => ({ ...jsonBody({ n: 'x' }, 9), links: links(2).reverse() })],
    ['duplicate links', 'NON_CANONICAL', () => { const [l] = links(1); return { ...jsonBody({ n: 'x' }, 9), links: [l, l] } }],
    ['oversized payload (1 MiB + 1)', 'PAYLOAD_TOO_LARGE', () => binaryBody(new Uint8Array(MAX_PAYLOAD_BYTES + 1), 9)],
    ['too many links (257)', 'TOO_MANY_LINKS', () => ({ ...jsonBody({ n: 'x' }, 9), links: links(MAX_LINKS + 1) })],
    ['JSON-flagged payload that is not JSON', 'INVALID_PAYLOAD', () => ({ timestamp: 9, links: [], kind: PAYLOAD_JSON, payload: encoder.encode('{not json') })],
    ['JSON payload nested one level too deep', 'INVALID_PAYLOAD', () => ({ timestamp: 9, links: [], kind: PAYLOAD_JSON, payload: encoder.encode('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)) })]
  ]
  for (const [name, code, body] of badBodies) {
    test(`${name}: ${code} (binary frame, validly signed)`, async () => {
      const crafted = craftedAfterA4(body())
      await check(name, inserted(3, crafted.frame), { stored: upTo(5), absent: crafted.ids, rejected: rejectAt(code, 3) })
    })
    test(`${name}: ${code} (JSON line, validly signed)`, async () => {
      const crafted = craftedAfterA4(body())
      const bytes = concatBytes([...valid.lines.slice(0, 3), crafted.line, ...valid.lines.slice(3)])
      await check(`${name} as JSON`, bytes, { stored: upTo(5), absent: crafted.ids, rejected: [{ code, offset: valid.lineStarts[3] }] })
    })
  }

  test('seq 0 as a JSON line, validly signed: NON_CANONICAL', async () => {
    const body = jsonBody({ n: 'zero' }, 9)
    const ids = computeChainIds(SPACE, A.publicKey, 0, null, [body])
    const segment: Segment = { space: SPACE, author: A.publicKey, firstSeq: 0, firstPrev: null, entries: [{ ...body, signature: signEntryId(ids[0], A.secretKey) }] }
    const line = encoder.encode(JSON.stringify(segmentToJson(segment, ids)) + '\n')
    const bytes = concatBytes([...valid.lines.slice(0, 3), line, ...valid.lines.slice(3)])
    await check('seq 0 as JSON', bytes, { stored: upTo(5), absent: ids.map(toHex), rejected: [{ code: 'NON_CANONICAL', offset: valid.lineStarts[3] }] })
  })

  test('another space\'s export: WRONG_SPACE for each of its segments', async () => {
    const other = await memoryBook({ identity: A, spaceKey: OTHER_SPACE_KEY })
    await other.append({ n: 'elsewhere' })
    await other.append([{ n: 'e2' }, { n: 'e3' }])
    const otherBytes = await collect(other.export())
    const otherIds: string[] = []
    for await (const entry of other.log()) otherIds.push(entry.id)
    await other.close()
    const otherBounds = frameBounds(otherBytes)
    await check('other space alone', otherBytes, { stored: [], absent: otherIds, rejected: otherBounds.map(({ start }) => ({ code: 'WRONG_SPACE', offset: start })) })
    await check('other space after ours', concatBytes([valid.bytes, otherBytes]), {
      stored: upTo(5), absent: otherIds, rejected: otherBounds.map(({ start }) => ({ code: 'WRONG_SPACE', offset: valid.bytes.byteLength + start }))
    })
  })

  test('a JSON line stating a wrong id: ID_MISMATCH', async () => {
    const value = JSON.parse(new TextDecoder().decode(valid.lines[target]))
    value.entries[0].id = valid.ids[0][0]
    const line = encoder.encode(JSON.stringify(value) + '\n')
    const bytes = concatBytes([...valid.lines.slice(0, target), line, ...valid.lines.slice(target + 1)])
    await check('wrong stated id', bytes, { stored: upTo(target), absent: valid.ids.slice(target).flat(), rejected: [{ code: 'ID_MISMATCH', offset: valid.lineStarts[target] }] })
  })

  test('a JSON line that is not a segment: NON_CANONICAL; a broken JSON line: CORRUPT_FRAME', async () => {
    const notSegment = encoder.encode('{"logbook":1,"hello":"world"}\n')
    await check('not a segment', concatBytes([...valid.lines.slice(0, 3), notSegment, ...valid.lines.slice(3)]), {
      stored: upTo(5), absent: [], rejected: [{ code: 'NON_CANONICAL', offset: valid.lineStarts[3] }]
    })
    const broken = encoder.encode('{"logbook":1,\n')
    await check('broken JSON', concatBytes([...valid.lines.slice(0, 3), broken, ...valid.lines.slice(3)]), {
      stored: upTo(3), absent: valid.ids.slice(3).flat(), corrupt: valid.lineStarts[3]
    })
  })
})

describe('wrong prev: a validly signed segment whose first prev is not its own feed\'s previous entry', () => {
  // Finding expected by the model: such a segment must never become ready (a feed is a chain of its
  // own author's entries, seq n after seq n-1); it may wait forever or be rejected (BAD_CHAIN).
  async function wrongPrev (name: string, firstSeq: number, prev: Uint8Array): Promise<{ book: Logbook, summary: ImportSummary, ids: string[] }> {
    const chain = buildChain(SPACE, A, firstSeq - 1, prev, [jsonBody({ n: name }, 9)])
    const book = await memoryBook({ identity: identity(99) })
    const summary = await safeImport(book, concatBytes([valid.bytes, frameOf(segmentOf(SPACE, chain))]))
    return { book, summary, ids: chain.map((e) => toHex(e.id)) }
  }
  const assertNotReady = async (name: string, r: { book: Logbook, summary: ImportSummary, ids: string[] }): Promise<void> => {
    assert.equal(r.summary.corrupt, null)
    assert.ok(r.summary.rejected.every((p) => p.code === 'BAD_CHAIN'), `${name}: ${JSON.stringify(r.summary.rejected)}`)
    for (const id of upTo(5)) assert.ok(await r.book.get(id) !== undefined)
    assert.equal(await r.book.get(r.ids[0]), undefined, `${name}: the entry became ready`)
    assert.deepEqual(r.book.feedHeads().filter((h) => h.author === A.author).map((h) => h.seq), [4], `${name}: A's feed heads changed`)
    assert.deepEqual((await r.book.verify()).problems, [])
    await r.book.close()
  }

  test('prev unknown to everyone: waits for it (reason prev)', async () => {
    const unknown = new Uint8Array(32).fill(0xee)
    const r = await wrongPrev('unknown prev', 5, unknown)
    assert.equal(r.summary.rejectedCount, 0)
    assert.deepEqual((await r.book.pending()).map((p) => ({ waitsFor: p.waitsFor, reason: p.reason, fromSeq: p.fromSeq })), [{ waitsFor: toHex(unknown), reason: 'prev', fromSeq: 5 }])
    await assertNotReady('unknown prev', r)
  })

  test('prev is another author\'s ready entry', async () => {
    await assertNotReady('prev of another author', await wrongPrev('prev of another author', 5, idsOf(valid.segments[3])[0]))
  })

  test('prev is the author\'s own ready entry at another seq (a gap in the feed)', async () => {
    await assertNotReady('gap', await wrongPrev('gap', 5, idsOf(valid.segments[0])[0]))
  })
})

describe('the crafting helpers', () => {
  test('a valid hand-built segment is accepted as built', async () => {
    // Sanity check of the crafting helpers themselves: a valid crafted segment is accepted.
    const chain = buildChain(SPACE, A, 4, idsOf(valid.segments[2])[0], [binaryBody(new Uint8Array([1, 2, 3]), 9)])
    const book = await memoryBook({ identity: identity(99) })
    const summary = await safeImport(book, concatBytes([valid.bytes, frameOf(segmentOf(SPACE, chain))]))
    assert.equal(summary.rejectedCount, 0)
    const entry = await book.get(toHex(chain[0].id))
    assert.equal(entry?.kind, 'binary')
    assert.equal(entry?.seq, 5)
    assert.deepEqual([...(entry?.payload as Uint8Array)], [1, 2, 3])
    assert.deepEqual(frameBody(frameOf(segmentOf(SPACE, chain))), encodeSegmentBody(segmentOf(SPACE, chain)))
    await book.close()
  })
})
