// Generates test/vectors/format.json: fixed keys and timestamps, so every byte is reproducible
// (ed25519 signatures are deterministic). Run after a build:
//   node dist/test/vectors/generate-format-vectors.js > test/vectors/format.json
import { spaceIdFromKey } from '../../src/crypto/index.js'
import { toHex } from '../../src/entry/bytes.js'
import { entryIdInput } from '../../src/entry/entry-id.js'
import { buildSignedSegments, encodeSegmentBody } from '../../src/entry/segment.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type AuthenticatedSegment, type EntryBody } from '../../src/entry/types.js'
import { Identity } from '../../src/identity.js'
import { encodeFrame } from '../../src/io/frames.js'
import { segmentToJson } from '../../src/io/json-segment.js'

const utf8 = new TextEncoder()

export function formatVectors (): unknown {
  const spaceKey = new Uint8Array(32).fill(2)
  const space = spaceIdFromKey(spaceKey)
  const identity = Identity.fromSeed(new Uint8Array(32).fill(1))
  const json = (value: unknown, timestamp: number, links: Uint8Array[] = []): EntryBody =>
    ({ timestamp, links, kind: PAYLOAD_JSON, payload: utf8.encode(JSON.stringify(value)) })
  const first = buildSignedSegments(space, identity.publicKey, identity.secretKey, 0, null, [json({ hello: 'world' }, 1700000000000)])
  const firstId = first[0].ids[0]
  const second = buildSignedSegments(space, identity.publicKey, identity.secretKey, 1, firstId, [
    { timestamp: 1700000000001, links: [], kind: PAYLOAD_BINARY, payload: new Uint8Array([0, 1, 2, 255]) },
    json({ type: 'kv', key: 'k', value: [1, 2.5, null, true] }, 1700000000002, [firstId]),
    { timestamp: 1700000000003, links: [], kind: PAYLOAD_JSON, payload: utf8.encode('{ "spaced" : 1.0 }') }
  ])
  const describe = (segment: AuthenticatedSegment): unknown => {
    const body = encodeSegmentBody(segment)
    return {
      entries: segment.entries.map((entry, i) => {
        const seq = segment.firstSeq + i
        const prev = i === 0 ? segment.firstPrev : segment.ids[i - 1]
        return {
          seq,
          idInput: toHex(entryIdInput(space, identity.publicKey, seq, prev, entry)),
          id: toHex(segment.ids[i]),
          signature: entry.signature === null ? null : toHex(entry.signature)
        }
      }),
      body: toHex(body),
      frame: toHex(encodeFrame(body)),
      jsonLine: JSON.stringify(segmentToJson(segment, segment.ids))
    }
  }
  return {
    description: 'logbook format v1 vectors: see docs/FORMAT.md',
    spaceKey: toHex(spaceKey),
    spaceId: toHex(space),
    seed: toHex(identity.seed),
    author: identity.author,
    segments: [...first, ...second].map(describe)
  }
}

if (process.argv[1]?.endsWith('generate-format-vectors.js') === true) {
  process.stdout.write(JSON.stringify(formatVectors(), null, 2) + '\n')
}
