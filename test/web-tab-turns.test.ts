// Tabs taking turns with one store: one holder at a time, handed over when another tab asks. The lock
// manager is a stand-in for navigator.locks (same queueing rules); the channel is a real BroadcastChannel.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { TabTurns, type LockManagerLike, type TurnState } from '../web/tab-turns.js'

/** Exclusive locks by name, granted in the order asked, as the Web Locks API does. */
class Locks implements LockManagerLike {
  private readonly held = new Set<string>()
  private readonly waiting = new Map<string, Array<() => void>>()

  async request (name: string, options: { ifAvailable?: boolean, signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<unknown> {
    if (this.held.has(name)) {
      if (options.ifAvailable === true) return await callback(null)
      await new Promise<void>((resolve, reject) => {
        const line = this.waiting.get(name) ?? []
        this.waiting.set(name, line)
        line.push(resolve)
        options.signal?.addEventListener('abort', () => {
          line.splice(line.indexOf(resolve), 1)
          reject(new Error('aborted'))
        })
      })
    }
    this.held.add(name)
    try {
      return await callback({ name })
    } finally {
      const next = this.waiting.get(name)?.shift()
      if (next === undefined) this.held.delete(name)
      else next() // handed straight to the next in line
    }
  }
}

interface Tab { turns: TabTurns, states: TurnState[] }

/** A tab whose store is "open" while it holds it; `stores` counts stores open across tabs at once. */
function tab (name: string, locks: Locks, stores: { open: number, most: number }, openDelayMs = 0, channelName = name): Tab {
  const states: TurnState[] = []
  const turns = new TabTurns(name, locks, new BroadcastChannel(channelName), {
    begin: async () => {
      await sleep(openDelayMs)
      stores.open++
      stores.most = Math.max(stores.most, stores.open)
    },
    end: async () => {
      await sleep(1)
      stores.open--
    },
    state: (state) => states.push(state)
  })
  return { turns, states }
}

async function until (what: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 500 && !what(); i++) await sleep(2)
  assert.ok(what(), `never: ${label}`)
}

test('the first tab takes the store; a second sees it elsewhere until it asks, then the first hands it over', async () => {
  const locks = new Locks()
  const stores = { open: 0, most: 0 }
  const a = tab('logbook:turns-1', locks, stores)
  const b = tab('logbook:turns-1', locks, stores)
  await a.turns.start()
  assert.equal(a.turns.state, 'holding')
  await b.turns.start()
  assert.equal(b.turns.state, 'elsewhere')
  await b.turns.ask()
  assert.equal(b.turns.state, 'holding')
  assert.equal(a.turns.state, 'elsewhere')
  assert.deepEqual(a.states, ['opening', 'holding', 'closing', 'elsewhere'])
  // And back again.
  await a.turns.ask()
  await until(() => b.turns.state === 'elsewhere', 'b handed back')
  assert.equal(a.turns.state, 'holding')
  assert.equal(stores.most, 1)
  await a.turns.stop()
  await b.turns.stop()
  assert.equal(stores.open, 0)
})

test('a tab asked while still opening hands over once open; never two stores open at once', async () => {
  const locks = new Locks()
  const stores = { open: 0, most: 0 }
  const slow = tab('logbook:turns-2', locks, stores, 30)
  const other = tab('logbook:turns-2', locks, stores)
  const starting = slow.turns.start()
  await until(() => slow.turns.state === 'opening', 'opening')
  await other.turns.start()
  assert.equal(other.turns.state, 'elsewhere')
  const asking = other.turns.ask()
  await starting
  await asking
  assert.equal(other.turns.state, 'holding')
  assert.equal(slow.turns.state, 'elsewhere')
  assert.equal(stores.most, 1)
  await slow.turns.stop()
  await other.turns.stop()
})

test('a tab that stops while in line never opens the store', async () => {
  const locks = new Locks()
  const stores = { open: 0, most: 0 }
  const a = tab('logbook:turns-3', locks, stores)
  // b's asking goes to a channel a does not listen on (a stand-in for a message that never arrives).
  const b = tab('logbook:turns-3', locks, stores, 0, 'logbook:turns-3-elsewhere')
  await a.turns.start()
  const asking = b.turns.ask()
  await sleep(20)
  assert.deepEqual([a.turns.state, b.turns.state], ['holding', 'waiting'])
  await b.turns.stop()
  await asking
  await a.turns.stop()
  assert.equal(b.states.includes('opening'), false)
  assert.deepEqual([b.turns.state, stores.open, stores.most], ['stopped', 0, 1])
})
