// RootBatcher writes to classic-level's native batch directly when nothing can observe it, and through
// abstract-level's public batch otherwise: both must leave the same rows, and whatever watches writes
// (a prewrite hook, a 'write' listener) must see every operation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AbstractLevel } from 'abstract-level'
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { RootBatcher } from '../src/store/root-batch.js'

type Db = AbstractLevel<any, any, any>

async function withDb (kind: 'classic' | 'memory', run: (db: Db) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-batch-'))
  const db: Db = kind === 'classic' ? new ClassicLevel<string, string>(dir) : new MemoryLevel<string, string>()
  try {
    await db.open()
    await run(db)
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Rows and operations of every kind, written in two batches (the second deletes and overwrites). */
async function writeSample (db: Db): Promise<Array<[string, string]>> {
  const batcher = new RootBatcher(db)
  const data = db.sublevel<string, string>('d', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  const meta = db.sublevel<string, string>('m', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  const rows = new Map<string, string | null>()
  for (let i = 0; i < 100; i++) rows.set(`key-${i}`, JSON.stringify({ i, text: 'é✓' }))
  await batcher.writeText(data, rows, [{ type: 'put', sublevel: meta, key: 'checkpoint', value: '1' }])
  const later = new Map<string, string | null>([['key-3', null], ['key-4', '"four"'], ['new', '"n"']])
  await batcher.writeText(data, later, [{ type: 'put', sublevel: meta, key: 'checkpoint', value: '2' }, { type: 'del', sublevel: meta, key: 'absent' }])
  // Only deletions, and rows without any other operation: the batch must still be written.
  await batcher.writeText(data, new Map([['key-5', null]]), [])
  await batcher.writeRoot([{ type: 'put', key: Buffer.from('raw'), value: Buffer.from([0, 1, 2]) }, { type: 'del', key: Buffer.from('nothing') }])
  return await db.iterator({ keyEncoding: 'utf8', valueEncoding: 'utf8' }).all()
}

test('the native path and the public path leave the same rows', async () => {
  let classic: Array<[string, string]> = []
  let memory: Array<[string, string]> = []
  await withDb('classic', async (db) => {
    assert.equal(new RootBatcher(db).native(), true)
    classic = await writeSample(db)
  })
  await withDb('memory', async (db) => {
    assert.equal(new RootBatcher(db).native(), false)
    memory = await writeSample(db)
  })
  assert.equal(classic.length, 100 - 2 + 1 + 1 + 1)
  assert.deepEqual(classic, memory)
  const rows = new Map(classic)
  assert.equal(rows.get('!d!key-3'), undefined)
  assert.equal(rows.get('!d!key-4'), '"four"')
  assert.equal(rows.get('!m!checkpoint'), '2')
  assert.equal(rows.get('!d!key-7'), JSON.stringify({ i: 7, text: 'é✓' }))
})

test('a write listener or a prewrite hook sees every operation', async () => {
  await withDb('classic', async (db) => {
    const seen: string[] = []
    db.on('write', (ops: Array<{ key: string }>) => { for (const op of ops) seen.push(String(op.key)) })
    assert.equal(new RootBatcher(db).native(), false)
    await writeSample(db)
    assert.equal(seen.length, 100 + 1 + 3 + 2 + 1 + 2)
  })
  await withDb('classic', async (db) => {
    const hooked: string[] = []
    db.hooks.prewrite.add((op: { key: string }) => { hooked.push(String(op.key)) })
    assert.equal(new RootBatcher(db).native(), false)
    await writeSample(db)
    assert.equal(hooked.length, 100 + 1 + 3 + 2 + 1 + 2)
  })
})
