// logbook swarm [--bootstrap HOST:PORT]... [--host ADDRESS] [--json]: joins the DHT topic of the store's
// space and replicates live with every peer found there, until Ctrl-C or SIGTERM; then it leaves the
// topic, ends the sessions cleanly (what was received is stored) and prints a summary.
import { InvalidArgumentError, type Command } from 'commander'
import { joinSwarm, LogbookError, parseBootstrap, type ReplicationStats, type SwarmPeer, type SwarmSummary } from '../index.js'
import { out, withOwnBook } from './context.js'
import { counted } from './output.js'
import { interruptible } from './interrupt.js'

interface SwarmFlags { bootstrap?: Array<{ host: string, port: number }>, host?: string, json?: boolean }

function bootstrapList (value: string, previous: Array<{ host: string, port: number }> | undefined): Array<{ host: string, port: number }> {
  try {
    return [...(previous ?? []), parseBootstrap(value)]
  } catch (err) {
    throw new InvalidArgumentError(err instanceof LogbookError ? err.message : String(err))
  }
}

const entries = (n: number): string => counted(n, 'entry', 'entries')
const short = (key: string): string => key.slice(0, 8)

/** What the command prints as things happen: a line for people, or an NDJSON object with --json. */
function printer (json: boolean): { say: (text: string, value: Record<string, unknown>) => void, said: () => Promise<void> } {
  let chain = Promise.resolve()
  return {
    say: (text, value) => {
      // In order, and at once: a reader (or a script) sees each peer as it comes and goes.
      chain = chain.then(async () => {
        await (json ? out.json(value) : out.line(text))
        await out.flush()
      })
    },
    said: async () => await chain
  }
}

function statsOf (stats: ReplicationStats): Record<string, unknown> {
  return { mode: stats.mode, sent: stats.sent.entries, received: stats.received.entries, stored: stats.stored }
}

async function printSummary (summary: SwarmSummary): Promise<void> {
  await out.line(`peers:      ${summary.peers} (${counted(summary.sessions, 'session', 'sessions')}, ${summary.synced} synced, ${summary.failed} failed)`)
  await out.line(`sent:       ${entries(summary.sent)}`)
  await out.line(`received:   ${entries(summary.received)} (${summary.stored} new)`)
}

export function register (program: Command): void {
  program.command('swarm')
    .description('find peers of this space on the hyperswarm DHT and replicate live with each, until Ctrl-C (or SIGTERM); then print a summary')
    .option('--bootstrap <host:port>', 'a DHT bootstrap node (repeatable; default: the public ones)', bootstrapList)
    .option('--host <address>', 'the local address the DHT node binds (default: every one; 127.0.0.1 when every bootstrap node is on loopback)')
    .option('--json', 'NDJSON: one object per event ("joined", "peer-join", "peer-synced", "peer-leave"), then {"event": "summary", ...}')
    .addHelpText('after', '\nStopped by Ctrl-C or SIGTERM, it leaves the topic, ends every session cleanly and exits 0.')
    .action(async (options: SwarmFlags, command: Command) => {
      const json = options.json === true
      const { say, said } = printer(json)
      out.keepWorkingWhenClosed()
      const summary = await interruptible(() => 'the swarm stopped at once; what was received is kept and the store is consistent', async (signal) => await withOwnBook(command, 'joining the swarm', async (book) => {
        const swarm = await joinSwarm(book, { bootstrap: options.bootstrap, host: options.host })
        let summary: SwarmSummary
        try {
          say(`topic ${swarm.topic.slice(0, 16)}, this node ${short(swarm.key)}; Ctrl-C stops`, { event: 'start', topic: swarm.topic, key: swarm.key })
          swarm.joined.then(() => say('announced', { event: 'joined' }), () => {})
          swarm.on('peer-join', (peer: SwarmPeer) => {
            say(`+ ${short(peer.key)} ${peer.initiator ? 'dialed' : 'accepted'}`, { event: 'peer-join', peer: peer.key, initiator: peer.initiator })
          })
          swarm.on('peer-synced', (peer: SwarmPeer, stats: ReplicationStats) => {
            say(`= ${short(peer.key)} in sync (${stats.mode ?? '?'}): sent ${entries(stats.sent.entries)}, received ${entries(stats.received.entries)}`, { event: 'peer-synced', peer: peer.key, ...statsOf(stats) })
          })
          swarm.on('peer-leave', (peer: SwarmPeer, stats: ReplicationStats, error: LogbookError | null) => {
            const why = error === null ? '' : ` (${error.code}: ${error.message})`
            say(`- ${short(peer.key)} left${why}: sent ${entries(stats.sent.entries)}, received ${entries(stats.received.entries)}`,
              { event: 'peer-leave', peer: peer.key, ...statsOf(stats), error: error === null ? null : { code: error.code, message: error.message } })
          })
          if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
        } finally {
          // The sessions end and the DHT node stops before the store closes.
          summary = await swarm.close()
          await said()
        }
        return summary
      }), () => true)
      if (json) await out.json({ event: 'summary', ...summary })
      else await printSummary(summary)
    })
}
