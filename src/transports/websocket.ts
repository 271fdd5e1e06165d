// Replication over WebSocket: binary frames carry the Noise stream's bytes (websocket-stream.ts). The side
// that connects initiates. A server accepts a browser's connection only from the origins it allows: any web
// page can ask a browser to open a WebSocket to 127.0.0.1, and the Origin header is how a server tells.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import type { Logbook } from '../logbook.js'
import type { ReplicationStream } from '../replication/stream.js'
import { connecting, sessionOptions, type ConnectOptions } from './connecting.js'
import { webSocketAddress } from './peer-url.js'
import { MAX_FRAME_BYTES } from './websocket-limits.js'
import { WebSocketStream } from './websocket-stream.js'

/** Connects to a peer's `logbook serve` (or listen()) at a ws:// or wss:// URL and replicates with it. */
export async function connectWebSocket (book: Logbook, url: string, options: ConnectOptions = {}): Promise<ReplicationStream> {
  const peer = webSocketAddress(url)
  const socket = await connecting<WebSocket>(peer.url, options, (opened, failed) => {
    // Encrypted bytes do not compress: no per-message deflate.
    const socket = new WebSocket(peer.url, { perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES })
    socket.once('open', () => { socket.off('error', failed); opened(socket) })
    socket.once('error', failed)
    socket.once('unexpected-response', (_request, response) => {
      failed(new Error(`the server answered ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim()))
    })
    return () => socket.terminate()
  })
  return book.replicate(true, { ...sessionOptions(options), stream: new WebSocketStream(socket) })
}

/**
 * The origins a server at host:port allows by default: its own (a page it serves), as the browser names it.
 * A wildcard address is reached by any of the machine's names; only the loopback names are allowed for it,
 * others must be given (a name that resolves here could be any site's: DNS rebinding).
 */
export function defaultOrigins (host: string, port: number): string[] {
  const loopback = ['127.0.0.1', 'localhost', '[::1]']
  const bracketed = host.includes(':') ? `[${host}]` : host
  const hosts = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host) ? loopback : [bracketed]
  return hosts.map((name) => `http://${name}:${port}`)
}

/** An origin as a browser sends it (scheme://host[:port], lowercase, no default port); null if it is none. */
export function normalOrigin (text: string): string | null {
  try {
    const url = new URL(text)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return url.origin
  } catch {
    return null
  }
}

/** Takes HTTP upgrade requests and replicates over those it accepts; refuses others with 403. */
export class WebSocketGate {
  private readonly server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES })
  private readonly origins: Set<string>

  constructor (origins: string[], private readonly accepted: (stream: WebSocketStream, request: IncomingMessage) => void) {
    this.origins = new Set(origins.map((origin) => normalOrigin(origin) ?? origin))
  }

  /** Clients without an Origin header are not browsers: the space key is what they must prove. */
  allows (origin: string | undefined): boolean {
    if (origin === undefined) return true
    const normal = normalOrigin(origin)
    return normal !== null && this.origins.has(normal)
  }

  upgrade (request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.allows(request.headers.origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nthis origin may not connect\n')
      return
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accepted(new WebSocketStream(ws), request))
  }
}

/** Replicates over an accepted WebSocket as the responder. */
export function replicateOverWebSocket (book: Logbook, stream: WebSocketStream, options: ConnectOptions): ReplicationStream {
  return book.replicate(false, { ...sessionOptions(options), stream })
}
