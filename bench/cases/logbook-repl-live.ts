// Child process: live replication from one hub to --peers peers, all in this process (one store each, on
// disk in --dir), each peer connected to the hub over its own loopback TCP connection. Once every session
// is synced, the hub appends --appends entries one at a time; for each, the time from just before the
// append to each peer holding it (its 'ready' event with the new count). The next append waits for all.
// Usage: node logbook-repl-live.js --dir D --peers P --appends A
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Logbook, type ReplicationStream } from '../../src/index.js'
import { caseArgs, makePayloads, need, needInt, peakRssMB, report, runCase } from '../measure.js'
import { joinLive } from './repl-pair.js'
import type { LiveResult } from '../replication/types.js'

/** Resolves with the time (performance.now()) at which `book` holds `count` entries. */
function reaching (book: Logbook, count: number): Promise<number> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (book.status().entries < count) return
      book.off('ready', check)
      resolve(performance.now())
    }
    book.on('ready', check)
  })
}

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const peerCount = needInt(args, 'peers')
  const appends = needInt(args, 'appends')

  const hub = await Logbook.create({ dir: join(dir, 'hub') })
  const hubSessions: ReplicationStream[] = []
  const server = createServer((socket) => { hubSessions.push(hub.replicate(false, { stream: socket, live: true })) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const peers = await Promise.all(Array.from({ length: peerCount }, async (_, i) => await Logbook.create({ dir: join(dir, `peer-${i}`), spaceKey: hub.spaceKey })))
  const links = await Promise.all(peers.map(async (peer) => await joinLive(peer, port)))
  await Promise.all(hubSessions.map(async (s) => await s.session.synced))

  const payloads = makePayloads(appends)
  const last: number[] = []
  const first: number[] = []
  const each: number[] = []
  for (let n = 1; n <= appends; n++) {
    const arrivals = peers.map((peer) => reaching(peer, n))
    const t0 = performance.now()
    await hub.append(payloads[n - 1])
    const times = (await Promise.all(arrivals)).map((t) => t - t0)
    last.push(Math.max(...times))
    first.push(Math.min(...times))
    each.push(...times)
  }

  for (const link of links) await link.session.end()
  server.close()
  await Promise.all([hub, ...peers].map(async (book) => await book.close()))
  report<LiveResult>({ peers: peerCount, appends, lastMs: last, firstMs: first, eachMs: each, peakRssMB: peakRssMB() })
})
