// Incremental exports read the change log: a full export plus every increment after it restores exactly the
// store it came from, even while signatures are added to older entries and pending segments come and go, and
// a cursor taken from another store is refused rather than silently skipping what that store never had.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogbookError, type Logbook } from '../src/index.js'
import { ok, run } from './helpers/cli.js'
import { buildChain, collect, filled, frameOf, identity, jsonBody, memoryBook, segmentOf, snapshot, SPACE } from './helpers/fixtures.js'

/** An export and the cursor it reported. */
async function exportFrom (book: Logbook, since?: string, format: 'binary' | 'json' = 'binary'): Promise<{ bytes: Uint8Array, cursor: string }> {
  let cursor = ''
  const bytes = await collect(book.export({ since, format, onCursor: (at) => { cursor = at } }))
  return { bytes, cursor }
}

/** Everything comparable about a store: its state, what is pending, and which copies carry signatures. */
async function fullState (book: Logbook): Promise<string> {
  const { pendingEntries, forks, entries, feeds, heads } = book.status()
  const pending = await book.pending()
  return JSON.stringify({ state: await snapshot(book), pending, pendingEntries, forks, entries, feeds, heads, export: Buffer.from(await collect(book.export({ format: 'json' }))).toString() })
}

const me = identity(61)
const other = identity(62)
const waiter = identity(63)

test('a full export plus increments restores the store exactly, later signatures and pending changes included', async () => {
  const source = await memoryBook({ identity: me })
  const backup = await memoryBook({ identity: identity(64) })
  try {
    // Before the full export: other's three entries signed at the last only.
    const three = buildChain(SPACE, other, 0, null, [jsonBody('o1', 1), jsonBody('o2', 2), jsonBody('o3', 3)], () => false)
    await source.import(frameOf(segmentOf(SPACE, three)))
    await source.append({ n: 1 })
    const full = await exportFrom(source)
    await backup.import(full.bytes)

    // Increment 1: a signature added to o2 (stored long ago), a pending segment, new entries.
    await source.import(frameOf(segmentOf(SPACE, buildChain(SPACE, other, 1, three[0].id, [jsonBody('o2', 2)]))))
    const missing = buildChain(SPACE, identity(65), 0, null, [jsonBody('nobody has me yet', 9)])
    const waiting = buildChain(SPACE, waiter, 0, null, [jsonBody('w1', 4), jsonBody('w2', 5, [missing[0].id])], () => false)
    await source.import(frameOf(segmentOf(SPACE, waiting)))
    await source.append([{ n: 2 }, { n: 3 }])
    const first = await exportFrom(source, full.cursor)
    await backup.import(first.bytes)
    assert.ok(await fullState(backup) === await fullState(source), 'after the first increment')

    // Increment 2: the pending segment's link arrives (pending → ready), o1 gains a signature, a fork.
    await source.import(frameOf(segmentOf(SPACE, missing)))
    await source.import(frameOf(segmentOf(SPACE, buildChain(SPACE, other, 0, null, [jsonBody('o1', 1)]))))
    await source.import(frameOf(segmentOf(SPACE, buildChain(SPACE, other, 0, null, [jsonBody('o1 again', 1)]))))
    const second = await exportFrom(source, first.cursor)
    // Increment 3: a signature added to an entry of a segment that is still pending, and another pending one.
    const stuck = buildChain(SPACE, waiter, 2, waiting[1].id, [jsonBody('w3', 6), jsonBody('w4', 7, [filled(0x99)])], () => false)
    await source.import(frameOf(segmentOf(SPACE, stuck)))
    const third = await exportFrom(source, second.cursor)
    await source.import(frameOf(segmentOf(SPACE, buildChain(SPACE, waiter, 2, waiting[1].id, [jsonBody('w3', 6), jsonBody('w4', 7, [filled(0x99)])]))))
    const fourth = await exportFrom(source, third.cursor)
    assert.ok(fourth.bytes.byteLength > 0, 'the signature added to a pending entry is sent')
    for (const increment of [second, third, fourth]) await backup.import(increment.bytes)
    assert.ok(await fullState(backup) === await fullState(source), 'after every increment')
    assert.equal(source.status().forks.length, 1)

    // Nothing twice: no entry is sent twice in one increment.
    for (const increment of [first, second, third, fourth]) {
      const text = Buffer.from(await collect(source.export({ since: increment === first ? full.cursor : increment === second ? first.cursor : increment === third ? second.cursor : third.cursor, format: 'json' }))).toString()
      const ids = text.split('\n').filter((line) => line !== '').flatMap((line) => (JSON.parse(line) as { entries: Array<{ id: string }> }).entries.map((entry) => entry.id))
      assert.equal(new Set(ids).size, ids.length, 'each entry once')
    }
    // An export at the latest cursor is empty, and says the same cursor.
    const none = await exportFrom(source, fourth.cursor)
    assert.equal(none.bytes.byteLength, 0)
    assert.equal(none.cursor, fourth.cursor)
    assert.equal(source.status().cursor, fourth.cursor)
  } finally {
    await source.close()
    await backup.close()
  }
})

test('a cursor from another store, one ahead of this store, or a malformed one is refused', async () => {
  const one = await memoryBook({ identity: me })
  const two = await memoryBook({ identity: other })
  try {
    await one.append({ n: 1 })
    const cursor = one.status().cursor
    const refused = (pattern: RegExp) => (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_CURSOR' && pattern.test(err.message)
    await assert.rejects(collect(two.export({ since: cursor })), refused(/another store/))
    const [instance, change] = cursor.split(':')
    await assert.rejects(collect(one.export({ since: `${instance}:${Number(change) + 1}` })), refused(/ahead of this store/))
    for (const bad of ['', '7', `${instance}:`, `${instance}:01`, `${instance.toUpperCase()}:1`, `${instance}:-1`]) {
      await assert.rejects(collect(one.export({ since: bad })), refused(/is not an export cursor/), bad)
    }
  } finally {
    await one.close()
    await two.close()
  }
})

test('the command: status prints the cursor, export --cursor-file saves it, export --since sends what changed after it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logbook-cursor-'))
  try {
    const store = join(dir, 'a')
    const backup = join(dir, 'b')
    ok(['--dir', store, 'init'])
    ok(['--dir', backup, 'init', '--space', readFileSync(join(store, 'space.key'), 'utf8').trim()])
    ok(['--dir', store, 'append', '{"n":1}'])
    const cursorFile = join(dir, 'cursor')
    writeFileSync(join(dir, 'full'), Buffer.from(ok(['--dir', store, 'export', '--json', '--cursor-file', cursorFile])))
    const cursor = readFileSync(cursorFile, 'utf8').trim()
    assert.match(ok(['--dir', store, 'status']), new RegExp(`cursor: +${cursor}\\n`))
    ok(['--dir', store, 'append', '{"n":2}'])
    const increment = ok(['--dir', store, 'export', '--json', '--since', cursor])
    assert.equal(increment.trim().split('\n').length, 1, 'one new segment')
    ok(['--dir', backup, 'import', join(dir, 'full')])
    ok(['--dir', backup, 'import', '-'], { input: increment })
    assert.equal(JSON.parse(ok(['--dir', backup, 'status', '--json'])).entries, 2)
    const refused = run(['--dir', backup, 'export', '--since', cursor])
    assert.equal(refused.status, 1)
    assert.match(refused.stderr, /^logbook: INVALID_CURSOR: the cursor [0-9a-f]{32}:\d+ was taken from another store/)
    assert.equal(refused.stderr.split('\n').length, 2, 'one line')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
