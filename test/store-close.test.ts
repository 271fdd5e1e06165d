// Closing a store directory right after a burst of writes: LevelDB's memtable is flushed at close (and a
// flush under way is waited for rather than abandoned, which would leave an unused table behind).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { MemoryLevel } from 'memory-level'
import { Logbook } from '../src/index.js'
import { BIN } from './helpers/cli.js'

function files (dir: string): Map<string, number> {
  return new Map(readdirSync(dir).filter((name) => /\.(log|ldb)$/.test(name)).map((name) => [name, statSync(join(dir, name)).size]))
}

test('a closed store keeps no write-ahead log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-close-'))
  try {
    const book = await Logbook.create({ dir })
    // ~12 MB of pages and index rows: several memtables of 4 MiB, flushed while appending.
    const payload = 'x'.repeat(300)
    for (let at = 0; at < 40_000; at += 1000) await book.append(Array.from({ length: 1000 }, (_, i) => ({ payload, n: at + i })))
    await book.close()
    const db = join(dir, 'db')
    const closed = files(db)
    const logBytes = [...closed].filter(([name]) => name.endsWith('.log')).reduce((sum, [, size]) => sum + size, 0)
    assert.equal(logBytes, 0, 'the memtable was flushed at close')
    assert.ok([...closed.keys()].some((name) => name.endsWith('.ldb')))
    const again = await Logbook.open({ dir })
    assert.equal(again.reader.readyCount, 40_000)
    assert.deepEqual((await again.verify()).problems, [])
    await again.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('closing twice closes once: a later open of the same store keeps its files and its lock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-close-'))
  try {
    const first = await Logbook.create({ dir })
    await first.close()
    const second = await Logbook.open({ dir })
    await first.close()
    await Promise.all([first.close(), first.close()])
    // The second store still writes (its journal was not closed under it) ...
    assert.equal(typeof await second.append({ after: 'a repeated close' }), 'string')
    // ... and still holds its claim: a third open in this process is refused before LevelDB sees it.
    await assert.rejects(Logbook.open({ dir }), /already open in this process/)
    // Another process is still locked out.
    const other = spawnSync(process.execPath, [BIN, '--dir', dir, 'append', '1'], { encoding: 'utf8' })
    assert.equal(other.status, 1)
    assert.match(other.stderr, /^logbook: LOGBOOK_NOT_OPEN: .*in use by another process/)
    await second.close()
    const reopened = await Logbook.open({ dir })
    assert.equal(reopened.reader.readyCount, 1)
    await reopened.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a database of your own that does not open gives a LogbookError naming it, not the database\'s own error', async () => {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
  ;(db as unknown as { _open: () => Promise<void> })._open = async () => { throw new Error('the disk said no') }
  await assert.rejects(Logbook.create({ db, spaceKey: new Uint8Array(32).fill(7) }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'LOGBOOK_NOT_OPEN')
    assert.match(err.message, /^the store could not be opened \(given database\): the disk said no$/)
    return true
  })
})
