// Connecting to a peer by its address (peer-url.ts): the transport is the URL's scheme.
import type { Logbook } from '../logbook.js'
import type { ReplicationStream } from '../replication/stream.js'
import type { ConnectOptions } from './connecting.js'
import { parsePeerUrl } from './peer-url.js'
import { connectTcp } from './tcp.js'
import { connectWebSocket } from './websocket.js'

/** Connects to tcp://HOST:PORT, ws://HOST:PORT or wss://... and replicates as the initiator. */
export async function connectPeer (book: Logbook, url: string, options: ConnectOptions = {}): Promise<ReplicationStream> {
  const peer = parsePeerUrl(url)
  if (peer.transport === 'tcp') return await connectTcp(book, peer.host, peer.port, options)
  return await connectWebSocket(book, peer.url, options)
}
