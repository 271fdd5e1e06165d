// JSON payload nesting is part of the format: a payload nesting deeper than MAX_JSON_DEPTH is refused on
// every path in (append, binary frames, text lines) as a rejection of its segment, never an internal
// error; and every output path (log, get, export, forks, views) handles every payload the format admits.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { JsonText, LogbookError, MAX_JSON_DEPTH } from '../src/index.js'
import { jsonTooDeepAt, jsonValueTooDeep } from '../src/entry/json-depth.js'
import { checkEntryBody } from '../src/entry/segment.js'
import { PAYLOAD_JSON, type EntryBody } from '../src/entry/types.js'
import type { Identity } from '../src/identity.js'
import type { ImportSummary } from '../src/io/import.js'
import {
  SPACE, SPACE_KEY, buildChain, concatBytes, frameOf, identity, idsOf, jsonLineOf, memoryBook, segmentOf, toHex
} from './helpers/fixtures.js'
import { recordingView } from './helpers/views-books.js'
import { fails, ndjson, ok, run, tempDir } from './helpers/cli.js'

const encoder = new TextEncoder()
const LIMIT = MAX_JSON_DEPTH

/** JSON text of `depth` nested arrays around `inner`. */
const arrays = (depth: number, inner = '0'): string => '['.repeat(depth) + inner + ']'.repeat(depth)
/** JSON text of `depth` nested one-member objects around `inner`. */
const objects = (depth: number, inner = '0'): string => '{"k":'.repeat(depth) + inner + '}'.repeat(depth)
/** Arrays and objects in turn, `depth` containers in all. */
const mixed = (depth: number, inner = '0'): string => {
  let text = inner
  for (let i = 0; i < depth; i++) text = i % 2 === 0 ? `[1,${text}]` : `{"a":"[{","b":${text}}`
  return text
}

function textBody (text: string, timestamp = 1): EntryBody {
  return { timestamp, links: [], kind: PAYLOAD_JSON, payload: encoder.encode(text) }
}

/** A signed one-author segment of `texts` (seq 1 on), as a binary frame; its ids. */
function signedFrame (who: Identity, texts: string[]): { frame: Uint8Array, ids: string[] } {
  const segment = segmentOf(SPACE, buildChain(SPACE, who, 0, null, texts.map((text) => textBody(text))))
  return { frame: frameOf(segment), ids: idsOf(segment).map(toHex) }
}

/**
 * A validly signed one-entry text line whose payload is `text`, given as a "json" member (the text itself
 * inside the line) or a "text" member (as a string). Built as text: JSON.stringify of a value this deep
 * would overflow the stack, which is the point.
 */
function signedLine (who: Identity, text: string, form: 'json' | 'text'): { line: Uint8Array, id: string } {
  const [entry] = buildChain(SPACE, who, 0, null, [textBody(text)])
  const shell = JSON.stringify({
    logbook: 1,
    space: toHex(SPACE),
    author: toHex(who.publicKey),
    seq: 1,
    prev: null,
    entries: [{ id: toHex(entry.id), seq: 1, timestamp: entry.timestamp, links: [], [form]: '\u0000', signature: toHex(entry.signature as Uint8Array) }]
  })
  return { line: encoder.encode(shell.replace('"\\u0000"', form === 'json' ? text : JSON.stringify(text)) + '\n'), id: toHex(entry.id) }
}

function assertRefused (fn: () => unknown, what: string): void {
  assert.throws(fn, (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_PAYLOAD' && /deeper than 256/.test(err.message), what)
}

async function imported (source: Uint8Array): Promise<{ summary: ImportSummary, ids: string[] }> {
  const book = await memoryBook({ identity: identity(99) })
  try {
    const summary = await book.import(source)
    const ids: string[] = []
    for await (const entry of book.log()) ids.push(entry.id)
    return { summary, ids }
  } finally {
    await book.close()
  }
}

const rejections = (summary: ImportSummary): Array<{ code: string, offset: number }> => summary.rejected.map(({ code, offset }) => ({ code, offset }))

describe('the nesting limit at ingest', () => {
  const admitted: Array<[string, string]> = [
    ['arrays at the limit', arrays(LIMIT)],
    ['objects at the limit', objects(LIMIT)],
    ['arrays and objects at the limit', mixed(LIMIT)],
    ['spaced text at the limit', '[ '.repeat(LIMIT) + '0' + ' ]'.repeat(LIMIT)],
    ['brackets and escapes in strings at the limit', arrays(LIMIT, JSON.stringify('"]]}}\\[[{{"'))],
    ['a string of brackets', JSON.stringify({ s: '['.repeat(5000) + '{'.repeat(5000) })],
    ['many shallow containers', JSON.stringify(Array.from({ length: 2000 }, (_, i) => [i, { i }]))],
    ['an escaped backslash, then the limit', `["\\\\",${arrays(LIMIT - 1)}]`]
  ]
  const refused: Array<[string, string]> = [
    ['arrays one past the limit', arrays(LIMIT + 1)],
    ['objects one past the limit', objects(LIMIT + 1)],
    ['arrays and objects one past the limit', mixed(LIMIT + 1)],
    ['arrays 100,000 deep', arrays(100_000)],
    ['objects 50,000 deep', objects(50_000)],
    ['an escaped quote, then one past the limit', `["\\"",${arrays(LIMIT)}]`],
    ['an escaped backslash, then one past the limit', `["\\\\",${arrays(LIMIT)}]`]
  ]

  test('checkEntryBody admits 256 levels and refuses anything deeper with INVALID_PAYLOAD', () => {
    for (const [what, text] of admitted) assert.doesNotThrow(() => checkEntryBody(textBody(text)), what)
    for (const [what, text] of refused) assertRefused(() => checkEntryBody(textBody(text)), what)
  })

  test('the scan of the text and the walk of the parsed value agree', () => {
    for (const [what, text] of [...admitted, ...refused]) {
      const deep = jsonTooDeepAt(text, LIMIT) >= 0
      assert.equal(jsonValueTooDeep(JSON.parse(text), LIMIT), deep, what)
    }
    assert.equal(jsonTooDeepAt(arrays(LIMIT + 1), LIMIT), LIMIT, 'the offset of the first bracket too deep')
  })

  test('append refuses what import refuses: values and JSON text alike', async () => {
    const book = await memoryBook({ identity: identity(10) })
    for (const text of [arrays(LIMIT), objects(LIMIT), mixed(LIMIT)]) {
      // In a batch of one: an array given alone is a batch of its elements.
      await book.append([JSON.parse(text)])
      await book.append(JsonText.parse(text))
    }
    for (const text of [arrays(LIMIT + 1), objects(LIMIT + 1), mixed(LIMIT + 1)]) {
      await assert.rejects(book.append([JSON.parse(text)]), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_PAYLOAD')
      assert.throws(() => JsonText.parse(text), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_PAYLOAD')
    }
    assert.equal(book.status().entries, 6)
    await book.close()
  })

  test('binary frames: a deep payload rejects its segment, and import goes on', async () => {
    const shallow = signedFrame(identity(3), ['{"ok":1}'])
    const frames = [
      signedFrame(identity(1), [arrays(LIMIT + 1)]).frame,
      signedFrame(identity(2), ['{"fine":true}', objects(100_000)]).frame,
      shallow.frame
    ]
    const { summary, ids } = await imported(concatBytes(frames))
    assert.equal(summary.corrupt, null)
    assert.deepEqual(rejections(summary), [
      { code: 'INVALID_PAYLOAD', offset: 0 },
      { code: 'INVALID_PAYLOAD', offset: frames[0].byteLength }
    ])
    assert.deepEqual(ids, shallow.ids, 'only the valid segment is stored')
  })

  test('text lines: a deep "json" or "text" member rejects its line, and import goes on', async () => {
    const lines = [
      signedLine(identity(1), arrays(LIMIT + 1), 'json').line,
      signedLine(identity(2), objects(100_000), 'json').line,
      signedLine(identity(4), arrays(100_000), 'text').line,
      signedLine(identity(5), mixed(LIMIT + 1), 'text').line
    ]
    const valid = signedLine(identity(3), arrays(LIMIT), 'json')
    const { summary, ids } = await imported(concatBytes([...lines, valid.line]))
    assert.equal(summary.corrupt, null)
    let offset = 0
    const expected = lines.map((line) => { const at = offset; offset += line.byteLength; return { code: 'INVALID_PAYLOAD', offset: at } })
    assert.deepEqual(rejections(summary), expected)
    for (const problem of summary.rejected) assert.match(problem.message, /deeper than 256/)
    assert.deepEqual(ids, [valid.id])
  })

  test('text lines: a deep value where a number belongs is NON_CANONICAL, not an internal error', async () => {
    const { line } = signedLine(identity(1), '{"n":1}', 'json')
    const text = new TextDecoder().decode(line).replace('"seq":1,"timestamp"', `"seq":${arrays(100_000)},"timestamp"`)
    const { summary, ids } = await imported(encoder.encode(text))
    assert.deepEqual(rejections(summary), [{ code: 'NON_CANONICAL', offset: 0 }])
    assert.match(summary.rejected[0].message, /a seq that is not a number/)
    assert.deepEqual(ids, [])
  })
})

describe('every output path handles payloads at the limit', () => {
  let tmp: { path: string, cleanup: () => void }
  let dir: string
  let file: string
  /** Every payload imported, by entry id. */
  const payloads = new Map<string, unknown>()
  const flatArray = JSON.stringify(Array.from({ length: 150_000 }, (_, i) => i))
  const flatObject = JSON.stringify(Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i])))
  const kvEntry = `{"type":"kv","key":"deep","value":${arrays(LIMIT - 1)}}`
  const forkTexts = [arrays(LIMIT, '1'), objects(LIMIT, '2')]
  let fork: string[] = []

  before(() => {
    tmp = tempDir('logbook-depth-')
    dir = join(tmp.path, 'store')
    file = join(tmp.path, 'deep.export')
    // A: a binary frame; B: a text line (a "json" member, and a "text" member for the spaced one); C: a fork.
    const aTexts = [arrays(LIMIT), objects(LIMIT), mixed(LIMIT), arrays(LIMIT, JSON.stringify('"]]}}\\[[{{"')), flatArray, flatObject]
    const bTexts = [kvEntry, '[ '.repeat(LIMIT) + '0' + ' ]'.repeat(LIMIT), objects(LIMIT, '"x"')]
    const a = segmentOf(SPACE, buildChain(SPACE, identity(1), 0, null, aTexts.map((text) => textBody(text))))
    const b = segmentOf(SPACE, buildChain(SPACE, identity(2), 0, null, bTexts.map((text) => textBody(text))))
    const forked = forkTexts.map((text) => segmentOf(SPACE, buildChain(SPACE, identity(3), 0, null, [textBody(text)])))
    idsOf(a).forEach((id, i) => payloads.set(toHex(id), JSON.parse(aTexts[i])))
    idsOf(b).forEach((id, i) => payloads.set(toHex(id), JSON.parse(bTexts[i])))
    fork = forked.map((segment, i) => { const id = toHex(idsOf(segment)[0]); payloads.set(id, JSON.parse(forkTexts[i])); return id })
    writeFileSync(file, concatBytes([frameOf(a), jsonLineOf(b, idsOf(b)), ...forked.map(frameOf)]))
    ok(['--dir', dir, 'init', '--space', toHex(SPACE_KEY)])
    ok(['--dir', dir, 'import', file])
  })
  after(() => tmp.cleanup())

  test('log and log --json', () => {
    const lines = ok(['--dir', dir, 'log']).split('\n').filter((line) => line !== '')
    assert.equal(lines.length, payloads.size)
    const shown = lines.map((line) => line.split(' ').slice(5).join(' '))
    assert.deepEqual(shown.sort(), [...payloads.values()].map((value) => JSON.stringify(value)).sort())
    const entries = ndjson(ok(['--dir', dir, 'log', '--json']))
    assert.equal(entries.length, payloads.size)
    for (const entry of entries) assert.deepEqual(entry.payload, payloads.get(entry.id), entry.id)
  })

  test('get and get --json', () => {
    for (const [id, value] of payloads) {
      assert.ok(ok(['--dir', dir, 'get', id]).includes(`\npayload:   ${JSON.stringify(value)}\n`), id)
      assert.deepEqual(JSON.parse(ok(['--dir', dir, 'get', id, '--json'])).payload, value, id)
    }
  })

  test('export --json, and its import gives the same entries', () => {
    const text = ok(['--dir', dir, 'export', '--json'])
    assert.ok(text.includes('"text":'), 'the spaced payload is exported verbatim')
    const again = join(tmp.path, 'again')
    ok(['--dir', again, 'init', '--space', toHex(SPACE_KEY)])
    ok(['--dir', again, 'import'], { input: text })
    const before = ndjson(ok(['--dir', dir, 'log', '--json'])).sort((x, y) => x.id.localeCompare(y.id))
    const after = ndjson(ok(['--dir', again, 'log', '--json'])).sort((x, y) => x.id.localeCompare(y.id))
    const withoutLocalSeq = (entries: any[]): any[] => entries.map(({ localSeq, ...rest }) => rest)
    assert.deepEqual(withoutLocalSeq(after), withoutLocalSeq(before))
    assert.equal(ok(['--dir', again, 'export', '--json']), text, 'the same export')
  })

  test('forks --json', () => {
    const forks = JSON.parse(ok(['--dir', dir, 'forks', '--json']))
    assert.equal(forks.length, 1)
    assert.deepEqual([...forks[0].ids].sort(), [...fork].sort())
    const proof = forks[0].proof.map((segment: any) => [segment.entries[0].id, segment.entries[0].json])
    assert.deepEqual(proof.sort(), fork.map((id) => [id, payloads.get(id)]).sort())
  })

  test('views: kv and types read payloads at the limit', () => {
    const kv = JSON.parse(ok(['--dir', dir, 'kv', 'get', 'deep', '--json']))
    assert.deepEqual(kv.values.map((value: { value: unknown }) => value.value), [JSON.parse(arrays(LIMIT - 1))])
    assert.match(ok(['--dir', dir, 'kv', 'list']), /^deep \[\[\[/)
    assert.equal(ok(['--dir', dir, 'types', 'kv']).split('\n').filter((line) => line !== '').length, 1)
  })

  test('views: the runner hands a view every payload, and stores what it writes', async () => {
    const book = await memoryBook({ identity: identity(98) })
    const summary = await book.import(new Uint8Array(readFileSync(file)))
    assert.equal(summary.rejectedCount, 0)
    const view = book.use('payloads', recordingView())
    const seen = new Map((await view.api.seen()).map(([id, row]) => [id, (row as { payload: unknown }).payload]))
    assert.deepEqual(seen, payloads)
    await book.close()
  })

  test('an import refusing a deep payload says so in one line', () => {
    const deep = join(tmp.path, 'deeper.export')
    writeFileSync(deep, signedFrame(identity(4), [arrays(5000)]).frame)
    const result = fails(run(['--dir', dir, 'import', deep]), 'INVALID_PAYLOAD', 1)
    assert.match(result.stderr, /deeper than 256/)
  })
})
