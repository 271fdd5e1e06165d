// Replication from a web page over the browser's own WebSocket: the same session, Noise handshake and
// space-key proof as Node's connectWebSocket (websocket.ts), with binary frames carrying the Noise stream's
// bytes. The page connects, so it initiates. No Node built-ins here: this file goes into the browser bundle.
import { Duplex } from 'streamx'
import { concatBytes } from '../entry/bytes.js'
import { LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import type { ReplicationStream } from '../replication/stream.js'
import { connecting, sessionOptions, type ConnectOptions } from './connecting.js'
import { webSocketAddress } from './peer-url.js'
import { END_OF_STREAM, FRAME_BYTES, QUEUED_BYTES, READ_REPORT_BYTES } from './websocket-limits.js'

/** What this needs of a WHATWG WebSocket (a browser's, or the ws package's in tests). */
export interface PageWebSocket {
  binaryType: string
  readonly readyState: number
  readonly bufferedAmount: number
  send: (data: Uint8Array | string) => void
  close: (code?: number) => void
  addEventListener: (type: string, listener: (event: any) => void) => void
  removeEventListener: (type: string, listener: (event: any) => void) => void
}

export type PageWebSocketConstructor = new (url: string) => PageWebSocket

export interface PageConnectOptions extends ConnectOptions {
  /** The WebSocket class to connect with (default: the page's own, globalThis.WebSocket). */
  WebSocket?: PageWebSocketConstructor
}

// readyState values, as the WHATWG standard numbers them.
const CONNECTING = 0
const OPEN = 1

/** How often a write held back for backpressure looks again: a browser's WebSocket has no 'drain' event. */
const DRAIN_POLL_MS = 10

/**
 * A page's WebSocket as a byte stream for replication. As in websocket-stream.ts, writes made within one turn
 * of the event loop go out as one frame (the peer splits them by their length prefixes). Frames are handed to
 * the socket only while its queue is short, and writes wait while it is long. A browser's WebSocket cannot
 * stop reading: what arrives is read as it comes.
 */
export class PageWebSocketStream extends Duplex {
  /** Written bytes not yet handed to the socket. */
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private drainTimer: ReturnType<typeof setTimeout> | null = null
  /** A write's callback held back until the socket's queue is short again. */
  private waiting: (() => void) | null = null
  /** This side sent its end of stream, and the peer its own (websocket-limits.ts). */
  private ended = false
  private peerEnded = false
  /** Bytes received, and the count last reported to the server as read. */
  private received = 0
  private reported = 0

  constructor (private readonly socket: PageWebSocket) {
    super()
    socket.binaryType = 'arraybuffer'
    socket.addEventListener('message', (event: { data: unknown }) => {
      if (!(event.data instanceof ArrayBuffer)) this.destroy(new Error('the peer sent a text frame; replication speaks binary frames only'))
      else if (event.data.byteLength === 0) { this.peerEnded = true; this.push(null); this.closeOnceBothEnded() }
      else {
        this.received += event.data.byteLength
        this.push(new Uint8Array(event.data))
      }
    })
    // The server sends at most READ_AHEAD_BYTES beyond what this side says it has read.
    if (socket.readyState === OPEN) socket.send('0')
    // Closed without an end of stream (or after both): the peer's last messages may still wait unread: end
    // the readable side, and close once they are read (a reader still in its handshake learns that way that
    // the peer is gone).
    socket.addEventListener('close', () => {
      this.stopTimers()
      this.releaseWaiting()
      this.once('end', () => this.destroy())
      this.push(null)
    })
    // A browser says nothing more of why (the 'close' that follows has code 1006).
    socket.addEventListener('error', (event: { message?: string }) => this.destroy(new Error(event.message ?? 'the WebSocket failed')))
  }

  /** Asked for more: what was pushed is read, but for what the buffer holds (at most its high-water mark). */
  override _read (callback: (err: Error | null) => void): void {
    if (this.received - this.reported >= READ_REPORT_BYTES && this.socket.readyState === OPEN) {
      this.reported = this.received
      this.socket.send(String(this.received))
    }
    callback(null)
  }

  override _writev (batch: unknown[], callback: (err: Error | null) => void): void {
    if (this.socket.readyState !== OPEN) { callback(new Error('the WebSocket is closed')); return }
    for (const chunk of batch as Uint8Array[]) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.byteLength
    }
    this.send(false)
    // What is left of a frame goes at the end of this turn.
    if (this.pendingBytes > 0) this.flushTimer ??= setTimeout(() => { this.flushTimer = null; this.send(true) }, 0)
    if (this.queued() < QUEUED_BYTES) callback(null)
    else this.waitForDrain(() => callback(null))
  }

  override _final (callback: (err: Error | null) => void): void {
    this.stopTimers()
    this.send(true, true)
    if (this.socket.readyState === OPEN) this.socket.send(END_OF_STREAM)
    this.ended = true
    this.closeOnceBothEnded()
    callback(null)
  }

  private closeOnceBothEnded (): void {
    if (this.ended && this.peerEnded) this.socket.close(1000)
  }

  override _predestroy (): void {
    this.stopTimers()
    this.releaseWaiting()
  }

  override _destroy (callback: (err: Error | null) => void): void {
    this.stopTimers()
    this.releaseWaiting()
    // Still open: cut off rather than ended (_final closes it after sending what was written).
    if (this.socket.readyState === OPEN || this.socket.readyState === CONNECTING) this.socket.close()
    callback(null)
  }

  private queued (): number {
    return this.socket.bufferedAmount + this.pendingBytes
  }

  /**
   * Hands frames to the socket while its queue is short (or regardless, at the end): full ones only, or with
   * `partial` also the last, shorter one. A frame is at most FRAME_BYTES plus one write.
   */
  private send (partial: boolean, regardless = false): void {
    while (this.pendingBytes > 0 && this.socket.readyState === OPEN && (regardless || this.socket.bufferedAmount < QUEUED_BYTES)) {
      let count = 0
      let bytes = 0
      while (count < this.pending.length && bytes < FRAME_BYTES) bytes += this.pending[count++].byteLength
      if (bytes < FRAME_BYTES && !partial) return
      const parts = this.pending.splice(0, count)
      const frame = parts.length === 1 ? parts[0] : concatBytes(parts)
      this.pendingBytes -= bytes
      this.socket.send(frame)
    }
  }

  private waitForDrain (done: () => void): void {
    this.waiting = done
    const check = (): void => {
      this.drainTimer = null
      this.send(true)
      if (this.queued() < QUEUED_BYTES || this.socket.readyState !== OPEN) this.releaseWaiting()
      else this.drainTimer = setTimeout(check, DRAIN_POLL_MS)
    }
    this.drainTimer = setTimeout(check, DRAIN_POLL_MS)
  }

  private stopTimers (): void {
    if (this.flushTimer !== null) { clearTimeout(this.flushTimer); this.flushTimer = null }
    if (this.drainTimer !== null) { clearTimeout(this.drainTimer); this.drainTimer = null }
  }

  private releaseWaiting (): void {
    if (this.drainTimer !== null) { clearTimeout(this.drainTimer); this.drainTimer = null }
    const waiting = this.waiting
    this.waiting = null
    waiting?.()
  }
}

/** Why a WebSocket did not open: the event's message where there is one (a browser gives none). */
function notOpened (event: { message?: string, code?: number }): Error {
  if (typeof event.message === 'string' && event.message !== '') return new Error(event.message)
  return new Error(`the connection closed before it opened${event.code !== undefined ? ` (code ${event.code})` : ''}: the server is not there, or refused this page's origin`)
}

/** Connects to a peer's `logbook serve` (or listen()) at a ws:// or wss:// URL and replicates with it. */
export async function connectWebSocket (book: Logbook, url: string, options: PageConnectOptions = {}): Promise<ReplicationStream> {
  const { WebSocket: Socket = (globalThis as { WebSocket?: PageWebSocketConstructor }).WebSocket, ...rest } = options
  const peer = webSocketAddress(url)
  if (Socket === undefined) throw new LogbookError('INVALID_ARGUMENT', 'there is no WebSocket here: pass one as the WebSocket option')
  const socket = await connecting<PageWebSocket>(peer.url, rest, (opened, failed) => {
    const socket = new Socket(peer.url)
    socket.binaryType = 'arraybuffer'
    const listeners = {
      open: () => { forget(); opened(socket) },
      error: (event: { message?: string }) => { forget(); failed(notOpened(event)) },
      close: (event: { code?: number }) => { forget(); failed(notOpened(event)) }
    }
    const forget = (): void => {
      for (const [type, listener] of Object.entries(listeners)) socket.removeEventListener(type, listener)
    }
    for (const [type, listener] of Object.entries(listeners)) socket.addEventListener(type, listener)
    return () => {
      forget()
      // Closing a socket still connecting reports an error of its own (the ws package throws it if unheard).
      socket.addEventListener('error', () => {})
      socket.close()
    }
  })
  return book.replicate(true, { ...sessionOptions(rest), stream: new PageWebSocketStream(socket) })
}
