// One port for every peer: a connection's first bytes decide. An HTTP method and a space ("GET ") start an
// HTTP request: a WebSocket upgrade, handed to websocket.ts, or with a web root the web app's files
// (web-files.ts). Anything else is raw replication over TCP, whose first bytes are the Noise handshake's
// 3-byte little-endian length prefix: a handshake message is short, so its third byte is 0, never a letter.
// Each accepted connection is one session.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import { DEFAULT_TIMEOUT_MS, type ReplicationSession } from '../replication/session.js'
import type { ReplicationStream } from '../replication/stream.js'
import type { ConnectOptions } from './connecting.js'
import { replicateOverSocket } from './tcp.js'
import { serveWebFile } from './web-files.js'
import { defaultOrigins, replicateOverWebSocket, WebSocketGate } from './websocket.js'

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'].map((method) => Buffer.from(`${method} `))

/** Whether the first bytes of a connection start an HTTP request (true), cannot (false), or may yet (null). */
function startsHttp (head: Buffer): boolean | null {
  let undecided = false
  for (const method of HTTP_METHODS) {
    const length = Math.min(head.byteLength, method.byteLength)
    if (!head.subarray(0, length).equals(method.subarray(0, length))) continue
    if (length === method.byteLength) return true
    undecided = true
  }
  return undecided ? null : false
}

export interface ListenOptions extends Omit<ConnectOptions, 'signal' | 'connectTimeout'> {
  /** The address to listen on (default 127.0.0.1: this machine only). */
  host?: string
  /** The port (default 0: any free port; `server.port` says which). */
  port?: number
  /** Origins whose web pages may connect over WebSocket, besides the server's own (http://HOST:PORT). */
  allowOrigins?: string[]
  /**
   * A directory of web app files (index.html, app.js...) answered to plain HTTP GET requests, so that a page
   * served here replicates with this server over a WebSocket. Without it such requests get 426.
   */
  webRoot?: string
  /** Told of every session as it starts: `peer` is the remote address and the transport. */
  onSession?: (session: ReplicationSession, peer: PeerInfo) => void
}

export interface PeerInfo {
  transport: 'tcp' | 'ws'
  /** `host:port` of the remote end. */
  address: string
  /** The Origin header of a WebSocket connection from a browser. */
  origin?: string
}

export interface LogbookServer {
  readonly host: string
  readonly port: number
  /** `tcp://HOST:PORT` and `ws://HOST:PORT`: what peers pass to `logbook sync`. */
  readonly urls: { tcp: string, ws: string }
  /** Sessions running now. */
  readonly sessions: ReadonlySet<ReplicationSession>
  /** Stops accepting connections, ends every session cleanly (a live one after what is in flight), and closes. */
  close: () => Promise<void>
}

function remoteAddress (socket: Socket): string {
  const host = socket.remoteAddress ?? '?'
  return `${host.includes(':') ? `[${host}]` : host}:${socket.remotePort ?? '?'}`
}

/** Serves replication to every peer that connects to host:port, over TCP or WebSocket, until closed. */
export async function listen (book: Logbook, options: ListenOptions = {}): Promise<LogbookServer> {
  const { host = '127.0.0.1', port = 0, allowOrigins = [], onSession, webRoot, ...sessionOptions } = options
  const sessions = new Set<ReplicationSession>()
  const sockets = new Set<Socket>()
  let closing = false

  const started = (stream: ReplicationStream, peer: PeerInfo): void => {
    const session = stream.session
    sessions.add(session)
    const forget = (): void => { sessions.delete(session) }
    session.done.then(forget, forget)
    onSession?.(session, peer)
    if (closing) void session.end()
  }

  let gate: WebSocketGate | null = null
  const http = createHttpServer((request, response) => {
    if (webRoot !== undefined) {
      serveWebFile(webRoot, request, response).catch(() => response.destroy())
      return
    }
    response.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close', Upgrade: 'websocket' })
    response.end('this port speaks the logbook replication protocol, over raw TCP or a WebSocket\n')
  })
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => gate?.upgrade(request, socket, head))

  const route = (socket: Socket, head: Buffer): void => {
    if (startsHttp(head) === true) http.emit('connection', socket)
    else started(replicateOverSocket(book, false, socket, sessionOptions), { transport: 'tcp', address: remoteAddress(socket) })
  }

  // Half-open: a peer that has sent everything ends its side while this one still reads and answers;
  // closing both ways at its end would drop what is not yet read.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (closing) { socket.destroy(); return }
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => {}) // a peer that resets the connection ends its session, never the server
    // A connection that never says anything is dropped like a silent peer.
    socket.setTimeout(sessionOptions.timeout ?? DEFAULT_TIMEOUT_MS, () => socket.destroy())
    // Read in paused mode ('readable'), so that the bytes put back wait for whoever reads next, and the
    // stream starts flowing again once that reader listens.
    let head = Buffer.alloc(0)
    const sniff = (): void => {
      const chunk = socket.read() as Buffer | null
      if (chunk === null) return
      head = Buffer.concat([head, chunk])
      // Wait for more only while the bytes could still become an HTTP method.
      if (startsHttp(head) === null) return
      socket.off('readable', sniff)
      socket.setTimeout(0)
      socket.unshift(head)
      route(socket, head)
    }
    socket.on('readable', sniff)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new LogbookError('CONNECTION_FAILED', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }))
    })
    server.listen(port, host, () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host
  gate = new WebSocketGate([...defaultOrigins(host, bound), ...allowOrigins], (stream, request) => {
    started(replicateOverWebSocket(book, stream, sessionOptions), { transport: 'ws', address: remoteAddress(request.socket as Socket), origin: request.headers.origin })
  })

  let closed: Promise<void> | null = null
  return {
    host,
    port: bound,
    urls: { tcp: `tcp://${urlHost}:${bound}`, ws: `ws://${urlHost}:${bound}` },
    sessions,
    close: async () => {
      closed ??= (async () => {
        closing = true
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        await Promise.all([...sessions].map(async (session) => await session.end()))
        for (const socket of sockets) socket.destroy()
        await stopped
      })()
      await closed
    }
  }
}
