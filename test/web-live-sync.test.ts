// The page's live sync, run in Node against a real server: a live session, the server going away (the
// page keeps appending locally), coming back on the same port, and both ending with the same entries.
// Also the backoff between attempts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { connectWebSocket, listen, type Logbook, type LogbookServer } from '../src/index.js'
import { identity } from './helpers/fixtures.js'
import { bookOn, memoryDb } from './helpers/views-books.js'
import { backoffDelay, LiveSync, type SyncStatus } from '../web/live-sync.js'

/** Waits for `what`, up to 30 s: a connection on a loaded two-core machine can take seconds. */
async function until (what: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 3000 && !what(); i++) await sleep(10)
  assert.ok(what(), `never: ${label}`)
}

test('backoff doubles from the base up to the limit, and spreads over the upper half of each step', () => {
  const options = { baseMs: 100, maxMs: 1000 }
  assert.deepEqual([0, 1, 2, 3, 4, 10, 100].map((failures) => backoffDelay(failures, 0.999999, options)), [100, 200, 400, 800, 1000, 1000, 1000])
  assert.deepEqual([0, 1, 2, 3, 4].map((failures) => backoffDelay(failures, 0, options)), [50, 100, 200, 400, 500])
})

test('live sync: online, offline while the server is gone (appends stay local), back online and in step', async () => {
  const server = await bookOn(memoryDb(), identity(1))
  const page = await bookOn(memoryDb(), identity(2))
  let listening: LogbookServer | null = await listen(server, { port: 0, live: true })
  const port = listening.port
  const statuses: SyncStatus[] = []
  // A short session timeout: a client notices a server that went away by its silence (as the page does, sooner).
  const sync = new LiveSync(async () => await connectWebSocket(page, `ws://127.0.0.1:${port}`, { live: true, timeout: 1000 }), (status) => statuses.push(status), { baseMs: 20, maxMs: 100 })
  const state = (): string | undefined => statuses.at(-1)?.state
  const holds = async (book: Logbook, id: string): Promise<boolean> => (await book.get(id)) !== undefined
  try {
    sync.start()
    await until(() => state() === 'online', 'online')
    const fromServer = await server.append({ type: 'note', text: 'from the server' })
    const fromPage = await page.append({ type: 'note', text: 'from the page' })
    for (let i = 0; i < 500 && !(await holds(page, fromServer) && await holds(server, fromPage)); i++) await sleep(10)
    assert.ok(await holds(page, fromServer) && await holds(server, fromPage), 'live entries crossed')

    await listening.close()
    listening = null
    await until(() => state() === 'offline', 'offline once the server is gone')
    const offline = await page.append({ type: 'note', text: 'written offline' })
    await sleep(150) // some failed attempts, backing off
    assert.ok(statuses.filter((status) => status.state === 'offline' && status.error !== undefined).length >= 1)
    assert.equal(await holds(server, offline), false)

    listening = await listen(server, { port, live: true })
    await until(() => state() === 'online', 'online again')
    for (let i = 0; i < 500 && !(await holds(server, offline)); i++) await sleep(10)
    assert.equal(await holds(server, offline), true)
    assert.deepEqual(page.heads(), server.heads())
  } finally {
    await sync.stop()
    assert.equal(state(), 'stopped')
    await listening?.close()
    await page.close()
    await server.close()
  }
})

test('paused (the browser is offline), no attempts; resumed, it connects at once', async () => {
  const server = await bookOn(memoryDb(), identity(1))
  const page = await bookOn(memoryDb(), identity(2))
  // Live, as `logbook serve` is: a one-off session would end at once, and 'online' last a moment.
  const listening = await listen(server, { port: 0, live: true })
  let attempts = 0
  const statuses: SyncStatus[] = []
  const sync = new LiveSync(async () => { attempts++; return await connectWebSocket(page, listening.urls.ws, { live: true }) }, (status) => statuses.push(status), { baseMs: 60_000, maxMs: 60_000 })
  try {
    sync.pause()
    sync.start()
    await sleep(50)
    assert.deepEqual([attempts, statuses.at(-1)?.state], [0, 'offline'])
    sync.resume()
    await until(() => statuses.at(-1)?.state === 'online', 'online')
    // Paused while online: the session is dropped now, and the long backoff does not apply to a resume.
    sync.pause()
    await until(() => statuses.at(-1)?.state === 'offline', 'offline')
    // Each resume tries at once, not after the minute of backoff; one attempt may fail on a loaded machine
    // (then it is offline with an error), and the next resume tries at once again.
    for (let resumes = 0; resumes < 5 && statuses.at(-1)?.state !== 'online'; resumes++) {
      const before = attempts
      sync.resume()
      await until(() => statuses.at(-1)?.state === 'online' || (attempts > before && statuses.at(-1)?.error !== undefined), 'an attempt at once')
    }
    assert.equal(statuses.at(-1)?.state, 'online', JSON.stringify(statuses))
  } finally {
    await sync.stop()
    await listening.close()
    await page.close()
    await server.close()
  }
})
