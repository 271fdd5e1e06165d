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
import { changeOps, formatCursor } from '../../src/store/changes.js'
import { feedKey, idLocations, join, tipValue, u64, type Layout } from '../../src/store/layout.js'
import { encodePage } from '../../src/store/page.js'
import { WAIT, byAuthorKey, bySeqKey, encodePending, encodeWait } from '../../src/store/pending.js'

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
    description: 'logbook format vectors (entries v1, store format 2): see docs/FORMAT.md',
    spaceKey: toHex(spaceKey),
    spaceId: toHex(space),
    seed: toHex(identity.seed),
    author: identity.author,
    segments: [...first, ...second].map(describe),
    store: storeRows(first[0], second[0])
  }
}

/**
 * Store format 2 rows for the two segments: the first ready as page 1, the second's first entry ready in
 * page 2 and its other two pending (the last waits for a link), with each kind of change-log record.
 */
function storeRows (first: AuthenticatedSegment, second: AuthenticatedSegment): unknown {
  const { author } = first
  const page2 = encodePage(second, 0, 1, second.firstPrev, second.ids)
  const pendingRow = encodePending(second, 2, second.ids[1])
  const changes = { changes: 'c' } as unknown as Layout
  const row = (op: { key: Uint8Array | string, value?: Uint8Array | string }): { key: string, value: string } =>
    ({ key: toHex(op.key as Uint8Array), value: toHex(op.value as Uint8Array) })
  return {
    page: { key: toHex(u64(2)), value: toHex(page2) },
    id: { key: toHex(second.ids[0]), value: toHex(idLocations(2, 1)[0]) },
    feed: { key: toHex(feedKey(author, 2, 2)), value: toHex(join(u64(2), second.ids[0])) },
    tip: { key: toHex(join(author, second.ids[0])), value: toHex(tipValue(2, true)) },
    pending: { key: toHex(second.ids[2]), value: toHex(pendingRow) },
    pendingByAuthor: { key: toHex(byAuthorKey(author, 4, second.ids[2])), value: toHex(encodeWait({ kind: WAIT.link, on: new Uint8Array(32).fill(0x77) })) },
    pendingBySeq: toHex(bySeqKey(author, 4, second.ids[2])),
    changes: changeOps(changes, 41, [
      { kind: 'ready', pageKey: 2 },
      { kind: 'signed', pageKey: 1, slot: 0 },
      { kind: 'pending', key: second.ids[2] },
      { kind: 'unpending', key: second.ids[1] },
      { kind: 'fork', author }
    ]).map((op) => row(op as { key: Uint8Array, value: Uint8Array })),
    cursor: formatCursor('00112233445566778899aabbccddeeff', 46)
  }
}

if (process.argv[1]?.endsWith('generate-format-vectors.js') === true) {
  process.stdout.write(JSON.stringify(formatVectors(), null, 2) + '\n')
}
