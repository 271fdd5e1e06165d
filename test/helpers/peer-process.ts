// One peer of the five-peer convergence test, in a process of its own: it opens its store, registers two
// views, and replicates live over whatever its plan says (listening for TCP and WebSocket peers, dialing
// URLs, the DHT, its own stdin/stdout). The test drives it over the IPC channel: append, state, close.
import { countView, joinSwarm, kvView, listen, connectPeer, Logbook, replicateStdio, type LogbookServer, type LogbookSwarm, type ReplicationStream } from '../../src/index.js'
import { snapshot } from './fixtures.js'

export interface PeerPlan {
  dir: string
  listen?: boolean
  connect?: string[]
  swarm?: string[]
  /** Replicate over this process's stdin and stdout: 'dial' (initiator) or 'accept'. */
  stdio?: 'dial' | 'accept'
}

export type PeerCommand = { cmd: 'append', values: unknown[] } | { cmd: 'state' } | { cmd: 'close' }

const plan = JSON.parse(process.argv[2]) as PeerPlan
const send = (message: unknown): void => { process.send?.(message) }

const book = await Logbook.open({ dir: plan.dir })
book.use('kv', kvView())
book.use('count', countView({ forks: 'exclude' }))
const streams: ReplicationStream[] = []
let server: LogbookServer | null = null
let swarm: LogbookSwarm | null = null
const failures: string[] = []
const watch = (stream: ReplicationStream, where: string): void => {
  streams.push(stream)
  stream.session.done.catch((err: { code?: string, message?: string }) => { failures.push(`${where}: ${err.code ?? ''} ${err.message ?? ''}`) })
}

if (plan.listen === true) {
  server = await listen(book, { live: true })
  send({ event: 'listening', urls: server.urls })
}
for (const url of plan.connect ?? []) watch(await connectPeer(book, url, { live: true }), url)
if (plan.stdio !== undefined) watch(replicateStdio(book, plan.stdio === 'dial', { live: true }), 'stdio')
if (plan.swarm !== undefined) {
  swarm = await joinSwarm(book, { bootstrap: plan.swarm })
  swarm.on('peer-synced', () => send({ event: 'swarm-synced' }))
}
send({ event: 'ready', author: book.author })

process.on('message', (message: PeerCommand) => {
  void (async () => {
    if (message.cmd === 'append') {
      try {
        await book.append(message.values as any)
        send({ event: 'appended' })
      } catch (err) {
        send({ event: 'appended', code: (err as { code?: string }).code })
      }
    } else if (message.cmd === 'state') {
      await book.view('kv').ready()
      await book.view('count').ready()
      send({ event: 'state', state: await snapshot(book), views: [await book.view('kv').digest(), await book.view('count').digest()], pending: book.status().pendingEntries, verify: (await book.verify()).ok, failures })
    } else {
      for (const stream of streams) await stream.session.end()
      await swarm?.close()
      await server?.close()
      await book.close()
      send({ event: 'closed' })
      process.exit(0)
    }
  })()
})
