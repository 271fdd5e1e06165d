// Five peers, each in a process of its own, in a topology drawn from a seed: two linked over TCP and
// WebSocket through one listener, one pair joined over stdin/stdout, two that find each other through a
// local hyperswarm testnet (loopback only). All append at once, and two of them share one identity, so
// that author forks. Once quiet, all five hold the same state, fork proof and view digests included.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from '@hyperswarm/testnet'
import { Logbook } from '../src/index.js'
import { identity, prng, SPACE_KEY } from './helpers/fixtures.js'
import type { PeerCommand, PeerPlan } from './helpers/peer-process.js'

const PEER = new URL('./helpers/peer-process.js', import.meta.url)

class Peer {
  readonly child: ChildProcess
  private readonly waiting: Array<{ event: string, resolve: (message: any) => void }> = []
  readonly seen: any[] = []

  constructor (plan: PeerPlan) {
    this.child = fork(PEER, [JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit', 'ipc'] })
    this.child.on('message', (message: any) => {
      this.seen.push(message)
      const at = this.waiting.findIndex((wait) => wait.event === message.event)
      if (at >= 0) this.waiting.splice(at, 1)[0].resolve(message)
    })
  }

  async next (event: string): Promise<any> {
    const earlier = this.seen.findIndex((message) => message.event === event)
    if (earlier >= 0) return this.seen.splice(earlier, 1)[0]
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} from a peer in 60 s`)), 60_000)
      this.waiting.push({ event, resolve: (message) => { clearTimeout(timer); this.seen.splice(this.seen.indexOf(message), 1); resolve(message) } })
    })
  }

  async ask (command: PeerCommand, event: string): Promise<any> {
    this.child.send(command)
    return await this.next(event)
  }
}

for (const seed of [7, 8]) {
  test(`five peers over TCP, WebSocket, stdio and a testnet DHT converge, views included (seed ${seed})`, { timeout: 240_000 }, async () => {
    const random = prng(seed)
    const root = mkdtempSync(join(tmpdir(), 'logbook-five-'))
    const testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map(({ host, port }) => `${host}:${port}`)
    const peers: Peer[] = []
    try {
      // Stores 1 and 4 share one identity: that author forks.
      const forked = identity(90)
      const who = [identity(91), forked, identity(92), identity(93), forked]
      const dirs = who.map((_, i) => join(root, `peer${i}`))
      for (const [i, dir] of dirs.entries()) await (await Logbook.create({ dir, spaceKey: SPACE_KEY, identity: who[i] })).close()
      // Peer 0 listens; 1 and 2 dial it, one over TCP and one over WebSocket (which is which: the seed);
      // 2 and 3 meet through the DHT; 3 and 4 are joined over stdin/stdout.
      const overTcp = random() < 0.5 ? 1 : 2
      const hub = new Peer({ dir: dirs[0], listen: true })
      peers.push(hub)
      const { urls } = await hub.next('listening')
      const urlFor = (i: number): string => i === overTcp ? urls.tcp : urls.ws
      peers.push(new Peer({ dir: dirs[1], connect: [urlFor(1)] }))
      peers.push(new Peer({ dir: dirs[2], connect: [urlFor(2)], swarm: bootstrap }))
      peers.push(new Peer({ dir: dirs[3], swarm: bootstrap, stdio: 'dial' }))
      peers.push(new Peer({ dir: dirs[4], stdio: 'accept' }))
      const [dialer, acceptor] = [peers[3].child, peers[4].child]
      dialer.stdout?.pipe(acceptor.stdin as NodeJS.WritableStream)
      acceptor.stdout?.pipe(dialer.stdin as NodeJS.WritableStream)
      for (const peer of peers) await peer.next('ready')
      await peers[2].next('swarm-synced')

      // Appends everywhere at once, in rounds of random sizes; kv keys overlap so views must merge.
      for (let round = 0; round < 6; round++) {
        await Promise.all(peers.map(async (peer, i) => {
          const count = 1 + Math.floor(random() * 30)
          const values = Array.from({ length: count }, (_, j) => ({ type: 'kv', key: `k${Math.floor(random() * 10)}`, value: `${i}.${round}.${j}` }))
          const done = await peer.ask({ cmd: 'append', values }, 'appended')
          // A peer that has learnt of its identity's fork refuses to deepen it: expected for 1 and 4.
          if (done.code !== undefined) assert.equal(done.code, 'IDENTITY_FORKED')
        }))
      }

      // Quiet: ask until every peer holds the same state (bounded).
      let states: any[] = []
      for (let tries = 0; tries < 120; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        states = await Promise.all(peers.map(async (peer) => await peer.ask({ cmd: 'state' }, 'state')))
        if (states.every((state) => JSON.stringify([state.state, state.views]) === JSON.stringify([states[0].state, states[0].views]))) break
      }
      for (const state of states.slice(1)) {
        assert.deepEqual(state.state, states[0].state)
        assert.deepEqual(state.views, states[0].views)
      }
      assert.equal(states[0].state.forks.length, 1, 'the shared identity forked, and every peer holds the proof')
      assert.ok(states[0].state.ready.length > 5 * 6, 'every peer appended')
      for (const state of states) {
        assert.equal(state.verify, true)
        assert.equal(state.pending, 0)
        assert.deepEqual(state.failures, [], 'no session ended in error')
      }
      for (const peer of peers) await peer.ask({ cmd: 'close' }, 'closed')
    } finally {
      for (const peer of peers) peer.child.kill('SIGKILL')
      await testnet.destroy()
      rmSync(root, { recursive: true, force: true })
    }
  })
}
