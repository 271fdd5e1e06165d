// The transports the conformance suite runs over: each starts a serving side on a book and connects
// client books to it, and reports the sessions the serving side accepted, in order.
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { connectPeer, listen, replicateStdio, spawnPeer, type ConnectOptions, type Logbook, type ReplicateOptions, type ReplicationSession, type ReplicationStream } from '../../src/index.js'
import { connectWebSocket as connectFromPage, type PageWebSocketConstructor } from '../../src/transports/browser-websocket.js'

export interface Served {
  connect: (client: Logbook, options?: ConnectOptions) => Promise<ReplicationStream>
  /** The next session the serving side accepts (each resolves once). */
  nextSession: () => Promise<ReplicationSession>
  close: () => Promise<void>
}

export interface TransportCase {
  name: string
  serve: (book: Logbook, options: ReplicateOptions) => Promise<Served>
}

/** Sessions in the order they start, handed out in that order. */
class SessionQueue {
  private readonly started: ReplicationSession[] = []
  private readonly waiting: Array<(session: ReplicationSession) => void> = []

  add = (session: ReplicationSession): void => {
    const waiter = this.waiting.shift()
    if (waiter !== undefined) waiter(session)
    else this.started.push(session)
  }

  next = async (): Promise<ReplicationSession> => {
    const session = this.started.shift()
    if (session !== undefined) return session
    return await new Promise((resolve) => this.waiting.push(resolve))
  }
}

type Connect = (client: Logbook, url: string, options: ConnectOptions) => Promise<ReplicationStream>

function listening (scheme: 'tcp' | 'ws', name: string = scheme, connect: Connect = connectPeer): TransportCase {
  return {
    name,
    serve: async (book, options) => {
      const queue = new SessionQueue()
      const server = await listen(book, { ...options, port: 0, onSession: queue.add })
      return {
        connect: async (client, connectOptions = {}) => await connect(client, server.urls[scheme], connectOptions),
        nextSession: queue.next,
        close: server.close
      }
    }
  }
}

const RELAY = fileURLToPath(new URL('./stdio-relay.js', import.meta.url))

/** stdio: the client spawns a child and replicates over its pipes; the child relays to this process. */
const stdio: TransportCase = {
  name: 'stdio',
  serve: async (book, options) => {
    const queue = new SessionQueue()
    const sockets = new Set<Socket>()
    const hub = createServer((socket) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
      queue.add(replicateStdio(book, false, { ...options, input: socket, output: socket }).session)
    })
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve))
    const port = (hub.address() as AddressInfo).port
    const children: Array<{ kill: () => boolean }> = []
    return {
      connect: async (client, connectOptions = {}) => {
        const peer = await spawnPeer(client, process.execPath, [RELAY, String(port)], connectOptions)
        children.push(peer.child)
        return peer.stream
      },
      nextSession: queue.next,
      close: async () => {
        for (const child of children) child.kill()
        for (const socket of sockets) socket.destroy()
        await new Promise<void>((resolve) => hub.close(() => resolve()))
      }
    }
  }
}

/** A page's WebSocket (browser-websocket.ts), with the ws package's WHATWG-style WebSocket in the browser's place. */
export const NodeWebSocketForPages = WebSocket as unknown as PageWebSocketConstructor
const pageWebSocket = listening('ws', 'ws from a page', async (client, url, options) => await connectFromPage(client, url, { ...options, WebSocket: NodeWebSocketForPages }))

export const TRANSPORTS: TransportCase[] = [listening('tcp'), listening('ws'), pageWebSocket, stdio]
