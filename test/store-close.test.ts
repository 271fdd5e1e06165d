// Closing a store directory right after a burst of writes: LevelDB's memtable is flushed at close (and a
// flush under way is waited for rather than abandoned, which would leave an unused table behind).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Logbook } from '../src/index.js'

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
    assert.equal(again.store.readyCount, 40_000)
    assert.deepEqual((await again.verify()).problems, [])
    await again.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
