// The notes app's model over the kv view, on two stores that exchange exports as two peers would:
// concurrent edits are a conflict holding every version, and a resolution supersedes exactly them.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { kvView, type Logbook } from '../src/index.js'
import { identity } from './helpers/fixtures.js'
import { bookOn, exportOf, importAll, memoryDb } from './helpers/views-books.js'
import { mergeVersions, newNoteKey, noteFromKv, noteText, sortNotes, NOTE_PREFIX, type Note } from '../web/notes-model.js'
import { NotesStore } from '../web/notes-store.js'

async function peer (who: number): Promise<{ book: Logbook, notes: NotesStore }> {
  const book = await bookOn(memoryDb(), identity(who))
  return { book, notes: new NotesStore(book, book.use('kv', kvView()).api) }
}

async function exchange (a: Logbook, b: Logbook): Promise<void> {
  const [fromA, fromB] = [await exportOf(a), await exportOf(b)]
  await importAll(a, [fromB])
  await importAll(b, [fromA])
}

async function only (notes: NotesStore): Promise<Note> {
  const list = await notes.list()
  assert.equal(list.length, 1)
  return list[0]
}

describe('notes on the kv view', () => {
  test('a note is saved, listed and edited; an edit supersedes the version it started from', async () => {
    const { book, notes } = await peer(1)
    const key = newNoteKey()
    const first = await notes.save(key, { title: 'Groceries', body: 'milk' }, [])
    const note = await only(notes)
    assert.deepEqual([note.key, note.title, note.body, note.conflict, note.base], [key, 'Groceries', 'milk', false, [first]])
    const second = await notes.save(key, { title: 'Groceries', body: 'milk, eggs' }, note.base)
    assert.deepEqual((await book.get(second))?.links, [first])
    assert.deepEqual(await notes.get(key).then((found) => [found?.body, found?.base]), ['milk, eggs', [second]])
    await book.close()
  })

  test('concurrent edits on two peers are one conflict on both, every version kept; resolving on one settles both', async () => {
    const a = await peer(1)
    const b = await peer(2)
    const key = newNoteKey()
    await a.notes.save(key, { title: 'Plan', body: 'draft' }, [])
    await exchange(a.book, b.book)
    const base = (await only(b.notes)).base
    const fromA = await a.notes.save(key, { title: 'Plan', body: 'draft, by a' }, base)
    const fromB = await b.notes.save(key, { title: 'Plan B', body: 'draft, by b' }, base)
    await exchange(a.book, b.book)
    for (const side of [a, b]) {
      const note = await only(side.notes)
      assert.equal(note.conflict, true)
      assert.deepEqual(note.versions.map((version) => [version.entryId, version.body]), [[fromA, 'draft, by a'], [fromB, 'draft, by b']].sort((x, y) => (x[0] < y[0] ? -1 : 1)))
      assert.deepEqual(note.base, [fromA, fromB].sort())
    }
    const conflicted = await only(b.notes)
    const merged = mergeVersions(conflicted.versions)
    const resolution = await b.notes.resolve(conflicted, merged)
    assert.deepEqual((await b.book.get(resolution))?.links, [fromA, fromB].sort())
    await exchange(a.book, b.book)
    for (const side of [a, b]) {
      const note = await only(side.notes)
      assert.deepEqual([note.conflict, note.title, note.body, note.base], [false, merged.title, merged.body, [resolution]])
    }
    await a.book.close()
    await b.book.close()
  })

  test('an edit concurrent with a deletion conflicts with it; choosing the deletion removes the note', async () => {
    const a = await peer(1)
    const b = await peer(2)
    const key = newNoteKey()
    await a.notes.save(key, { title: 'Old', body: 'x' }, [])
    await exchange(a.book, b.book)
    const base = (await only(a.notes)).base
    await a.notes.save(key, null, base)
    await b.notes.save(key, { title: 'Old', body: 'kept' }, base)
    await exchange(a.book, b.book)
    const note = await only(a.notes)
    assert.equal(note.conflict, true)
    assert.deepEqual(note.versions.map((version) => version.deleted).sort(), [false, true])
    assert.deepEqual([note.title, note.body], ['Old', 'kept'])
    await a.notes.resolve(note, null)
    assert.deepEqual(await a.notes.list(), [])
    await a.book.close()
    await b.book.close()
  })
})

describe('note model', () => {
  test('note keys are random and under the prefix', () => {
    assert.equal(newNoteKey(new Uint8Array([1, 2, 255])), `${NOTE_PREFIX}0102ff`)
    assert.notEqual(newNoteKey(), newNoteKey())
  })

  test('values other programs wrote show as text; a deletion as empty', () => {
    assert.deepEqual(noteText({ title: 't', body: 'b', extra: 1 }), { title: 't', body: 'b' })
    assert.deepEqual(noteText('plain'), { title: '', body: 'plain' })
    assert.deepEqual(noteText({ title: 5 }), { title: '', body: '{"title":5}' })
    assert.deepEqual(noteText(null), { title: '', body: '' })
  })

  test('a merge keeps each distinct title and body once, and leaves deletions out', () => {
    const version = (title: string, body: string, deleted = false): Note['versions'][number] => ({ title, body, deleted, entryId: '', author: '', forked: false })
    assert.deepEqual(mergeVersions([version('A', 'one'), version('A', 'two'), version('', '', true), version('B', 'one')]), { title: 'A / B', body: 'one\n\ntwo' })
  })

  test('notes sort by title, untitled last', () => {
    const note = (key: string, title: string): Note => noteFromKv({ key, conflict: false, values: [{ id: key, author: '', seq: 1, value: { title, body: '' }, deleted: false, forked: false }] })
    assert.deepEqual(sortNotes([note('note/1', ''), note('note/2', 'beta'), note('note/3', 'Alpha')]).map((n) => n.key), ['note/3', 'note/2', 'note/1'])
  })
})
