// logbook serve --port P [--host H] [--allow-origin URL]... [--no-live] [--json]; logbook serve --stdio
// Serves replication until Ctrl-C (or SIGTERM), then ends every session cleanly: TCP and WebSocket peers on
// one port (`sync tcp://H:P`, `sync ws://H:P`), each connection a session of its own, live unless the peer
// asks for one sync. The same port serves the web app (the package's dist/app) to browsers: the start line
// gives its link, http://H:P/#space=KEY, with the space key in the fragment, which browsers keep to themselves.
// With --stdio, one session over stdin and stdout (the far end of `sync --stdio`), and nothing else is written
// to stdout.
import { fileURLToPath } from 'node:url'
import { InvalidArgumentError, type Command } from 'commander'
import { toHex } from '../entry/bytes.js'
import { listen, LogbookError, replicateStdio, type PeerInfo, type ReplicationSession } from '../index.js'
import { intArg, out, withOwnBook } from './context.js'
import { interruptible, untilAborted } from './interrupt.js'
import { errorLine, printError } from './output.js'
import { summaryJson } from './replication-report.js'

interface ServeFlags { port?: number, host?: string, allowOrigin?: string[], live: boolean, stdio?: boolean, json?: boolean }

function portArg (value: string): number {
  const port = intArg(value)
  if (port > 65535) throw new InvalidArgumentError('a port is at most 65535.')
  return port
}

/** A repeatable --allow-origin: a web origin such as https://app.example (scheme, host and port). */
function originList (value: string, previous: string[] | undefined): string[] {
  let origin: string
  try {
    origin = new URL(value).origin
  } catch {
    throw new InvalidArgumentError(`expected an origin such as https://app.example, got ${JSON.stringify(value)}.`)
  }
  if (origin === 'null') throw new InvalidArgumentError(`expected an http:// or https:// origin, got ${JSON.stringify(value)}.`)
  return [...(previous ?? []), origin]
}

/** The built web app: dist/app of this package (this module is dist/src/cli/serve.js). */
const WEB_ROOT = fileURLToPath(new URL('../../app/', import.meta.url))

/**
 * The web app's address on a server at host:port, with the space key in the fragment. A wildcard address is
 * no address to browse to: its loopback name stands in (the one origin the server allows for it by default).
 */
export function webAppLink (host: string, port: number, spaceKey: Uint8Array): string {
  const name = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}/#space=${toHex(spaceKey)}`
}

/** One line (or JSON object) per session as it ends: who, and what was exchanged or why it failed. */
function reportSession (session: ReplicationSession, peer: PeerInfo, json: boolean): void {
  const started = Date.now()
  const who = `${peer.transport} ${peer.address}${peer.origin !== undefined ? ` (${peer.origin})` : ''}`
  session.done.then(async (stats) => {
    const ms = Date.now() - started
    if (json) await out.json({ ...summaryJson(who, stats, ms), error: null })
    else await out.line(`${who}: received ${stats.received.entries} entries (${stats.stored} new), sent ${stats.sent.entries}, in ${ms} ms`)
    await out.flush()
  }, async (err: LogbookError) => {
    if (json) {
      await out.json({ ...summaryJson(who, session.stats, Date.now() - started), error: { code: err.code, message: err.message } })
      await out.flush()
    } else {
      process.stderr.write(errorLine(err.code, `${who}: ${err.message}`) + '\n')
    }
  }).catch(printError)
}

async function serveStdio (command: Command, live: boolean): Promise<void> {
  if (process.stdin.isTTY === true) {
    throw new LogbookError('INVALID_ARGUMENT', 'serve --stdio speaks the replication protocol on stdin and stdout: run it through `logbook sync --stdio -- ...`')
  }
  await interruptible(() => 'serve stopped', async (signal) => await withOwnBook(command, 'replicating', async (book) => {
    const session = replicateStdio(book, false, { live }).session
    signal.addEventListener('abort', () => { void session.end() }, { once: true })
    await session.done
  }))
}

export function register (program: Command): void {
  program.command('serve')
    .description('serve replication to peers until Ctrl-C: TCP, WebSocket and the web app (its link is printed) on one port (--port), or one session over stdin/stdout (--stdio)')
    .option('--port <port>', 'the port to listen on (0: any free port; the line printed says which)', portArg)
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--allow-origin <url>', 'a web origin whose pages may connect over WebSocket, besides http://HOST:PORT itself; repeatable', originList)
    .option('--no-live', 'end each session after one sync, instead of sending and receiving changes until the peer leaves')
    .option('--stdio', 'one session over stdin and stdout (for `logbook sync --stdio -- ssh HOST logbook serve --stdio`)')
    .option('--json', 'NDJSON: where it listens, then one summary per session')
    .action(async (flags: ServeFlags, command: Command) => {
      const conflict = (message: string): never => command.error(message, { exitCode: 2, code: 'logbook.conflict' })
      if (flags.stdio === true) {
        if (flags.port !== undefined || flags.allowOrigin !== undefined || flags.json === true) conflict('--stdio serves over stdin and stdout: no --port, --allow-origin or --json')
        await serveStdio(command, flags.live)
        return
      }
      if (flags.port === undefined) conflict('missing --port (0 for any free port), or --stdio')
      const json = flags.json === true
      await interruptible(() => 'serve stopped; every session was ended', async (signal) => await withOwnBook(command, 'replicating', async (book) => {
        const server = await listen(book, {
          host: flags.host,
          port: flags.port,
          allowOrigins: flags.allowOrigin ?? [],
          webRoot: WEB_ROOT,
          live: flags.live,
          onSession: (session, peer) => reportSession(session, peer, json)
        })
        try {
          const web = webAppLink(server.host, server.port, book.spaceKey)
          if (json) await out.json({ tcp: server.urls.tcp, ws: server.urls.ws, host: server.host, port: server.port, web })
          else await out.line(`serving ${server.urls.tcp} and ${server.urls.ws} until Ctrl-C; the web app: ${web}`)
          await out.flush()
          await untilAborted(new Promise<never>(() => {}), signal).catch(() => {})
        } finally {
          await server.close()
        }
      }))
    })
}
