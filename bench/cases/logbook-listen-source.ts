// Child process, the sending side of the browser replication case (nothing timed here): a fresh store in
// --dir gets --n payloads appended in batches of --batch and is closed (so its LevelDB work is over before a
// peer comes), reopened, and served live with the library's listen() on loopback, which takes raw TCP and
// WebSocket alike; the page's origin (--origin) may connect. It serves until told to stop (SIGTERM), as a
// server does: closing when its side of the session is done could cut off a peer still reading what was
// sent. Then it closes and reports the stats of the session that ended (an error if none did).
// Usage: node logbook-listen-source.js --dir D --n N --batch B --origin URL
import { listen, type ReplicationStats } from '../../src/index.js'
import { filledStore } from '../filled-store.js'
import { LISTENING_PREFIX, caseArgs, need, needInt, peakRssMB, report, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const n = needInt(args, 'n')
  const batch = needInt(args, 'batch')
  const origin = need(args, 'origin')

  const book = await filledStore(dir, n, batch)

  let served: (result: { stats: ReplicationStats, transport: string }) => void = () => {}
  let failed: (err: unknown) => void = () => {}
  const one = new Promise<{ stats: ReplicationStats, transport: string }>((resolve, reject) => { served = resolve; failed = reject })
  const server = await listen(book, {
    // live, as `logbook serve` is by default: a session stays open after its sync unless the peer asks for one sync
    live: true,
    allowOrigins: [origin],
    onSession: (session, peer) => { session.done.then((stats) => served({ stats, transport: peer.transport }), failed) }
  })
  process.stdout.write(LISTENING_PREFIX + JSON.stringify({ spaceKey: Buffer.from(book.spaceKey).toString('hex'), port: server.port, urls: server.urls }) + '\n')
  let session: { stats: ReplicationStats, transport: string } | null = null
  const stopped = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()))
  await Promise.race([one.then((s) => { session = s }), stopped])
  await stopped
  await server.close()
  if (session === null) throw new Error('told to stop before a session ended')
  const { stats, transport } = session
  await book.close()
  report({ system: 'logbook', case: 'listen-source', entries: n, seconds: NaN, entriesPerSec: NaN, peakRssMB: peakRssMB(), diskBytes: null, diskBytesPerEntry: null, extra: { stats, transport } })
})
