// The code against the format's test vectors, byte for byte (docs/FORMAT.md).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { spaceIdFromKey } from '../src/crypto/index.js'
import { fromHex, toHex } from '../src/entry/bytes.js'
import { authenticateSegment, decodeSegmentBody, encodeSegmentBody } from '../src/entry/segment.js'
import { encodeFrame, readFrames } from '../src/io/frames.js'
import { segmentFromJson, segmentToJson } from '../src/io/json-segment.js'
import { entryIdInput } from '../src/entry/entry-id.js'
import { formatVectors } from './vectors/generate-format-vectors.js'
import { decodeChange } from '../src/store/changes.js'
import { readU64 } from '../src/store/layout.js'
import { WAIT, decodePending, decodeWait } from '../src/store/pending.js'

interface Vectors {
  spaceKey: string
  spaceId: string
  author: string
  segments: Array<{ entries: Array<{ seq: number, idInput: string, id: string, signature: string | null }>, body: string, frame: string, jsonLine: string }>
}

const path = fileURLToPath(new URL('../../test/vectors/format.json', import.meta.url))
const vectors = JSON.parse(readFileSync(path, 'utf8')) as Vectors
const hex = (text: string): Uint8Array => Buffer.from(text, 'hex')

test('the generator reproduces the stored vectors exactly', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(formatVectors())), vectors)
})

test('space id is the tagged hash of the space key', () => {
  assert.equal(toHex(spaceIdFromKey(hex(vectors.spaceKey))), vectors.spaceId)
})

test('each segment body decodes, authenticates to the stated ids and re-encodes to the same bytes', () => {
  const space = hex(vectors.spaceId)
  for (const vector of vectors.segments) {
    const decoded = decodeSegmentBody(hex(vector.body))
    const segment = authenticateSegment(decoded, space)
    assert.deepEqual(segment.ids.map(toHex), vector.entries.map((entry) => entry.id))
    assert.equal(toHex(segment.author), vectors.author)
    const { encoded, ...fields } = decoded
    assert.ok(encoded !== undefined)
    assert.equal(toHex(encodeSegmentBody(fields)), vector.body)
    assert.equal(toHex(encodeFrame(hex(vector.body))), vector.frame)
    segment.entries.forEach((entry, i) => {
      const prev = i === 0 ? segment.firstPrev : segment.ids[i - 1]
      assert.equal(toHex(entryIdInput(space, segment.author, segment.firstSeq + i, prev, entry)), vector.entries[i].idInput)
      assert.equal(entry.signature === null ? null : toHex(entry.signature), vector.entries[i].signature)
    })
  }
})

test('the text form re-encodes to exactly the binary segment', () => {
  for (const vector of vectors.segments) {
    const { segment } = segmentFromJson(JSON.parse(vector.jsonLine))
    assert.equal(toHex(encodeSegmentBody(segment)), vector.body)
    const decoded = decodeSegmentBody(hex(vector.body))
    const ids = vector.entries.map((entry) => fromHex(entry.id, 32) as Uint8Array)
    assert.equal(JSON.stringify(segmentToJson(decoded, ids)), vector.jsonLine)
  }
})

test('a JSON payload whose bytes JSON.stringify would change is kept verbatim as text', () => {
  const last = vectors.segments[vectors.segments.length - 1]
  const line = JSON.parse(last.jsonLine) as { entries: Array<Record<string, unknown>> }
  assert.equal(line.entries[2].text, '{ "spaced" : 1.0 }')
  assert.equal(line.entries[1].base64, undefined)
  assert.deepEqual(line.entries[0].base64, 'AAEC/w==')
})

test('frames of both forms read back from one mixed stream, in any chunking', async () => {
  const binary = vectors.segments.map((vector) => hex(vector.frame))
  const text = vectors.segments.map((vector) => new TextEncoder().encode(vector.jsonLine + '\n'))
  const stream = Buffer.concat([binary[0], text[1], binary[1], text[0]])
  for (const chunkSize of [1, 3, 7, 64, stream.byteLength]) {
    const chunks = async function * (): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < stream.byteLength; at += chunkSize) yield stream.subarray(at, at + chunkSize)
    }
    const seen: string[] = []
    for await (const item of readFrames(chunks())) {
      assert.ok('segment' in item)
      seen.push(toHex(encodeSegmentBody({ ...item.segment, encoded: undefined })))
    }
    assert.deepEqual(seen, [vectors.segments[0].body, vectors.segments[1].body, vectors.segments[1].body, vectors.segments[0].body])
  }
})

test('store format 2 rows decode as FORMAT.md says', () => {
  const store = (vectors as unknown as { store: { pending: { key: string, value: string }, pendingByAuthor: { value: string }, changes: Array<{ key: string, value: string }>, cursor: string } }).store
  const pending = decodePending(hex(store.pending.key), hex(store.pending.value))
  assert.equal(pending.seq, 4)
  assert.equal(toHex(pending.author), vectors.author)
  assert.equal(toHex(pending.prev as Uint8Array), vectors.segments[1].entries[1].id)
  assert.equal(toHex(pending.entry.signature as Uint8Array), vectors.segments[1].entries[2].signature)
  const wait = decodeWait(hex(store.pendingByAuthor.value))
  assert.deepEqual([wait.kind, toHex(wait.on as Uint8Array)], [WAIT.link, '77'.repeat(32)])
  assert.deepEqual(store.changes.map((row) => readU64(hex(row.key))), [42, 43, 44, 45, 46])
  assert.deepEqual(store.changes.map((row) => decodeChange(hex(row.value)).kind), ['ready', 'signed', 'pending', 'unpending', 'fork'])
  assert.equal(store.cursor, '00112233445566778899aabbccddeeff:46')
})
