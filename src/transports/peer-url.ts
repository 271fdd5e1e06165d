// Where a peer is, as the command and connectPeer take it: tcp://HOST:PORT, ws://HOST:PORT[/PATH] or
// wss://HOST[:PORT][/PATH] (a WebSocket behind a TLS proxy). Anything else is refused before connecting.
import { LogbookError } from '../errors.js'

export interface PeerAddress {
  transport: 'tcp' | 'ws'
  /** The URL as given, normalised (what messages name). */
  url: string
  /** The host name or address, without the brackets of an IPv6 address. */
  host: string
  port: number
}

const DEFAULT_PORTS: Record<string, number | undefined> = { 'ws:': 80, 'wss:': 443 }

export function parsePeerUrl (text: string): PeerAddress {
  const invalid = (why: string): LogbookError =>
    new LogbookError('INVALID_ARGUMENT', `${JSON.stringify(text)} is not a peer address: ${why} (expected tcp://HOST:PORT or ws://HOST:PORT)`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw invalid('not a URL')
  }
  if (!['tcp:', 'ws:', 'wss:'].includes(url.protocol)) throw invalid(`unknown scheme ${url.protocol.slice(0, -1)}`)
  if (url.hostname === '') throw invalid('no host')
  if (url.username !== '' || url.password !== '') throw invalid('a user name or password does not belong in it')
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port)
  if (port === undefined || port === 0) throw invalid('no port')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (url.protocol === 'tcp:') {
    if (url.pathname !== '' && url.pathname !== '/') throw invalid('a tcp:// address has no path')
    if (url.search !== '' || url.hash !== '') throw invalid('a tcp:// address has no query or fragment')
    return { transport: 'tcp', url: `tcp://${url.host}`, host, port }
  }
  if (url.hash !== '') throw invalid('a WebSocket address has no fragment')
  return { transport: 'ws', url: url.href, host, port }
}

/** A ws:// or wss:// address, checked before connecting (INVALID_ARGUMENT otherwise). */
export function webSocketAddress (text: string): PeerAddress {
  const peer = parsePeerUrl(text)
  if (peer.transport !== 'ws') throw new LogbookError('INVALID_ARGUMENT', `${JSON.stringify(text)} is not a WebSocket address: expected ws:// or wss://`)
  return peer
}
