// Convergence: five books in one process, each appending (one author shared by two books, so that feed
// forks), synced pairwise in a seeded random order, some sessions live, some peers meeting for the first
// time and some again. Once quiet, all five hold the same state, and their views the same digests.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { countView, kvView, type Logbook, type ReplicationStream } from '../src/index.js'
import { identity, memoryBook, prng, snapshot } from './helpers/fixtures.js'

async function connect (a: Logbook, b: Logbook, live: boolean): Promise<{ a: ReplicationStream, b: ReplicationStream }> {
  const sa = a.replicate(true, { live, timeout: 10_000 })
  const sb = b.replicate(false, { live, timeout: 10_000 })
  sa.pipe(sb).pipe(sa)
  await Promise.all([sa.session.synced, sb.session.synced])
  return { a: sa, b: sb }
}

for (const seed of [1, 2, 3]) {
  test(`five books converge, views included (seed ${seed})`, async () => {
    const random = prng(seed)
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]
    const forked = identity(50)
    const books = await Promise.all([
      memoryBook({ identity: identity(51) }),
      memoryBook({ identity: forked }),
      memoryBook({ identity: forked }),
      memoryBook({ identity: identity(52) }),
      memoryBook({ identity: identity(53) })
    ])
    for (const book of books) {
      book.use('kv', kvView())
      book.use('count', countView({ forks: 'exclude' }))
    }
    const lives: Array<{ a: ReplicationStream, b: ReplicationStream }> = []
    const modes = new Set<string>()
    try {
      // Both books of the shared identity write before they ever meet: its feed forks.
      for (const [i, book] of books.entries()) await book.append({ type: 'kv', key: 'start', value: i })
      for (let round = 0; round < 40; round++) {
        const action = random()
        if (action < 0.5) {
          const book = pick(books)
          const count = 1 + Math.floor(random() * 40)
          const payloads = Array.from({ length: count }, (_, i) => ({ type: 'kv', key: `k${Math.floor(random() * 12)}`, value: `${round}.${i}` }))
          try {
            await book.append(count === 1 ? payloads[0] : payloads)
          } catch (err) {
            // The forked identity's books refuse to deepen the fork once they know of it: that is expected.
            if ((err as { code?: string }).code !== 'IDENTITY_FORKED') throw err
          }
        } else {
          const a = pick(books)
          const b = pick(books.filter((other) => other !== a))
          const live = random() < 0.2 && lives.length < 3
          const streams = await connect(a, b, live)
          modes.add(streams.a.session.stats.mode ?? '')
          if (live) lives.push(streams)
          else await Promise.all([streams.a.session.done, streams.b.session.done])
        }
      }
      // Quiet: a ring of syncs, twice round, brings everything everywhere.
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < books.length; i++) {
          const streams = await connect(books[i], books[(i + 1) % books.length], false)
          await Promise.all([streams.a.session.done, streams.b.session.done])
        }
      }
      const first = await snapshot(books[0])
      assert.ok(first.forks.length === 1, 'the shared identity forked')
      const digests = async (book: Logbook): Promise<string[]> => {
        await book.view('kv').ready()
        await book.view('count').ready()
        return [await book.view('kv').digest(), await book.view('count').digest()]
      }
      const firstDigests = await digests(books[0])
      for (const book of books.slice(1)) {
        assert.deepEqual(await snapshot(book), first)
        assert.deepEqual(await digests(book), firstDigests)
        assert.equal((await book.verify()).ok, true)
      }
      assert.ok(modes.has('changes') && modes.has('reconciled'), `both kinds of session ran (${[...modes].join(', ')})`)
    } finally {
      for (const streams of lives) await streams.a.session.end()
      for (const book of books) await book.close()
    }
  })
}
