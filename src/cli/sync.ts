// logbook sync URL [--live] [--json]; logbook sync --stdio [--live] [--json] -- CMD [ARGS...]
// One sync with a peer (tcp://HOST:PORT, ws://HOST:PORT, or a command such as `ssh host logbook serve
// --stdio` spoken to over its stdin and stdout): exits 0 once both stores hold what either held, with a
// summary. With --live it stays connected, sending and receiving as either store changes, until Ctrl-C.
import type { Command } from 'commander'
import { connectPeer, LogbookError, parsePeerUrl, spawnFailure, spawnPeer, type ConnectOptions, type Logbook, type ReplicationStats, type ReplicationStream, type SpawnedPeer } from '../index.js'
import { out, withOwnBook } from './context.js'
import { interruptible } from './interrupt.js'
import { keptText, printSummary, replicationBar, summaryJson } from './replication-report.js'

interface SyncFlags { live?: boolean, json?: boolean, stdio?: boolean }

/** Where the peer is: a URL, or the command line to spawn. */
type Target = { url: string } | { command: string, args: string[] }

function target (args: string[], flags: SyncFlags, command: Command): Target {
  const usage = (message: string): never => command.error(message, { exitCode: 2, code: 'logbook.usage' })
  if (flags.stdio === true) {
    if (args.length === 0) usage('--stdio needs the command to run: `logbook sync --stdio -- ssh HOST logbook serve --stdio`')
    return { command: args[0], args: args.slice(1) }
  }
  if (args.length !== 1) usage(args.length === 0 ? 'missing the peer: tcp://HOST:PORT or ws://HOST:PORT (or --stdio -- CMD ...)' : `one peer at a time (got ${args.length} arguments); a command to run goes after --stdio --`)
  try {
    return { url: parsePeerUrl(args[0]).url }
  } catch (err) {
    if (err instanceof LogbookError) usage(err.message)
    throw err
  }
}

/** Connects to the target; the spawned child (with --stdio) comes along to explain a failure. */
async function open (book: Logbook, where: Target, options: ConnectOptions): Promise<{ stream: ReplicationStream, spawned: SpawnedPeer | null }> {
  if ('url' in where) return { stream: await connectPeer(book, where.url, options), spawned: null }
  const spawned = await spawnPeer(book, where.command, where.args, options)
  return { stream: spawned.stream, spawned }
}

/** How often a live sync with --json says what has come and gone since it was in sync. */
const NEWS_MS = 250

/**
 * `sync --live --json` tells scripts how it goes, one JSON line each: `{"event":"synced",...}` once the
 * first sync is complete, then `{"event":"progress",...}` at most every NEWS_MS while entries come and go.
 */
function liveNews (peer: string): { synced: (stats: ReplicationStats) => void, changed: (stats: ReplicationStats) => void, stop: () => void } {
  let inSync = false
  let timer: NodeJS.Timeout | null = null
  const started = Date.now()
  const say = (event: string, stats: ReplicationStats): void => { void out.json({ event, ...summaryJson(peer, stats, Date.now() - started) }).then(async () => await out.flush()) }
  return {
    synced: (stats) => { inSync = true; say('synced', stats) },
    changed: (stats) => {
      if (!inSync || timer !== null) return
      timer = setTimeout(() => { timer = null; say('progress', stats) }, NEWS_MS)
    },
    stop: () => { if (timer !== null) clearTimeout(timer) }
  }
}

/** A spawned child that outlives its session gets a moment to exit, then is stopped. */
async function reap (spawned: SpawnedPeer): Promise<void> {
  const timer = setTimeout(() => spawned.child.kill(), 2000)
  await spawned.exited
  clearTimeout(timer)
}

export function register (program: Command): void {
  program.command('sync')
    .description('sync with a peer (tcp://HOST:PORT, ws://HOST:PORT, or --stdio -- CMD ARGS...): both stores end with what either held')
    .argument('[peer...]', 'the peer\'s address; with --stdio, the command to run (after --), e.g. ssh HOST logbook serve --stdio')
    .option('--live', 'stay connected after the sync: send and receive every change until Ctrl-C')
    .option('--stdio', 'run the command given after -- and sync over its stdin and stdout')
    .option('--json', 'print the summary as one JSON object (with --live, NDJSON: {"event":"synced"}, then {"event":"progress"} as entries flow, then the summary)')
    .action(async (args: string[], flags: SyncFlags, command: Command) => {
      const where = target(args, flags, command)
      const peer = 'url' in where ? where.url : [where.command, ...where.args].join(' ')
      const live = flags.live === true
      let stats: ReplicationStats | null = null
      const kept = (): string => `sync stopped; ${keptText(stats)}`
      const result = await interruptible(kept, async (signal) => await withOwnBook(command, 'replicating', async (book) => {
        const { bar, onProgress: drawProgress } = await replicationBar(peer)
        const news = live && flags.json === true ? liveNews(peer) : null
        const onProgress = (stats: ReplicationStats): void => { drawProgress(stats); news?.changed(stats) }
        const started = Date.now()
        let spawned: SpawnedPeer | null = null
        try {
          const opened = await open(book, where, { live, onProgress, signal })
          spawned = opened.spawned
          const session = opened.stream.session
          stats = session.stats
          // Ctrl-C ends a live session cleanly (what is in flight is stored); a first sync is cut off.
          signal.addEventListener('abort', () => { void session.end() }, { once: true })
          if (news !== null) session.synced.then((stats) => news.synced(stats), () => {})
          try {
            return { stats: await session.done, ms: Date.now() - started }
          } catch (err) {
            const reason = err instanceof LogbookError && spawned !== null ? await spawnFailure(spawned, err) : err
            if (!(reason instanceof LogbookError) || session.stats.received.entries === 0) throw reason
            throw new LogbookError(reason.code, `${reason.message}; ${keptText(session.stats)}`, { cause: reason })
          }
        } finally {
          news?.stop()
          bar?.stop()
          if (spawned !== null) await reap(spawned)
        }
      }), (done) => done.stats.syncMs !== null)
      await printSummary(peer, result.stats, result.ms, flags.json === true)
    })
}
