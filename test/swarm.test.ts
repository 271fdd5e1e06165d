// Discovery over a local hyperswarm testnet (loopback only): books of one space find each other and converge,
// appends travel live, a dropped connection comes back as a session that sends only what changed, and a book
// of another space never meets them (nor passes the space proof when made to connect). The command runs as
// separate processes on the same testnet: a DHT node bound to 127.0.0.1 and bootstrapped from the testnet's
// nodes is all a process needs (what testnet.createNode() makes in-process).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import createTestnet, { type Testnet } from '@hyperswarm/testnet'
import Hyperswarm from 'hyperswarm'
import type NoiseSecretStream from '@hyperswarm/secret-stream'
import { joinSwarm, LogbookError, type Logbook, type LogbookSwarm, type SwarmPeer } from '../src/index.js'
import { swarmTopic } from '../src/crypto/index.js'
import { BIN, fails, ok, ROOT, run, state, tempDir } from './helpers/cli.js'
import { identity, memoryBook, OTHER_SPACE_KEY, SPACE_KEY, snapshot } from './helpers/fixtures.js'

/** Waits until `check` holds, polling; fails naming `what` after `ms` (a bound, not a measure). */
async function until (check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The next `event` of `swarm` whose arguments pass `filter`. */
async function next<T extends unknown[]> (swarm: LogbookSwarm, event: 'peer-join' | 'peer-synced' | 'peer-leave', filter: (...args: T) => boolean = () => true, ms = 30_000): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { swarm.off(event, listener); reject(new Error(`timed out waiting for ${event}`)) }, ms)
    const listener = (...args: unknown[]): void => {
      if (!filter(...args as T)) return
      clearTimeout(timer)
      swarm.off(event, listener)
      resolve(args as T)
    }
    swarm.on(event, listener)
  })
}

/** A testnet, books and swarms made through `use`, all closed at the end whatever happens. */
async function withTestnet (fn: (net: Testnet, use: { book: (n: number, spaceKey?: Uint8Array) => Promise<Logbook>, swarm: (book: Logbook) => Promise<LogbookSwarm> }) => Promise<void>): Promise<void> {
  const net = await createTestnet(3, { host: '127.0.0.1' })
  const books: Logbook[] = []
  const swarms: LogbookSwarm[] = []
  try {
    await fn(net, {
      book: async (n, spaceKey = SPACE_KEY) => {
        const book = await memoryBook({ identity: identity(n), spaceKey })
        books.push(book)
        return book
      },
      swarm: async (book) => {
        const swarm = await joinSwarm(book, { dht: net.createNode(), timeout: 10_000 })
        swarms.push(swarm)
        return swarm
      }
    })
  } finally {
    await Promise.all(swarms.map(async (swarm) => await swarm.close()))
    await Promise.all(books.map(async (book) => await book.close()))
    await net.destroy()
  }
}

const entries = (book: Logbook): number => book.status().entries

test('three books on a testnet find each other, converge, and appends travel live', { timeout: 120_000 }, async () => {
  await withTestnet(async (_net, use) => {
    const books = [await use.book(1), await use.book(2), await use.book(3)]
    await books[0].append([{ n: 1 }, { n: 2 }])
    await books[1].append(Array.from({ length: 300 }, (_, i) => ({ i })))
    await books[2].append({ only: 'three' })
    const swarms = await Promise.all(books.map(use.swarm))
    assert.equal(new Set(swarms.map((swarm) => swarm.topic)).size, 1)
    assert.notEqual(swarms[0].topic, books[0].spaceId, 'the topic is not the space id')

    await until(() => books.every((book) => entries(book) === 303), 'every book holds all 303 entries')
    const first = await snapshot(books[0])
    for (const book of books.slice(1)) assert.deepEqual(await snapshot(book), first)
    await until(() => swarms.every((swarm) => swarm.peers.length === 2 && swarm.peers.every((peer) => peer.session.stats.syncMs !== null)), 'every swarm is in sync with both others')

    const id = await books[2].append({ live: true })
    await until(() => books.every((book) => entries(book) === 304), 'the live append reached every book')
    for (const book of books) assert.equal((await book.get(id))?.id, id)
    assert.deepEqual(await snapshot(books[0]), await snapshot(books[1]))
    assert.deepEqual(await snapshot(books[0]), await snapshot(books[2]))

    const summaries = await Promise.all(swarms.map(async (swarm) => await swarm.close()))
    for (const summary of summaries) {
      assert.equal(summary.peers, 2)
      assert.ok(summary.synced >= 2)
      assert.equal(summary.topic, swarms[0].topic)
    }
    // Each book stored, over all its sessions, what the other two wrote.
    assert.equal(summaries[0].stored, 300 + 1 + 1)
    assert.equal(summaries[1].stored, 2 + 1 + 1)
    assert.equal(summaries[2].stored, 2 + 300)
    for (const swarm of swarms) assert.equal(swarm.peers.length, 0)
  })
})

test('a dropped connection is redialed, and the new session sends only what changed (change-log mode)', { timeout: 120_000 }, async () => {
  await withTestnet(async (_net, use) => {
    const a = await use.book(1)
    const b = await use.book(2)
    await a.append(Array.from({ length: 50 }, (_, i) => ({ i })))
    await b.append({ from: 'b' })
    const sa = await use.swarm(a)
    const sb = await use.swarm(b)
    const [[peerA, statsA]] = await Promise.all([next<[SwarmPeer, any]>(sa, 'peer-synced'), next(sb, 'peer-synced')])
    assert.equal(statsA.mode, 'reconciled')
    await until(() => entries(a) === 51 && entries(b) === 51, 'both hold all 51 entries')

    // Drop it from the side that accepted the connection: the dialing side must notice and dial again.
    const accepted = peerA.initiator ? sb.peers[0] : peerA
    const acceptor = accepted === peerA ? sa : sb
    const left = next<[SwarmPeer, any, LogbookError | null]>(acceptor, 'peer-leave')
    const before = new Set([...sa.peers, ...sb.peers].map((peer) => peer.session))
    const againA = next<[SwarmPeer, any]>(sa, 'peer-synced', (peer) => !before.has(peer.session))
    const againB = next<[SwarmPeer, any]>(sb, 'peer-synced', (peer) => !before.has(peer.session))
    accepted.stream.destroy()
    await left
    const later = await a.append({ after: 'the drop' })
    const [[peerA2, statsA2], [peerB2, statsB2]] = await Promise.all([againA, againB])
    assert.notEqual(peerA2.session, peerA.session)
    assert.equal(peerA2.key, peerA.key, 'the same peer, met again')
    assert.equal(statsA2.mode, 'changes')
    assert.equal(statsB2.mode, 'changes')
    await until(async () => (await b.get(later)) !== undefined, 'the append made while disconnected reached b')
    assert.deepEqual(await snapshot(a), await snapshot(b))
    await Promise.all([sa.close(), sb.close()])
    // What changed in a's log since the first session's cursor: the new entry, and b's own entry if a stored
    // it after it sent its `done` (b counts that one as a duplicate). Never the 50 entries b holds already.
    assert.equal(peerB2.session.stats.stored, 1)
    assert.ok(peerA2.session.stats.sent.entries <= 2, `the second session sent ${peerA2.session.stats.sent.entries} entries`)
    assert.equal(peerB2.session.stats.received.entries, peerA2.session.stats.sent.entries)
    assert.equal(sa.counters.peers, 1)
    assert.ok(sa.counters.sessions >= 2)
  })
})

test('a book of another space never meets the swarm, and when made to connect fails the space proof', { timeout: 120_000 }, async () => {
  await withTestnet(async (net, use) => {
    const a = await use.book(1)
    const other = await use.book(3, OTHER_SPACE_KEY)
    await a.append({ secret: 'a' })
    await other.append({ secret: 'other' })
    const so = await use.swarm(other)
    const sa = await use.swarm(a)
    assert.notEqual(so.topic, sa.topic)
    await Promise.all([so.joined, sa.joined])
    // A book of a's space joins after both: once it has met a, a lookup of the other topic had every chance too.
    const b = await use.book(2)
    const sb = await use.swarm(b)
    await next(sa, 'peer-synced')
    await sb.joined
    assert.equal(so.counters.sessions, 0)
    assert.equal(so.peers.length, 0)
    assert.ok(sa.peers.every((peer) => peer.key !== so.key))

    // Dialed on a's topic by a bare swarm that runs the other space's book: the proof fails on both sides.
    const intruder = new Hyperswarm({ dht: net.createNode() })
    try {
      const refused = new Promise<LogbookError>((resolve, reject) => {
        intruder.on('connection', (connection: NoiseSecretStream) => {
          other.replicate(connection, { live: true, timeout: 10_000 }).session.done.then(() => reject(new Error('the session ended cleanly')), resolve)
        })
      })
      const aRefused = next<[SwarmPeer, any, LogbookError | null]>(sa, 'peer-leave', (peer) => peer.key === Buffer.from(intruder.keyPair.publicKey).toString('hex'))
      intruder.join(swarmTopic(SPACE_KEY), { server: false, client: true })
      const err = await refused
      assert.ok(err instanceof LogbookError)
      assert.equal(err.code, 'SPACE_MISMATCH')
      const [, stats, aErr] = await aRefused
      assert.equal(aErr?.code, 'SPACE_MISMATCH')
      assert.equal(stats.received.entries, 0)
      assert.equal(stats.sent.entries, 0)
    } finally {
      await intruder.destroy()
    }
    assert.equal(entries(other), 1)
    assert.equal(entries(a), 1)
    assert.equal(entries(b), 1)
  })
})

/** `logbook ...args` running in the background; its stdout lines as they come. */
function background (args: string[]): { child: ChildProcess, lines: string[], exited: Promise<number | null>, stderr: () => string } {
  const env = { ...process.env }
  delete env.LOGBOOK_DIR
  delete env.LOGBOOK_DEBUG
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stderr = ''
  let partial = ''
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    const parts = (partial + text).split('\n')
    partial = parts.pop() ?? ''
    lines.push(...parts)
  })
  child.stderr?.setEncoding('utf8').on('data', (text: string) => { stderr += text })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, lines, exited, stderr: () => stderr }
}

test('logbook swarm: two processes on a loopback testnet (--bootstrap) meet, converge, and stop cleanly on SIGINT', { timeout: 180_000 }, async () => {
  const net = await createTestnet(3, { host: '127.0.0.1' })
  const tmp = tempDir('logbook-swarm-')
  const running: Array<ReturnType<typeof background>> = []
  try {
    const one = join(tmp.path, 'one')
    const two = join(tmp.path, 'two')
    ok(['--dir', one, 'init'])
    ok(['--dir', two, 'init', '--space', ok(['--dir', one, 'space']).trim()])
    ok(['--dir', one, 'append', '--lines', '--quiet'], { input: '1\n2\n3\n' })
    ok(['--dir', two, 'append', '--string', 'from two'])
    const bootstrap = net.bootstrap.flatMap(({ host, port }) => ['--bootstrap', `${host}:${port}`])
    const json = background(['--dir', one, 'swarm', ...bootstrap, '--json'])
    const text = background(['--dir', two, 'swarm', ...bootstrap])
    running.push(json, text)
    // Loopback bootstrap nodes: the command binds its DHT node to 127.0.0.1 by itself.
    await until(() => json.lines.some((line) => JSON.parse(line).event === 'peer-synced'), 'the --json swarm reports a peer in sync', 90_000)
    await until(() => text.lines.some((line) => line.startsWith('= ')), 'the other swarm reports a peer in sync', 90_000)
    json.child.kill('SIGINT')
    text.child.kill('SIGINT')
    assert.equal(await json.exited, 0, json.stderr())
    assert.equal(await text.exited, 0, text.stderr())
    assert.equal(json.stderr(), '')
    assert.equal(text.stderr(), '')

    const events = json.lines.map((line) => JSON.parse(line))
    assert.equal(events[0].event, 'start')
    assert.match(events[0].topic, /^[0-9a-f]{64}$/)
    const summary = events[events.length - 1]
    assert.equal(summary.event, 'summary')
    assert.equal(summary.peers, 1)
    assert.ok(summary.synced >= 1)
    assert.equal(summary.stored, 1)
    const synced = events.find((event) => event.event === 'peer-synced')
    assert.equal(synced.mode, 'reconciled')
    assert.match(text.lines[0], /^topic [0-9a-f]{16}, this node [0-9a-f]{8}; Ctrl-C stops$/)
    assert.match(text.lines.join('\n'), /^peers: +1 \(\d+ sessions?, \d+ synced, \d+ failed\)\nsent: +1 entry\nreceived: +3 entries \(3 new\)$/m)
    assert.deepEqual(state(one).ids, state(two).ids)
    assert.deepEqual(state(one).heads, state(two).heads)
    assert.equal(state(two).entries, 4)
  } finally {
    for (const run of running) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL')
    await Promise.all(running.map(async (run) => await run.exited))
    await net.destroy()
    tmp.cleanup()
  }
})

test('logbook swarm: a bootstrap node that is not host:port is a usage error', () => {
  fails(run(['swarm', '--bootstrap', 'nowhere']), 'INVALID_ARGUMENT', 2)
  fails(run(['swarm', '--bootstrap', '127.0.0.1:70000']), 'INVALID_ARGUMENT', 2)
})
