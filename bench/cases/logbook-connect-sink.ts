// Child process, timed: a fresh store of --space in --dir (classic-level) connects to a listen()ing peer with
// the library's connectWebSocket (--url ws://...) or connectTcp (--url tcp://...) and syncs: once (not live)
// with --once yes, otherwise live until synced and then `session.end()`.
// Timed: from just before the connect to `session.done` (synced noted on the way), then the close.
// Usage: node logbook-connect-sink.js --dir D --url URL --space HEX --expect N [--once yes]
import { performance } from 'node:perf_hooks'
import { Logbook, connectTcp, connectWebSocket, parsePeerUrl } from '../../src/index.js'
import { caseArgs, closeAndReport, need, needInt, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const url = need(args, 'url')
  const spaceKey = new Uint8Array(Buffer.from(need(args, 'space'), 'hex'))
  const expect = needInt(args, 'expect')
  const peer = parsePeerUrl(url)
  const once = args.get('once') === 'yes'

  const book = await Logbook.create({ dir, spaceKey })

  const t0 = performance.now()
  const stream = peer.transport === 'ws' ? await connectWebSocket(book, peer.url, { live: !once }) : await connectTcp(book, peer.host, peer.port, { live: !once })
  await stream.session.synced
  const syncedSeconds = (performance.now() - t0) / 1000
  if (!once) await stream.session.end()
  const stats = await stream.session.done
  const seconds = (performance.now() - t0) / 1000
  const entries = book.status().entries
  if (entries !== expect) throw new Error(`logbook holds ${entries} entries after the sync; ${expect} were sent`)

  await closeAndReport({ system: 'logbook', case: 'connect-sink', entries, dir, seconds, close: async () => await book.close(), extra: { syncedSeconds, transport: peer.transport, once, stats } })
})
