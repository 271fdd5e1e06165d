// RootBatcher writes to classic-level's native batch directly when nothing can observe it, and through
// abstract-level's public batch otherwise: both must leave the same bytes, write atomically, and
// whatever watches writes (a prewrite hook, a 'write' listener) must see every operation.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AbstractLevel } from 'abstract-level'
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { RootBatcher } from '../src/store/root-batch.js'
// The Node platform registers classic-level's class for native batches.
import '../src/platform/node/storage.js'

type Db = AbstractLevel<any, any, any>
type Kind = 'classic' | 'classic, watched' | 'memory'

async function withDb (kind: Kind, run: (db: Db) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-batch-'))
  const db: Db = kind === 'memory' ? new MemoryLevel() : new ClassicLevel(dir)
  // A listener, even one that does nothing, sends every operation through the public API.
  if (kind === 'classic, watched') db.on('write', () => {})
  try {
    await db.open()
    await run(db)
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const TEXTS = ['plain', 'é✓', '🙂', 'lone \ud800 surrogate', '']

/** Rows and operations of every kind, over several batches; returns every key and value as bytes. */
async function writeSample (db: Db): Promise<Array<[string, string]>> {
  const batcher = new RootBatcher(db)
  const data = db.sublevel<string, string>('d', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  const meta = db.sublevel<string, string>('m', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  const rows = new Map<string, string | null>()
  for (let i = 0; i < 100; i++) rows.set(`key-${i}`, JSON.stringify({ i, text: TEXTS[i % TEXTS.length] }))
  for (const text of TEXTS) rows.set(`text ${text}`, text)
  await batcher.writeText(data, rows, [{ type: 'put', sublevel: meta, key: 'checkpoint', value: '1' }])
  // Deletions of existing keys after the first operation, an overwrite, a new key.
  const later = new Map<string, string | null>([['key-3', null], ['key-4', '"four"'], ['key-5', null], ['key-6', null], ['new', '"n"']])
  await batcher.writeText(data, later, [{ type: 'put', sublevel: meta, key: 'checkpoint', value: '2' }, { type: 'del', sublevel: meta, key: 'absent' }])
  // A batch of one deletion and nothing else must still be written.
  await batcher.writeText(data, new Map([['key-7', null]]), [])
  // Bytes: views into a larger buffer at odd offsets, every byte value, a deletion of an existing key.
  const backing = new Uint8Array(512)
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 7) & 0xff
  await batcher.writeRoot([
    { type: 'put', key: Buffer.from('raw-0'), value: Buffer.from([0, 1, 2]) },
    { type: 'put', key: backing.subarray(1, 9), value: backing.subarray(3, 259) },
    { type: 'put', key: Buffer.from(backing.buffer, 17, 5), value: new Uint8Array([0xff, 0xfe, 0x00, 0x80]) },
    { type: 'del', key: Buffer.from('!d!key-8') },
    { type: 'del', key: Buffer.from('nothing') }
  ])
  const all = await db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' }).all()
  return all.map(([key, value]: [Buffer, Buffer]) => [key.toString('hex'), value.toString('hex')])
}

test('the native path and the public path leave the same bytes', async () => {
  const results = new Map<Kind, Array<[string, string]>>()
  for (const kind of ['classic', 'classic, watched', 'memory'] as const) {
    await withDb(kind, async (db) => {
      assert.equal(new RootBatcher(db).native(), kind === 'classic', kind)
      results.set(kind, await writeSample(db))
    })
  }
  const native = results.get('classic') as Array<[string, string]>
  assert.deepEqual(native, results.get('classic, watched'))
  assert.deepEqual(native, results.get('memory'))
  const rows = new Map(native.map(([key, value]) => [Buffer.from(key, 'hex').toString('latin1'), Buffer.from(value, 'hex')]))
  for (const gone of ['!d!key-3', '!d!key-5', '!d!key-6', '!d!key-7', '!d!key-8']) assert.equal(rows.has(gone), false, gone)
  assert.equal(rows.get('!d!key-4')?.toString(), '"four"')
  assert.equal(rows.get('!m!checkpoint')?.toString(), '2')
  assert.equal(rows.get('!d!key-9')?.toString(), JSON.stringify({ i: 9, text: TEXTS[9 % TEXTS.length] }))
  assert.equal(native.length, 100 + TEXTS.length - 5 + 1 + 1 + 3)
})

test('a batch with an invalid operation writes nothing, on either path', async () => {
  for (const kind of ['classic', 'classic, watched'] as const) {
    await withDb(kind, async (db) => {
      const batcher = new RootBatcher(db)
      const ops: any[] = [
        { type: 'put', key: Buffer.from('a'), value: Buffer.from('1') },
        { type: 'put', key: Buffer.from('b'), value: Buffer.from('2') },
        { type: 'put', key: Buffer.from('c'), value: undefined }
      ]
      await assert.rejects(batcher.writeRoot(ops), { code: 'LEVEL_INVALID_VALUE' })
      assert.deepEqual(await db.keys({ keyEncoding: 'utf8' }).all(), [], kind)
    })
  }
})

test('a write listener or a prewrite hook sees every operation', async () => {
  const operations = 100 + TEXTS.length + 1 + 5 + 2 + 1 + 5
  await withDb('classic', async (db) => {
    const seen: string[] = []
    db.on('write', (ops: Array<{ key: string }>) => { for (const op of ops) seen.push(String(op.key)) })
    assert.equal(new RootBatcher(db).native(), false)
    await writeSample(db)
    assert.equal(seen.length, operations)
  })
  await withDb('classic', async (db) => {
    const hooked: string[] = []
    db.hooks.prewrite.add((op: { key: string }) => { hooked.push(String(op.key)) })
    assert.equal(new RootBatcher(db).native(), false)
    await writeSample(db)
    assert.equal(hooked.length, operations)
  })
})

test('a subclass of ClassicLevel takes the public path', async () => {
  class Wrapped extends ClassicLevel<string, string> {}
  const dir = mkdtempSync(join(tmpdir(), 'logbook-batch-'))
  const db = new Wrapped(dir)
  try {
    await db.open()
    assert.equal(new RootBatcher(db).native(), false)
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
