// Export options: incremental backups (`since`), one author's feed (`author`), and segment limits
// on the way out (appends split into segments of at most 1024 entries, each carrying one signature).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { collect, identity, memoryBook, snapshot } from './helpers/fixtures.js'
import { MAX_SEGMENT_ENTRIES } from '../src/index.js'

async function jsonLines (source: AsyncIterable<Uint8Array>): Promise<Array<{ author: string, seq: number, entries: Array<{ signature: string | null }> }>> {
  const text = Buffer.from(await collect(source)).toString('utf8')
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line))
}

test('an incremental export (since a cursor) on top of an earlier full export restores the whole store', async () => {
  const source = await memoryBook({ identity: identity(1) })
  const friend = await memoryBook({ identity: identity(2) })
  await source.append([{ n: 1 }, { n: 2 }, { n: 3 }])
  await friend.append({ from: 'friend' })
  await source.import(friend.export())
  const full = await collect(source.export())
  const mark = source.status().cursor
  const later = await source.append([{ n: 4 }, { n: 5 }])
  await source.append({ n: 6 }, { links: [later[0]] })

  const backup = await memoryBook({ identity: identity(3) })
  await backup.import(full)
  const increment = await collect(source.export({ since: mark }))
  const summary = await backup.import(increment)
  assert.equal(summary.imported, 3, 'only what became ready after the mark is in the increment')
  assert.equal(summary.duplicates, 0)
  assert.deepEqual(await snapshot(backup), await snapshot(source))

  const lines = await jsonLines(source.export({ format: 'json', since: mark }))
  assert.deepEqual(lines.map((line) => line.entries.length).reduce((a, b) => a + b, 0), 3)
})

test('an export of one author holds that feed alone, and imports as that feed', async () => {
  const a = await memoryBook({ identity: identity(4) })
  const b = await memoryBook({ identity: identity(5) })
  await a.append([{ a: 1 }, { a: 2 }])
  await b.append({ b: 1 })
  await a.import(b.export())
  const lines = await jsonLines(a.export({ format: 'json', author: b.author }))
  assert.deepEqual(lines.map((line) => line.author), [b.author])
  const c = await memoryBook({ identity: identity(6) })
  const summary = await c.import(a.export({ author: b.author }))
  assert.equal(summary.imported, 1)
  assert.deepEqual(c.feedHeads().map((head) => head.author), [b.author])
})

test('a large append is split into signed segments of at most 1024 entries', async () => {
  const book = await memoryBook({ identity: identity(7) })
  const count = 2 * MAX_SEGMENT_ENTRIES + 10
  const ids = await book.append(Array.from({ length: count }, (_, i) => ({ i })))
  assert.equal(ids.length, count)
  const lines = await jsonLines(book.export({ format: 'json' }))
  assert.deepEqual(lines.map((line) => line.entries.length), [1024, 1024, 10])
  for (const line of lines) {
    const signed = line.entries.map((entry, i) => entry.signature !== null ? i : -1).filter((i) => i >= 0)
    assert.deepEqual(signed, [line.entries.length - 1], 'one signature per segment, on its last entry')
  }
})

test('a payload near 1 MiB goes into segments that stay within 4 MiB', async () => {
  const book = await memoryBook({ identity: identity(8) })
  const big = new Uint8Array(1024 * 1024 - 100).fill(7)
  await book.append([big, big, big, big, big])
  const lines = await jsonLines(book.export({ format: 'json' }))
  assert.ok(lines.length >= 2, 'five ~1 MiB payloads do not fit one 4 MiB segment')
  assert.equal(lines.reduce((sum, line) => sum + line.entries.length, 0), 5)
  const copy = await memoryBook({ identity: identity(9) })
  const summary = await copy.import(book.export())
  assert.equal(summary.imported, 5)
  assert.equal(summary.rejectedCount, 0)
})
