// The worked example of docs/VIEWS.md (a to-do list view), run as written, and the variant the document
// warns about (appending to a list) failing the convergence check.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkView, type ViewDefinition } from '../src/index.js'
import { identity } from './helpers/fixtures.js'
import { bookOn, exportOf, importAll, memoryDb } from './helpers/views-books.js'

interface Todo { text: string, done: boolean }

const todos: ViewDefinition<{ open: () => Promise<Array<[string, Todo]>> }> = {
  version: 1,
  apply: async (entries, tx) => {
    for (const entry of entries) {
      const payload = entry.payload as { type?: string, text?: unknown }
      if (payload?.type === 'todo') {
        if (typeof payload.text !== 'string') throw new TypeError('a todo needs a text') // recorded, skipped
        tx.put(`todo/${entry.id}`, { text: payload.text, done: false })
      } else if (payload?.type === 'done') {
        for (const id of entry.links) {
          const item = await tx.get(`todo/${id}`) as Todo | undefined
          if (item !== undefined) tx.put(`todo/${id}`, { ...item, done: true })
        }
      }
    }
  },
  api: (context) => ({
    open: async () => {
      await context.ready()
      const out: Array<[string, Todo]> = []
      for await (const [key, item] of context.rows({ gte: 'todo/', lt: 'todo0' })) {
        if (!(item as Todo).done) out.push([key.slice(5), item as Todo])
      }
      return out
    }
  })
}

/** The same, except that `done` entries are appended to a list: the order of concurrent ones shows. */
const closedList: ViewDefinition = {
  apply: async (entries, tx) => {
    for (const entry of entries) {
      if ((entry.payload as { type?: string })?.type !== 'done') continue
      const list = (await tx.get('closed') as string[] | undefined) ?? []
      tx.put('closed', [...list, entry.author.slice(0, 8)])
    }
  }
}

test('the worked example of docs/VIEWS.md, and the list variant it warns about', async () => {
  const book = await bookOn(memoryDb(), identity(40))
  const view = book.use('todos', todos)
  const milk = await book.append({ type: 'todo', text: 'buy milk' })
  const bike = await book.append({ type: 'todo', text: 'fix bike' })
  await book.append({ type: 'done' }, { links: [milk] })
  await book.append({ type: 'todo', text: 42 })
  assert.deepEqual(await view.api.open(), [[bike, { text: 'fix bike', done: false }]])
  assert.equal((await view.status()).failures, 1)

  // Another store closes both items concurrently with this one closing the bike.
  const other = await bookOn(memoryDb(), identity(41))
  await importAll(other, [await exportOf(book)])
  await other.append({ type: 'done' }, { links: [bike, milk] })
  await book.append({ type: 'done' }, { links: [bike] })
  await importAll(book, [await exportOf(other)])
  assert.deepEqual(await view.api.open(), [])
  const report = await checkView(book, 'todos', { orders: 10, seed: 8 })
  assert.equal(report.ok, true)

  const list = await checkView(book, closedList, { orders: 10, seed: 8 })
  assert.equal(list.deterministic, true)
  assert.equal(list.converges, false)
  assert.equal(list.mismatch?.difference?.key, 'closed')
  await other.close()
  await book.close()
})
