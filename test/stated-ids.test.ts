// A text line states each entry's id. When someone edits a payload in the middle of a line, the stated ids
// are checked before any signature, so the import names the entry that was changed (ID_MISMATCH, its seq,
// the id it states and the id it hashes to) rather than the signature further on that no longer verifies.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { computeChainIds } from '../src/entry/entry-id.js'
import type { ImportSummary } from '../src/io/import.js'
import { SPACE, SPACE_KEY, buildChain, identity, idsOf, jsonBody, jsonLineOf, memoryBook, segmentOf, toHex } from './helpers/fixtures.js'
import { fails, ok, run, tempDir } from './helpers/cli.js'

const who = identity(1)
const values = [{ n: 1 }, { n: 2 }, { n: 3 }]
const encoder = new TextEncoder()

/**
 * The export line of a 3-entry segment (every entry signed, or only the last; with or without stated ids)
 * whose middle payload was edited afterwards; the original ids and the ids the edited entries hash to.
 */
function editedLine (signEach: boolean, stateIds: boolean): { line: Uint8Array, ids: Uint8Array[], editedIds: Uint8Array[] } {
  const segment = segmentOf(SPACE, buildChain(SPACE, who, 0, null, values.map((value) => jsonBody(value, 1)), () => signEach))
  const ids = idsOf(segment)
  const line = JSON.parse(new TextDecoder().decode(jsonLineOf(segment, stateIds ? ids : undefined)))
  line.entries[1].json = { n: 'two' }
  const editedBodies = segment.entries.map((entry, i) => i === 1 ? { ...entry, payload: encoder.encode('{"n":"two"}') } : entry)
  return { line: encoder.encode(JSON.stringify(line) + '\n'), ids, editedIds: computeChainIds(SPACE, who.publicKey, 1, null, editedBodies) }
}

async function importInto (line: Uint8Array): Promise<{ summary: ImportSummary, entries: number }> {
  const book = await memoryBook({ identity: identity(99) })
  try {
    const summary = await book.import(line)
    return { summary, entries: book.status().entries }
  } finally {
    await book.close()
  }
}

describe('an edited text line', () => {
  for (const signEach of [false, true]) {
    test(`is ID_MISMATCH at the edited entry, naming both ids (${signEach ? 'every entry' : 'the last entry'} signed)`, async () => {
      const { line, ids, editedIds } = editedLine(signEach, true)
      assert.notEqual(toHex(editedIds[1]), toHex(ids[1]))
      const { summary, entries } = await importInto(line)
      assert.deepEqual(summary.rejected.map(({ code, offset }) => ({ code, offset })), [{ code: 'ID_MISMATCH', offset: 0 }])
      assert.equal(summary.rejected[0].message, `the entry at seq 2 states id ${toHex(ids[1])} but hashes to ${toHex(editedIds[1])}`)
      assert.equal(entries, 0, 'nothing of the line is stored')
    })
  }

  test('without stated ids, it is the signature that fails', async () => {
    const { summary, entries } = await importInto(editedLine(false, false).line)
    assert.deepEqual(summary.rejected.map(({ code }) => code), ['BAD_SIGNATURE'])
    assert.match(summary.rejected[0].message, /seq 3/)
    assert.equal(entries, 0)
  })

  test('the command prints one error line naming the entry', () => {
    const tmp = tempDir('logbook-edited-')
    try {
      const store = join(tmp.path, 'store')
      ok(['--dir', store, 'init', '--space', toHex(SPACE_KEY)])
      const { line, ids } = editedLine(false, true)
      const result = fails(run(['--dir', store, 'import'], { input: Buffer.from(line) }), 'ID_MISMATCH', 1)
      assert.ok(result.stderr.includes(`the entry at seq 2 states id ${toHex(ids[1])}`), result.stderr)
      assert.equal(ok(['--dir', store, 'log']), '')
    } finally {
      tmp.cleanup()
    }
  })
})
