// A store written in format 1 (test/fixtures/format1, made by the last version that wrote it) opens under
// format 2 with every entry, signature, pending segment, fork proof and view intact, and is format 2 after.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClassicLevel } from 'classic-level'
import { Logbook, kvView } from '../src/index.js'
import { collect, memoryBook, snapshot } from './helpers/fixtures.js'

const fixture = fileURLToPath(new URL('../../test/fixtures/format1/', import.meta.url))
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8'))

async function formatRow (dir: string): Promise<string | undefined> {
  const db = new ClassicLevel<string, string>(join(dir, 'db'))
  try {
    return await db.sublevel<string, string>('m', {}).get('format')
  } finally {
    await db.close()
  }
}

test('a format-1 store opens under format 2 with every entry, signature, pending segment, fork proof and view intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logbook-migrate-'))
  try {
    const store = join(dir, 'store')
    await cp(join(fixture, 'store'), store, { recursive: true })
    assert.equal(await formatRow(store), '2', 'the fixture is format 1')
    const book = await Logbook.open({ dir: store })
    const kv = book.use('kv', kvView())
    const rebuilt: string[] = []
    kv.on('rebuild', ({ reason }) => rebuilt.push(reason))
    assert.deepEqual(await snapshot(book), expected.state)
    const { cursor, pendingBytes, pendingQuota, ...status } = book.status()
    const { pending: expectedPending, ...expectedStatus } = expected.status
    assert.deepEqual(status, expectedStatus)
    assert.deepEqual(await book.pending(), expectedPending)
    assert.ok(pendingBytes > 0 && pendingBytes < pendingQuota)
    assert.match(cursor, /^[0-9a-f]{32}:[0-9]+$/, 'a migrated store has a change log')
    // Its export restores the same state elsewhere.
    const copy = await memoryBook()
    await copy.import(await collect(book.export()))
    assert.deepEqual(await snapshot(copy), expected.state)
    assert.deepEqual(await copy.pending(), expectedPending)
    await copy.close()
    assert.deepEqual(await kv.api.list(), expected.kv)
    assert.equal(await kv.digest(), expected.kvDigest)
    assert.deepEqual(rebuilt, [], 'the view kept its rows and checkpoint')
    assert.deepEqual((await book.verify()).problems, [])
    // Prefix lookups read the new index.
    const some = expected.state.ready[0] as string
    assert.equal(await book.resolveId(some.slice(0, 12)), some)
    const added = await book.append({ after: 'migration' })
    await book.close()
    assert.equal(await formatRow(store), '3', 'the store is format 2 now')

    const again = await Logbook.open({ dir: store })
    assert.equal(again.status().entries, expected.status.entries + 1)
    assert.equal((await again.get(added))?.id, added)
    assert.equal(again.status().cursor.split(':')[0], cursor.split(':')[0], 'the instance id is kept')
    assert.deepEqual((await again.verify()).problems, [])
    await again.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
