// Replication over TCP: the socket is the byte stream the Noise stream runs over. The side that connects
// initiates the Noise handshake.
import { connect, type Socket } from 'node:net'
import type { Logbook } from '../logbook.js'
import type { ReplicationStream } from '../replication/stream.js'
import { connecting, sessionOptions, type ConnectOptions } from './connecting.js'

/** Connects to a peer's `logbook serve` (or listen()) at host:port and replicates with it. */
export async function connectTcp (book: Logbook, host: string, port: number, options: ConnectOptions = {}): Promise<ReplicationStream> {
  const url = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`
  const socket = await connecting<Socket>(url, options, (opened, failed) => {
    // Half-open, as the server: the session ends each direction itself (see listener.ts).
    const socket = connect({ host, port, allowHalfOpen: true })
    socket.once('connect', () => { socket.off('error', failed); opened(socket) })
    socket.once('error', failed)
    return () => socket.destroy()
  })
  return replicateOverSocket(book, true, socket, options)
}

/** Replicates over a connected socket; the side that accepted it is the responder. */
export function replicateOverSocket (book: Logbook, isInitiator: boolean, socket: Socket, options: ConnectOptions): ReplicationStream {
  // Small protocol messages (proofs, fingerprints, done) must not wait for Nagle's algorithm.
  socket.setNoDelay(true)
  return book.replicate(isInitiator, { ...sessionOptions(options), stream: socket })
}

